package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/lectern-platform/lectern/internal/auth"
)

// TestTrainingDay is the "done when": a trainer schedules a day in Paris
// for 30 officers from three agencies, imports the roster from a spreadsheet
// export, projects the check-in code, officers check in from their phones, the
// trainer completes the sheet, and every change is in the audit log.
func TestTrainingDay(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	agencyC := ts.agency(t, "Politie Nederland", "NL")
	agencies := []int64{w.agencyA.ID, w.agencyB.ID, agencyC.ID}
	officers := make([]credentials, 30)
	var csv strings.Builder
	csv.WriteString("\ufeffemail;name;agency_id\r\n") // as Excel exports it in France
	for i := range officers {
		ag := agencies[i%3]
		officers[i] = ts.user(t, auth.RoleOfficer, &ag, fmt.Sprintf("Officer %02d", i))
		fmt.Fprintf(&csv, "%s;\"Officer %02d\";%d\r\n", officers[i].Email, i, ag)
	}

	// 1. The trainer schedules the day through the form.
	trainer := ts.browser(t, w.trainer)
	form := url.Values{"course": {"crypto-crime"},
		"date": {"2026-12-03"}, "start": {"09:00"}, "end": {"17:00"}, "timezone": {"Europe/Paris"},
		"venue": {"Cité internationale universitaire"}, "city": {"Paris"}, "country": {"FR"}, "capacity": {"30"}}
	res := submitForm(t, trainer, ts.URL+"/sessions/new", ts.URL+"/sessions/new", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("schedule form: %d %s", res.StatusCode, loc)
	}
	sessionURL := ts.URL + loc
	var id int64
	fmt.Sscanf(loc, "/sessions/%d", &id)

	// 2. The roster, uploaded as a file.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", csrfFrom(t, trainer, sessionURL+"/roster"))
	fw, _ := mw.CreateFormFile("roster", "participants.csv")
	fw.Write([]byte(csv.String()))
	mw.Close()
	req, _ := http.NewRequest("POST", sessionURL+"/roster", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := trainer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "30 enrolled") {
		t.Fatalf("roster upload: %d", res.StatusCode)
	}

	// 3. On the day, the projector shows the code; 24 officers check in with it.
	ts.fixClock(time.Date(2026, 12, 3, 7, 50, 0, 0, time.UTC)) // 08:50 in Paris
	_, projector := getWith(t, trainer, sessionURL+"/projector")
	m := regexp.MustCompile(`class="proj-code"[^>]*>(\d{6})<`).FindStringSubmatch(projector)
	if m == nil || !strings.Contains(projector, `http-equiv="refresh"`) {
		t.Fatalf("projector page shows no code")
	}
	if res, _ := getWith(t, trainer, sessionURL+"/checkin-qr.png"); res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("QR image: %s", res.Header.Get("Content-Type"))
	}
	for i := 0; i < 24; i++ {
		phone := ts.browser(t, officers[i])
		token := csrfFrom(t, phone, sessionURL+"/checkin?code="+m[1])
		req, _ := http.NewRequest("POST", sessionURL+"/checkin", strings.NewReader(url.Values{"csrf_token": {token}, "code": {m[1]}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := phone.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "You are checked in: Present") {
			t.Fatalf("officer %d check-in: %d", i, res.StatusCode)
		}
	}

	// 4. The trainer completes the sheet with one tap per remaining officer.
	_, sheet := getWith(t, trainer, sessionURL+"/attendance")
	if !strings.Contains(sheet, "Present 24") || !strings.Contains(sheet, "not marked 6") {
		t.Errorf("sheet summary wrong")
	}
	marks := []string{"late", "late", "absent", "excused", "absent", "present"}
	for i, st := range marks {
		uid := w.idOf(t, officers[24+i])
		res := submitForm(t, trainer, sessionURL+"/attendance", fmt.Sprintf("%s/attendance/%d", sessionURL, uid), url.Values{"status": {st}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("tap %s: %d", st, res.StatusCode)
		}
	}
	_, sheet = getWith(t, trainer, sessionURL+"/attendance")
	if !strings.Contains(sheet, "Present 25 · late 2 · absent 2 · excused 1 · not marked 0") {
		t.Errorf("final sheet summary wrong: %s", regexp.MustCompile(`Present \d+[^<]*`).FindString(sheet))
	}

	// 5. The audit log holds every enrolment and attendance change.
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&id, 1000)
	count := map[string]int{}
	for _, e := range events {
		count[e.Action]++
	}
	if count["enrollment.create"] != 30 || count["attendance.checkin"] != 24 || count["attendance.trainer"] != 6 || count["roster.import"] != 1 {
		t.Errorf("audit counts: %v", count)
	}
	admin := ts.browser(t, w.admin)
	if _, page := getWith(t, admin, fmt.Sprintf("%s/admin/audit?session_id=%d", ts.URL, id)); !strings.Contains(page, "attendance.checkin") {
		t.Errorf("admin audit page lacks the check-ins")
	}
}

func TestCalendars(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 10, map[string]any{"venue": "Salle Émile-Zola, bâtiment B; 2e étage"})
	trainer := ts.token(t, w.trainer)
	ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": w.officerAID})
	officer := ts.browser(t, w.officerA)

	parse := func(body string) *ics.VEvent {
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatalf("parse .ics: %v\n%s", err, body)
		}
		if len(cal.Events()) != 1 {
			t.Fatalf("%d events", len(cal.Events()))
		}
		return cal.Events()[0]
	}
	res, body := getWith(t, officer, fmt.Sprintf("%s/sessions/%d.ics", ts.URL, s.ID))
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("session .ics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	ev := parse(body)
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("DTSTART = %v, %v", start, err)
	}
	if !strings.Contains(body, "DTSTART;TZID=Europe/Paris:20261203T090000") || !strings.Contains(body, "BEGIN:VTIMEZONE") {
		t.Errorf("no TZID/VTIMEZONE:\n%s", body)
	}
	uid := ev.GetProperty(ics.ComponentPropertyUniqueId).Value
	if loc := ev.GetProperty(ics.ComponentPropertyLocation).Value; !strings.Contains(loc, "Salle Émile-Zola, bâtiment B; 2e étage") {
		t.Errorf("LOCATION = %q", loc)
	}

	// The personal feed needs no sign-in, only its secret.
	res, body = ts.api(t, ts.token(t, w.officerA), "GET", "/api/v1/me/calendar", nil)
	feed := decode[map[string]string](t, body)["url"]
	if res.StatusCode != 200 || !strings.Contains(feed, "/calendar/") {
		t.Fatalf("feed url: %s", body)
	}
	feedPath := feed[strings.Index(feed, "/calendar/"):]
	res, body = getWith(t, newBrowser(), ts.URL+feedPath)
	if res.StatusCode != 200 || parse(body).GetProperty(ics.ComponentPropertyUniqueId).Value != uid {
		t.Fatalf("feed: %d", res.StatusCode)
	}
	// Cancelling bumps SEQUENCE and marks the event cancelled, with the same UID.
	ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", s.ID), nil)
	_, body = getWith(t, newBrowser(), ts.URL+feedPath)
	ev = parse(body)
	if ev.GetProperty(ics.ComponentPropertyUniqueId).Value != uid || ev.GetProperty(ics.ComponentPropertyStatus).Value != "CANCELLED" ||
		ev.GetProperty(ics.ComponentPropertySequence).Value != "1" {
		t.Errorf("after cancel:\n%s", body)
	}
	for _, bad := range []string{"/calendar/nope.ics", "/calendar/" + strings.Repeat("x", 32) + ".ics", strings.TrimSuffix(feedPath, ".ics")} {
		if res, _ := getWith(t, newBrowser(), ts.URL+bad); res.StatusCode != 404 {
			t.Errorf("GET %s: %d", bad, res.StatusCode)
		}
	}
	// Officer B's calendar does not hold officer A's session.
	_, body = ts.api(t, ts.token(t, w.officerB), "GET", "/api/v1/me/calendar", nil)
	other := decode[map[string]string](t, body)["url"]
	if _, body := getWith(t, newBrowser(), ts.URL+other[strings.Index(other, "/calendar/"):]); strings.Contains(body, uid) {
		t.Errorf("officer B's feed holds a session they are not enrolled in")
	}
}
