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
