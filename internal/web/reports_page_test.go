package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/report/reporttest"
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
	if len(recs) != 2 || strings.Join(recs[0], "|") != "Organisme|Pays|Agents formés|Agents certifiés|Inscrits|Présents|Taux de présence" ||
		strings.Join(recs[1], "|") != "Agency Alpha-Marker|France|1|1|0|0|" {
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
	if len(rows) != 2 || strings.Join(rows[0], "|") != "Mois|Agents formés|Agents certifiés|Inscrits|Présents|Taux de présence" || strings.Join(rows[1], "|") != "46357|2|1|0|0" {
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

// TestReportsExport_ThreeYears is the issue's done-when for the downloads: a
// three-year programme (reporttest's plan: six agencies in four countries, two
// courses, sessions closed, cancelled and to come, certificates in every
// standing) seeded into the real server's database; the XLSX downloads open
// with excelize, their cells are typed (counts and rates numbers, months
// dates), and every figure equals the plan's own count, made in Go from the
// plan and not by the report's SQL — unfiltered and filtered.
func TestReportsExport_ThreeYears(t *testing.T) {
	checkReportsExport(t, startServer(t, courses.FS))
}

// The same downloads over PostgreSQL, where several processes share one
// database.
func TestReportsExport_ThreeYears_PostgreSQL(t *testing.T) {
	checkReportsExport(t, startServerOn(t, courses.FS, Config{}, postgresDSN(t)))
}

func checkReportsExport(t *testing.T, ts *testServer) {
	p := reporttest.NewPlan(reporttest.Options{Seed: 2024})
	if err := p.Seed(context.Background(), ts.DB); err != nil {
		t.Fatal(err)
	}
	ts.Server.reports.Now = func() time.Time { return p.Now }
	admin := ts.browser(t, ts.user(t, auth.RoleAdmin, nil, "Admin Alfa"))
	titles := reporttest.Library{Shipped: ts.Library}.Titles()
	de := p.Agencies[2].ID
	for name, f := range map[string]report.Filter{
		"everything":         {},
		"Germany in 2025":    {From: "2025-01-01", To: "2025-12-31", Country: "DE"},
		"one German agency":  {AgencyID: &de},
		"the shipped course": {CourseID: "crypto-crime", From: "2024-06-01"},
	} {
		t.Run(name, func(t *testing.T) {
			q := reportQuery(f, &auth.Actor{Role: auth.RoleAdmin})
			xlsx := func(table string) (*excelize.File, string, [][]string) {
				t.Helper()
				res, body := getWith(t, admin, ts.URL+"/reports/"+table+".xlsx"+q)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s.xlsx%s: %d %s", table, q, res.StatusCode, body)
				}
				f, err := excelize.OpenReader(strings.NewReader(body))
				if err != nil {
					t.Fatalf("%s.xlsx does not open: %v", table, err)
				}
				t.Cleanup(func() { f.Close() })
				sh := f.GetSheetList()[0]
				rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatal(err)
				}
				return f, sh, rows
			}
			number := func(f *excelize.File, sh string, col, row int) string {
				t.Helper()
				cell, _ := excelize.CoordinatesToCellName(col, row)
				if typ, _ := f.GetCellType(sh, cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
					t.Errorf("%s is a %v cell, not a number", cell, typ)
				}
				v, _ := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
				return v
			}
			rate := func(r float64, enrolled int) string {
				if enrolled == 0 {
					return ""
				}
				return strconv.FormatFloat(r, 'f', -1, 64)
			}

			// Agencies: officers trained and certified, attendance.
			trained, certified, attendance := p.WantTrained(f, titles), p.WantCertified(f, titles), p.WantAttendance(f, titles)
			want := map[string][]string{}
			for _, g := range trained.ByAgency {
				want[g.Name] = []string{strconv.Itoa(g.Officers), "0", "0", "0", ""}
			}
			for _, g := range certified.ByAgency {
				w := want[g.Name]
				if w == nil {
					w = []string{"0", "0", "0", "0", ""}
				}
				w[1] = strconv.Itoa(g.Officers)
				want[g.Name] = w
			}
			for _, r := range attendance.ByAgency {
				w := want[r.Name]
				if w == nil {
					w = []string{"0", "0", "0", "0", ""}
				}
				w[2], w[3], w[4] = strconv.Itoa(r.Enrolled), strconv.Itoa(r.Attended), rate(r.Rate, r.Enrolled)
				want[r.Name] = w
			}
			file, sh, rows := xlsx("agencies")
			if len(rows)-1 != len(want) {
				t.Errorf("agencies: %d rows, the plan has %d agencies: %q", len(rows)-1, len(want), rows)
			}
			for i, r := range rows[1:] {
				w, ok := want[r[0]]
				if !ok {
					t.Errorf("agencies: row %q is no agency of the plan", r)
					continue
				}
				for j := range w {
					got := number(file, sh, 3+j, i+2)
					if !sameNumber(got, w[j]) {
						t.Errorf("agencies: %s, %s = %q, the plan says %q", r[0], rows[0][2+j], got, w[j])
					}
				}
			}

			// Months: real dates, trained officers.
			file, sh, rows = xlsx("months")
			wantMonths := map[string]string{}
			for _, g := range trained.ByMonth {
				wantMonths[g.Key] = strconv.Itoa(g.Officers)
			}
			seen := 0
			for i, r := range rows[1:] {
				serial, err := strconv.ParseFloat(number(file, sh, 1, i+2), 64)
				if err != nil {
					t.Fatalf("month %q is not a date number: %v", r[0], err)
				}
				d, err := excelize.ExcelDateToTime(serial, false)
				if err != nil {
					t.Fatal(err)
				}
				if w, ok := wantMonths[d.Format("2006-01")]; ok {
					seen++
					if r[1] != w {
						t.Errorf("month %s: %s trained, the plan says %s", d.Format("2006-01"), r[1], w)
					}
				} else if r[1] != "0" {
					t.Errorf("month %s: %s trained, the plan has none", d.Format("2006-01"), r[1])
				}
			}
			if seen != len(wantMonths) {
				t.Errorf("months: %d of the plan's %d months", seen, len(wantMonths))
			}

			// Certificates: the overall standing is the last row.
			file, sh, rows = xlsx("certificates")
			o := p.WantCertificates(f, titles).Overall
			if o.Total == 0 {
				if len(rows) != 1 {
					t.Errorf("certificates: rows without any certificate: %q", rows)
				}
			} else {
				last := len(rows)
				got := []string{number(file, sh, 2, last), number(file, sh, 3, last), number(file, sh, 4, last), number(file, sh, 5, last), number(file, sh, 6, last)}
				if w := []string{strconv.Itoa(o.Valid), strconv.Itoa(o.Expiring), strconv.Itoa(o.Expired), strconv.Itoa(o.Revoked), strconv.Itoa(o.Total)}; strings.Join(got, " ") != strings.Join(w, " ") {
					t.Errorf("certificates overall: %v, the plan says %v (valid, expiring, expired, revoked, total)", got, w)
				}
			}

			// Quizzes: pass rates as numbers with a percent format.
			file, sh, rows = xlsx("quizzes")
			quizzes := p.WantQuizzes(f, titles).Quizzes
			if len(rows)-1 != len(quizzes) {
				t.Fatalf("quizzes: %d rows, the plan has %d: %q", len(rows)-1, len(quizzes), rows)
			}
			for i, qr := range quizzes {
				if got, w := number(file, sh, 5, i+2), strconv.FormatFloat(qr.Rate, 'f', -1, 64); !sameNumber(got, w) || rows[i+1][2] != strconv.Itoa(qr.Officers) {
					t.Errorf("quiz %s/%s: rate %s of %s officers, the plan says %s of %d", qr.Course, qr.Quiz, got, rows[i+1][2], w, qr.Officers)
				}
			}

			// The page shows the same agencies.
			res, page := getWith(t, admin, ts.URL+"/reports"+q)
			if res.StatusCode != http.StatusOK || len(tableRows(t, page, "agencies")) != len(want) {
				t.Errorf("/reports%s: %d, agencies table differs from the plan's %d", q, res.StatusCode, len(want))
			}
		})
	}
}

// sameNumber compares two cells' numbers as a spreadsheet keeps them: 15
// significant digits, as Excel does (excelize writes them so).
func sameNumber(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-14*math.Max(1, math.Abs(y))
}
