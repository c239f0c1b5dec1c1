package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
)

// graceQuizWorld is the fixture day with its quiz given a grace (front matter).
func graceQuizWorld(t *testing.T, grace string) *quizWorld {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, bothCourses(t)); err != nil {
		t.Fatal(err)
	}
	quizFile := filepath.Join(dir, "secret", "01-m.quiz.md")
	src, err := os.ReadFile(quizFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(quizFile, []byte(strings.Replace(string(src), "---\n", "---\ngrace: "+grace+"\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return newQuizWorldOn(t, newWorldOn(t, startServer(t, os.DirFS(dir))))
}

// lateSave puts one answer with a stated time and a seq, and decodes the reply.
func lateSave(t *testing.T, qw *quizWorld, token string, id int64, question string, body map[string]any, answeredAt time.Time, seq int64) (int, attempt.SavedAnswer, string) {
	t.Helper()
	b := map[string]any{"seq": seq}
	for k, v := range body {
		b[k] = v
	}
	if !answeredAt.IsZero() {
		b["answered_at"] = answeredAt.UTC().Format(time.RFC3339Nano)
	}
	res, out := qw.ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", id, question), b)
	var saved attempt.SavedAnswer
	if res.StatusCode/100 == 2 {
		saved = decode[attempt.SavedAnswer](t, out)
	}
	return res.StatusCode, saved, out
}

// TestLateAnswers_SaveRules: after the deadline, an answer stated before it is
// kept as a late answer (202, "late"), not counted; one stated after it, with
// no stated time, or stated before the attempt began is refused (409). A
// second save of the question with a higher seq replaces the late answer; a
// lower one is stale. The trainer accepts them (reason required, audited), the
// attempt is scored again with them; accepting again changes nothing; the
// officer, another agency and another trainer cannot.
func TestLateAnswers_SaveRules(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	v := qw.start(t, qw.officerB) // no extra time: 10 minutes
	right := choiceID(v, "pick", "CORRECT")
	text := "SHORT-ANSWER-2b8"
	if code, _, out := lateSave(t, qw, qw.officerB, v.ID, "pick", map[string]any{"choices": []string{choiceID(v, "pick", "WRONG")}}, v.Deadline.Add(-time.Minute), 10); code != 200 {
		t.Fatalf("save in time: %d %s", code, out)
	}
	ts.fixClock(v.Deadline.Add(30 * time.Second))
	before := v.Deadline.Add(-2 * time.Second)

	// Refused: stated after the deadline, not stated, stated before the start.
	for name, at := range map[string]time.Time{"after the deadline": v.Deadline.Add(time.Second), "no stated time": {}, "before the start": v.StartedAt.Add(-time.Hour)} {
		if code, _, out := lateSave(t, qw, qw.officerB, v.ID, "type", map[string]any{"text": text}, at, 20); code != 409 {
			t.Errorf("%s: %d %s, want 409", name, code, out)
		}
	}
	// Kept: given in time, arrived late.
	code, saved, out := lateSave(t, qw, qw.officerB, v.ID, "type", map[string]any{"text": "first try"}, before, 20)
	if code != 202 || saved.Status != "late" || saved.Seq != 20 || saved.AnsweredAt == nil || !saved.AnsweredAt.Equal(before) {
		t.Fatalf("late save: %d %s", code, out)
	}
	// A higher seq replaces it; a lower one is stale (the kept one stands).
	if code, saved, out := lateSave(t, qw, qw.officerB, v.ID, "type", map[string]any{"text": text}, before.Add(time.Second), 21); code != 202 || saved.Seq != 21 || *saved.Answer.Text != text {
		t.Errorf("second late save: %d %s", code, out)
	}
	if code, saved, out := lateSave(t, qw, qw.officerB, v.ID, "type", map[string]any{"text": "stale"}, before, 19); code != 202 || saved.Seq != 21 || *saved.Answer.Text != text {
		t.Errorf("stale late save: %d %s", code, out)
	}
	// Below the counted answer's seq: the counted one stands.
	if code, saved, out := lateSave(t, qw, qw.officerB, v.ID, "pick", map[string]any{"choices": []string{right}}, before, 5); code != 200 || saved.Status != "saved" || saved.Seq != 10 {
		t.Errorf("stale save of a counted answer: %d %s", code, out)
	}
	if code, _, out := lateSave(t, qw, qw.officerB, v.ID, "pick", map[string]any{"choices": []string{right}}, before, 11); code != 202 {
		t.Errorf("late change of a counted answer: %d %s", code, out)
	}

	// The attempt ended by its deadline with what was saved in time.
	res, body := ts.api(t, qw.officerB, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil)
	got := decode[attempt.View](t, body)
	if res.StatusCode != 200 || got.Status != "submitted" || got.Result.Score != 0 || len(got.LateAnswers) != 2 {
		t.Fatalf("attempt after the deadline: %d %s", res.StatusCode, body)
	}
	for _, l := range got.LateAnswers {
		if l.State != "waiting" || l.LateSeconds != 30 || l.Number < 1 {
			t.Errorf("late answer as the officer sees it: %+v", l)
		}
	}
	assertNoKeys(t, "late answers", strings.ReplaceAll(body, text, "")) // the officer's own text aside

	// The trainer's page lists them, with the form.
	trainer := ts.browser(t, qw.world.trainer)
	officersPage := fmt.Sprintf("%s/sessions/%d/quizzes/01-m/officers", ts.URL, qw.sessionID)
	if _, html := getWith(t, trainer, officersPage); strings.Count(html, "arrived at") != 2 || !strings.Contains(html, "(30 s late)") ||
		!strings.Contains(html, fmt.Sprintf("/attempts/%d/accept-late", v.ID)) {
		t.Errorf("the officers page does not show the late answers and the form")
	}

	accept := fmt.Sprintf("/api/v1/attempts/%d/late-answers/accept", v.ID)
	otherTrainer := ts.user(t, auth.RoleTrainer, nil, "Trainer Other")
	// The officer sees their attempt but may not accept for it (403); the
	// others do not see it (404).
	for who, token := range map[string]string{"the officer": qw.officerB, "officer of another agency": qw.officerA,
		"coordinator": ts.token(t, qw.world.coordB), "another trainer": ts.token(t, otherTrainer)} {
		want := 404
		if who == "the officer" {
			want = 403
		}
		if res, out := ts.api(t, token, "POST", accept, map[string]string{"reason": "mine"}); res.StatusCode != want {
			t.Errorf("%s accepting: %d %s, want %d", who, res.StatusCode, out, want)
		}
	}
	if res, out := ts.api(t, qw.trainerTok, "POST", accept, map[string]string{"reason": "  "}); res.StatusCode != 422 {
		t.Errorf("accepting without a reason: %d %s", res.StatusCode, out)
	}
	if got := storedAttempts(t, qw, qw.idOf(t, qw.world.officerB)); got[0].Score != 0 {
		t.Fatalf("refused acceptances changed the score: %+v", got[0])
	}
	res, body = ts.api(t, qw.trainerTok, "POST", accept, map[string]string{"reason": "Wi-Fi dropped at the deadline LATE-REASON-4"})
	acc := decode[attempt.LateAcceptance](t, body)
	if res.StatusCode != 200 || acc.Accepted != 2 || acc.Before.Score != 0 || acc.After.Score != 2 || acc.Change != "score" {
		t.Fatalf("accept: %d %s", res.StatusCode, body)
	}
	if at := storedAttempts(t, qw, qw.idOf(t, qw.world.officerB))[0]; at.Score != 2 || at.Finalised != "deadline" {
		t.Errorf("stored attempt after accepting: %+v", at)
	}
	if !auditWith(t, qw, "attempt.late_accept", "LATE-REASON-4") {
		t.Errorf("the acceptance is not in the session's history")
	}
	res, body = ts.api(t, qw.trainerTok, "POST", accept, map[string]string{"reason": "again"})
	if again := decode[attempt.LateAcceptance](t, body); res.StatusCode != 200 || again.Accepted != 0 || again.After.Score != 2 {
		t.Errorf("accepting twice: %d %s", res.StatusCode, body)
	}
	if auditWith(t, qw, "attempt.late_accept", "again") {
		t.Errorf("an acceptance of nothing was audited")
	}
	if _, html := getWith(t, trainer, officersPage); strings.Count(html, "· accepted") != 2 || strings.Contains(html, "/accept-late") ||
		!strings.Contains(html, "Late answers accepted") {
		t.Errorf("the officers page after accepting does not say so")
	}
}

// TestLateAnswers_Grace: within the quiz's grace an answer stated before the
// deadline counts by itself (200, "saved") and the sweep leaves the attempt
// open; past the grace it is a late answer, and the sweep finalises.
func TestLateAnswers_Grace(t *testing.T) {
	qw := graceQuizWorld(t, "60s")
	ts := qw.ts
	qw.at(time.Hour)
	v := qw.start(t, qw.officerB)
	if v.GraceSeconds != 60 {
		t.Fatalf("grace_seconds = %d", v.GraceSeconds)
	}
	ts.fixClock(v.Deadline.Add(30 * time.Second))
	if err := ts.Server.attempts.FinaliseOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, saved, out := lateSave(t, qw, qw.officerB, v.ID, "pick", map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}}, v.Deadline.Add(-time.Second), 1)
	if code != 200 || saved.Status != "saved" {
		t.Fatalf("save within the grace: %d %s", code, out)
	}
	if code, _, out := lateSave(t, qw, qw.officerB, v.ID, "type", map[string]any{"text": "SHORT-ANSWER-2b8"}, v.Deadline.Add(time.Second), 2); code != 409 {
		t.Errorf("stated after the deadline, within the grace: %d %s", code, out)
	}
	ts.fixClock(v.Deadline.Add(61 * time.Second))
	code, saved, out = lateSave(t, qw, qw.officerB, v.ID, "type", map[string]any{"text": "SHORT-ANSWER-2b8"}, v.Deadline.Add(-time.Second), 3)
	if code != 202 || saved.Status != "late" {
		t.Fatalf("save past the grace: %d %s", code, out)
	}
	if err := ts.Server.attempts.FinaliseOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, body := ts.api(t, qw.officerB, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil)
	got := decode[attempt.View](t, body)
	if got.Status != "submitted" || got.Result.Score != 1 || len(got.LateAnswers) != 2 || got.LateAnswers[0].State == got.LateAnswers[1].State {
		t.Errorf("after the grace: %s", body)
	}
}

// TestLateAnswers_SessionClose: the trainer closes the day while an officer's
// phone is offline. An answer stated before the close is kept as late; one
// stated after it is refused. Accepting on the closed session rescores the
// attempt, and closing again issues the certificate now due.
func TestLateAnswers_SessionClose(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	v := qw.start(t, qw.officerB)
	officerB := qw.idOf(t, qw.world.officerB)
	ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, officerB), map[string]string{"status": "present"})
	closed := qw.day.Add(time.Hour + 2*time.Minute)
	ts.fixClock(closed)
	closeURL := fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID)
	if res, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); res.StatusCode != 200 || body != "{\"issued\":0}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	ts.fixClock(closed.Add(time.Minute))
	if code, _, out := lateSave(t, qw, qw.officerB, v.ID, "pick", map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}}, closed.Add(time.Second), 1); code != 409 {
		t.Errorf("stated after the close: %d %s", code, out)
	}
	for i, q := range []struct {
		id   string
		body map[string]any
	}{{"pick", map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}}}, {"type", map[string]any{"text": "SHORT-ANSWER-2b8"}}, {"count", map[string]any{"number": 4242}}} {
		if code, _, out := lateSave(t, qw, qw.officerB, v.ID, q.id, q.body, closed.Add(-time.Second), int64(i+2)); code != 202 {
			t.Fatalf("stated before the close: %d %s", code, out)
		}
	}
	res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/attempts/%d/late-answers/accept", v.ID), map[string]string{"reason": "phone offline at the close"})
	if acc := decode[attempt.LateAcceptance](t, body); res.StatusCode != 200 || acc.Change != "now_passes" {
		t.Fatalf("accept after the close: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); res.StatusCode != 200 || body != "{\"issued\":1}\n" {
		t.Errorf("closing again: %d %s, want the certificate now due", res.StatusCode, body)
	}
}
