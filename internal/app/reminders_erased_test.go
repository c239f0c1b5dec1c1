package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestReminders_ErasedHolder: once an officer's data is erased, under either
// certificate-name rule, recertification forgets them: no reminder to their
// placeholder address, no line in their coordinator's digest, not counted as
// due on the dashboards, not offered a seat in the next session — while the
// German officer of the same course still is, so the checks can fail.
func TestReminders_ErasedHolder(t *testing.T) {
	for _, rule := range []privacy.NameRule{privacy.KeepPrintedName, privacy.ErasePrintedName} {
		t.Run(string(rule), func(t *testing.T) {
			catalog, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
			if err != nil {
				t.Fatal(err)
			}
			policy := privacy.Default()
			policy.CertificateNames = rule
			a, err := New(testfixture.Open(t, testfixture.SQLite(t)), testfixture.Courses(t),
				Options{BaseURL: "https://lectern.example", Signer: signer, Catalog: catalog, Privacy: &policy})
			if err != nil {
				t.Fatal(err)
			}
			r := seedRecert(t, a)
			ctx := context.Background()
			officerEmail := r.officer.Email
			if _, err := a.Eraser.Erase(ctx, r.admin, r.officer.ID, "Art. 17 request"); err != nil {
				t.Fatal(err)
			}
			start := r.expiry.AddDate(0, 0, -100).Add(7 * time.Hour)
			for d := 0; d <= 105; d += 5 {
				now := start.AddDate(0, 0, d)
				setClock(a, func() time.Time { return now })
				if err := a.Certs.SendReminders(ctx, now); err != nil {
					t.Fatal(err)
				}
			}
			got := remindersOf(t, a, r)
			if len(got[r.foreign.Email]) != 2 || len(got[r.otherCoord.Email]) != 2 {
				t.Fatalf("the German officer and coordinator got %d and %d reminders, want 2 each (the job did not run?)", len(got[r.foreign.Email]), len(got[r.otherCoord.Email]))
			}
			for to, msgs := range got {
				if to == officerEmail || strings.HasSuffix(to, ".invalid") {
					t.Errorf("%d reminders to the erased officer's address %s", len(msgs), to)
				}
			}
			if n := len(got[r.coord.Email]); n != 0 { // the erased officer was the French agency's only one due
				t.Errorf("the French coordinator got %d digests about an erased officer:\n%s", n, got[r.coord.Email][0].TextBody)
			}

			now := r.expiry.AddDate(0, 0, -60)
			setClock(a, func() time.Time { return now })
			a.Schedule.Now = func() time.Time { return now }
			due, err := a.Certs.Due(ctx, r.admin)
			if err != nil {
				t.Fatal(err)
			}
			var holders []int64
			for _, c := range due {
				holders = append(holders, c.UserID)
			}
			if len(holders) != 1 || holders[0] != r.foreign.ID {
				t.Errorf("due for recertification: holders %v, want only the German officer %d (erased officer %d)", holders, r.foreign.ID, r.officer.ID)
			}
			next := &store.TrainingSession{CourseID: "crypto-crime", Date: "2029-11-20", StartTime: "09:00", EndTime: "17:00", Timezone: "Europe/Paris",
				StartsAt: now.AddDate(0, 0, 20), EndsAt: now.AddDate(0, 0, 20).Add(8 * time.Hour), Venue: "École", City: "Paris", Country: "FR", Capacity: 30,
				Status: store.SessionScheduled, CheckinSecret: []byte("secret"), CreatedBy: r.admin.UserID, CreatedAt: now, UpdatedAt: now}
			if err := a.db.Tx(ctx, func(q store.Q) error { return q.CreateSession(next) }); err != nil {
				t.Fatal(err)
			}
			offered, err := a.Schedule.DueForSession(ctx, r.admin, next.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, o := range offered {
				ids = append(ids, o.UserID)
			}
			if len(ids) != 1 || ids[0] != r.foreign.ID {
				t.Errorf("offered the session: %v, want only the German officer %d (erased officer %d)", ids, r.foreign.ID, r.officer.ID)
			}
		})
	}
}
