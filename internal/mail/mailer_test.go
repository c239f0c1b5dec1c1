package mail

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

// TestMailer_EveryKindRenders writes one message of every kind and checks that
// each has a subject, both parts, and no message id left untranslated.
func TestMailer_EveryKindRenders(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	u := newUser(t, db, "officer@example.org", "Ana Souza")
	s := paris()
	cert := &store.Certificate{Serial: "ABCDEFGHIJKLMNOP", SessionID: s.ID, CourseTitle: s.Course, SessionDate: s.Date}
	exp := time.Now().Add(time.Hour)
	err := db.Tx(ctx, func(q store.Q) error {
		for _, f := range []func() error{
			func() error { return m.Invitation(q, u, "https://x/activate/t", exp) },
			func() error { return m.PasswordReset(q, u, "https://x/reset/t", exp) },
			func() error { return m.EnrolmentConfirmed(q, u, s) },
			func() error { return m.WaitlistPromoted(q, u, s) },
			func() error { return m.SessionChanged(q, u, s, calendarOf(icsOf(t, s, false))) },
			func() error { return m.SessionCancelled(q, u, s, calendarOf(icsOf(t, s, true))) },
			func() error { return m.CertificateIssued(q, u, cert, "https://x/c.pdf", nil) },
			func() error {
				c := *cert
				c.ExpiresAt = &exp
				return m.CertificateExpiring(q, u, &c, "https://x/sessions?course=c", "https://x/c.pdf", "", nil)
			},
			func() error {
				return m.CertificatesExpiring(q, u, []DueLine{{Holder: "Jo Bloggs", Course: s.Course, ExpiresAt: exp}}, "https://x/agencies/1/record")
			},
		} {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.OutboxMessages(ctx, store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]store.OutboxMessage{}
	for _, msg := range list {
		kinds[msg.Kind] = msg
	}
	rawID := regexp.MustCompile(`\bmail\.[a-z_]+\.[a-z_]+`)
	for _, k := range Kinds {
		msg, ok := kinds[string(k)]
		if !ok {
			t.Errorf("no %s message", k)
			continue
		}
		if msg.Subject == "" || msg.TextBody == "" || !strings.HasPrefix(msg.HTMLBody, "<!doctype html>") || msg.Language != "en" ||
			msg.UserID == nil || *msg.UserID != u.ID || msg.ToAddress != u.Email || msg.Status != store.OutboxQueued {
			t.Errorf("%s: %+v", k, msg)
		}
		for _, part := range []string{msg.Subject, msg.TextBody, msg.HTMLBody} {
			if id := rawID.FindString(part); id != "" {
				t.Errorf("%s shows the raw message id %s", k, id)
			}
		}
		wantAtt := k == KindSessionChanged || k == KindSessionCancelled
		if got := len(msg.Attachments) == 1 && msg.Attachments[0].Name == "session-42.ics"; got != wantAtt {
			t.Errorf("%s attachments: %+v", k, msg.Attachments)
		}
		if (msg.SessionID != nil) != (k != KindInvitation && k != KindReset && k != KindCertificatesExpiring) {
			t.Errorf("%s session id: %v", k, msg.SessionID)
		}
	}
}

// TestMailer_HebrewDataIsolated: in a Hebrew e-mail the Latin name, course,
// address, time zone and serial and the time range are isolated, so a plain-text
// reader's bidi keeps "09:00–17:00" start to end and the address's commas in
// order, and the HTML part holds the data it places in dir="auto" spans. (How
// it looks in a browser: the web package's TestBrowser_HebrewEmailReadsInOrder.)
func TestMailer_HebrewDataIsolated(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	u := newUser(t, db, "officer@example.org", "Seán O'Brien")
	s := paris()
	cert := &store.Certificate{Serial: "ABCD-2345-EFGH", SessionID: s.ID, CourseTitle: s.Course, SessionDate: s.Date}
	err := db.Tx(ctx, func(q store.Q) error {
		if err := q.SetUserLanguage(u.ID, "he"); err != nil {
			return err
		}
		if err := m.EnrolmentConfirmed(q, u, s); err != nil {
			return err
		}
		return m.CertificateIssued(q, u, cert, "https://x/c.pdf", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.OutboxMessages(ctx, store.OutboxFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("outbox: %d messages, %v", len(list), err)
	}
	iso := i18n.Isolate
	for _, msg := range list {
		if msg.Language != "he" {
			t.Errorf("%s in %q, want he", msg.Kind, msg.Language)
		}
		text, html := msg.TextBody, msg.HTMLBody
		want := []string{"שלום " + iso("Seán O'Brien") + ","}
		wantHTML := []string{"שלום " + iso("Seán O&#39;Brien") + ","}
		switch msg.Kind {
		case string(KindEnrolmentConfirmed):
			if !strings.Contains(msg.Subject, iso(s.Course)) {
				t.Errorf("subject %q: the course is not isolated", msg.Subject)
			}
			want = append(want, ": "+iso(s.Course)+"\n", ", "+iso("09:00–17:00")+" ("+iso("Europe/Paris")+", "+iso("UTC+01:00")+")\n",
				": "+iso("École nationale, Paris")+", ")
			wantHTML = append(wantHTML, `<span dir="auto">`+s.Course+`</span>`, `<span dir="auto">`+iso("09:00–17:00")+`</span>`,
				`<span dir="auto">Europe/Paris</span>`, `<span dir="auto">UTC&#43;01:00</span>`, `<span dir="auto">École nationale, Paris</span>, `)
		case string(KindCertificateIssued):
			want = append(want, iso(s.Course), iso(cert.Serial))
			wantHTML = append(wantHTML, iso(s.Course), iso(cert.Serial))
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s text part lacks %q:\n%s", msg.Kind, w, text)
			}
		}
		for _, w := range wantHTML {
			if !strings.Contains(html, w) {
				t.Errorf("%s HTML part lacks %q:\n%s", msg.Kind, w, html)
			}
		}
	}
}

// TestMailer_Language: the recorded language wins, then the course's; both fall
// back to a catalogue that exists.
func TestMailer_Language(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	u := newUser(t, db, "officer@example.org", "Ana Souza")
	q := db.Read(ctx)
	if lang, err := m.language(q, u, "ja"); err != nil || lang != "en" { // no Japanese catalogue
		t.Errorf("language = %q, %v", lang, err)
	}
	if err := db.Tx(ctx, func(q store.Q) error { return q.SetUserLanguage(u.ID, "en-GB") }); err != nil {
		t.Fatal(err)
	}
	if lang, err := m.language(q, u, "fr"); err != nil || lang != "en" { // the recorded one wins
		t.Errorf("language = %q, %v", lang, err)
	}
	var nilMailer *Mailer
	if err := nilMailer.Invitation(q, u, "x", time.Now()); err != nil {
		t.Errorf("a nil Mailer: %v", err)
	}
}

// TestTemplates_EveryKeyExists keeps the templates and the catalogue in step.
func TestTemplates_EveryKeyExists(t *testing.T) {
	raw, err := os.ReadFile("../i18n/locales/ui.en.json")
	if err != nil {
		t.Fatal(err)
	}
	var catalogue map[string]any
	if err := json.Unmarshal(raw, &catalogue); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, name := range []string{"templates/messages.txt", "templates/messages.html"} {
		b, err := templateFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.L\.T "([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for _, k := range Kinds {
		used["mail."+string(k)+".subject"] = true
		if textTemplates.Lookup(string(k)) == nil || htmlTemplates.Lookup(string(k)) == nil {
			t.Errorf("no template for %s", k)
		}
	}
	for id := range used {
		if _, ok := catalogue[id]; !ok {
			t.Errorf("message %q is missing from ui.en.json", id)
		}
	}
}

func TestEnqueue_Validates(t *testing.T) {
	db := openDB(t)
	for name, msg := range map[string]Message{
		"UnknownKind":    {Kind: "spam", To: "a@example.org", Subject: "s", Text: "t"},
		"NamedAddress":   {Kind: KindReset, To: "A <a@example.org>", Subject: "s", Text: "t"},
		"NoAddress":      {Kind: KindReset, To: "nobody", Subject: "s", Text: "t"},
		"NoSubject":      {Kind: KindReset, To: "a@example.org", Subject: "\r\n", Text: "t"},
		"NoText":         {Kind: KindReset, To: "a@example.org", Subject: "s"},
		"NamelessAttach": {Kind: KindReset, To: "a@example.org", Subject: "s", Text: "t", Attachments: []Attachment{{ContentType: "text/plain"}}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := db.Tx(context.Background(), func(q store.Q) error { return Enqueue(q, msg) }); err == nil {
				t.Errorf("accepted %+v", msg)
			}
		})
	}
	t.Run("HeadersStayOnOneLine", func(t *testing.T) {
		msg := Message{Kind: KindReset, To: "a@example.org", ToName: "Eve\r\nBcc: x@evil.example", Subject: "Hi\nBcc: y@evil.example", Text: "t"}
		if err := db.Tx(context.Background(), func(q store.Q) error { return Enqueue(q, msg) }); err != nil {
			t.Fatal(err)
		}
		list, _ := db.OutboxMessages(context.Background(), store.OutboxFilter{})
		if len(list) != 1 || strings.ContainsAny(list[0].ToName+list[0].Subject, "\r\n") {
			t.Errorf("stored %+v", list)
		}
	})
}

// calendarOf is a Calendar that is the same file in every language.
func calendarOf(ics []byte) Calendar {
	return func(string) ([]byte, error) { return ics, nil }
}

// TestMailer_ErasedUserGetsNothing: no kind of message is queued to a user
// whose data was erased (their address is a placeholder), while the same
// message to someone else is, so the check can fail.
func TestMailer_ErasedUserGetsNothing(t *testing.T) {
	db := openDB(t)
	m := newMailer(t)
	ctx := context.Background()
	erased := newUser(t, db, "erased-1@erased.invalid", "")
	at := time.Now()
	erased.ErasedAt = &at
	other := newUser(t, db, "other@example.org", "Ana Souza")
	s := paris()
	ics := calendarOf(icsOf(t, s, false))
	for _, u := range []*store.User{erased, other} {
		err := db.Tx(ctx, func(q store.Q) error {
			for _, err := range []error{
				m.EnrolmentConfirmed(q, u, s),
				m.WaitlistPromoted(q, u, s),
				m.SessionChanged(q, u, s, ics),
				m.SessionCancelled(q, u, s, ics),
				m.PasswordReset(q, u, "https://x/reset/t", at.Add(time.Hour)),
			} {
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := db.OutboxMessages(ctx, store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]int{}
	for _, msg := range list {
		to[msg.ToAddress]++
	}
	if to[erased.Email] != 0 || to[other.Email] != 5 {
		t.Errorf("messages by address: %v; want none to the erased user and 5 to the other", to)
	}
}
