package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestQuizControl_CloseAndReopen: the trainer closes a quiz mid-attempt; the
// attempt is submitted with what it saved, nothing more is accepted, nobody can
// start, the officer sees why (and, for after_close, the answers); reopening lets
// others start. Every step is in the audit log.
func TestQuizControl_CloseAndReopen(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	v := qw.start(t, qw.officerA)
	save := func(choice string) (int, string) {
		res, body := ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID), map[string]any{"choices": []string{choiceID(v, "pick", choice)}})
		return res.StatusCode, body
	}
	if code, body := save("CORRECT"); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	closeURL := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/close", qw.sessionID)
	openURL := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/open", qw.sessionID)
	for who, tok := range map[string]string{"officer": qw.officerA, "coordinator": ts.token(t, qw.coordA)} {
		if res, _ := ts.api(t, tok, "POST", closeURL, nil); res.StatusCode != 404 {
			t.Errorf("%s closing a quiz: %d", who, res.StatusCode)
		}
	}
	if res, _ := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/no-such-quiz/close", qw.sessionID), nil); res.StatusCode != 404 {
		t.Errorf("closing an unknown quiz: %d", res.StatusCode)
	}
	res, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `"status":"closed"`) || !strings.Contains(body, `"finalised":1`) {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	// The attempt was submitted with the acknowledged answer; later saves are refused.
	if code, body := save("WRONG"); code != 409 || !strings.Contains(body, "closed") {
		t.Errorf("save after closing: %d %s", code, body)
	}
	_, body = ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil)
	got := decode[struct {
		Status string
		Result struct{ Score float64 }
	}](t, body)
	if got.Status != "submitted" || got.Result.Score < 1 {
		t.Errorf("attempt after closing: %+v", got)
	}
	// after_close review: closing the quiz shows its answers.
	if !strings.Contains(body, "EXPLANATION-9c1") {
		t.Errorf("no review once the quiz is closed")
	}
	// Nobody starts a closed quiz; the page says why and offers no button.
	startURL := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID)
	if res, body := ts.api(t, qw.officerB, "POST", startURL, nil); res.StatusCode != 409 || !strings.Contains(body, "closed") {
		t.Errorf("start of a closed quiz: %d %s", res.StatusCode, body)
	}
	page := fmt.Sprintf("%s/sessions/%d/quizzes", ts.URL, qw.sessionID)
	if _, html := getWith(t, ts.browser(t, qw.world.officerB), page); !strings.Contains(html, "Closed by the trainer") || strings.Contains(html, "/quizzes/01-m/start") {
		t.Errorf("the officer's quiz page does not say it is closed")
	}
	if _, html := getWith(t, ts.browser(t, qw.world.trainer), page); !strings.Contains(html, "/quizzes/01-m/open") {
		t.Errorf("the trainer's page offers no way to reopen")
	}
	// Reopened: officer B starts.
	if res, body := ts.api(t, qw.trainerTok, "POST", openURL, nil); res.StatusCode != 200 || !strings.Contains(body, `"status":"open"`) {
		t.Fatalf("open: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, qw.officerB, "POST", startURL, nil); res.StatusCode != 201 {
		t.Errorf("start after reopening: %d %s", res.StatusCode, body)
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&qw.sessionID, 100)
	seen := map[string]bool{}
	for _, e := range events {
		if e.ActorID != nil && (e.Action == "quiz.close" && strings.Contains(e.After, `"attempts_submitted":1`) || e.Action == "quiz.open") {
			seen[e.Action] = true
		}
	}
	if !seen["quiz.close"] || !seen["quiz.open"] {
		t.Errorf("audit: %v", seen)
	}
}

