package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// sessionBody is a valid session in Paris, a month from the test clock.
func sessionBody(capacity int, extra map[string]any) map[string]any {
	b := map[string]any{"course": "crypto-crime", "date": "2026-12-03", "start": "09:00", "end": "17:00",
		"timezone": "Europe/Paris", "venue": "École nationale supérieure de la police", "city": "Paris", "country": "FR",
		"capacity": capacity}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// weekBefore is the clock of tests that schedule with sessionBody: noon UTC
// eight days before its 3 December, so the session is ahead and enrolment open.
var weekBefore = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fixClock pins the scheduling clock.
func (ts *testServer) fixClock(t time.Time) {
	if ts.Server == nil {
		return
	}
	ts.Server.schedule.Now = func() time.Time { return t }
	ts.Server.attempts.Now = func() time.Time { return t }
	ts.Server.certs.Now = func() time.Time { return t }
}

func decode[T any](t testing.TB, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func (w *world) createSession(t *testing.T, capacity int, extra map[string]any) schedule.Session {
	t.Helper()
	res, body := w.ts.api(t, w.ts.token(t, w.trainer), "POST", "/api/v1/sessions", sessionBody(capacity, extra))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create session: %d %s", res.StatusCode, body)
	}
	return decode[schedule.Session](t, body)
}

func TestSessions_CreateValidateAndList(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	trainer := ts.token(t, w.trainer)
	s := w.createSession(t, 30, nil)
	if s.Status != "scheduled" || s.ID == 0 || s.UTCOffset != "+01:00" || !s.StartsAt.Equal(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("session = %+v", s)
	}
	if len(s.TrainerIDs) != 1 || s.CourseTitle != "Investigating crypto-asset crime" {
		t.Errorf("trainer defaults to the creator; course title shown: %+v", s)
	}
	bad := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"unknown course", sessionBody(10, map[string]any{"course": "nope"}), []string{"course"}},
		{"bad zone", sessionBody(10, map[string]any{"timezone": "Europe/Atlantis"}), []string{"timezone"}},
		{"end before start", sessionBody(10, map[string]any{"start": "17:00", "end": "09:00"}), []string{"end"}},
		{"capacity", sessionBody(0, nil), []string{"capacity"}},
		{"past", sessionBody(10, map[string]any{"date": "2026-11-24"}), []string{"date"}},
		{"bad date and country", sessionBody(10, map[string]any{"date": "03/12/2026", "country": "France"}), []string{"date", "country"}},
		{"not a trainer", sessionBody(10, map[string]any{"trainer_ids": []int64{w.officerAID}}), []string{"trainer_ids"}},
		{"missing", map[string]any{"course": "crypto-crime"}, []string{"date", "start", "end", "timezone", "venue", "city", "country", "capacity"}},
	}
	for _, b := range bad {
		res, body := ts.api(t, trainer, "POST", "/api/v1/sessions", b.body)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", b.name, res.StatusCode, body)
			continue
		}
		for _, f := range b.fields {
			if !strings.Contains(body, `"field":"`+f+`"`) {
				t.Errorf("%s: no detail for %s in %s", b.name, f, body)
			}
		}
	}
	// Today in Auckland is already tomorrow in UTC: "the past" is judged locally.
	ts.fixClock(time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)) // 4 Dec 09:00 in Auckland
	if res, body := ts.api(t, trainer, "POST", "/api/v1/sessions", sessionBody(5, map[string]any{"timezone": "Pacific/Auckland", "date": "2026-12-03", "country": "NZ"})); res.StatusCode != 422 {
		t.Errorf("yesterday in Auckland accepted: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, trainer, "POST", "/api/v1/sessions", sessionBody(5, map[string]any{"date": "2026-12-03"})); res.StatusCode != 201 {
		t.Errorf("today in Paris refused: %d", res.StatusCode)
	}

	res, body := ts.api(t, ts.token(t, w.officerA), "GET", "/api/v1/sessions?course=crypto-crime&from=2026-12-01&to=2026-12-31", nil)
	if res.StatusCode != 200 || len(decode[[]schedule.Session](t, body)) != 2 {
		t.Errorf("list: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, trainer, "GET", "/api/v1/sessions?from=tomorrow", nil); res.StatusCode != 422 {
		t.Errorf("bad filter: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, ts.token(t, w.officerA), "POST", "/api/v1/sessions", sessionBody(5, nil)); res.StatusCode != 403 {
		t.Errorf("officer creating a session: %d", res.StatusCode)
	}

	// PATCH bumps the sequence; cancel is visible to enrolled officers.
	ts.fixClock(weekBefore)
	res, body = ts.api(t, trainer, "PATCH", fmt.Sprintf("/api/v1/sessions/%d", s.ID), map[string]any{"venue": "Préfecture de police", "end": "16:30"})
	p := decode[schedule.Session](t, body)
	if res.StatusCode != 200 || p.Venue != "Préfecture de police" || p.End != "16:30" || p.Sequence != s.Sequence+1 {
		t.Errorf("patch: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, trainer, "PATCH", fmt.Sprintf("/api/v1/sessions/%d", s.ID), map[string]any{"course": "other"}); res.StatusCode != 422 {
		t.Errorf("changing the course: %d", res.StatusCode)
	}
	otherTrainer := ts.token(t, ts.user(t, auth.RoleTrainer, nil, "Other Trainer"))
	if res, _ := ts.api(t, otherTrainer, "PATCH", fmt.Sprintf("/api/v1/sessions/%d", s.ID), map[string]any{"venue": "x"}); res.StatusCode != 403 {
		t.Errorf("a trainer of another session patching: %d", res.StatusCode)
	}
	ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": w.officerAID})
	if res, body := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", s.ID), nil); res.StatusCode != 200 || !strings.Contains(body, `"status":"cancelled"`) {
		t.Errorf("cancel: %d %s", res.StatusCode, body)
	}
	if _, body := ts.api(t, ts.token(t, w.officerA), "GET", fmt.Sprintf("/api/v1/sessions/%d", s.ID), nil); !strings.Contains(body, `"status":"cancelled"`) {
		t.Errorf("enrolled officer does not see the cancellation: %s", body)
	}
	if res, _ := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": w.idOf(t, w.officerB)}); res.StatusCode != 409 {
		t.Errorf("enrolling in a cancelled session: %d", res.StatusCode)
	}
}

// TestEnrollment_CapacityRace sends 50 simultaneous requests for the last seat.
func TestEnrollment_CapacityRace(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 3, nil)
	trainer := ts.token(t, w.trainer)
	ids := make([]int64, 52)
	for i := range ids {
		c := ts.user(t, auth.RoleOfficer, &w.agencyB.ID, fmt.Sprintf("Officer %d", i))
		ids[i] = w.idOf(t, c)
	}
	for _, id := range ids[:2] {
		if res, body := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": id}); res.StatusCode != 201 {
			t.Fatalf("enrol: %d %s", res.StatusCode, body)
		}
	}
	var wg sync.WaitGroup
	results := make([]string, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res, body := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": ids[2+i]})
			if res.StatusCode != 201 {
				t.Errorf("request %d: %d %s", i, res.StatusCode, body)
			}
			results[i] = body
		}(i)
	}
	wg.Wait()
	enrolled, waitlisted := 0, 0
	positions := map[int]bool{}
	for _, body := range results {
		e := decode[schedule.Enrollment](t, body)
		switch e.Status {
		case "enrolled":
			enrolled++
		case "waitlisted":
			waitlisted++
			positions[*e.Position] = true
		}
	}
	if enrolled != 1 || waitlisted != 49 || len(positions) != 49 || !positions[1] || !positions[49] {
		t.Errorf("last seat: %d enrolled, %d waitlisted, %d distinct positions", enrolled, waitlisted, len(positions))
	}
	n, _ := ts.DB.Read(context.Background()).CountEnrollments(s.ID, "enrolled")
	if n != 3 {
		t.Errorf("%d enrolled in a session of 3", n)
	}
}

