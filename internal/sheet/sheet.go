// Package sheet writes one table of figures as a download: CSV through csvx
// (UTF-8 with a BOM, cells escaped against formula injection: the same rules as
// every export), or XLSX with typed cells, so that a spreadsheet sorts dates as
// dates, sums counts and shows a rate as a percentage without the reader
// converting text. Rows are streamed from the caller, so an export of any size
// holds a bounded amount of memory.
package sheet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/csvx"
)

// Kind is what a column holds, and so how each format writes it.
type Kind int

const (
	// Text is a string, written as text in either format, never as a formula.
	Text Kind = iota
	// Int is a count (any Go integer).
	Int
	// Number is a float64.
	Number
	// Percent is a share as a float64 fraction (0.25 is 25 %): a number with a
	// percent format in XLSX, the number of percent (25) in CSV as results.csv
	// writes it.
	Percent
	// Date is a day (time.Time; its calendar date as it is, no zone conversion):
	// a date with the reader's date format in XLSX, YYYY-MM-DD in CSV.
	Date
	// Month is a calendar month (time.Time, any day of it): a date shown as
	// yyyy-mm in XLSX, YYYY-MM in CSV.
	Month
)

// Column is one column: its header, already in the reader's language, and kind.
type Column struct {
	Header string
	Kind   Kind
}

// Table is what is written. Rows calls emit once per row, in order, with one
// value per column (nil for an empty cell); an error from emit must be returned.
type Table struct {
	// Name names the XLSX sheet (at most 31 characters; see sheetName).
	Name    string
	Columns []Column
	Rows    func(emit func(row []any) error) error
}

// Format is a download's file format: "csv" or "xlsx".
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType is the format's media type for a download's header.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// ErrFormat is returned for a format other than csv or xlsx.
var ErrFormat = errors.New("sheet: unknown format")

// Write writes t in format f to w.
func Write(w io.Writer, f Format, t Table) error {
	switch f {
	case CSV:
		return WriteCSV(w, t)
	case XLSX:
		return WriteXLSX(w, t)
	}
	return fmt.Errorf("%w %q", ErrFormat, f)
}

// WriteCSV writes t as CSV: the header row, then each row as text.
func WriteCSV(w io.Writer, t Table) error {
	cw, err := csvx.NewWriter(w)
	if err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = c.Header
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	err = eachRow(t, rec, func(i int, v any) (string, error) { return csvCell(t.Columns[i].Kind, v) },
		func(int) error { return cw.Write(rec) })
	if err != nil {
		return err
	}
	return cw.Flush()
}

// eachRow converts every row of t into out, one cell per column, with conv
// (given the column's index), and hands each converted row to emit with its
// number as a spreadsheet shows it (the header is row 1). A short or long row
// and a cell conv refuses are errors naming the row and column, whatever the
// format.
func eachRow[T any](t Table, out []T, conv func(i int, v any) (T, error), emit func(n int) error) error {
	n := 1
	return t.Rows(func(row []any) error {
		n++
		if len(row) != len(t.Columns) {
			return fmt.Errorf("sheet: row %d has %d cells for %d columns", n, len(row), len(t.Columns))
		}
		for i, v := range row {
			c, err := conv(i, v)
			if err != nil {
				return fmt.Errorf("sheet: row %d, column %q: %w", n, t.Columns[i].Header, err)
			}
			out[i] = c
		}
		return emit(n)
	})
}

// csvCell writes one value as the CSV's text: numbers with a full stop and no
// grouping (what every spreadsheet's CSV import and every script reads), dates
// as ISO 8601.
func csvCell(k Kind, v any) (string, error) {
	if v == nil {
		return "", nil
	}
	switch k {
	case Text:
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("text cell holds %T", v)
		}
		return s, nil
	case Int:
		i, err := toInt(v)
		return strconv.FormatInt(i, 10), err
	case Number, Percent:
		f, err := toFloat(v)
		if k == Percent {
			// Round to the hundredth of a percent so 1/3 does not print 33.33333333333333.
			f = math.Round(f*10000) / 100
		}
		return strconv.FormatFloat(f, 'f', -1, 64), err
	case Date, Month:
		d, ok := v.(time.Time)
		if !ok {
			return "", fmt.Errorf("date cell holds %T", v)
		}
		if k == Month {
			return d.Format("2006-01"), nil
		}
		return d.Format(time.DateOnly), nil
	}
	return "", fmt.Errorf("unknown column kind %d", k)
}

func toInt(v any) (int64, error) {
	switch i := v.(type) {
	case int:
		return int64(i), nil
	case int32:
		return int64(i), nil
	case int64:
		return i, nil
	case uint32:
		return int64(i), nil
	}
	return 0, fmt.Errorf("count cell holds %T", v)
}

func toFloat(v any) (float64, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	default:
		i, err := toInt(v)
		if err != nil {
			return 0, fmt.Errorf("number cell holds %T", v)
		}
		f = float64(i)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("number cell holds %v", f)
	}
	return f, nil
}

// sheetName makes name a valid worksheet name: Excel refuses []:*?/\ and more
// than 31 characters, and a name cannot start or end with an apostrophe.
func sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < 0x20 {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "\uFFFD"))
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	name = strings.Trim(name, "'")
	if strings.TrimSpace(name) == "" {
		return "Sheet1"
	}
	return name
}
