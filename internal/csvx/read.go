package csvx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lectern-platform/lectern/internal/apperr"
)

// RowError names a problem with one line of the file. Row is the line number in
// the file, the header being line 1 (quoted fields spanning lines: the line where
// the record starts).
type RowError struct {
	Row   int
	Field string
	apperr.Msg
}

// Table is a parsed CSV file: the header's column names (trimmed, lower-cased) and
// the records, each with its line number.
type Table struct {
	Columns []string
	Records []Record
}

type Record struct {
	Line   int
	Values map[string]string // by column name, values trimmed of surrounding spaces
}

// FileError is a problem with the file as a whole. Line is 0 when no line is to
// blame (an empty file). Msg (an id of the errors catalogue, which callers
// show in their reader's language) does not repeat the line; Error does.
type FileError struct {
	Line int
	apperr.Msg
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg.String()
}

var errEmpty = &FileError{Msg: apperr.Msg{ID: "err.csv.empty"}}

// Read parses a CSV upload. It accepts UTF-8 with or without BOM, comma or
// semicolon delimiters (detected from the header line), quoted fields (including
// embedded delimiters, quotes and newlines), CRLF or LF. It rejects, with a
// *FileError carrying a clear message: input that is not UTF-8 (name the line, and
// say that the file looks like UTF-16 when it has a UTF-16 BOM or NUL bytes, or like
// Latin-1/Windows-1252 otherwise, and how to re-save as "CSV UTF-8"), an empty
// file, a header with an empty or duplicate column name, a header missing any of
// the required columns, unknown columns (not in required ∪ optional; say which and
// list the allowed ones), more than maxRows data rows. Blank lines are skipped.
// Per-record problems that are structural (wrong number of fields) become
// RowErrors in the returned slice rather than failing the whole file, so a caller
// can report every bad row at once.
//
// Beyond that contract, so that files straight out of a spreadsheet pass:
//   - rows of empty cells (";;;") count as blank lines;
//   - empty cells after the last named header column are ignored, on the header
//     and on every row, because Excel exports its whole "used range" and writes them
//     for columns that were once formatted; a value in such a cell is a RowError;
//   - Excel's optional first line "sep=;" sets the delimiter and is skipped;
//   - old Mac files ending lines with CR alone are read like LF files.
//
// Column names given in required and optional are matched trimmed and
// case-insensitively; Columns and Values use the lower-case form. Records with a
// RowError are left out of Records. maxRows <= 0 means no limit. Read holds the
// whole input in memory: callers bound its size (the HTTP body limit), and any
// error from r is returned wrapped, so the caller can still recognise it.
func Read(r io.Reader, required, optional []string, maxRows int) (*Table, []RowError, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read csv: %w", err)
	}
	if data, err = utf8Text(data); err != nil {
		return nil, nil, err
	}
	comma, sepLine, err := sniff(data)
	if err != nil {
		return nil, nil, err
	}

	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // checked per row, so that every bad row is reported
	cr.ReuseRecord = true

	var (
		t       *Table
		rowErrs []RowError
		rows    int
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if t == nil {
				return nil, nil, &FileError{Line: pe.StartLine, Msg: apperr.Msg{ID: "err.csv.header_malformed", Args: []any{"Problem", parseErrorMessage(pe)}}}
			}
			rows++
			if maxRows > 0 && rows > maxRows {
				return nil, nil, tooManyRows(pe.StartLine, maxRows)
			}
			rowErrs = append(rowErrs, RowError{Row: pe.StartLine, Msg: parseErrorMessage(pe)})
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if line == sepLine || isBlankRecord(rec) {
			continue
		}
		if t == nil {
			cols, err := parseHeader(rec, line, required, optional)
			if err != nil {
				return nil, nil, err
			}
			t = &Table{Columns: cols}
			continue
		}
		rows++
		if maxRows > 0 && rows > maxRows {
			return nil, nil, tooManyRows(line, maxRows)
		}
		if msg := widthProblem(rec, t.Columns, comma); msg.ID != "" {
			rowErrs = append(rowErrs, RowError{Row: line, Msg: msg})
			continue
		}
		values := make(map[string]string, len(t.Columns))
		for i, c := range t.Columns {
			values[c] = trim(rec[i])
		}
		t.Records = append(t.Records, Record{Line: line, Values: values})
	}
	if t == nil {
		return nil, nil, errEmpty
	}
	return t, rowErrs, nil
}

