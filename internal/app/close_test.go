package app

import (
	"context"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestCloseSession_OnItsOwnConnection_PostgreSQL: closing the day issues the
// certificates, reading each holder's agency, inside the close's transaction
// on its connection. Read through the pool instead, the close waited for a
// second connection that a burst of transactions (here: everything else
// holding the pool) never gives back, and issued nothing.
func TestCloseSession_OnItsOwnConnection_PostgreSQL(t *testing.T) {
	ctx := context.Background()
	db := testfixture.Open(t, testfixture.PostgresDSN(t))
	signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	library := testfixture.Courses(t)
	a, err := New(db, library, Options{BaseURL: "https://lectern.example", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := a.Accounts.EnsureAdmin(ctx, "admin@lectern.example", "a long enough admin password")
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.ActorFor(u)
	ag, err := a.Accounts.CreateAgency(ctx, admin, auth.NewAgency{Name: "Agency A", Country: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	officer, err := a.Accounts.CreateUser(ctx, admin, auth.NewUser{Email: "officer@lectern.example", Name: "Officer A", Role: string(auth.RoleOfficer), AgencyID: &ag.ID})
	if err != nil {
		t.Fatal(err)
	}
	const courseID = "crypto-crime"
	day := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
	s, err := a.Schedule.CreateSession(ctx, admin, schedule.SessionInput{Course: ptr(courseID), Date: &day, Start: ptr("09:00"), End: ptr("17:00"),
		Timezone: ptr("UTC"), Venue: ptr("Salle 1"), City: ptr("Lyon"), Country: ptr("FR"), Capacity: ptr(10), TrainerIDs: &[]int64{u.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Schedule.Enroll(ctx, admin, s.ID, schedule.EnrollmentInput{UserID: officer.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Schedule.MarkAttendance(ctx, admin, s.ID, officer.ID, "present"); err != nil {
		t.Fatal(err)
	}
	c, _ := library.Course(courseID)
	for _, qz := range c.Quizzes() {
		full := float64(qz.Points())
		if _, err := a.Attempts.EnterPaper(ctx, admin, s.ID, qz.ID, attempt.PaperInput{UserID: officer.ID, Score: &full, Reason: "paper sheet"}); err != nil {
			t.Fatalf("paper score for %s: %v", qz.ID, err)
		}
	}

	testfixture.OneConnectionLeft(t, db)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	issued, err := a.Certs.CloseSession(ctx, admin, s.ID)
	if err != nil {
		t.Fatalf("close with one connection left: %v", err)
	}
	if issued != 1 {
		t.Fatalf("issued %d certificates, want 1", issued)
	}
	certs, err := a.Certs.List(ctx, admin, certify.Filter{SessionID: &s.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || certs[0].AgencyName != ag.Name {
		t.Errorf("certificates %+v, want one for %s", certs, ag.Name)
	}
}

func ptr[T any](v T) *T { return &v }
