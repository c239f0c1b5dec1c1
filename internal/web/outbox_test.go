package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/store"
)

// outboxFor lists the messages to one user, oldest first.
func outboxFor(t *testing.T, ts *testServer, userID int64) []store.OutboxMessage {
	t.Helper()
	list, err := ts.DB.OutboxMessages(context.Background(), store.OutboxFilter{UserID: &userID})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

func kindsOf(list []store.OutboxMessage) string {
	var k []string
	for _, m := range list {
		k = append(k, m.Kind)
	}
	return strings.Join(k, " ")
}

// TestOutbox_SessionEvents: enrolling, a promotion from the waitlist, a change of
// venue and a cancellation each leave their e-mail in the outbox, written with
// the change; a change of capacity alone does not.
func TestOutbox_SessionEvents(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 1, nil)
	url := fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID)
	coordA, trainer := ts.token(t, w.coordA), ts.token(t, w.trainer)
	officerBID := w.idOf(t, w.officerB)

	if res, body := ts.api(t, coordA, "POST", url, map[string]any{"user_id": w.officerAID}); res.StatusCode != 201 {
		t.Fatalf("enrol: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, ts.token(t, w.officerB), "POST", url, map[string]any{"user_id": officerBID}); res.StatusCode != 201 || !strings.Contains(body, "waitlisted") {
		t.Fatalf("waitlist: %d %s", res.StatusCode, body)
	}
	if got := kindsOf(outboxFor(t, ts, w.officerAID)); got != "enrolment_confirmed" {
		t.Errorf("officer A's mail: %q", got)
	}
	if got := kindsOf(outboxFor(t, ts, officerBID)); got != "" {
		t.Errorf("a waitlisted officer was told: %q", got)
	}
	if res, _ := ts.api(t, coordA, "DELETE", fmt.Sprintf("%s/%d", url, w.officerAID), nil); res.StatusCode != 204 {
		t.Fatalf("unenrol: %d", res.StatusCode)
	}
	if res, body := ts.api(t, trainer, "PATCH", fmt.Sprintf("/api/v1/sessions/%d", s.ID), map[string]any{"capacity": 3}); res.StatusCode != 200 {
		t.Fatalf("capacity: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, trainer, "PATCH", fmt.Sprintf("/api/v1/sessions/%d", s.ID), map[string]any{"venue": "Salle Marie Curie", "start": "09:30"}); res.StatusCode != 200 {
		t.Fatalf("venue: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", s.ID), nil); res.StatusCode != 200 {
		t.Fatalf("cancel: %d %s", res.StatusCode, body)
	}
	list := outboxFor(t, ts, officerBID)
	if got := kindsOf(list); got != "waitlist_promoted session_changed session_cancelled" {
		t.Fatalf("officer B's mail: %q", got)
	}
	// Officer B has chosen no language: their agency is Korean, so their
	// e-mails, dates, times and calendar files are in Korean.
	promoted, changed, cancelled := list[0], list[1], list[2]
	if promoted.Language != "ko" || !strings.Contains(promoted.Subject, "자리가 났습니다") || !strings.Contains(promoted.TextBody, "경찰관 브라보") ||
		promoted.SessionID == nil || *promoted.SessionID != s.ID || promoted.Status != store.OutboxQueued {
		t.Errorf("promotion: %+v", promoted)
	}
	if !strings.Contains(changed.TextBody, "Salle Marie Curie") || !strings.Contains(i18n.StripIsolates(changed.TextBody), "2026년 12월 3일 목요일, 오전 9:30~오후 5:00 (Europe/Paris, UTC+01:00)") {
		t.Errorf("change:\n%s", changed.TextBody)
	}
	for _, m := range []store.OutboxMessage{changed, cancelled} {
		full, err := ts.DB.OutboxMessage(context.Background(), m.ID)
		if err != nil || len(full.Attachments) != 1 {
			t.Fatalf("%s attachments: %+v %v", m.Kind, full, err)
		}
		ics := string(full.Attachments[0].Data)
		if full.Attachments[0].Name != fmt.Sprintf("session-%d.ics", s.ID) || !strings.Contains(ics, "BEGIN:VCALENDAR") ||
			!strings.Contains(ics, "Salle Marie Curie") || !strings.Contains(ics, "프랑스") || strings.Contains(ics, "STATUS:CANCELLED") != (m.Kind == "session_cancelled") {
			t.Errorf("%s .ics:\n%s", m.Kind, ics)
		}
	}
	if got := kindsOf(outboxFor(t, ts, w.officerAID)); got != "enrolment_confirmed" {
		t.Errorf("an unenrolled officer heard of the change: %q", got)
	}
}

// TestOutbox_CertificateIssued: closing the day tells each new holder, with a link
// that downloads their certificate once signed in.
func TestOutbox_CertificateIssued(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)
	if res, body := ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, qw.officerAID), map[string]string{"status": "present"}); res.StatusCode != 200 {
		t.Fatalf("mark: %s", body)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); res.StatusCode != 200 || !strings.Contains(body, `"issued":1`) {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	var issued []store.OutboxMessage
	for _, m := range outboxFor(t, ts, qw.officerAID) {
		if m.Kind == "certificate_issued" {
			issued = append(issued, m)
		}
	}
	certs, _ := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{UserID: &qw.officerAID})
	if len(issued) != 1 || len(certs) != 1 {
		t.Fatalf("%d certificate e-mails, %d certificates", len(issued), len(certs))
	}
	path := "/api/v1/certificates/" + certs[0].Serial + ".pdf"
	if !strings.Contains(issued[0].TextBody, "http://127.0.0.1"+path) || !strings.Contains(issued[0].TextBody, "/verify/"+certs[0].Serial) {
		t.Errorf("e-mail text:\n%s", issued[0].TextBody)
	}
	if res, body := ts.api(t, qw.officerA, "GET", path, nil); res.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("following the link: %d", res.StatusCode)
	}
	for _, m := range outboxFor(t, ts, qw.idOf(t, qw.world.officerB)) {
		if m.Kind == "certificate_issued" {
			t.Errorf("officer B (no certificate) was told one was issued")
		}
	}
}

