package csvx

import (
	"bytes"
	"fmt"

	"github.com/lectern-platform/lectern/internal/apperr"
)

// sniff picks the delimiter from the header line: Excel writes ";" where the
// decimal separator is "," (France, Germany, Brazil, …) and "," elsewhere, and the
// uploader cannot be asked which. It honours Excel's optional first line "sep=;",
// returning that line's number so the reader can skip it.
func sniff(data []byte) (comma rune, sepLine int, err error) {
	line := 0
	for off := 0; off < len(data); {
		line++
		text, next := data[off:], len(data)
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			text, next = text[:i], off+i+1
		}
		text = bytes.TrimSuffix(text, []byte{'\r'})
		switch {
		case isBlankLine(text):
			off = next
			continue
		case len(text) == len("sep=")+1 && bytes.EqualFold(text[:4], []byte("sep=")):
			d := rune(text[4])
			if d != ',' && d != ';' {
				return 0, 0, &FileError{Line: line, Msg: apperr.Msg{ID: "err.csv.delimiter", Args: []any{"Delimiter", fmt.Sprintf("%q", d)}}}
			}
			return d, line, nil
		}
		return countDelimiters(data[off:]), 0, nil
	}
	return 0, 0, errEmpty
}

// isBlankLine matches what the reader skips as a blank record, including the rows
// of empty cells (";;;") that spreadsheets write for formatted but empty rows.
func isBlankLine(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', ',', ';', '"':
		default:
			return false
		}
	}
	return true
}

// countDelimiters reads the first record of b (which may span lines inside quotes)
// and returns whichever of ',' and ';' separates more of its fields.
func countDelimiters(b []byte) rune {
	var commas, semicolons int
	inQuotes := false
loop:
	for _, c := range b {
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case inQuotes:
		case c == '\n':
			break loop
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}
