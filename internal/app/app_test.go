package app

import (
	"context"
	"testing"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/metrics"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestApp_New checks the wiring New does: the accounts service writes its
// e-mails through the App's mailer into the outbox Outbox reads, certificates
// exist only with a signing key, and Quiet gives services of their own that
// write no e-mail.
func TestApp_New(t *testing.T) {
	ctx := context.Background()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	db := testfixture.Open(t, testfixture.SQLite(t))
	a, err := New(db, testfixture.Courses(t), Options{BaseURL: "https://lectern.example", Signer: signer, Catalog: catalog, Metrics: metrics.New()})
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := a.Accounts.EnsureAdmin(ctx, "admin@lectern.example", "a long enough admin password")
	if err != nil {
		t.Fatal(err)
	}
	actor := auth.ActorFor(admin)
	invite := func(t *testing.T, via *App, email string) int {
		t.Helper()
		u, err := via.Accounts.CreateUser(ctx, actor, auth.NewUser{Email: email, Name: "Trainer " + email, Role: string(auth.RoleTrainer)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := via.Accounts.Invite(ctx, actor, []int64{u.ID}, true); err != nil {
			t.Fatal(err)
		}
		msgs, err := a.Outbox.Messages(ctx, actor, mail.OutboxFilter{UserID: &u.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}

	t.Run("MailThroughTheOutbox", func(t *testing.T) {
		if n := invite(t, a, "one@lectern.example"); n == 0 {
			t.Fatal("an invitation sent through the App wrote no e-mail to the outbox")
		}
	})
	t.Run("Certificates", func(t *testing.T) {
		if a.Certs == nil {
			t.Fatal("no certificate service although a signing key was given")
		}
		without, err := New(db, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if without.Certs != nil || without.Mailer != nil {
			t.Fatalf("without a key or a catalogue: certs %v, mailer %v", without.Certs, without.Mailer)
		}
	})
	t.Run("Quiet", func(t *testing.T) {
		q := a.Quiet()
		if q.Schedule == a.Schedule || q.Attempts == a.Attempts || q.Certs == a.Certs || q.Accounts == a.Accounts {
			t.Fatal("Quiet shares services with the App: the demo's clock would move the server's")
		}
		if q.Certs == nil || q.Library != a.Library {
			t.Fatal("Quiet lost the signing key or the courses")
		}
		if n := invite(t, q, "two@lectern.example"); n != 0 {
			t.Fatalf("an invitation through Quiet wrote %d e-mails", n)
		}
	})
	t.Run("Ping", func(t *testing.T) {
		if err := a.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := a.Ping(ctx); err == nil {
			t.Fatal("Ping answered for a closed database")
		}
	})
}
