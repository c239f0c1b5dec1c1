package web

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// reportsWorld: officer A present in two sessions (one with a certificate),
// officer B present in one; both agencies' coordinators and an admin.
func reportsWorld(t *testing.T) *world {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	trainer := ts.token(t, w.trainer)
	officerBID := w.idOf(t, w.officerB)
	s1 := w.createSession(t, 10, nil)
	s2 := w.createSession(t, 10, map[string]any{"date": "2026-12-04"})
	for _, e := range []struct{ sid, uid int64 }{{s1.ID, w.officerAID}, {s2.ID, w.officerAID}, {s1.ID, officerBID}} {
		ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", e.sid), map[string]any{"user_id": e.uid})
		if res, body := ts.api(t, trainer, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", e.sid, e.uid), map[string]string{"status": "present"}); res.StatusCode != http.StatusOK {
			t.Fatalf("attendance: %d %s", res.StatusCode, body)
		}
	}
	ts.issueForTest(t, s1.ID, w.officerAID)
	return w
}

// tableRows reads a report's table from the page: its rows' cells as text.
func tableRows(t *testing.T, page, name string) [][]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<caption id="report-` + name + `-caption"[^>]*>.*?<tbody>(.*?)</tbody>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s table in the page", name)
	}
	var out [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(m[1], -1) {
		var row []string
		for _, td := range regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(tr[1], -1) {
			row = append(row, td[1])
		}
		out = append(out, row)
	}
	return out
}

func TestReportsPage_AdminAndCoordinator(t *testing.T) {
	w := reportsWorld(t)
	ts := w.ts
	res, page := getWith(t, ts.browser(t, w.admin), ts.URL+"/reports")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("admin /reports: %d", res.StatusCode)
	}
	agencies := tableRows(t, page, "agencies")
	want := map[string][2]string{"Agency Alpha-Marker": {"1", "1"}, "Agency Bravo": {"1", "0"}}
	if len(agencies) != len(want) {
		t.Fatalf("agencies table: %q", agencies)
	}
	for _, r := range agencies {
		if w, ok := want[r[0]]; !ok || r[2] != w[0] || r[3] != w[1] {
			t.Errorf("agency row %q, want trained/certified %v", r, w)
		}
	}
	months := tableRows(t, page, "months")
	if len(months) != 1 || months[0][0] != "December 2026" || months[0][1] != "2" || months[0][2] != "1" {
		t.Errorf("months table: %q", months)
	}
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg" class="chart"`, `role="img"`, `aria-labelledby="chart-agencies-title chart-agencies-desc"`,
		`href="/reports/agencies.csv"`, `href="/reports/agencies.xlsx"`, `<select id="agency" name="agency">`, `href="/reports">`} {
		if !strings.Contains(page, want) {
			t.Errorf("admin page lacks %s", want)
		}
	}
	// Every chart in the page is well-formed SVG.
	for _, svg := range regexp.MustCompile(`(?s)<svg xmlns.*?</svg>`).FindAllString(page, -1) {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("chart is not well-formed: %v", err)
		}
	}

	// Coordinator B: their agency's slice, no agency to choose, nothing of A.
	res, page = getWith(t, ts.browser(t, w.coordB), ts.URL+"/reports")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("coordinator /reports: %d", res.StatusCode)
	}
	if strings.Contains(page, "Alpha-Marker") || strings.Contains(page, `id="agency"`) {
		t.Error("coordinator B's reports show agency A or an agency choice")
	}
	if got := tableRows(t, page, "agencies"); len(got) != 1 || got[0][0] != "Agency Bravo" || got[0][2] != "1" {
		t.Errorf("coordinator B's agencies: %q", got)
	}
	agencyA := strconv.FormatInt(w.agencyA.ID, 10)
	for _, p := range []string{"/reports?agency=" + agencyA, "/reports/agencies.csv?agency=" + agencyA} {
		res, body := getWith(t, ts.browser(t, w.coordB), ts.URL+p)
		if res.StatusCode != http.StatusNotFound || strings.Contains(body, "Alpha-Marker") {
			t.Errorf("coordinator B %s: %d", p, res.StatusCode)
		}
	}
}

func TestReportsPage_BadFilter(t *testing.T) {
	w := reportsWorld(t)
	ts := w.ts
	admin := ts.browser(t, w.admin)
	res, page := getWith(t, admin, ts.URL+"/reports?from=2026-12-31&to=2026-01-01&country=XX")
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad filter: %d", res.StatusCode)
	}
	if !strings.Contains(page, `role="alert"`) || strings.Contains(page, `class="report"`) || !strings.Contains(page, `value="2026-12-31"`) {
		t.Errorf("bad filter page: no alert, or figures shown, or the form lost what was typed")
	}
	for _, p := range []string{"/reports/agencies.csv?from=2026-13-01", "/reports/agencies.xlsx?to=x"} {
		if res, _ := getWith(t, admin, ts.URL+p); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/reports/nope.csv", "/reports/agencies.ods", "/reports/agencies"} {
		if res, _ := getWith(t, admin, ts.URL+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
}

// TestReportsExport_CSVAndXLSX downloads a table in both formats through the
// real server, in French: headers in the reader's language, the CSV's BOM,
// and the workbook's typed cells read back with excelize.
func TestReportsExport_CSVAndXLSX(t *testing.T) {
	w := reportsWorld(t)
	ts := w.ts
	admin := ts.browser(t, w.admin)
	get := func(p string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", ts.URL+p, nil)
		req.Header.Set("Accept-Language", "fr")
		res, body := send(t, admin, req)
		return res, []byte(body)
	}
	res, body := get("/reports/agencies.csv?country=FR")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="report-agencies.csv"`) {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Error("csv without BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || strings.Join(recs[0], "|") != "Organisme|Pays|Agents formés|Agents certifiés" ||
		strings.Join(recs[1], "|") != "Agency Alpha-Marker|France|1|1" {
		t.Errorf("csv: %q", recs)
	}

	res, body = get("/reports/months.xlsx")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("xlsx: %d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	sh := f.GetSheetList()[0]
	rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// December 2026 is day 46357 as Excel counts (1 Dec 2026).
	if len(rows) != 2 || strings.Join(rows[0], "|") != "Mois|Agents formés|Agents certifiés" || strings.Join(rows[1], "|") != "46357|2|1" {
		t.Errorf("xlsx rows: %q", rows)
	}
	for _, cell := range []string{"B2", "C2", "A2"} {
		if typ, _ := f.GetCellType(sh, cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s is not a number cell: %v", cell, typ)
		}
	}
	if v, _ := f.GetCellValue(sh, "A2"); v != "2026-12" {
		t.Errorf("the month shows as %q", v)
	}
}
