package web

import (
	"context"
	"fmt"
	"html/template"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

func TestAuditChanges(t *testing.T) {
	en := english(t)
	for _, c := range []struct {
		name, before, after string
		want                []auditChange
	}{
		{"changed first, then the reason, then context", `{"passed":false,"score":2,"quiz":"q"}`, `{"passed":true,"score":2,"quiz":"q","reason":"key fixed","content_hash":"0123456789abcdef"}`,
			[]auditChange{{Field: "passed", Before: "false", After: "true", Changed: true}, {Field: "reason", After: "key fixed"},
				{Field: "content_hash", After: "0123456789abcdef", Mono: true}, {Field: "quiz", After: "q"}, {Field: "score", After: "2"}}},
		{"a field that went away", `{"deadline":"12:00","finalised":"submitted"}`, `{"deadline":"12:00"}`,
			[]auditChange{{Field: "finalised", Before: "submitted", After: "—", Changed: true}, {Field: "deadline", After: "12:00"}}},
		{"only an after", ``, `{"state":"closed"}`, []auditChange{{Field: "state", After: "closed"}}},
		{"not JSON objects: shown whole", `[1]`, `{"a":1}`, []auditChange{{Before: "[1]", After: `{"a":1}`, Changed: true}}},
		{"timestamps to the second, an emptied field as a dash", `{"deadline":"2026-11-26T01:06:22.419052927Z","finalised":"submitted"}`, `{"deadline":"2026-11-26T01:39:51.7Z","finalised":""}`,
			[]auditChange{{Field: "deadline", Before: "26/11/2026 01:06:22 UTC", After: "26/11/2026 01:39:51 UTC", Changed: true}, {Field: "finalised", Before: "submitted", After: "—", Changed: true}}},
		{"the reason is never cut", ``, `{"reason":"` + strings.Repeat("why ", 100) + `"}`, []auditChange{{Field: "reason", After: strings.TrimSpace(strings.Repeat("why ", 100))}}},
	} {
		if got := auditChanges(en, "attempt.regrade", c.before, c.after, time.UTC); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// In a session's history, times read on the room's clock, written as the
// reader writes dates and times (Korean's 오후 clock past noon); the offset
// stays digits.
func TestAuditChangesInSessionZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skip(err)
	}
	cat, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang          string
		zone          *time.Location
		before, after string
	}{
		{"en", paris, "26/11/2026 02:06:22 (UTC+01:00)", "26/11/2026 02:36:22 (UTC+01:00)"},
		{"de", paris, "26.11.2026 02:06:22 (UTC+01:00)", "26.11.2026 02:36:22 (UTC+01:00)"},
		{"sv", time.UTC, "2026-11-26 01:06:22 UTC", "2026-11-26 01:36:22 UTC"},
		{"ko", seoul, "2026. 11. 26. 오전 10:06:22 (UTC+09:00)", "2026. 11. 26. 오전 10:36:22 (UTC+09:00)"},
		{"ko", time.UTC, "2026. 11. 26. 오전 1:06:22 UTC", "2026. 11. 26. 오전 1:36:22 UTC"},
	} {
		got := auditChanges(cat.For(c.lang), "attempt.extend", `{"deadline":"2026-11-26T01:06:22Z"}`, `{"deadline":"2026-11-26T01:36:22Z"}`, c.zone)
		want := []auditChange{{Field: "deadline", Before: c.before, After: c.after, Changed: true}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s in %s: got %+v\nwant %+v", c.lang, c.zone, got, want)
		}
	}
	// The When column goes through the same function: past noon in Seoul.
	if got, want := auditTime(cat.For("ko"), time.Date(2026, 11, 26, 5, 30, 0, 0, time.UTC), seoul), "2026. 11. 26. 오후 2:30:00 (UTC+09:00)"; got != want {
		t.Errorf("auditTime ko: %q, want %q", got, want)
	}
}

