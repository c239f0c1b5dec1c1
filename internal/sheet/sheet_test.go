package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var columns = []Column{
	{"Agence", Text}, {"Agents formés", Int}, {"Moyenne", Number}, {"Taux de réussite", Percent},
	{"Date de session", Date}, {"Mois", Month},
}

var day = time.Date(2025, time.March, 9, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600))

func rows(rs ...[]any) func(func([]any) error) error {
	return func(emit func([]any) error) error {
		for _, r := range rs {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}
}

var sample = Table{Name: "Agences: formés/certifiés [2025]", Columns: columns, Rows: rows(
	[]any{"=HYPERLINK(\"http://x\")", 12, 2.5, 0.75, day, day},
	[]any{"משטרת ישראל", int64(0), 0.0, 1.0 / 3, day, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)},
	[]any{"+49 <script>&\"", 1 << 40, -1.25, 0.0, nil, nil},
	[]any{"-2", nil, nil, nil, nil, nil},
	[]any{"@SUM(A1:A2)\x01", 3, 1e9, 1.0, day, day},
)}

func TestXLSX_TypedCells(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, sample); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != "Agences_ formés_certifiés _2025" {
		t.Fatalf("sheets %q", sheets)
	}
	sh := sheets[0]
	numFmt := func(cell string) int {
		id, err := f.GetCellStyle(sh, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt != nil {
			return -1
		}
		return st.NumFmt
	}
	type want struct {
		cell   string
		typ    excelize.CellType
		raw    string
		numFmt int // -1: the custom month format
	}
	text := []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}
	isText := func(ct excelize.CellType) bool { return ct == text[0] || ct == text[1] }
	march9 := "45725" // 2025-03-09 as Excel counts days
	for _, w := range []want{
		{"A1", 0, "Agence", 0}, {"D1", 0, "Taux de réussite", 0},
		{"A2", 0, `=HYPERLINK("http://x")`, 0},
		{"B2", excelize.CellTypeNumber, "12", fmtInt},
		{"C2", excelize.CellTypeNumber, "2.5", 0},
		{"D2", excelize.CellTypeNumber, "0.75", fmtPercent},
		{"E2", excelize.CellTypeNumber, march9, fmtDate},
		{"F2", excelize.CellTypeNumber, "45717", -1}, // 2025-03-01
		{"A3", 0, "משטרת ישראל", 0},
		{"B3", excelize.CellTypeNumber, "0", fmtInt},
		{"F3", excelize.CellTypeNumber, "45627", -1}, // 2024-12-01
		{"A4", 0, `+49 <script>&"`, 0},
		{"B4", excelize.CellTypeNumber, "1099511627776", fmtInt},
		{"C4", excelize.CellTypeNumber, "-1.25", 0},
		{"D4", excelize.CellTypeNumber, "0", fmtPercent},
		{"A5", 0, "-2", 0},
		{"A6", 0, "@SUM(A1:A2)\uFFFD", 0},
		{"D6", excelize.CellTypeNumber, "1", fmtPercent},
	} {
		typ, err := f.GetCellType(sh, w.cell)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := f.GetCellValue(sh, w.cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		formula, err := f.GetCellFormula(sh, w.cell)
		if err != nil {
			t.Fatal(err)
		}
		// A number cell has no t attribute (OOXML's default, "n"), which
		// excelize reports as unset: a number is unset with a value that parses.
		if w.typ == excelize.CellTypeNumber && typ == excelize.CellTypeUnset {
			if _, err := strconv.ParseFloat(raw, 64); err == nil {
				typ = excelize.CellTypeNumber
			}
		}
		if w.typ == 0 && !isText(typ) || w.typ != 0 && typ != w.typ {
			t.Errorf("%s: type %v, want %v", w.cell, typ, w.typ)
		}
		if raw != w.raw {
			t.Errorf("%s: raw %q, want %q", w.cell, raw, w.raw)
		}
		if formula != "" {
			t.Errorf("%s holds a formula: %q", w.cell, formula)
		}
		if w.typ != 0 && w.numFmt != 0 {
			if got := numFmt(w.cell); got != w.numFmt {
				t.Errorf("%s: number format %d, want %d", w.cell, got, w.numFmt)
			}
		}
	}
	if raw, _ := f.GetCellValue(sh, "E4"); raw != "" {
		t.Errorf("E4, an empty date, holds %q", raw)
	}
	// A third of the officers is 0.333…, shown as 33.33 %.
	if v, _ := f.GetCellValue(sh, "D3"); v != "33.33%" {
		t.Errorf("D3 shows %q", v)
	}
	if v, _ := f.GetCellValue(sh, "F2"); v != "2025-03" {
		t.Errorf("F2 shows %q", v)
	}
}

