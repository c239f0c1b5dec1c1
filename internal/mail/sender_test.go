package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/ical"
	"github.com/lectern-platform/lectern/internal/store"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "lectern.db"), quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newMailer(t *testing.T) *Mailer {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return NewMailer(cat, "https://lectern.example.org/")
}

func newUser(t *testing.T, db *store.DB, email, name string) *store.User {
	t.Helper()
	u := &store.User{Email: email, Name: name, Role: "officer"}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func paris() Session {
	return Session{ID: 42, Course: "Investigating crypto-asset crime", Language: "en", Date: "2026-12-03", Start: "09:00",
		End: "17:00", Timezone: "Europe/Paris", UTCOffset: "+01:00", Venue: "École nationale", City: "Paris", Country: "FR"}
}

func icsOf(t *testing.T, s Session, cancelled bool) []byte {
	t.Helper()
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, loc)
	var buf bytes.Buffer
	err = ical.Write(&buf, s.Course, []ical.Event{{UID: "session-42@lectern", Sequence: 1, Summary: s.Course,
		Start: start, End: start.Add(8 * time.Hour), TZ: loc, Cancelled: cancelled, Updated: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// smtpConfig points a sender at a test server without TLS.
func smtpConfig(t *testing.T, port int) *SMTPConfig {
	t.Helper()
	c, err := ParseSMTPURL("smtp://127.0.0.1:" + strconv.Itoa(port) + "?tls=none&from=Lectern%20<noreply@lectern.example.org>")
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = 5 * time.Second
	return c
}

// received is a delivered message taken apart.
type received struct {
	To      *netmail.Address
	Subject string
	Header  netmail.Header
	Types   []string // every part's media type, depth first
	Parts   []mimePart
}

type mimePart struct {
	Type     string
	Filename string
	Body     string
}

func (r received) part(mediaType string) *mimePart {
	for i := range r.Parts {
		if r.Parts[i].Type == mediaType {
			return &r.Parts[i]
		}
	}
	return nil
}

func parse(t *testing.T, data []byte) received {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, data)
	}
	var r received
	r.Header = m.Header
	if r.To, err = netmail.ParseAddress(m.Header.Get("To")); err != nil {
		t.Fatalf("To %q: %v", m.Header.Get("To"), err)
	}
	if r.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	walk(t, &r, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Header.Get("Content-Disposition"), m.Body)
	return r
}

func walk(t *testing.T, r *received, ctype, cte, disp string, body io.Reader) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ctype, err)
	}
	r.Types = append(r.Types, mt)
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			walk(t, r, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
		}
	}
	switch strings.ToLower(cte) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("%s part: %v", mt, err)
	}
	p := mimePart{Type: mt, Body: strings.ReplaceAll(string(b), "\r\n", "\n")}
	if _, dp, err := mime.ParseMediaType(disp); err == nil {
		p.Filename = dp["filename"]
	}
	r.Parts = append(r.Parts, p)
}

