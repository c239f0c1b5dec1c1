package csvx

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// resaveHint tells a trainer how to fix the file in the tool they most likely used;
// "use UTF-8" alone does not help someone who never chose an encoding.
const resaveHint = `re-save it as "CSV UTF-8": in Excel, File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; ` +
	`in LibreOffice Calc, File > Save As > "Text CSV", tick "Edit filter settings" and choose "Unicode (UTF-8)"; ` +
	`Google Sheets' File > Download > "Comma-separated values" is already UTF-8`

// utf8Text returns data without its BOM and with LF or CRLF line ends, or a
// *FileError saying what the file seems to be instead of UTF-8.
func utf8Text(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, bomUTF16LE) || bytes.HasPrefix(data, bomUTF16BE) {
		return nil, &FileError{Line: 1, Message: `the file is UTF-16 text (as Excel's "Unicode Text" saves it), not UTF-8; ` + resaveHint}
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
		return nil, &FileError{Line: lineAt(data, i), Message: `the file contains NUL bytes, so it looks like UTF-16 text (as Excel's "Unicode Text" saves it), not UTF-8; ` + resaveHint}
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
		Message: fmt.Sprintf("the text is not UTF-8: byte 0x%02X in %q (shown as if Windows-1252); the file looks like Latin-1/Windows-1252; %s",
			data[i], windows1252Excerpt(bytes.TrimSuffix(data[start:end], []byte{'\r'})), resaveHint),
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
func windows1252Excerpt(line []byte) string {
	const max = 60
	b, err := charmap.Windows1252.NewDecoder().Bytes(line)
	if err != nil {
		b = bytes.ToValidUTF8(line, []byte("\uFFFD"))
	}
	r := []rune(string(b))
	if len(r) > max {
		return string(r[:max]) + "…"
	}
	return string(r)
}