// TestOutbox_AdminOnly: the page and the API show every e-mail, links included,
// to admins and to nobody else.
func TestOutbox_AdminOnly(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ctx := context.Background()
	officer := &store.User{ID: w.officerAID, Email: "invitee@example.org", Name: "דניאל כהן"}
	err := ts.DB.Tx(ctx, func(q store.Q) error {
		return ts.Server.mailer.Invitation(q, officer, "http://127.0.0.1/activate/SECRETTOKEN123456", time.Now().Add(14*24*time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}

	admin := ts.browser(t, w.admin)
	res, page := getWith(t, admin, ts.URL+"/admin/outbox")
	if res.StatusCode != 200 {
		t.Fatalf("admin: %d", res.StatusCode)
	}
	for _, want := range []string{"Activate your Lectern account", "invitee@example.org", "דניאל כהן", "/activate/SECRETTOKEN123456",
		"Queued", "No SMTP server is configured", `href="/admin/outbox"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the outbox page lacks %q", want)
		}
	}
	if _, page := getWith(t, admin, ts.URL+"/admin/outbox?status=sent"); strings.Contains(page, "invitee@example.org") {
		t.Errorf("the sent filter shows a queued message")
	}
	res, body := ts.api(t, ts.token(t, w.admin), "GET", "/api/v1/outbox?kind=invitation", nil)
	var list []mail.OutboxMessage
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 || list[0].ToName != "דניאל כהן" ||
		!strings.Contains(list[0].TextBody, "SECRETTOKEN123456") || list[0].Status != "queued" {
		t.Errorf("API: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, ts.token(t, w.admin), "GET", "/api/v1/outbox?status=lost", nil); res.StatusCode != 422 {
		t.Errorf("unknown status: %d", res.StatusCode)
	}

	for name, c := range map[string]credentials{"trainer": w.trainer, "coordinator": w.coordA, "officer": w.officerA} {
		res, page := getWith(t, ts.browser(t, c), ts.URL+"/admin/outbox")
		if res.StatusCode != http.StatusForbidden || strings.Contains(page, "SECRETTOKEN") {
			t.Errorf("%s opens the outbox page: %d", name, res.StatusCode)
		}
		if res, body := ts.api(t, ts.token(t, c), "GET", "/api/v1/outbox", nil); res.StatusCode != http.StatusForbidden || strings.Contains(body, "SECRETTOKEN") {
			t.Errorf("%s reads the outbox API: %d", name, res.StatusCode)
		}
	}
	if res, _ := getWith(t, newBrowser(), ts.URL+"/admin/outbox"); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, "", "GET", "/api/v1/outbox", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d", res.StatusCode)
	}
}

// acceptLanguage is a browser whose language is set.
type acceptLanguage string

func (a acceptLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", string(a))
	return http.DefaultTransport.RoundTrip(r)
}

// TestOutbox_InvitationLinkFromTheOutbox: without SMTP, an admin reads a new
// officer's invitation in the outbox and hands the link over; activating it
// records the browser's language for the officer's next e-mails.
func TestOutbox_InvitationLinkFromTheOutbox(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	if res, body := ts.postCSV(t, ts.token(t, w.coordA), s.ID, "email,name\nlea.dubois@police.example,Léa Dubois\n"); res.StatusCode != 200 {
		t.Fatalf("roster: %d %s", res.StatusCode, body)
	}
	res, body := ts.api(t, ts.token(t, w.admin), "GET", "/api/v1/outbox", nil)
	var list []mail.OutboxMessage
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &list) != nil {
		t.Fatalf("outbox: %d %s", res.StatusCode, body)
	}
	kinds := map[string]mail.OutboxMessage{}
	for _, m := range list {
		if m.ToAddress == "lea.dubois@police.example" {
			kinds[m.Kind] = m
		}
	}
	inv, ok := kinds["invitation"]
	if !ok || kinds["enrolment_confirmed"].ID == 0 {
		t.Fatalf("the new officer's e-mails: %v", kinds)
	}
	link := regexp.MustCompile(`http://127\.0\.0\.1(/activate/\S+)`).FindStringSubmatch(inv.TextBody)
	if link == nil {
		t.Fatalf("no link in the invitation:\n%s", inv.TextBody)
	}
	browser := newBrowser()
	browser.Transport = acceptLanguage("fr-CA,fr;q=0.9,en;q=0.5")
	good := url.Values{"password": {"a long enough password"}, "password_again": {"a long enough password"}, "accept_privacy": {"on"}}
	if res, _ := activate(t, ts, browser, link[1], good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate with the link from the outbox: %d", res.StatusCode)
	}
	if lang, chosen, err := ts.DB.Read(context.Background()).UserLanguage(*inv.UserID); err != nil || lang != "fr-CA" || chosen {
		t.Errorf("recorded language = %q (chosen %v), %v; want fr-CA, observed", lang, chosen, err)
	}
}
