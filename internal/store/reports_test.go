package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// reportPlans runs every report query under f and returns each one's SQLite
// query plan, one line per step.
func reportPlans(t *testing.T, db *DB, f ReportFilter) map[string][]string {
	t.Helper()
	q := db.Read(context.Background())
	var seen []struct {
		sql  string
		args []any
	}
	reportSQL = func(sql string, args []any) {
		seen = append(seen, struct {
			sql  string
			args []any
		}{sql, args})
	}
	defer func() { reportSQL = nil }()
	now := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, run := range []func() error{
		func() error { _, err := q.TrainedOfficers(f, ByMonth); return err },
		func() error { _, err := q.CertifiedOfficers(f, ByMonth); return err },
		func() error { _, err := q.AttendanceRates(f, ByCourse); return err },
		func() error { _, err := q.QuizPassRates(f); return err },
		func() error { _, err := q.QuestionFacility(f); return err },
		func() error { _, err := q.CertificateStandings(f, true, now, now.AddDate(0, 3, 0)); return err },
	} {
		if err := run(); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"trained", "certified", "attendance", "quizzes", "questions", "certificates"}
	plans := map[string][]string{}
	for i, s := range seen {
		var rows []struct {
			ID, Parent, Notused int
			Detail              string
		}
		if err := q.g.Raw("EXPLAIN QUERY PLAN "+s.sql, s.args...).Scan(&rows).Error; err != nil {
			t.Fatalf("explain %s: %v", names[i], err)
		}
		for _, r := range rows {
			plans[names[i]] = append(plans[names[i]], r.Detail)
		}
	}
	return plans
}

// TestReports_QueryPlans: on SQLite, a report narrowed to a date range, a
// course or an agency reads through an index rather than every row of the
// big tables (attempts, item scores, attendances, enrolments,
// certificates), and the latest-attempt lookup of the facility report is an
// index search, not a scan per attempt.
func TestReports_QueryPlans(t *testing.T) {
	db := openTest(t)
	agency := int64(1)
	for name, f := range map[string]ReportFilter{
		"dates":  {From: "2025-01-01", To: "2025-12-31"},
		"course": {CourseID: "crypto-crime"},
		"agency": {AgencyID: &agency},
	} {
		plans := reportPlans(t, db, f)
		if len(plans) != 6 {
			t.Fatalf("%s: plans of %d reports", name, len(plans))
		}
		for report, steps := range plans {
			plan := strings.Join(steps, "\n")
			// Aliases: attempts a, item_scores i, attendances at,
			// enrollments e, certificates c.
			for _, alias := range []string{"a", "i", "at", "e", "c"} {
				for _, step := range steps {
					if step == "SCAN "+alias || strings.HasPrefix(step, "SCAN "+alias+" ") {
						t.Errorf("%s report filtered by %s scans %s:\n%s", report, name, alias, plan)
					}
				}
			}
			if report == "questions" && !strings.Contains(plan, "SEARCH b USING") {
				t.Errorf("questions report: the latest attempt is not an index search:\n%s", plan)
			}
		}
	}
	if testing.Verbose() {
		for report, steps := range reportPlans(t, db, ReportFilter{From: "2025-01-01", To: "2025-12-31"}) {
			fmt.Printf("%s:\n  %s\n", report, strings.Join(steps, "\n  "))
		}
	}
}
