package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// TestCloseSession_SubmitsOpenAttempts is issue 17's finding 4, the attack
// itself: officer A has submitted attempt 1 and holds attempt 2 open; the
// trainer closes the day, which opens attempt 1's review (after_close). A must
// not copy the key into attempt 2: the close submitted it with what it saved,
// and every save, submit or start after the close is refused with 409. Officer
// B's open attempt, answered right before the close, counts for the certificate.
func TestCloseSession_SubmitsOpenAttempts(t *testing.T) {
	qw := twoAttempts(t, "after_close") // pass mark 30 %: one right answer of three passes
	ts := qw.ts
	qw.at(time.Hour)
	answer := func(token string, id int64, question string, body map[string]any) (int, string) {
		t.Helper()
		res, out := ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", id, question), body)
		return res.StatusCode, out
	}
	first := qw.start(t, qw.officerA)
	if code, body := answer(qw.officerA, first.ID, "pick", map[string]any{"choices": []string{choiceID(first, "pick", "WRONG")}}); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	res, firstResult := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", first.ID), nil)
	if res.StatusCode != 200 || !strings.Contains(firstResult, `"passed":false`) {
		t.Fatalf("submit attempt 1: %d %s", res.StatusCode, firstResult)
	}
	second := qw.start(t, qw.officerA)
	if second.ID == first.ID || second.Number != 2 {
		t.Fatalf("no second attempt: %+v", second)
	}
	if code, body := answer(qw.officerA, second.ID, "pick", map[string]any{"choices": []string{choiceID(second, "pick", "WRONG")}, "seq": 1}); code != 200 {
		t.Fatalf("save in attempt 2: %d %s", code, body)
	}
	forB := qw.start(t, qw.officerB)
	if code, body := answer(qw.officerB, forB.ID, "pick", map[string]any{"choices": []string{choiceID(forB, "pick", "CORRECT")}}); code != 200 {
		t.Fatalf("save for B: %d %s", code, body)
	}
	officerB := qw.idOf(t, qw.world.officerB)
	for _, id := range []int64{qw.officerAID, officerB} {
		ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, id), map[string]string{"status": "present"})
	}

	closeURL := fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID)
	if res, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); res.StatusCode != 200 || body != "{\"issued\":1}\n" {
		t.Fatalf("close: %d %s (B's open attempt, right, must count)", res.StatusCode, body)
	}
	// The premise: attempt 1's review, key included, is open now.
	if !officerASeesKey(t, qw, first.ID) {
		t.Fatalf("after_close: attempt 1's review is not shown after the close")
	}
	// The attack: the key copied into attempt 2, through both save paths.
	for _, body := range []map[string]any{
		{"choices": []string{choiceID(second, "pick", "CORRECT")}, "seq": 2},
		{"choices": []string{choiceID(second, "pick", "CORRECT")}},
	} {
		if code, out := answer(qw.officerA, second.ID, "pick", body); code != 409 || !strings.Contains(out, "session is closed") {
			t.Errorf("save after the close: %d %s", code, out)
		}
	}
	if code, out := answer(qw.officerA, second.ID, "type", map[string]any{"text": "SHORT-ANSWER-2b8", "seq": 1}); code != 409 {
		t.Errorf("save of a new question after the close: %d %s", code, out)
	}
	if res, out := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", second.ID), nil); res.StatusCode != 409 || !strings.Contains(out, "session is closed") {
		t.Errorf("submit of attempt 2 after the close: %d %s", res.StatusCode, out)
	}
	// The page without JavaScript: its submit shows the attempt and says why.
	form := url.Values{"action": {"submit"}, "q.pick": {choiceID(second, "pick", "CORRECT")}, "shown.pick": {""}}
	if res, html := activate(t, ts, ts.browser(t, qw.world.officerA), fmt.Sprintf("/attempts/%d", second.ID), form); res.StatusCode != 409 || !strings.Contains(html, "session is closed") {
		t.Errorf("the page's submit after the close: %d", res.StatusCode)
	}
	if res, out := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID), nil); res.StatusCode != 409 {
		t.Errorf("start after the close: %d %s", res.StatusCode, out)
	}
	// Submitting attempt 1 again returns the same result (DESIGN: submitting twice).
	if res, out := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", first.ID), nil); res.StatusCode != 200 || out != firstResult {
		t.Errorf("repeated submit of attempt 1: %d %s, first %s", res.StatusCode, out, firstResult)
	}

	// Attempt 2 was submitted by the close with the wrong answer it had saved.
	ats := attemptsOf(t, qw, qw.officerAID)
	if len(ats) != 2 || ats[1].Finalised != "session_closed" || ats[1].Passed || ats[1].Score != 0 {
		t.Fatalf("A's attempts after the close: %d, the last %q with %v points", len(ats), ats[len(ats)-1].Finalised, ats[len(ats)-1].Score)
	}
	answers, err := ts.DB.Read(context.Background()).Answers(ats[1].ID)
	if err != nil || len(answers) != 1 || !strings.Contains(string(answers["pick"].Answer), choiceID(second, "pick", "WRONG")) {
		t.Errorf("attempt 2's answers after the refused saves: %+v %v", answers, err)
	}
	if b := attemptsOf(t, qw, officerB); b[0].Finalised != "session_closed" || !b[0].Passed {
		t.Errorf("B's attempt after the close: %q, passed %v", b[0].Finalised, b[0].Passed)
	}
	certs, _ := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{SessionID: &qw.sessionID})
	if len(certs) != 1 || certs[0].UserID != officerB {
		t.Errorf("certificates: %+v", certs)
	}
	// Closing again issues nothing: A has nothing new.
	if _, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); body != "{\"issued\":0}\n" {
		t.Errorf("second close: %s", body)
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&qw.sessionID, 100)
	found := false
	for _, e := range events {
		found = found || e.Action == "session.close" && strings.Contains(e.After, `"attempts_submitted":{"session_closed":2}`)
	}
	if !found {
		t.Errorf("the close's audit event does not count the attempts it submitted")
	}
}

