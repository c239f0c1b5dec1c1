package demo

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/typeset"
)

type world struct {
	db      *store.DB
	library *course.Library
	signer  *certify.Signer
	seeder  *Seeder
}

// newWorld opens a real SQLite database in a temp dir with the shipped courses,
// as `lectern serve` does; the first admin is created with adminPassword unless
// it is empty.
func newWorld(t *testing.T, adminPassword string) *world {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "lectern.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	lib := course.NewLibrary(courses.FS, ".", "courses", log)
	lib.Shared = app.SharedCourses(db)
	if err := lib.Reload(); err != nil {
		t.Fatal(err)
	}
	signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if adminPassword != "" {
		if _, _, err := auth.NewService(db, log, auth.Options{}).EnsureAdmin(ctx, "admin@localhost", adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	a, err := app.New(db, lib, app.Options{Signer: signer, Programme: "Demo programme", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return &world{db: db, library: lib, signer: signer, seeder: &Seeder{App: a, DB: db}}
}

func TestSeeder_Seed(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, AdminPassword)
	if st, err := Check(ctx, w.db); err != nil || st != AdminOnly {
		t.Fatalf("Check before seeding: %v, %v", st, err)
	}
	res, err := w.seeder.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	accounts := auth.NewService(w.db, log, auth.Options{})

	t.Run("Counts", func(t *testing.T) {
		c, err := w.db.Contents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.Contents{Users: 16, Admins: 1, Agencies: 2, Sessions: 2}); c != want {
			t.Errorf("contents %+v, want %+v", c, want)
		}
		ags, _ := w.db.Agencies(ctx, nil)
		if len(ags) != 2 || ags[0].Country == ags[1].Country {
			t.Errorf("agencies %+v: want two countries", ags)
		}
		if len(res.Logins) != 16 {
			t.Errorf("%d logins, want 16", len(res.Logins))
		}
		roles := map[string]int{}
		for _, l := range res.Logins {
			roles[l.Role]++
		}
		if roles["admin"] != 1 || roles["trainer"] != 1 || roles["coordinator"] != 2 || roles["officer"] != 12 {
			t.Errorf("roles %v", roles)
		}
	})

	t.Run("EveryLoginSignsIn", func(t *testing.T) {
		for _, l := range res.Logins {
			if l.Password == "" {
				t.Errorf("%s: no password shown", l.Email)
				continue
			}
			_, u, err := accounts.Login(ctx, auth.Credentials{Email: l.Email, Password: l.Password, ClientIP: "192.0.2.1", Kind: auth.KindAPI})
			if err != nil {
				t.Errorf("login %s: %v", l.Email, err)
				continue
			}
			if u.Role != l.Role || u.Name != l.Name {
				t.Errorf("login %s: %s %q, table says %s %q", l.Email, u.Role, u.Name, l.Role, l.Name)
			}
		}
	})

	t.Run("NamesInSeveralScripts", func(t *testing.T) {
		var all string
		for _, l := range res.Logins {
			all += l.Name
			if missing, err := typeset.Uncovered(l.Name); err != nil || len(missing) > 0 {
				t.Errorf("%q: the certificate fonts lack %q (%v)", l.Name, missing, err)
			}
		}
		for script, sample := range map[string]string{"Hangul": "김민준", "Hebrew": "דניאל", "Greek": "Νίκος", "Cyrillic": "Олена", "Latin with diacritics": "Łukasiewicz"} {
			if !strings.Contains(all, sample) {
				t.Errorf("no %s name", script)
			}
		}
	})

	t.Run("TodaysSession", func(t *testing.T) {
		s := res.Today
		now := time.Now()
		if s.Course != CourseID || s.City != "Paris" || s.Date != now.In(s.Location).Format("2006-01-02") {
			t.Errorf("today's session: %+v", s)
		}
		if local := now.In(s.Location); local.Hour()*60+local.Minute() < 23*60+50 && s.Status != schedule.StatusInProgress {
			t.Errorf("today's session %s %s–%s is %s at %s", s.Date, s.Start, s.End, s.Status, local.Format("15:04"))
		}
		if s.Enrolled != 12 {
			t.Errorf("%d enrolled today", s.Enrolled)
		}
		trainer := trainerActor(t, w.db)
		sheet, err := schedule.NewService(w.db, w.library, log, schedule.Options{}).Attendance(ctx, trainer, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		marks := map[string]int{}
		for _, r := range sheet {
			marks[r.Status]++
		}
		if marks["present"] == 0 || marks["late"] == 0 || marks["unmarked"] == 0 {
			t.Errorf("attendance today %v: want present, late and unmarked", marks)
		}
		rows, _, err := attempt.NewService(w.db, w.library, schedule.Access{}, nil, log).Results(ctx, trainer, s.ID, "")
		if err != nil || len(rows) != 12*4 {
			t.Fatalf("results: %d rows (officers × quizzes), %v", len(rows), err)
		}
		atts, err := w.db.Read(ctx).Attempts(s.ID, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		var percents []float64
		open := 0
		for _, a := range atts {
			if a.Finalised == "" {
				open++
				continue
			}
			percents = append(percents, a.Percent)
		}
		slices.Sort(percents)
		if open != 1 || len(percents) < 8 {
			t.Errorf("today: %d submitted, %d open attempts", len(percents), open)
		}
		if len(percents) > 0 && (percents[0] >= 50 || percents[len(percents)-1] < 90 || len(slices.Compact(slices.Clone(percents))) < 6) {
			t.Errorf("scores today %v: want a spread from below 50 %% to above 90 %%", percents)
		}
		passed, failed := 0, 0
		for _, a := range atts {
			if a.Finalised != "" && a.Passed {
				passed++
			} else if a.Finalised != "" {
				failed++
			}
		}
		if passed == 0 || failed == 0 {
			t.Errorf("today: %d passed, %d failed", passed, failed)
		}
	})

	t.Run("PastSessionHasVerifiableCertificates", func(t *testing.T) {
		s := res.Past
		if s.Status != schedule.StatusClosed || s.City != "Seoul" || res.Certificates != 12 {
			t.Fatalf("past session %+v, %d certificates", s, res.Certificates)
		}
		if want := time.Now().In(s.Location).AddDate(0, 0, -7).Format("2006-01-02"); s.Date != want {
			t.Errorf("past session on %s, want %s", s.Date, want)
		}
		certs, err := w.db.Read(ctx).Certificates(store.CertificateFilter{SessionID: &s.ID})
		if err != nil || len(certs) != 12 {
			t.Fatalf("%d certificates, %v", len(certs), err)
		}
		trusted := map[string]ed25519.PublicKey{w.signer.KeyID: w.signer.PublicKey()}
		for _, c := range certs {
			p, err := certify.Verify(certify.Signed{Payload: c.Payload, Signature: c.Signature}, trusted)
			if err != nil {
				t.Errorf("certificate %s of %s: %v", c.Serial, c.HolderName, err)
				continue
			}
			if p.Holder != c.HolderName || p.SessionDate != s.Date || c.Programme != "Demo programme" || c.Status != "valid" {
				t.Errorf("certificate %s: payload %+v, stored %+v", c.Serial, p, c)
			}
			if c.IssuedAt.After(time.Now().AddDate(0, 0, -6)) {
				t.Errorf("certificate %s issued %s: want on the session's day", c.Serial, c.IssuedAt)
			}
			var pdf bytes.Buffer
			if err := w.signer.WritePDF(&pdf, &c, "http://localhost:8080"); err != nil {
				t.Fatalf("PDF of %s: %v", c.HolderName, err)
			}
			if _, err := certify.VerifyPDF(pdf.Bytes(), trusted); err != nil {
				t.Errorf("PDF of %s: %v", c.HolderName, err)
			}
			if pub, err := certify.NewService(w.db, w.library, w.signer, attempt.NewService(w.db, w.library, schedule.Access{}, nil, log), schedule.Access{}, log, certify.Options{}).Verify(ctx, c.Serial); err != nil || pub.Status != "valid" {
				t.Errorf("verify %s: %+v, %v", c.Serial, pub, err)
			}
		}
		atts, _ := w.db.Read(ctx).Attempts(s.ID, "", nil)
		if len(atts) != 12*4+1 {
			t.Errorf("%d attempts in the past session, want 49 (one retake)", len(atts))
		}
		for _, a := range atts {
			if a.Finalised != "submitted" || a.StartedAt.Before(s.StartsAt) || a.StartedAt.After(s.EndsAt) {
				t.Errorf("past attempt %d: %s, started %s", a.ID, a.Finalised, a.StartedAt)
			}
		}
	})

	t.Run("SecondRunRefuses", func(t *testing.T) {
		before, _ := w.db.Contents(ctx)
		if st, err := Check(ctx, w.db); err != nil || st != Seeded {
			t.Errorf("Check after seeding: %v, %v", st, err)
		}
		if _, err := w.seeder.Seed(ctx); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("second Seed: %v, want ErrNotEmpty", err)
		}
		if after, _ := w.db.Contents(ctx); after != before {
			t.Errorf("second Seed changed the database: %+v → %+v", before, after)
		}
		again, err := Logins(ctx, w.db)
		if err != nil || !slices.Equal(again, res.Logins) {
			t.Errorf("logins again: %v, %v", again, err)
		}
	})

	t.Run("Summary", func(t *testing.T) {
		var out bytes.Buffer
		WriteSummary(&out, res, "http://localhost:8080/")
		for _, want := range []string{"do not use for real training records", "ROLE", "PASSWORD", "claire.dubois@training.example", TrainerPassword,
			OfficerPassword, "김민준", "http://localhost:8080/sessions/", "12 certificates", "Paris", "Seoul"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("summary lacks %q:\n%s", want, out.String())
			}
		}
	})
}

func trainerActor(t *testing.T, db *store.DB) *auth.Actor {
	t.Helper()
	u, err := db.UserByEmail(context.Background(), trainer.Email)
	if err != nil {
		t.Fatal(err)
	}
	return auth.ActorFor(auth.UserOf(u))
}

func TestSeeder_RefusesDatabasesInUse(t *testing.T) {
	ctx := context.Background()
	t.Run("Blank", func(t *testing.T) {
		w := newWorld(t, "")
		if st, _ := Check(ctx, w.db); st != Blank {
			t.Errorf("Check: %v", st)
		}
		if _, err := w.seeder.Seed(ctx); err == nil {
			t.Error("seeded without a first admin")
		}
	})
	t.Run("AnAgency", func(t *testing.T) {
		w := newWorld(t, "an operator's own password")
		admin, _ := w.db.UserByEmail(ctx, "admin@localhost")
		if _, err := auth.NewService(w.db, slog.New(slog.DiscardHandler), auth.Options{}).CreateAgency(ctx, auth.ActorFor(auth.UserOf(admin)), auth.NewAgency{Name: "Real agency", Country: "SE"}); err != nil {
			t.Fatal(err)
		}
		if st, _ := Check(ctx, w.db); st != InUse {
			t.Errorf("Check: %v", st)
		}
		if _, err := w.seeder.Seed(ctx); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("Seed: %v", err)
		}
		if c, _ := w.db.Contents(ctx); c != (store.Contents{Users: 1, Admins: 1, Agencies: 1}) {
			t.Errorf("refused Seed changed the database: %+v", c)
		}
	})
	t.Run("AnotherUser", func(t *testing.T) {
		w := newWorld(t, "an operator's own password")
		if _, err := auth.NewService(w.db, slog.New(slog.DiscardHandler), auth.Options{}).CreateUserAsSystem(ctx, auth.NewUser{Email: "t@agency.example", Name: "T", Role: "trainer", Password: "another long password"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.seeder.Seed(ctx); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("Seed: %v", err)
		}
	})
}

// TestSeeder_AdminPasswordNotTheDemos: the first admin was made before the demo
// with the operator's password; the table does not claim to know it.
func TestSeeder_AdminPasswordNotTheDemos(t *testing.T) {
	w := newWorld(t, "an operator's own password")
	res, err := w.seeder.Seed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Logins[0].Role != "admin" || res.Logins[0].Password != "" {
		t.Errorf("admin login %+v", res.Logins[0])
	}
	var out bytes.Buffer
	WriteLogins(&out, res.Logins)
	if !strings.Contains(out.String(), "(yours, set at first start)") {
		t.Errorf("table:\n%s", out.String())
	}
}

func TestTodayHours(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, c := range []struct{ at, start, end string }{
		{"10:15", "08:30", "17:30"},
		{"08:30", "08:30", "17:30"},
		{"17:29", "08:30", "17:30"},
		{"17:30", "16:30", "23:59"},
		{"22:18", "21:00", "23:59"},
		{"23:58", "22:30", "23:59"},
		{"00:10", "00:00", "09:00"},
		{"06:45", "05:30", "14:30"},
	} {
		now, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-25 "+c.at, paris)
		date, start, end := TodayHours(now.UTC(), paris)
		if date != "2026-11-25" || start != c.start || end != c.end {
			t.Errorf("at %s: %s %s–%s, want %s–%s", c.at, date, start, end, c.start, c.end)
		}
	}
}