// parseHeader returns the header's column names, normalised, without the empty
// cells that trail the last named one.
func parseHeader(rec []string, line int, required, optional []string) ([]string, error) {
	n := len(rec)
	for n > 0 && trim(rec[n-1]) == "" {
		n--
	}
	cols := make([]string, n)
	seen := make(map[string]int, n)
	for i := range n {
		c := normName(rec[i])
		if c == "" {
			return nil, &FileError{Line: line, Msg: apperr.Msg{ID: "err.csv.column_unnamed", Args: []any{"Column", i + 1}}}
		}
		if j, dup := seen[c]; dup {
			return nil, &FileError{Line: line, Msg: apperr.Msg{ID: "err.csv.column_twice", Args: []any{"Name", c, "First", j + 1, "Second", i + 1}}}
		}
		seen[c] = i
		cols[i] = c
	}

	var allowed []string
	for _, c := range slices.Concat(required, optional) {
		if c = normName(c); !slices.Contains(allowed, c) {
			allowed = append(allowed, c)
		}
	}
	var unknown, missing []string
	for _, c := range cols {
		if !slices.Contains(allowed, c) {
			unknown = append(unknown, fmt.Sprintf("%q", c))
		}
	}
	for _, c := range required {
		if c = normName(c); !slices.Contains(cols, c) && !slices.Contains(missing, fmt.Sprintf("%q", c)) {
			missing = append(missing, fmt.Sprintf("%q", c))
		}
	}
	// Both in one message: a misspelt column is usually unknown and missing at once,
	// and seeing the two side by side shows the typo.
	unknownMsg := apperr.Msg{ID: "err.csv.columns_unknown", Args: []any{"Count", len(unknown),
		"Names", strings.Join(unknown, ", "), "Allowed", strings.Join(allowed, ", ")}}
	missingMsg := apperr.Msg{ID: "err.csv.columns_missing", Args: []any{"Count", len(missing), "Names", strings.Join(missing, ", ")}}
	switch {
	case len(unknown) > 0 && len(missing) > 0:
		return nil, &FileError{Line: line, Msg: apperr.Msg{ID: "err.csv.header_unknown_missing", Args: []any{"Unknown", unknownMsg, "Missing", missingMsg}}}
	case len(unknown) > 0:
		return nil, &FileError{Line: line, Msg: apperr.Msg{ID: "err.csv.header_unknown", Args: []any{"Unknown", unknownMsg}}}
	case len(missing) > 0:
		return nil, &FileError{Line: line, Msg: apperr.Msg{ID: "err.csv.header_missing", Args: []any{"Missing", missingMsg}}}
	}
	return cols, nil
}

// widthProblem says why a row does not line up with the header, or returns a
// message without an id.
func widthProblem(rec, cols []string, comma rune) apperr.Msg {
	n := len(rec)
	for n > len(cols) && trim(rec[n-1]) == "" {
		n--
	}
	switch {
	case n < len(cols):
		return apperr.Msg{ID: "err.csv.too_few_fields", Args: []any{"Count", n, "Columns", len(cols), "Names", strings.Join(cols, ", ")}}
	case n > len(cols):
		return apperr.Msg{ID: "err.csv.too_many_fields", Args: []any{"Fields", n, "Columns", len(cols),
			"Names", strings.Join(cols, ", "), "Delimiter", fmt.Sprintf("%q", comma)}}
	}
	return apperr.Msg{}
}

func parseErrorMessage(pe *csv.ParseError) apperr.Msg {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return apperr.Msg{ID: "err.csv.bare_quote"}
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		return apperr.Msg{ID: "err.csv.quote_runs_on", Args: []any{"Line", pe.Line}}
	case errors.Is(pe.Err, csv.ErrQuote):
		return apperr.Msg{ID: "err.csv.quote"}
	}
	return apperr.Msg{ID: "err.csv.unreadable", Args: []any{"Detail", pe.Err.Error()}}
}

func tooManyRows(line, maxRows int) *FileError {
	return &FileError{Line: line, Msg: apperr.Msg{ID: "err.csv.too_many_rows", Args: []any{"Max", maxRows}}}
}

func isBlankRecord(rec []string) bool {
	for _, f := range rec {
		if trim(f) != "" {
			return false
		}
	}
	return true
}

// trim also drops U+FEFF: a second BOM, left by tools that concatenate files or
// add one to a file that already has it, would otherwise stick to a column name.
func trim(s string) string {
	// Nearly every cell starts and ends with a printable ASCII byte; skipping the
	// rune-by-rune trim for those makes a large roster noticeably faster to read.
	if s == "" || (printableASCII(s[0]) && printableASCII(s[len(s)-1])) {
		return s
	}
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

func printableASCII(c byte) bool { return c > ' ' && c < utf8.RuneSelf }

func normName(s string) string { return strings.ToLower(trim(s)) }