// TestSender_DeliversMIME sends every kind of message through a real SMTP server
// and reads back what arrived.
func TestSender_DeliversMIME(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	srv := startSMTP(t, serverOptions{})
	kim := newUser(t, db, "minjun.kim@police.go.kr", "김민준")
	cohen := newUser(t, db, "daniel.cohen@police.gov.il", "דניאל כהן")
	obrien := newUser(t, db, "obrien@example.org", `Seán O'Brien <b>"the quote"</b>`)
	s := paris()
	cancelledICS := icsOf(t, s, true)
	calendarLang := ""
	cert := &store.Certificate{Serial: "ABCDEFGHIJKLMNOP", SessionID: s.ID, CourseTitle: s.Course, SessionDate: s.Date}
	err := db.Tx(ctx, func(q store.Q) error {
		return errors.Join(
			m.SessionCancelled(q, kim, s, func(lang string) ([]byte, error) { calendarLang = lang; return cancelledICS, nil }),
			m.Invitation(q, cohen, "https://lectern.example.org/activate/tok123", time.Date(2026, 12, 10, 8, 30, 0, 0, time.UTC)),
			m.CertificateIssued(q, obrien, cert, "https://lectern.example.org/api/v1/certificates/ABCDEFGHIJKLMNOP.pdf", nil),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	sender := NewSender(db, smtpConfig(t, srv.Port), nil, quiet())
	n, err := sender.SendDue(ctx)
	if err != nil || n != 3 {
		t.Fatalf("sent %d, %v", n, err)
	}
	got := srv.Received()
	if len(got) != 3 {
		t.Fatalf("server received %d messages", len(got))
	}
	byTo := map[string]received{}
	for _, d := range got {
		if d.From != "noreply@lectern.example.org" || len(d.To) != 1 {
			t.Errorf("envelope from %q to %v", d.From, d.To)
		}
		r := parse(t, d.Data)
		byTo[r.To.Address] = r
		if r.Header.Get("Message-Id") == "" || r.Header.Get("Date") == "" || r.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("headers: %v", r.Header)
		}
		from, err := netmail.ParseAddress(r.Header.Get("From"))
		if err != nil || from.Name != "Lectern" || from.Address != "noreply@lectern.example.org" {
			t.Errorf("From = %v, %v", from, err)
		}
	}

	t.Run("CancelledSessionWithICS", func(t *testing.T) {
		r := byTo["minjun.kim@police.go.kr"]
		if r.To == nil || r.To.Name != "김민준" {
			t.Fatalf("To = %v", r.To)
		}
		if r.Subject != "Cancelled: \u2068Investigating crypto-asset crime\u2069 on Thursday 3 December 2026" {
			t.Errorf("Subject = %q", r.Subject)
		}
		if strings.Join(r.Types, " ") != "multipart/mixed multipart/alternative text/plain text/html text/calendar" {
			t.Errorf("structure = %v", r.Types)
		}
		text, html, cal := r.part("text/plain"), r.part("text/html"), r.part("text/calendar")
		if text == nil || html == nil || cal == nil {
			t.Fatalf("parts = %v", r.Types)
		}
		// Read as a person reads it: the isolates around the data are invisible.
		for _, want := range []string{"Hello 김민준,", "This session has been cancelled", "09:00–17:00 (Europe/Paris, UTC+01:00)",
			"École nationale, Paris, France", "https://lectern.example.org/sessions/42"} {
			if !strings.Contains(i18n.StripIsolates(text.Body), want) {
				t.Errorf("text part lacks %q:\n%s", want, text.Body)
			}
		}
		if !strings.Contains(i18n.StripIsolates(html.Body), "<p>Hello 김민준,</p>") || !strings.Contains(html.Body, `href="https://lectern.example.org/sessions/42"`) {
			t.Errorf("HTML part:\n%s", html.Body)
		}
		if calendarLang != "en" {
			t.Errorf("the calendar was asked for in %q, the message is in English", calendarLang)
		}
		if cal.Filename != "session-42.ics" || cal.Body != strings.ReplaceAll(string(cancelledICS), "\r\n", "\n") || !strings.Contains(cal.Body, "STATUS:CANCELLED") {
			t.Errorf("attachment %q:\n%s", cal.Filename, cal.Body)
		}
	})

	t.Run("InvitationRightToLeftName", func(t *testing.T) {
		r := byTo["daniel.cohen@police.gov.il"]
		if r.To == nil || r.To.Name != "דניאל כהן" {
			t.Fatalf("To = %v", r.To)
		}
		if r.Subject != "Activate your Lectern account" || strings.Join(r.Types, " ") != "multipart/alternative text/plain text/html" {
			t.Errorf("Subject %q, structure %v", r.Subject, r.Types)
		}
		text, html := r.part("text/plain"), r.part("text/html")
		if !strings.Contains(i18n.StripIsolates(text.Body), "Hello דניאל כהן,") || !strings.Contains(text.Body, "\nhttps://lectern.example.org/activate/tok123\n") ||
			!strings.Contains(text.Body, "10 December 2026, 08:30 UTC") {
			t.Errorf("text part:\n%s", text.Body)
		}
		if !strings.Contains(html.Body, `href="https://lectern.example.org/activate/tok123"`) {
			t.Errorf("HTML part:\n%s", html.Body)
		}
	})

	t.Run("CertificateEscapedInHTML", func(t *testing.T) {
		r := byTo["obrien@example.org"]
		if r.To == nil || r.To.Name != `Seán O'Brien <b>"the quote"</b>` {
			t.Fatalf("To = %v", r.To)
		}
		text, html := r.part("text/plain"), r.part("text/html")
		if !strings.Contains(i18n.StripIsolates(text.Body), `Hello Seán O'Brien <b>"the quote"</b>,`) || !strings.Contains(text.Body, "/api/v1/certificates/ABCDEFGHIJKLMNOP.pdf") ||
			!strings.Contains(text.Body, "https://lectern.example.org/verify/ABCDEFGHIJKLMNOP") {
			t.Errorf("text part:\n%s", text.Body)
		}
		if strings.Contains(html.Body, "<b>") || !strings.Contains(html.Body, "Seán O&#39;Brien &lt;b&gt;&#34;the quote&#34;&lt;/b&gt;") {
			t.Errorf("the name is not escaped in HTML:\n%s", html.Body)
		}
	})

	t.Run("RecordedAsSent", func(t *testing.T) {
		list, err := db.OutboxMessages(ctx, store.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if m.Status != store.OutboxSent || m.Attempts != 1 || m.SentAt == nil || m.LastError != "" {
				t.Errorf("message %d: %s, %d attempts, sent %v, error %q", m.ID, m.Status, m.Attempts, m.SentAt, m.LastError)
			}
		}
		if n, err := sender.SendDue(ctx); n != 0 || err != nil || len(srv.Received()) != 3 {
			t.Errorf("a second pass sent %d more, %v", n, err)
		}
	})
}

// TestSender_RetriesAfterServerWasDown: nothing listens, the attempt fails and is
// scheduled again; when the server is up and the clock has reached the retry, the
// message is delivered, once.
func TestSender_RetriesAfterServerWasDown(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	u := newUser(t, db, "officer@example.org", "Ana Souza")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, port := ln.Addr().String(), ln.Addr().(*net.TCPAddr).Port
	ln.Close() // a closed port: connections are refused

	if err := db.Tx(ctx, func(q store.Q) error { return m.EnrolmentConfirmed(q, u, paris()) }); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	counted := countedAttempts{}
	sender := NewSender(db, smtpConfig(t, port), counted, quiet())
	sender.Now = func() time.Time { return now }
	if n, err := sender.SendDue(ctx); n != 0 || err != nil {
		t.Fatalf("sent %d to a closed port, %v", n, err)
	}
	list, err := db.OutboxMessages(ctx, store.OutboxFilter{})
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	msg := list[0]
	if msg.Status != store.OutboxQueued || msg.Attempts != 1 || msg.LastError == "" || !msg.NextAttemptAt.After(now) {
		t.Fatalf("after a refused connection: %s, %d attempts, error %q, next %v", msg.Status, msg.Attempts, msg.LastError, msg.NextAttemptAt)
	}
	if d := msg.NextAttemptAt.Sub(now); d < 59*time.Second || d > 61*time.Second {
		t.Errorf("first retry in %v, want a minute", d)
	}
	if !strings.Contains(msg.LastError, "connect") {
		t.Errorf("last error = %q", msg.LastError)
	}

	srv := startSMTP(t, serverOptions{Addr: addr})
	if n, err := sender.SendDue(ctx); n != 0 || err != nil || len(srv.Received()) != 0 {
		t.Fatalf("retried before its time: %d, %v", n, err)
	}
	now = now.Add(Backoff(1) + time.Second)
	if n, err := sender.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("after the backoff: sent %d, %v", n, err)
	}
	now = now.Add(24 * time.Hour)
	if n, err := sender.SendDue(ctx); n != 0 || err != nil {
		t.Fatalf("sent again: %d, %v", n, err)
	}
	if got := srv.Received(); len(got) != 1 {
		t.Fatalf("server received %d messages, want exactly 1", len(got))
	}
	got, err := db.OutboxMessage(ctx, msg.ID)
	if err != nil || got.Status != store.OutboxSent || got.Attempts != 2 || got.SentAt == nil {
		t.Errorf("after delivery: %+v, %v", got, err)
	}
	if counted["retry"] != 1 || counted["sent"] != 1 || counted["failed"] != 0 {
		t.Errorf("metrics counted %v, want one retry and one sent", counted)
	}
}

// countedAttempts is a Metrics that remembers what it was told.
type countedAttempts map[string]int

func (c countedAttempts) EmailAttempt(result string) { c[result]++ }

// TestSender_GivesUpAfterMaxAttempts: a mailbox the server refuses for good ends
// failed, with the server's answer kept.
func TestSender_GivesUpAfterMaxAttempts(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	srv := startSMTP(t, serverOptions{RejectRcp: "gone@example.org"})
	u := newUser(t, db, "gone@example.org", "Gone")
	if err := db.Tx(ctx, func(q store.Q) error { return m.WaitlistPromoted(q, u, paris()) }); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	counted := countedAttempts{}
	sender := NewSender(db, smtpConfig(t, srv.Port), counted, quiet())
	sender.Now = func() time.Time { return now }
	sender.MaxAttempts = 3
	var waits []time.Duration
	for i := 0; i < 5; i++ {
		if _, err := sender.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		list, _ := db.OutboxMessages(ctx, store.OutboxFilter{})
		if list[0].Status != store.OutboxQueued {
			break
		}
		waits = append(waits, list[0].NextAttemptAt.Sub(now).Round(time.Second))
		now = list[0].NextAttemptAt
	}
	list, _ := db.OutboxMessages(ctx, store.OutboxFilter{})
	if list[0].Status != store.OutboxFailed || list[0].Attempts != 3 || !strings.Contains(list[0].LastError, "550") {
		t.Errorf("after giving up: %s, %d attempts, error %q", list[0].Status, list[0].Attempts, list[0].LastError)
	}
	if len(waits) != 2 || waits[0] != time.Minute || waits[1] != 2*time.Minute {
		t.Errorf("waits = %v, want [1m 2m]", waits)
	}
	if counted["retry"] != 2 || counted["failed"] != 1 || counted["sent"] != 0 {
		t.Errorf("metrics counted %v, want two retries and one failed", counted)
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 6: 32 * time.Minute,
		7: time.Hour, 8: time.Hour, 100: time.Hour} {
		if got := Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestEnqueue_RolledBackIsNeverSent: an action that fails takes its e-mail with it.
func TestEnqueue_RolledBackIsNeverSent(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	srv := startSMTP(t, serverOptions{})
	u := newUser(t, db, "officer@example.org", "Ana Souza")
	boom := errors.New("the enrolment failed")
	err := db.Tx(ctx, func(q store.Q) error {
		if err := m.EnrolmentConfirmed(q, u, paris()); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n, err := NewSender(db, smtpConfig(t, srv.Port), nil, quiet()).SendDue(ctx); n != 0 || err != nil {
		t.Fatalf("sent %d, %v", n, err)
	}
	if list, _ := db.OutboxMessages(ctx, store.OutboxFilter{}); len(list) != 0 || len(srv.Received()) != 0 {
		t.Errorf("outbox %d, received %d", len(list), len(srv.Received()))
	}
}

// TestSender_TwoProcessesSendOnce runs two senders over one database at once:
// every message arrives exactly once.
func TestSender_TwoProcessesSendOnce(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			var db *store.DB
			if dialect == "sqlite" {
				db = openDB(t)
			} else {
				db = openPostgres(t)
			}
			testTwoSenders(t, db)
		})
	}
}

func openPostgres(t *testing.T) *store.DB {
	url := os.Getenv("LECTERN_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must provide LECTERN_TEST_POSTGRES_URL")
		}
		t.Skip("LECTERN_TEST_POSTGRES_URL not set")
	}
	db, err := store.Open(context.Background(), url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func testTwoSenders(t *testing.T, db *store.DB) {
	m := newMailer(t)
	ctx := context.Background()
	srv := startSMTP(t, serverOptions{})
	// A shared database may hold other tests' messages: these go to addresses
	// of their own, and the senders' clock stops before anything queued later.
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	const n = 40
	err := db.Tx(ctx, func(q store.Q) error {
		for i := range n {
			u := &store.User{ID: 0, Email: "o" + strconv.Itoa(i) + "-" + tag + "@example.org", Name: "Officer " + strconv.Itoa(i)}
			if err := m.EnrolmentConfirmed(q, u, paris()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var wg sync.WaitGroup
	for range 2 {
		s := NewSender(db, smtpConfig(t, srv.Port), nil, quiet())
		s.Now = func() time.Time { return now }
		s.Batch = 1000
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.SendDue(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, d := range srv.Received() {
		for _, to := range d.To {
			if strings.HasSuffix(to, "-"+tag+"@example.org") {
				seen[to]++
			}
		}
	}
	if len(seen) != n {
		t.Errorf("%d of %d addresses received their message", len(seen), n)
	}
	for to, c := range seen {
		if c != 1 {
			t.Errorf("%s received %d copies", to, c)
		}
	}
}
