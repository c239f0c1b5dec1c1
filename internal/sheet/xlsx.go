package sheet

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Number formats. 14 is Excel's built-in short date, which every spreadsheet
// shows in the reader's own date order; a month has no such built-in, and
// yyyy-mm reads the same in every language.
const (
	fmtInt     = 1  // 0
	fmtPercent = 10 // 0.00%
	fmtDate    = 14
	fmtMonth   = "yyyy-mm"
)

// WriteXLSX writes t as a one-sheet workbook through excelize's StreamWriter,
// which spills rows to a temporary file past a few megabytes instead of holding
// a cell object per cell: memory stays bounded however long the table.
func WriteXLSX(w io.Writer, t Table) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close xlsx: %w", cerr)
		}
	}()
	name := sheetName(t.Name)
	if name != "Sheet1" {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return fmt.Errorf("name sheet: %w", err)
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("open xlsx stream: %w", err)
	}
	styles, header, err := columnStyles(f, t.Columns)
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		if err := sw.SetColWidth(i+1, i+1, columnWidth(c)); err != nil {
			return fmt.Errorf("set column width: %w", err)
		}
	}
	// The header stays in view while the reader scrolls.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	cells := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		cells[i] = excelize.Cell{StyleID: header, Value: clean(c.Header)}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("write xlsx header: %w", err)
	}
	toCell := func(i int, v any) (any, error) {
		val, err := xlsxValue(t.Columns[i].Kind, v)
		return excelize.Cell{StyleID: styles[i], Value: val}, err
	}
	err = eachRow(t, cells, toCell, func(n int) error {
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("write xlsx row %d: %w", n, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

func columnStyles(f *excelize.File, cols []Column) ([]int, int, error) {
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, 0, fmt.Errorf("xlsx header style: %w", err)
	}
	month := fmtMonth
	byKind := map[Kind]*excelize.Style{
		Text:    {Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}},
		Int:     {NumFmt: fmtInt},
		Number:  {},
		Percent: {NumFmt: fmtPercent},
		Date:    {NumFmt: fmtDate},
		Month:   {CustomNumFmt: &month},
	}
	ids := map[Kind]int{}
	out := make([]int, len(cols))
	for i, c := range cols {
		st, ok := byKind[c.Kind]
		if !ok {
			return nil, 0, fmt.Errorf("sheet: unknown column kind %d", c.Kind)
		}
		id, seen := ids[c.Kind]
		if !seen {
			if id, err = f.NewStyle(st); err != nil {
				return nil, 0, fmt.Errorf("xlsx column style: %w", err)
			}
			ids[c.Kind] = id
		}
		out[i] = id
	}
	return out, header, nil
}

// columnWidth is wide enough for the header and a typical value, in
// characters; text wraps inside it rather than being cut at the cell's edge.
func columnWidth(c Column) float64 {
	w := float64(len([]rune(c.Header))) + 2
	switch c.Kind {
	case Text:
		w = math.Max(w, 30)
	case Date, Month:
		w = math.Max(w, 12)
	}
	return math.Min(w, 60)
}

// xlsxValue is the typed cell value: numbers as numbers, days as dates (their
// calendar date, at midnight, whatever the zone they came in), text as text.
func xlsxValue(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case Text:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("text cell holds %T", v)
		}
		return clean(s), nil
	case Int:
		return toInt(v)
	case Number, Percent:
		return toFloat(v)
	case Date, Month:
		d, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("date cell holds %T", v)
		}
		if k == Month {
			return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC), nil
		}
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	return nil, fmt.Errorf("unknown column kind %d", k)
}

// clean makes s valid in the workbook's XML: invalid UTF-8 and the control
// characters XML 1.0 cannot carry become U+FFFD. A string is always written as
// a string cell, so one starting with = is text, never a formula.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