// A code of ours reads as its label in the reader's language, with the code
// kept beside it; whose status it is comes from the action; anything else is
// shown as stored.
func TestAuditChangesLabelCodes(t *testing.T) {
	cat, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	fr, ko := cat.For("fr"), cat.For("ko")
	for _, c := range []struct {
		name          string
		l             *i18n.Localizer
		action        string
		before, after string
		want          []auditChange
	}{
		{"attendance corrected", fr, "attendance.trainer", `{"status":"absent","source":"checkin"}`, `{"status":"present","source":"trainer"}`,
			[]auditChange{{Field: "source", Before: fr.T("attendance.by_checkin"), BeforeCode: "checkin", After: "Formateur", AfterCode: "trainer", Changed: true},
				{Field: "status", Before: "Absent", BeforeCode: "absent", After: "Présent", AfterCode: "present", Changed: true}}},
		{"a session cancelled, in Korean", ko, "session.cancel", `{"status":"scheduled"}`, `{"status":"cancelled"}`,
			[]auditChange{{Field: "status", Before: ko.T("status.scheduled"), BeforeCode: "scheduled", After: ko.T("status.cancelled"), AfterCode: "cancelled", Changed: true}}},
		{"moved up from the waitlist", fr, "enrollment.promote", `{"status":"waitlisted"}`, `{"status":"enrolled"}`,
			[]auditChange{{Field: "status", Before: "Sur liste d'attente", BeforeCode: "waitlisted", After: "Inscrit", AfterCode: "enrolled", Changed: true}}},
		{"a session's place: the country named, the city as entered", fr, "session.create", ``, `{"city":"Berlin","country":"DE","status":"scheduled","timezone":"Europe/Berlin"}`,
			[]auditChange{{Field: "city", After: "Berlin"}, {Field: "country", After: "Allemagne", AfterCode: "DE"},
				{Field: "status", After: fr.T("status.scheduled"), AfterCode: "scheduled"}, {Field: "timezone", After: "Europe/Berlin"}}},
		{"a certificate revoked: the reason as written", fr, "certificate.revoke", `{"status":"valid"}`, `{"status":"revoked","reason":"issued in error"}`,
			[]auditChange{{Field: "status", Before: fr.T("certificate.status.valid"), BeforeCode: "valid", After: fr.T("certificate.status.revoked"), AfterCode: "revoked", Changed: true},
				{Field: "reason", After: "issued in error"}}},
		{"an e-mail's kind", fr, "mail.sent", ``, `{"kind":"reset","to":"a@example.org"}`,
			[]auditChange{{Field: "kind", After: fr.T("outbox.kind.reset"), AfterCode: "reset"}, {Field: "to", After: "a@example.org"}}},
		{"a status of another domain, an unknown code: as stored", fr, "quiz.close", `{"status":"present"}`, `{"status":"present","role":"sheriff","country":"XX"}`,
			[]auditChange{{Field: "country", After: "XX"}, {Field: "role", After: "sheriff"}, {Field: "status", After: "present"}}},
		{"an unknown status of a known domain: as stored", fr, "attendance.trainer", ``, `{"status":"title"}`,
			[]auditChange{{Field: "status", After: "title"}}},
	} {
		if got := auditChanges(c.l, c.action, c.before, c.after, time.UTC); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
	// Every label the table names is in every catalogue: a code never shows
	// a message id.
	for key, codes := range codeLabels {
		for code, id := range codes {
			for _, lang := range cat.Languages() {
				if got, _ := codeLabel(cat.For(lang.Tag), key[0], key[1], code); got == "" || got == id || got == code {
					t.Errorf("%s: %s %s %q reads %q", lang.Tag, key[0], key[1], code, got)
				}
			}
		}
	}
}

// TestAuditPage_ValuesWhole: nothing a person must check is cut short on the
// audit log. A content hash is shown whole (monospace, wrapping anywhere), and a
// long recorded value (a quiz's settings as JSON, over 120 characters) is shown
// whole too, folded into a disclosure whose summary says its length — no
// ellipsis anywhere.
func TestAuditPage_ValuesWhole(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	hash := "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	long := strings.Repeat("abcdefghij", 20)
	after := `{"content_hash":"` + hash + `","settings":{"note":"` + long + `"},"quiz":"01-blockchain"}`
	if err := ts.DB.Tx(context.Background(), func(q store.Q) error {
		return q.Audit(&store.AuditEvent{At: time.Now(), Action: "quiz.settings", After: after})
	}); err != nil {
		t.Fatal(err)
	}
	res, page := getWith(t, ts.browser(t, w.admin), ts.URL+"/admin/audit")
	if res.StatusCode != 200 {
		t.Fatalf("audit page: %d", res.StatusCode)
	}
	settings := `{"note":"` + long + `"}`
	for _, want := range []string{
		`<span class="mono" dir="auto" translate="no">` + hash + `</span>`,
		fmt.Sprintf(`<details class="long-value"><summary>%d characters</summary><span dir="auto" translate="no">%s</span></details>`,
			len(settings), template.HTMLEscapeString(settings)),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the audit page lacks %s", want)
		}
	}
	if strings.Contains(page, "…") {
		t.Errorf("the audit page cuts something short with an ellipsis")
	}
}