func TestEnrollment_WaitlistPromotionAndScopes(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 1, nil)
	url := fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID)
	coordA, coordB := ts.token(t, w.coordA), ts.token(t, w.coordB)
	officerBID := w.idOf(t, w.officerB)

	if res, body := ts.api(t, coordA, "POST", url, map[string]any{"user_id": w.officerAID, "extra_time_percent": 25}); res.StatusCode != 201 || !strings.Contains(body, `"status":"enrolled"`) || !strings.Contains(body, `"extra_time_percent":25`) {
		t.Fatalf("coordinator enrols own officer: %d %s", res.StatusCode, body)
	}
	// The officer enrols themself: the session is full, so onto the waitlist.
	res, body := ts.api(t, ts.token(t, w.officerB), "POST", url, map[string]any{"user_id": officerBID})
	if res.StatusCode != 201 || !strings.Contains(body, `"status":"waitlisted"`) || !strings.Contains(body, `"position":1`) {
		t.Fatalf("self-enrol: %d %s", res.StatusCode, body)
	}
	// Enrolling twice answers the existing enrolment.
	if res, _ := ts.api(t, ts.token(t, w.officerB), "POST", url, map[string]any{"user_id": officerBID}); res.StatusCode != 200 {
		t.Errorf("second enrolment: %d", res.StatusCode)
	}
	// Coordinators cannot touch another agency's officers; officers cannot enrol others or grant extra time.
	if res, _ := ts.api(t, coordB, "POST", url, map[string]any{"user_id": w.officerAID}); res.StatusCode != 404 {
		t.Errorf("coordinator B enrolling officer A: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, coordB, "DELETE", fmt.Sprintf("%s/%d", url, w.officerAID), nil); res.StatusCode != 404 {
		t.Errorf("coordinator B unenrolling officer A: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, ts.token(t, w.officerB), "POST", url, map[string]any{"user_id": w.officerAID}); res.StatusCode != 404 {
		t.Errorf("officer B enrolling officer A: %d", res.StatusCode)
	}
	// Scoped lists.
	_, body = ts.api(t, coordB, "GET", url, nil)
	if strings.Contains(body, "Alpha-Marker") || !strings.Contains(body, "브라보") {
		t.Errorf("coordinator B's list: %s", body)
	}
	// Freeing the seat promotes the waitlist in the same transaction.
	if res, _ := ts.api(t, coordA, "DELETE", fmt.Sprintf("%s/%d", url, w.officerAID), nil); res.StatusCode != 204 {
		t.Fatalf("unenrol: %d", res.StatusCode)
	}
	_, body = ts.api(t, ts.token(t, w.officerB), "GET", url, nil)
	if !strings.Contains(body, `"status":"enrolled"`) || !strings.Contains(body, `"position":null`) {
		t.Errorf("not promoted: %s", body)
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&s.ID, 50)
	actions := map[string]bool{}
	for _, e := range events {
		actions[e.Action] = true
	}
	for _, a := range []string{"session.create", "enrollment.create", "enrollment.delete", "enrollment.promote"} {
		if !actions[a] {
			t.Errorf("audit log lacks %s: %v", a, actions)
		}
	}
	// A session open only to agency A is invisible to agency B.
	onlyA := w.createSession(t, 5, map[string]any{"agency_ids": []int64{w.agencyA.ID}})
	if res, _ := ts.api(t, ts.token(t, w.officerB), "GET", fmt.Sprintf("/api/v1/sessions/%d", onlyA.ID), nil); res.StatusCode != 404 {
		t.Errorf("officer B sees a session open to A only: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, ts.token(t, w.trainer), "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", onlyA.ID), map[string]any{"user_id": officerBID}); res.StatusCode != 422 {
		t.Errorf("enrolling officer B in a session for agency A: %d", res.StatusCode)
	}
}

func TestAttendanceAndCheckin(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	ts.fixClock(day.Add(-48 * time.Hour))
	s := w.createSession(t, 10, nil) // 09:00–17:00 Paris = 08:00–16:00 UTC
	trainer := ts.token(t, w.trainer)
	officerB := w.idOf(t, w.officerB)
	for _, id := range []int64{w.officerAID, officerB} {
		ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": id})
	}
	codeURL := fmt.Sprintf("/api/v1/sessions/%d/checkin-code", s.ID)
	checkinURL := fmt.Sprintf("/api/v1/sessions/%d/checkin", s.ID)
	code := func() string {
		res, body := ts.api(t, trainer, "GET", codeURL, nil)
		if res.StatusCode != 200 {
			t.Fatalf("code: %d %s", res.StatusCode, body)
		}
		return decode[schedule.CheckinCode](t, body).Code
	}
	officerA := ts.token(t, w.officerA)
	checkin := func(tok, c string) (int, string) {
		res, body := ts.api(t, tok, "POST", checkinURL, map[string]string{"code": c})
		return res.StatusCode, body
	}

	// Too early: 06:59 Paris.
	ts.fixClock(time.Date(2026, 12, 3, 5, 59, 0, 0, time.UTC))
	if st, body := checkin(officerA, code()); st != 409 {
		t.Errorf("before the window: %d %s", st, body)
	}
	// 08:30 Paris: present. The code rotates every 30 s; the previous one still works.
	ts.fixClock(time.Date(2026, 12, 3, 7, 30, 10, 0, time.UTC))
	c1 := code()
	ts.fixClock(time.Date(2026, 12, 3, 7, 30, 40, 0, time.UTC))
	if c2 := code(); c2 == c1 {
		t.Errorf("the code did not rotate")
	}
	if st, body := checkin(officerA, c1); st != 200 || !strings.Contains(body, `"status":"present"`) {
		t.Errorf("previous code: %d %s", st, body)
	}
	// Two slots later the first code is stale.
	ts.fixClock(time.Date(2026, 12, 3, 8, 20, 0, 0, time.UTC)) // 09:20 Paris: late
	if st, _ := checkin(ts.token(t, w.officerB), c1); st != 422 {
		t.Errorf("stale code: %d", st)
	}
	if st, body := checkin(ts.token(t, w.officerB), code()); st != 200 || !strings.Contains(body, `"status":"late"`) {
		t.Errorf("late check-in: %d %s", st, body)
	}
	// Not enrolled → 404; after the end → 409.
	stranger := ts.token(t, ts.user(t, auth.RoleOfficer, &w.agencyA.ID, "Not Enrolled"))
	if st, _ := checkin(stranger, code()); st != 404 {
		t.Errorf("not enrolled: %d", st)
	}
	ts.fixClock(time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC))
	if st, _ := checkin(officerA, code()); st != 409 {
		t.Errorf("after the end: %d", st)
	}
	// Guessing is rate limited per officer.
	ts.fixClock(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	for i := 0; i < 10; i++ {
		checkin(stranger, "000000")
	}
	fresh := ts.token(t, ts.user(t, auth.RoleOfficer, &w.agencyA.ID, "Guesser"))
	ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": w.idOf(t, credentials{Email: emailOf(t, ts, fresh)})})
	for i := 0; i < 10; i++ {
		checkin(fresh, "999999x")
	}
	if st, _ := checkin(fresh, code()); st != 429 {
		t.Errorf("after 10 wrong codes: %d", st)
	}

	// The trainer's sheet: corrections are audited with before and after.
	if res, body := ts.api(t, trainer, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", s.ID, officerB), map[string]string{"status": "excused"}); res.StatusCode != 200 {
		t.Errorf("mark: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, trainer, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", s.ID, officerB), map[string]string{"status": "asleep"}); res.StatusCode != 422 {
		t.Errorf("bad status: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, ts.token(t, w.coordA), "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", s.ID, w.officerAID), map[string]string{"status": "absent"}); res.StatusCode != 403 {
		t.Errorf("coordinator marking attendance: %d", res.StatusCode)
	}
	_, body := ts.api(t, ts.token(t, w.coordA), "GET", fmt.Sprintf("/api/v1/sessions/%d/attendance", s.ID), nil)
	if !strings.Contains(body, `"status":"present"`) || strings.Contains(body, "브라보") {
		t.Errorf("coordinator A's sheet: %s", body)
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&s.ID, 100)
	found := false
	for _, e := range events {
		if e.Action == "attendance.trainer" && strings.Contains(e.Before, "late") && strings.Contains(e.After, "excused") {
			found = true
		}
	}
	if !found {
		t.Errorf("the correction late → excused is not audited")
	}
	if res, body := ts.api(t, ts.token(t, w.admin), "GET", fmt.Sprintf("/api/v1/audit?session_id=%d", s.ID), nil); res.StatusCode != 200 || !strings.Contains(body, "attendance.checkin") {
		t.Errorf("admin audit API: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, trainer, "GET", "/api/v1/audit", nil); res.StatusCode != 403 {
		t.Errorf("trainer reading the audit log: %d", res.StatusCode)
	}
}

func emailOf(t *testing.T, ts *testServer, token string) string {
	_, body := ts.api(t, token, "GET", "/api/v1/me", nil)
	return decode[auth.User](t, body).Email
}
