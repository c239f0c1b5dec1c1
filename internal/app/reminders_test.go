package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// recert is a programme seeded for the reminders: a French agency with a
// coordinator and officers, a German one with its own coordinator, and
// certificates of one session, expiring on expiry.
type recert struct {
	admin                          *auth.Actor
	coord, otherCoord              *store.User
	officer, revoked, renewed, far *store.User
	foreign                        *store.User // the German agency's officer
	expiry                         time.Time
}

func newRecertApp(t *testing.T, dsn string) *App {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(testfixture.Open(t, dsn), testfixture.Courses(t), Options{BaseURL: "https://lectern.example", Signer: signer, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func seedRecert(t *testing.T, a *App) *recert {
	t.Helper()
	ctx := context.Background()
	admin, _, err := a.Accounts.EnsureAdmin(ctx, "admin@lectern.example", "a long enough admin password")
	if err != nil {
		t.Fatal(err)
	}
	r := &recert{admin: auth.ActorFor(admin), expiry: time.Date(2029, 12, 3, 0, 0, 0, 0, time.UTC)}
	agency := func(name, country string) int64 {
		ag := &store.Agency{Name: name, Country: country, CreatedAt: time.Now()}
		if err := a.db.CreateAgency(ctx, ag); err != nil {
			t.Fatal(err)
		}
		return ag.ID
	}
	fr, de := agency("Gendarmerie", "FR"), agency("BKA", "DE")
	user := func(email, name, role string, ag int64) *store.User {
		u := &store.User{Email: email, Name: name, Role: role, AgencyID: &ag, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := a.db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	r.coord = user("coord@fr.example", "Claire Coordinatrice", "coordinator", fr)
	r.otherCoord = user("coord@de.example", "Dieter Koordination", "coordinator", de)
	r.officer = user("officer@fr.example", "Zoé Agent", "officer", fr)
	r.revoked = user("revoked@fr.example", "Rémi Révoqué", "officer", fr)
	r.renewed = user("renewed@fr.example", "Noé Renouvelé", "officer", fr)
	r.far = user("far@fr.example", "Léa Lointaine", "officer", fr)
	r.foreign = user("officer@de.example", "Jonas Teilnehmer", "officer", de)
	session := func(date string) int64 {
		ts := &store.TrainingSession{CourseID: "crypto-crime", Date: date, StartTime: "09:00", EndTime: "17:00", Timezone: "Europe/Paris",
			StartsAt: time.Now(), EndsAt: time.Now(), Venue: "École", City: "Paris", Country: "FR", Capacity: 30,
			Status: store.SessionClosed, CheckinSecret: []byte("secret"), CreatedBy: admin.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := a.db.Tx(ctx, func(q store.Q) error { return q.CreateSession(ts) }); err != nil {
			t.Fatal(err)
		}
		return ts.ID
	}
	old, newer := session("2026-12-03"), session("2029-10-01")
	n := 0
	cert := func(sessionID int64, u *store.User, expires time.Time, status store.CertificateStatus) {
		n++
		issued := expires.AddDate(-3, 0, 0)
		if sessionID == newer {
			issued = time.Date(2029, 10, 1, 18, 0, 0, 0, time.UTC)
		}
		c := &store.Certificate{Serial: fmt.Sprintf("RECERT%010d", n), SessionID: sessionID, UserID: u.ID, AgencyID: u.AgencyID,
			HolderName: u.Name, CourseID: "crypto-crime", CourseTitle: "Investigating crypto-asset crime", CourseHash: "h",
			SessionDate: issued.Format(time.DateOnly), City: "Paris", Country: "FR", IssuedAt: issued, ExpiresAt: &expires,
			Status: status, Payload: []byte("{}"), Signature: "s"}
		if err := a.db.Tx(ctx, func(q store.Q) error { return q.CreateCertificate(c) }); err != nil {
			t.Fatal(err)
		}
	}
	cert(old, r.officer, r.expiry, store.CertificateValid)
	cert(old, r.foreign, r.expiry, store.CertificateValid)
	cert(old, r.revoked, r.expiry, store.CertificateRevoked)
	cert(old, r.renewed, r.expiry, store.CertificateValid)
	cert(newer, r.renewed, r.expiry.AddDate(3, 0, 0), store.CertificateValid) // retrained since: the old one is not due
	cert(old, r.far, r.expiry.AddDate(1, 0, 0), store.CertificateValid)       // a year later: not due in this test's window
	return r
}

// setClock sets the server clock of the App's certificates and jobs.
func setClock(a *App, now func() time.Time) { a.Certs.Now, a.Jobs.Now = now, now }

// remindersOf reads the reminders in the outbox by recipient, through its reader.
func remindersOf(t *testing.T, a *App, r *recert) map[string][]mail.OutboxMessage {
	t.Helper()
	out := map[string][]mail.OutboxMessage{}
	for _, kind := range []mail.Kind{mail.KindCertificateExpiring, mail.KindCertificatesExpiring} {
		msgs, err := a.Outbox.Messages(context.Background(), r.admin, mail.OutboxFilter{Kind: string(kind)})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			out[m.ToAddress] = append(out[m.ToAddress], m)
		}
	}
	return out
}

// TestReminders_DayByDay moves the server clock a day at a time from 100 days
// before expiry to after it, running the daily jobs as serve's ticks would:
// the officer and the coordinators get exactly one 90-day and one 30-day
// e-mail, on the right days, in their language; the revoked, the renewed and
// the far-off get nothing. A restart (a new App on the same file) running every
// day again sends nothing more.
func TestReminders_DayByDay(t *testing.T) {
	dsn := testfixture.SQLite(t)
	a := newRecertApp(t, dsn)
	r := seedRecert(t, a)
	ctx := context.Background()
	start := r.expiry.AddDate(0, 0, -100).Add(7 * time.Hour)
	firstDay := map[string][]int{} // recipient → days before expiry each new e-mail came
	seen := map[string]int{}
	for d := 0; d <= 105; d++ {
		now := start.AddDate(0, 0, d)
		setClock(a, func() time.Time { return now })
		a.Jobs.RunDue(ctx)
		for to, msgs := range remindersOf(t, a, r) {
			for range len(msgs) - seen[to] {
				firstDay[to] = append(firstDay[to], 100-d)
			}
			seen[to] = len(msgs)
		}
	}
	want := map[string][]int{r.officer.Email: {90, 30}, r.foreign.Email: {90, 30}, r.coord.Email: {90, 30}, r.otherCoord.Email: {90, 30}}
	if fmt.Sprint(firstDay) != fmt.Sprint(want) {
		t.Fatalf("reminders by recipient, as days before expiry: %v\nwant %v", firstDay, want)
	}
	got := remindersOf(t, a, r)
	for _, m := range got[r.officer.Email] {
		if m.Kind != string(mail.KindCertificateExpiring) || m.Language != "fr" || !strings.Contains(m.Subject, "3 décembre 2029") ||
			!strings.Contains(m.TextBody, "https://lectern.example/sessions?course=crypto-crime") || !strings.Contains(m.TextBody, "/api/v1/certificates/RECERT0000000001.pdf") {
			t.Errorf("the officer's reminder: %s in %s, %q\n%s", m.Kind, m.Language, m.Subject, m.TextBody)
		}
	}
	for _, m := range got[r.coord.Email] {
		if m.Kind != string(mail.KindCertificatesExpiring) || m.Language != "fr" || !strings.Contains(m.TextBody, r.officer.Name) ||
			strings.Contains(m.TextBody, r.foreign.Name) || strings.Contains(m.TextBody, r.renewed.Name) || strings.Contains(m.TextBody, r.revoked.Name) ||
			!strings.Contains(m.TextBody, "/record?status=due") {
			t.Errorf("the coordinator's digest: %s in %s\n%s", m.Kind, m.Language, m.TextBody)
		}
	}
	for _, m := range got[r.otherCoord.Email] {
		if m.Language != "de" || !strings.Contains(m.TextBody, r.foreign.Name) || strings.Contains(m.TextBody, r.officer.Name) {
			t.Errorf("the German coordinator's digest: in %s\n%s", m.Language, m.TextBody)
		}
	}

	t.Run("Restart", func(t *testing.T) {
		b := newRecertApp(t, dsn)
		before := len(remindersOf(t, b, r)[r.officer.Email])
		for d := 0; d <= 105; d += 5 {
			now := start.AddDate(0, 0, d).Add(time.Hour)
			setClock(b, func() time.Time { return now })
			if err := b.Certs.SendReminders(ctx, now); err != nil { // straight, past the job's once-a-day
				t.Fatal(err)
			}
		}
		after := remindersOf(t, b, r)
		if fmt.Sprint(len(after[r.officer.Email]), len(after[r.coord.Email])) != fmt.Sprint(before, 2) {
			t.Fatalf("after a restart: officer %d, coordinator %d reminders; want %d and 2", len(after[r.officer.Email]), len(after[r.coord.Email]), before)
		}
	})
}

// TestReminders_CatchUp: a server down on the 90th day sends the 90-day
// reminder when it is back if more than 30 days remain, and only the 30-day
// one when it is back within 30 days.
func TestReminders_CatchUp(t *testing.T) {
	for name, tc := range map[string]struct {
		back int // days before expiry the server comes back
		want []string
	}{
		"Back60DaysOut": {60, []string{"90", "30"}},
		"Back20DaysOut": {20, []string{"30"}},
	} {
		t.Run(name, func(t *testing.T) {
			a := newRecertApp(t, testfixture.SQLite(t))
			r := seedRecert(t, a)
			var got []string
			for d := tc.back; d >= 0; d-- {
				now := r.expiry.AddDate(0, 0, -d).Add(9 * time.Hour)
				setClock(a, func() time.Time { return now })
				before := len(remindersOf(t, a, r)[r.officer.Email])
				a.Jobs.RunDue(context.Background())
				if len(remindersOf(t, a, r)[r.officer.Email]) > before {
					if d > 30 {
						got = append(got, "90")
					} else {
						got = append(got, "30")
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("back %d days before expiry: reminders %v, want %v", tc.back, got, tc.want)
			}
		})
	}
}

// TestReminders_TwoProcesses: two Apps on one database sending the reminders
// at the same moment (straight, past the job's once-a-day claim) send each
// once.
func TestReminders_TwoProcesses(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{"SQLite": testfixture.SQLite, "PostgreSQL": testfixture.PostgresDSN} {
		t.Run(name, func(t *testing.T) {
			d := dsn(t)
			a, b := newRecertApp(t, d), newRecertApp(t, d)
			r := seedRecert(t, a)
			ctx := context.Background()
			for _, daysOut := range []int{80, 25} {
				now := r.expiry.AddDate(0, 0, -daysOut)
				var wg sync.WaitGroup
				for _, x := range []*App{a, b, a, b} {
					setClock(x, func() time.Time { return now })
				}
				errs := make(chan error, 4)
				for _, x := range []*App{a, b, a, b} {
					wg.Add(1)
					go func() { defer wg.Done(); errs <- x.Certs.SendReminders(ctx, now) }()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			got := remindersOf(t, a, r)
			for _, u := range []*store.User{r.officer, r.foreign, r.coord, r.otherCoord} {
				if len(got[u.Email]) != 2 {
					t.Errorf("%s got %d reminders, want 2 (one at 90 days, one at 30)", u.Email, len(got[u.Email]))
				}
			}
			if len(got) != 4 {
				t.Errorf("reminders went to %d addresses, want 4: %v", len(got), got)
			}
		})
	}
}
