package report_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/report/reporttest"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// seeded is a three-year programme in a fresh database, with a report
// service whose clock is the plan's present.
type seeded struct {
	plan *reporttest.Plan
	svc  *report.Service
	lib  reporttest.Library
	db   *store.DB
}

func seed(t *testing.T, dsn string) *seeded {
	t.Helper()
	db := testfixture.Open(t, dsn)
	plan := reporttest.NewPlan(reporttest.Options{Seed: 2024})
	if err := plan.Seed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	lib := reporttest.Library{Shipped: testfixture.Courses(t)}
	svc := report.NewService(db, lib)
	svc.Now = func() time.Time { return plan.Now }
	return &seeded{plan: plan, svc: svc, lib: lib, db: db}
}

// TestReport_ThreeYears: every report's figures over a seeded programme of
// three years (six agencies in four countries, two courses, sessions closed,
// cancelled and still to come, waitlists, attendance of every kind, second
// attempts and open ones, certificates valid, expiring, expired — boundaries
// included — and revoked) equal what the plan says, counted in Go from the
// plan, unfiltered and through filters, on SQLite and PostgreSQL.
func TestReport_ThreeYears(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { checkThreeYears(t, testfixture.SQLite(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { checkThreeYears(t, testfixture.PostgresDSN(t)) })
}

func checkThreeYears(t *testing.T, dsn string) {
	s := seed(t, dsn)
	p := s.plan
	checkPlanCoversEverything(t, p)
	ctx := context.Background()
	admin := &auth.Actor{UserID: 1, Role: auth.RoleAdmin}
	kr, de := p.Agencies[3].ID, p.Agencies[2].ID
	filters := map[string]report.Filter{
		"everything":         {},
		"2025":               {From: "2025-01-01", To: "2025-12-31"},
		"from mid-2024":      {From: "2024-06-15"},
		"until 2025-03":      {To: "2025-03-31"},
		"Germany":            {Country: "DE"},
		"Korean agency":      {AgencyID: &kr},
		"test course":        {CourseID: "aml-basics"},
		"shipped course, FR": {CourseID: "crypto-crime", Country: "FR", From: "2024-03-01"},
		"German agency 2026": {AgencyID: &de, From: "2026-01-01", To: "2026-12-31"},
		"one day":            {From: p.Sessions[5].Date, To: p.Sessions[5].Date},
		"country elsewhere":  {Country: "SE"},
	}
	titles := s.lib.Titles()
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			compare(t, "trained", p.WantTrained(f, titles))(s.svc.Trained(ctx, admin, f))
			compare(t, "certified", p.WantCertified(f, titles))(s.svc.Certified(ctx, admin, f))
			compare(t, "attendance", p.WantAttendance(f, titles))(s.svc.Attendance(ctx, admin, f))
			compare(t, "quizzes", p.WantQuizzes(f, titles))(s.svc.Quizzes(ctx, admin, f))
			compare(t, "questions", p.WantQuestions(f))(s.svc.Questions(ctx, admin, f))
			compare(t, "certificates", p.WantCertificates(f, titles))(s.svc.Certificates(ctx, admin, f))
		})
	}

	// A coordinator gets their agency's slice whatever they ask, and
	// another agency is not found; trainers and officers are refused.
	coord := &auth.Actor{UserID: 2, Role: auth.RoleCoordinator, AgencyID: &kr}
	compare(t, "coordinator's trained", p.WantTrained(report.Filter{AgencyID: &kr}, titles))(s.svc.Trained(ctx, coord, report.Filter{}))
	compare(t, "coordinator's 2025 certificates", p.WantCertificates(report.Filter{AgencyID: &kr, From: "2025-01-01", To: "2025-12-31"}, titles))(
		s.svc.Certificates(ctx, coord, report.Filter{From: "2025-01-01", To: "2025-12-31", AgencyID: &kr}))
	if _, err := s.svc.Attendance(ctx, coord, report.Filter{AgencyID: &de}); !apperr.Is(err, apperr.CodeNotFound) {
		t.Errorf("coordinator asking for another agency: %v, want not found", err)
	}
	for _, role := range []auth.Role{auth.RoleTrainer, auth.RoleOfficer} {
		if _, err := s.svc.Trained(ctx, &auth.Actor{UserID: 3, Role: role, AgencyID: &kr}, report.Filter{}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("%s: %v, want forbidden", role, err)
		}
	}
	if _, err := s.svc.Trained(ctx, nil, report.Filter{}); !apperr.Is(err, apperr.CodeUnauthorized) {
		t.Errorf("anonymous: %v, want unauthorized", err)
	}
	missing := int64(1 << 40)
	if _, err := s.svc.Quizzes(ctx, admin, report.Filter{AgencyID: &missing}); !apperr.Is(err, apperr.CodeNotFound) {
		t.Errorf("unknown agency: %v, want not found", err)
	}
	if _, err := s.svc.Quizzes(ctx, admin, report.Filter{CourseID: "no-such-course"}); !apperr.Is(err, apperr.CodeNotFound) {
		t.Errorf("unknown course: %v, want not found", err)
	}
}

// compare checks a report against what the plan says, as JSON (the shape
// clients read), showing both on a difference.
func compare[T any](t *testing.T, what string, want T) func(T, error) {
	return func(got T, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s:\n got %s\nwant %s", what, g, w)
		}
	}
}

// checkPlanCoversEverything keeps the seed honest: a plan that stopped
// drawing some case would let its figures go untested.
func checkPlanCoversEverything(t *testing.T, p *reporttest.Plan) {
	t.Helper()
	countries := map[string]bool{}
	for _, a := range p.Agencies {
		countries[a.Country] = true
	}
	years, courses, statuses := map[string]bool{}, map[string]bool{}, map[store.SessionStatus]bool{}
	for _, s := range p.Sessions {
		years[s.Date[:4]], courses[s.Course], statuses[s.Status] = true, true, true
	}
	standing := p.WantCertificates(report.Filter{}, reporttest.Titles{}).Overall
	multi, open := 0, 0
	for _, at := range p.Attempts {
		if at.Number > 1 {
			multi++
		}
		if !at.Finalised {
			open++
		}
	}
	if len(p.Agencies) < 5 || len(countries) < 3 || len(p.Sessions) < 20 || len(years) < 3 || len(courses) < 2 || len(statuses) < 3 ||
		standing.Valid == 0 || standing.Expiring == 0 || standing.Expired == 0 || standing.Revoked == 0 || multi == 0 || open == 0 {
		t.Fatalf("the plan misses a case: %d agencies in %d countries, %d sessions over years %v, courses %v, statuses %v, certificates %+v, %d second attempts, %d open",
			len(p.Agencies), len(countries), len(p.Sessions), years, courses, statuses, standing, multi, open)
	}
}
