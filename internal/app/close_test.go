package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestCloseSession_OnItsOwnConnection_PostgreSQL: closing the day issues the
// certificates, reading each holder's agency, inside the close's transaction
// on its connection. Read through the pool instead, the close waited for a
// second connection that a burst of transactions (here: everything else
// holding the pool) never gives back, and issued nothing.
func TestCloseSession_OnItsOwnConnection_PostgreSQL(t *testing.T) {
	ctx := context.Background()
	a, db, library := certifyingApp(t, testfixture.PostgresDSN(t))
	admin, s, _ := dayToClose(t, a, library, 1, 0)

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
	if len(certs) != 1 || certs[0].AgencyName != "Agency A" {
		t.Errorf("certificates %+v, want one for Agency A", certs)
	}
}

func ptr[T any](v T) *T { return &v }

// certifyingApp is an App that issues certificates (a signing key of its
// own) on the database at dsn, with the test courses.
func certifyingApp(t *testing.T, dsn string) (*App, *store.DB, *course.Library) {
	t.Helper()
	db := testfixture.Open(t, dsn)
	signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	library := testfixture.Courses(t)
	a, err := New(db, library, Options{BaseURL: "https://lectern.example", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	return a, db, library
}

// certifyingProcesses is n Apps on the one database at dsn, as n `lectern
// serve` processes behind a load balancer are: each its own pool, all with
// the same signing key (the key file they share) and the test courses. opts
// gives the rest; its BaseURL and Signer are set here.
func certifyingProcesses(t *testing.T, dsn string, n int, opts Options) ([]*App, *course.Library) {
	t.Helper()
	signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	opts.BaseURL, opts.Signer = "https://lectern.example", signer
	library := testfixture.Courses(t)
	apps := make([]*App, n)
	for i := range apps {
		if apps[i], err = New(testfixture.Open(t, dsn), library, opts); err != nil {
			t.Fatal(err)
		}
	}
	return apps, library
}

// dayToClose makes an admin, an agency and a session of crypto-crime on a
// with eligible officers enrolled, present and given full marks on every
// quiz (on paper), and absent more enrolled who never came. It returns the
// admin, the session and the eligible officers' ids.
func dayToClose(t *testing.T, a *App, library *course.Library, eligible, absent int) (*auth.Actor, *schedule.Session, map[int64]bool) {
	t.Helper()
	ctx := context.Background()
	u, _, err := a.Accounts.EnsureAdmin(ctx, "admin@lectern.example", "a long enough admin password")
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.ActorFor(u)
	ag, err := a.Accounts.CreateAgency(ctx, admin, auth.NewAgency{Name: "Agency A", Country: "FR"})
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
	c, _ := library.Course(courseID)
	officers := map[int64]bool{}
	for i := range eligible + absent {
		o, err := a.Accounts.CreateUser(ctx, admin, auth.NewUser{Email: fmt.Sprintf("officer%d@lectern.example", i), Name: fmt.Sprintf("Officer %d", i),
			Role: string(auth.RoleOfficer), AgencyID: &ag.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Schedule.Enroll(ctx, admin, s.ID, schedule.EnrollmentInput{UserID: o.ID}); err != nil {
			t.Fatal(err)
		}
		if i >= eligible {
			continue // enrolled, never came: no certificate
		}
		officers[o.ID] = true
		if _, err := a.Schedule.MarkAttendance(ctx, admin, s.ID, o.ID, "present"); err != nil {
			t.Fatal(err)
		}
		for _, qz := range c.Quizzes() {
			full := float64(qz.Points())
			if _, err := a.Attempts.EnterPaper(ctx, admin, s.ID, qz.ID, attempt.PaperInput{UserID: o.ID, Score: &full, Reason: "paper sheet"}); err != nil {
				t.Fatalf("paper score for %s: %v", qz.ID, err)
			}
		}
	}
	return admin, s, officers
}

// TestCloseSession_TwoProcessesAtOnce_PostgreSQL: two processes (two Apps,
// each with its own pool, on one schema) close the same day at the same
// moment, as two trainers' clicks or two tabs would. Each eligible officer gets
// one certificate and one e-mail, both closes succeed, and the certificates
// they report issued add up to the officers: the close locks the session's
// row first, so the second waits for the first and finds its certificates.
func TestCloseSession_TwoProcessesAtOnce_PostgreSQL(t *testing.T) {
	ctx := context.Background()
	dsn := testfixture.PostgresDSN(t)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	apps, library := certifyingProcesses(t, dsn, 2, Options{Catalog: catalog})
	const eligible = 4
	admin, s, officers := dayToClose(t, apps[0], library, eligible, 1)
	a := apps[0]

	for _, p := range apps { // both pools connected: the closes start together
		if err := p.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	}
	start := make(chan struct{})
	issued := make([]int, len(apps))
	errs := make([]error, len(apps))
	var wg sync.WaitGroup
	for i, p := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			issued[i], errs[i] = p.Certs.CloseSession(ctx, admin, s.ID)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("close on process %d: %v", i+1, err)
		}
	}
	if issued[0]+issued[1] != eligible {
		t.Errorf("the closes reported %v issued, want %d in all", issued, eligible)
	}
	certs, err := a.Certs.List(ctx, admin, certify.Filter{SessionID: &s.ID})
	if err != nil {
		t.Fatal(err)
	}
	holders := map[int64]int{}
	for _, cert := range certs {
		holders[cert.UserID]++
	}
	if len(certs) != eligible || len(holders) != eligible {
		t.Errorf("%d certificates for %d holders, want one each for %d officers", len(certs), len(holders), eligible)
	}
	for id := range holders {
		if !officers[id] {
			t.Errorf("a certificate for user %d, who was not eligible", id)
		}
	}
	msgs, err := a.Outbox.Messages(ctx, admin, mail.OutboxFilter{Kind: string(mail.KindCertificateIssued)})
	if err != nil {
		t.Fatal(err)
	}
	mailed := map[int64]int{}
	for _, m := range msgs {
		if m.UserID != nil {
			mailed[*m.UserID]++
		}
	}
	if len(msgs) != eligible || len(mailed) != eligible {
		t.Errorf("%d certificate e-mails to %d people, want one each to %d officers", len(msgs), len(mailed), eligible)
	}
}
