package csvx

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/lectern-platform/lectern/internal/apperr"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// resaveHint tells a trainer how to fix the file in the tool they most likely used;
// "use UTF-8" alone does not help someone who never chose an encoding.
var resaveHint = apperr.Msg{ID: "err.csv.resave_hint"}

// utf8Text returns data without its BOM and with LF or CRLF line ends, or a
// *FileError saying what the file seems to be instead of UTF-8.
func utf8Text(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, bomUTF16LE) || bytes.HasPrefix(data, bomUTF16BE) {
		return nil, &FileError{Line: 1, Msg: apperr.Msg{ID: "err.csv.utf16", Args: []any{"Hint", resaveHint}}}
	}
	data = bytes.TrimPrefix(data, bomUTF8)

	// Excel for Mac's old "CSV (Macintosh)" ends lines with CR alone; encoding/csv
	// would see one long line. A file without any LF cannot be anything else.
	if bytes.IndexByte(data, '\r') >= 0 && bytes.IndexByte(data, '\n') < 0 {
		data = bytes.ReplaceAll(data, []byte{'\r'}, []byte{'\n'})
	}

	// NUL is valid UTF-8, but in a text file it almost always means UTF-16 without
	// a BOM (every ASCII character followed by a zero byte).
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &FileError{Line: lineAt(data, i), Msg: apperr.Msg{ID: "err.csv.nul", Args: []any{"Hint", resaveHint}}}
	}
	if utf8.Valid(data) {
		return data, nil
	}
	i := firstInvalid(data)
	start := bytes.LastIndexByte(data[:i], '\n') + 1
	end := len(data)
	if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
		end = i + j
	}
	return nil, &FileError{
		Line: lineAt(data, i),
		Msg: apperr.Msg{ID: "err.csv.not_utf8", Args: []any{"Byte", fmt.Sprintf("0x%02X", data[i]),
			"Excerpt", fmt.Sprintf("%q", windows1252Excerpt(bytes.TrimSuffix(data[start:end], []byte{'\r'}))), "Hint", resaveHint}},
	}
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// lineAt is the 1-based line holding byte offset i.
func lineAt(b []byte, i int) int {
	return bytes.Count(b[:i], []byte{'\n'}) + 1
}

// windows1252Excerpt decodes the offending line the way it was most likely
// written, so the trainer can find it ("José") instead of puzzling over bytes.
// The line is given whole: a person compares it with their file, and a cut
// one may hide the very cell at fault.
func windows1252Excerpt(line []byte) string {
	b, err := charmap.Windows1252.NewDecoder().Bytes(line)
	if err != nil {
		b = bytes.ToValidUTF8(line, []byte("\uFFFD"))
	}
	return string(b)
}