func TestCSV_BOMEscapingAndFormats(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 BOM: % x", b[:3])
	}
	if !bytes.Contains(b, []byte("\r\n")) {
		t.Error("lines do not end in CRLF")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Agence", "Agents formés", "Moyenne", "Taux de réussite", "Date de session", "Mois"},
		{`'=HYPERLINK("http://x")`, "12", "2.5", "75", "2025-03-09", "2025-03"},
		{"משטרת ישראל", "0", "0", "33.33", "2025-03-09", "2024-12"},
		{`'+49 <script>&"`, "1099511627776", "'-1.25", "0", "", ""},
		{"'-2", "", "", "", "", ""},
		{"'@SUM(A1:A2)\x01", "3", "1000000000", "100", "2025-03-09", "2025-03"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records: %q", len(recs), recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i+1, recs[i], want[i])
		}
	}
}

// A value of the wrong type for its column, or a row of the wrong length, is a
// programming error: it is refused with the row and column named, not written
// as something else.
func TestWrite_RefusesBadRows(t *testing.T) {
	bad := map[string][]any{
		"short row":       {"a", 1},
		"text in a count": {"a", "12", 1.0, 0.5, day, day},
		"date as text":    {"a", 1, 1.0, 0.5, "2025-03-09", day},
		"count as text":   {1, 1, 1.0, 0.5, day, day},
		"NaN":             {"a", 1, 1.0, nan(), day, day},
	}
	for name, row := range bad {
		for _, f := range []Format{CSV, XLSX} {
			t.Run(name+" "+string(f), func(t *testing.T) {
				err := Write(&bytes.Buffer{}, f, Table{Columns: columns, Rows: rows(row)})
				if err == nil || !strings.Contains(err.Error(), "row 2") {
					t.Errorf("error %v, want one naming row 2", err)
				}
			})
		}
	}
	if err := Write(&bytes.Buffer{}, "ods", sample); !errors.Is(err, ErrFormat) {
		t.Errorf("ods: %v", err)
	}
	boom := errors.New("database went away")
	failing := Table{Columns: columns, Rows: func(func([]any) error) error { return boom }}
	for _, f := range []Format{CSV, XLSX} {
		if err := Write(&bytes.Buffer{}, f, failing); !errors.Is(err, boom) {
			t.Errorf("%s: the rows' error is lost: %v", f, err)
		}
	}
}

func nan() float64 { z := 0.0; return z / z }

// TestXLSX_LargeTableBoundedMemory writes 200,000 rows (about 30 MiB of sheet
// XML) and checks that the heap in use stays under a bound that does not depend
// on the table: excelize's StreamWriter spills rows to a temporary file past
// its 16 MiB buffer. Without streaming (a cell object per cell, SetCellValue)
// the same table holds about 530 MiB (measured).
func TestXLSX_LargeTableBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 rows")
	}
	const n = 200_000
	const bound = 96 << 20
	peak, path := peakHeap(t, n)
	t.Logf("peak heap in use: %.1f MiB for %d rows", mib(peak), n)
	if peak > bound {
		t.Errorf("peak heap in use %.1f MiB > %.0f MiB: the export is not streamed", mib(peak), mib(bound))
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	it, err := f.Rows("big")
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	var last []string
	for it.Next() {
		count++
		if last, err = it.Columns(excelize.Options{RawCellValue: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if count != n+1 || last[0] != "Agency number "+strconv.Itoa(n-1) || last[1] != strconv.Itoa(n-1) {
		t.Errorf("%d rows, last %q", count, last)
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// peakHeap writes an n-row workbook to a file and returns the largest heap in
// use seen while it was written, sampled every 10 ms.
func peakHeap(t *testing.T, n int) (uint64, string) {
	t.Helper()
	var peak uint64
	var mu sync.Mutex
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	runtime.GC()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	path := filepath.Join(t.TempDir(), "big.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	err = WriteXLSX(out, Table{Name: "big", Columns: columns, Rows: func(emit func([]any) error) error {
		for i := range n {
			if err := emit([]any{"Agency number " + strconv.Itoa(i), i, float64(i) / 7, float64(i%100) / 100, day.AddDate(0, 0, i%1000), day}); err != nil {
				return err
			}
		}
		return nil
	}})
	close(stop)
	<-done
	sample()
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return peak, path
}
