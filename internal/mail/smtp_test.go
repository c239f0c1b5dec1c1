package mail

import (
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

func TestParseSMTPURL(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for raw, want := range map[string]SMTPConfig{
			"smtp://user:p%40ss@mail.example.org?from=Lectern%20<noreply@example.org>": {Host: "mail.example.org", Port: 587,
				TLS: TLSRequired, Username: "user", Password: "p@ss"},
			"smtp://mail.example.org:2525?from=noreply@example.org&tls=opportunistic": {Host: "mail.example.org", Port: 2525,
				TLS: TLSOpportunistic},
			"smtps://noreply%40example.org:secret@smtp.example.org": {Host: "smtp.example.org", Port: 465, ImplicitTLS: true,
				TLS: TLSRequired, Username: "noreply@example.org", Password: "secret"},
			"smtp://localhost:1025?tls=none&from=noreply@localhost": {Host: "localhost", Port: 1025, TLS: TLSNone},
			"smtp://u:p@h?from=a@b.c&auth=CRAM-MD5":                 {Host: "h", Port: 587, TLS: TLSRequired, Username: "u", Password: "p", Auth: "cram-md5"},
		} {
			got, err := ParseSMTPURL(raw)
			if err != nil {
				t.Errorf("%s: %v", raw, err)
				continue
			}
			got.From = want.From
			if *got != want {
				t.Errorf("%s:\n got %+v\nwant %+v", raw, *got, want)
			}
		}
		c, _ := ParseSMTPURL("smtp://user:p%40ss@mail.example.org?from=Lectern%20<noreply@example.org>")
		if c.From.Name != "Lectern" || c.From.Address != "noreply@example.org" {
			t.Errorf("from = %v", c.From)
		}
		if s := c.String(); strings.Contains(s, "p@ss") || !strings.Contains(s, "smtp://user@mail.example.org:587") {
			t.Errorf("String() = %q", s)
		}
		// Not percent-encoded, as people paste it.
		if c, err := ParseSMTPURL("smtp://mail.example.org?from=Lectern <noreply@example.org>"); err != nil || c.From.Address != "noreply@example.org" {
			t.Errorf("raw from: %v, %v", c, err)
		}
	})
	t.Run("Rejected", func(t *testing.T) {
		for raw, want := range map[string]string{
			"http://mail.example.org?from=a@b.c":            "scheme",
			"smtp://?from=a@b.c":                            "no host",
			"smtp://mail.example.org":                       "from=",
			"smtp://mail.example.org?from=nobody":           "not an address",
			"smtp://mail.example.org:99999?from=a@b.c":      "port",
			"smtps://mail.example.org?from=a@b.c&tls=none":  "always TLS",
			"smtp://mail.example.org?from=a@b.c&tls=maybe":  "tls must be",
			"smtp://mail.example.org?from=a@b.c&auth=plain": "needs a user",
			"smtp://u:p@mail.example.org?from=a@b.c&auth=x": "unknown auth",
			"smtp://mail.example.org?from=a@b.c&sender=x":   "unknown parameter",
			"smtp://mail.example.org/path?from=a@b.c":       "path",
		} {
			_, err := ParseSMTPURL(raw)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %v, want one about %q", raw, err, want)
			}
		}
		if _, err := ParseSMTPURL("smtp://user:s3cret@host:port?from=a@b.c"); err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("malformed URL error shows the password: %v", err)
		}
	})
}

// TestSender_STARTTLSWithAuth: the default smtp:// mode upgrades with STARTTLS
// before authenticating, and refuses a server that does not offer it.
func TestSender_STARTTLSWithAuth(t *testing.T) {
	serverTLS, roots := testCA(t)
	srv := startSMTP(t, serverOptions{TLS: serverTLS, User: "lectern", Pass: "p@ss word"})
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	u := newUser(t, db, "officer@example.org", "Ana Souza")
	if err := db.Tx(ctx, func(q store.Q) error { return m.EnrolmentConfirmed(q, u, paris()) }); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseSMTPURL("smtp://lectern:p%40ss%20word@127.0.0.1:" + strconv.Itoa(srv.Port) + "?from=noreply@example.org")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}
	cfg.Timeout = 5 * time.Second
	if n, err := NewSender(db, cfg, nil, quiet()).SendDue(ctx); n != 1 || err != nil {
		list, _ := db.OutboxMessages(ctx, store.OutboxFilter{})
		t.Fatalf("sent %d, %v; outbox: %+v", n, err, list)
	}
	if got := srv.Received(); len(got) != 1 || got[0].To[0] != "officer@example.org" {
		t.Fatalf("received %+v", got)
	}

	t.Run("RefusesPlaintextServer", func(t *testing.T) {
		plain := startSMTP(t, serverOptions{})
		cfg, _ := ParseSMTPURL("smtp://127.0.0.1:" + strconv.Itoa(plain.Port) + "?from=noreply@example.org")
		cfg.Timeout = 5 * time.Second
		if err := db.Tx(ctx, func(q store.Q) error { return m.EnrolmentConfirmed(q, u, paris()) }); err != nil {
			t.Fatal(err)
		}
		if n, err := NewSender(db, cfg, nil, quiet()).SendDue(ctx); n != 0 || err != nil {
			t.Fatalf("sent %d, %v", n, err)
		}
		list, _ := db.OutboxMessages(ctx, store.OutboxFilter{Status: string(store.OutboxQueued)})
		if len(list) != 1 || !strings.Contains(list[0].LastError, "STARTTLS") || len(plain.Received()) != 0 {
			t.Errorf("a server without STARTTLS got the message: %+v", list)
		}
	})
}

// TestSender_ImplicitTLS sends through smtps://.
func TestSender_ImplicitTLS(t *testing.T) {
	serverTLS, roots := testCA(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtpServer{}
	srv.srv = newGoSMTPServer(srv)
	go srv.srv.Serve(ln)
	t.Cleanup(func() { srv.srv.Close() })

	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	u := newUser(t, db, "officer@example.org", "Ana Souza")
	if err := db.Tx(ctx, func(q store.Q) error { return m.EnrolmentConfirmed(q, u, paris()) }); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseSMTPURL("smtps://127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "?from=noreply@example.org")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}
	cfg.Timeout = 5 * time.Second
	if n, err := NewSender(db, cfg, nil, quiet()).SendDue(ctx); n != 1 || err != nil {
		list, _ := db.OutboxMessages(ctx, store.OutboxFilter{})
		t.Fatalf("sent %d, %v; outbox: %+v", n, err, list)
	}
	if len(srv.Received()) != 1 {
		t.Errorf("received %d", len(srv.Received()))
	}
}