// TestQuizControl_Exceptions: an extra attempt, a later deadline and a reopened
// attempt, each honoured by the server's clock and audited with the reason.
func TestQuizControl_Exceptions(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	start := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID)
	v := qw.start(t, qw.officerB) // officer B: no extra time; the quiz has a time limit
	// Extend: the deadline moves; a save after the old deadline is accepted.
	ext := fmt.Sprintf("/api/v1/attempts/%d/extend", v.ID)
	if res, _ := ts.api(t, qw.trainerTok, "POST", ext, map[string]any{"minutes": 10}); res.StatusCode != 422 {
		t.Errorf("extend without a reason: %d", res.StatusCode)
	}
	for who, tok := range map[string]string{"owner": qw.officerB, "coordinator": ts.token(t, qw.coordB)} {
		if res, _ := ts.api(t, tok, "POST", ext, map[string]any{"minutes": 10, "reason": "x"}); res.StatusCode != 404 {
			t.Errorf("%s extending: %d", who, res.StatusCode)
		}
	}
	res, body := ts.api(t, qw.trainerTok, "POST", ext, map[string]any{"minutes": 10, "reason": "Phone battery died"})
	if res.StatusCode != 200 {
		t.Fatalf("extend: %d %s", res.StatusCode, body)
	}
	extended := decode[struct{ Deadline time.Time }](t, body).Deadline
	if !extended.Equal(v.Deadline.Add(10 * time.Minute)) {
		t.Errorf("deadline %s, want %s", extended, v.Deadline.Add(10*time.Minute))
	}
	ts.fixClock(v.Deadline.Add(5 * time.Minute))
	if res, body := ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID), map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}}); res.StatusCode != 200 {
		t.Errorf("save within the extension: %d %s", res.StatusCode, body)
	}
	ts.fixClock(extended.Add(time.Second))
	if res, _ := ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID), map[string]any{"choices": []string{choiceID(v, "pick", "WRONG")}}); res.StatusCode != 409 {
		t.Errorf("save after the extension: %d", res.StatusCode)
	}
	// Reopen the (now finalised) attempt for 5 minutes: answers kept, saves accepted.
	reopen := fmt.Sprintf("/api/v1/attempts/%d/reopen", v.ID)
	if res, body := ts.api(t, qw.trainerTok, "POST", reopen, map[string]any{"minutes": 5, "reason": "Fire alarm"}); res.StatusCode != 200 || !strings.Contains(body, `"status":"open"`) {
		t.Fatalf("reopen: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, qw.trainerTok, "POST", reopen, map[string]any{"minutes": 5, "reason": "again"}); res.StatusCode != 409 {
		t.Errorf("reopening an open attempt: %d", res.StatusCode)
	}
	if res, body := ts.api(t, qw.officerB, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 || !strings.Contains(body, `"score":1`) {
		t.Errorf("submit after reopening: %d %s", res.StatusCode, body)
	}
	// Attempts: the quiz allows one in the fixture? Use them up, then grant one more.
	for i := 0; i < 5; i++ {
		if res, _ := ts.api(t, qw.officerB, "POST", start, nil); res.StatusCode == 409 {
			break
		} else if res.StatusCode == 201 {
			_, body := ts.api(t, qw.officerB, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes", qw.sessionID), nil)
			list := decode[[]struct{ Attempts []struct{ ID int64 } }](t, body)
			last := list[0].Attempts[len(list[0].Attempts)-1].ID
			ts.api(t, qw.officerB, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", last), nil)
		}
	}
	if res, _ := ts.api(t, qw.officerB, "POST", start, nil); res.StatusCode != 409 {
		t.Fatalf("attempts not used up: %d", res.StatusCode)
	}
	grant := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/exceptions", qw.sessionID)
	officerBID := qw.idOf(t, qw.world.officerB)
	if res, _ := ts.api(t, ts.token(t, qw.coordB), "POST", grant, map[string]any{"user_id": officerBID, "extra_attempts": 1, "reason": "x"}); res.StatusCode != 404 {
		t.Errorf("coordinator granting: %d", res.StatusCode)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", grant, map[string]any{"user_id": officerBID, "extra_attempts": 1, "reason": "Started on a broken phone"}); res.StatusCode != 200 || !strings.Contains(body, `"extra_attempts":1`) {
		t.Fatalf("grant: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, qw.officerB, "POST", start, nil); res.StatusCode != 201 {
		t.Errorf("start with the extra attempt: %d %s", res.StatusCode, body)
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&qw.sessionID, 200)
	seen := map[string]bool{}
	for _, e := range events {
		for _, want := range []struct{ action, reason string }{{"attempt.extend", "Phone battery died"}, {"attempt.reopen", "Fire alarm"}, {"attempt.grant", "Started on a broken phone"}} {
			if e.Action == want.action && strings.Contains(e.After, want.reason) && e.ActorID != nil && e.Before != "" {
				seen[e.Action] = true
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("audit events with who and why: %v", seen)
	}
}