// TestCloseSession_RollsBackTogether: submitting the open attempts and issuing
// the certificates are one transaction. A close that fails while issuing (a
// trigger refuses the certificate insert) leaves every attempt as it was, open
// or overdue alike, and the session open; the next close does both.
func TestCloseSession_RollsBackTogether(t *testing.T) {
	qw := twoAttempts(t, "after_close")
	ts := qw.ts
	qw.at(time.Hour)
	// B (10 minutes) starts first; A (50 % extra time: 15 minutes) five minutes later.
	forB := qw.start(t, qw.officerB)
	ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", forB.ID), map[string]any{"choices": []string{choiceID(forB, "pick", "CORRECT")}})
	qw.at(time.Hour + 5*time.Minute)
	forA := qw.start(t, qw.officerA)
	ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", forA.ID), map[string]any{"choices": []string{choiceID(forA, "pick", "CORRECT")}})
	officerB := qw.idOf(t, qw.world.officerB)
	for _, id := range []int64{qw.officerAID, officerB} {
		ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, id), map[string]string{"status": "present"})
	}
	qw.at(time.Hour + 15*time.Minute) // B's deadline has passed, A's has not

	if err := ts.DB.W.Exec(`CREATE TRIGGER refuse_certificates BEFORE INSERT ON certificates BEGIN SELECT RAISE(ABORT, 'injected failure'); END`).Error; err != nil {
		t.Fatal(err)
	}
	closeURL := fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID)
	if res, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); res.StatusCode != 500 {
		t.Fatalf("close with the certificate insert refused: %d %s", res.StatusCode, body)
	}
	for who, id := range map[string]int64{"A (open)": qw.officerAID, "B (overdue)": officerB} {
		if at := attemptsOf(t, qw, id)[0]; at.Finalised != "" {
			t.Errorf("%s: the failed close left the attempt submitted (%q)", who, at.Finalised)
		}
	}
	if s, err := ts.DB.Read(context.Background()).Session(qw.sessionID, false); err != nil || s.Status == "closed" {
		t.Errorf("the failed close closed the session: %v %v", s.Status, err)
	}
	// A may still answer: nothing was decided.
	if res, body := ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/type", forA.ID), map[string]any{"text": "x"}); res.StatusCode != 200 {
		t.Errorf("save after the failed close: %d %s", res.StatusCode, body)
	}

	if err := ts.DB.W.Exec(`DROP TRIGGER refuse_certificates`).Error; err != nil {
		t.Fatal(err)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); res.StatusCode != 200 || body != "{\"issued\":2}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	if a, b := attemptsOf(t, qw, qw.officerAID)[0], attemptsOf(t, qw, officerB)[0]; a.Finalised != "session_closed" || b.Finalised != "deadline" {
		t.Errorf("after the close: A %q, B %q", a.Finalised, b.Finalised)
	}
}

// TestCloseSession_RacesStarts_PostgreSQL: with several processes on
// PostgreSQL, officers pressing Start while the trainer closes the day either
// start before the close (and the close submits the attempt) or are refused:
// no attempt is left open in a closed session.
func TestCloseSession_RacesStarts_PostgreSQL(t *testing.T) {
	ts := startServerOn(t, bothCourses(t), Config{}, postgresDSN(t))
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	tokens := []string{qw.officerA, qw.officerB}
	for i := range 8 { // the session's capacity is 10
		officer := ts.user(t, auth.RoleOfficer, &qw.agencyA.ID, fmt.Sprintf("Racing Officer %d", i))
		ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", qw.sessionID), map[string]any{"user_id": qw.idOf(t, officer)})
		tokens = append(tokens, ts.token(t, officer))
	}
	// Every start and the close leave together (a barrier), and the goroutines
	// only report: no t.Fatal off the test's goroutine.
	var wg sync.WaitGroup
	begin := make(chan struct{})
	codes := make(chan string, len(tokens)+1)
	post := func(token, path string, want ...int) {
		defer wg.Done()
		<-begin
		req, err := http.NewRequest("POST", ts.URL+path, nil)
		if err != nil {
			codes <- err.Error()
			return
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			codes <- err.Error()
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !slices.Contains(want, res.StatusCode) {
			codes <- fmt.Sprintf("%s: %d %s", path, res.StatusCode, body)
		}
	}
	for _, tok := range tokens {
		wg.Add(1)
		go post(tok, fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID), 201, 409)
	}
	wg.Add(1)
	go post(qw.trainerTok, fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), 200)
	close(begin)
	wg.Wait()
	close(codes)
	for problem := range codes {
		t.Errorf("during the close: %s", problem)
	}
	ats, err := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range ats {
		if at.Finalised == "" {
			t.Errorf("attempt %d is open in the closed session", at.ID)
		}
	}
}
