package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
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
		if res, _ := ts.api(t, tok, "POST", closeURL, nil); res.StatusCode != 403 { // they see the session (schedule.Access)
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
	// Its owner sees the attempt but may not change it (403); a coordinator
	// does not see it (404).
	for who, want := range map[string]struct {
		tok  string
		code int
	}{"owner": {qw.officerB, 403}, "coordinator": {ts.token(t, qw.coordB), 404}} {
		for _, path := range []string{ext, fmt.Sprintf("/api/v1/attempts/%d/reopen", v.ID)} {
			if res, _ := ts.api(t, want.tok, "POST", path, map[string]any{"minutes": 10, "reason": "x"}); res.StatusCode != want.code {
				t.Errorf("%s posting %s: %d, want %d", who, path, res.StatusCode, want.code)
			}
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
	checkExtension(t, qw, v, extended)
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
	if res, _ := ts.api(t, ts.token(t, qw.coordB), "POST", grant, map[string]any{"user_id": officerBID, "extra_attempts": 1, "reason": "x"}); res.StatusCode != 403 {
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

// TestRegrade_WrongKeyFixedAtThree is issue 12's "done when": at 15:00 the trainer
// finds the key of a question wrong, fixes the Markdown, previews who now passes,
// applies exactly that, drops another question, and closes the day with the
// right certificates; the audit log tells the story.
func TestRegrade_WrongKeyFixedAtThree(t *testing.T) {
	ts, quizFile := editableQuizServer(t)
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	answer := func(token, pick string) {
		v := qw.start(t, token)
		ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID), map[string]any{"choices": []string{choiceID(v, "pick", pick)}})
		ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/type", v.ID), map[string]any{"text": "SHORT-ANSWER-2b8"})
		ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/count", v.ID), map[string]any{"number": 4242})
		if res, body := ts.api(t, token, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 {
			t.Fatalf("submit: %s", body)
		}
	}
	answer(qw.officerA, "WRONG") // 2 of 3: fails (the key says CORRECT)
	answer(qw.officerB, "CORRECT")
	for _, id := range []int64{qw.officerAID, qw.idOf(t, qw.world.officerB)} {
		ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, id), map[string]string{"status": "present"})
	}
	regrade := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/regrade", qw.sessionID)
	// A second process on the same database (PostgreSQL scale-out) has shown
	// officer A's review, so it holds the attempt's questions in its cache.
	other := attempt.NewService(ts.DB, ts.Library, schedule.Access{}, nil, slog.New(slog.DiscardHandler))
	trainerActor, err := ts.Accounts.Authenticate(context.Background(), qw.trainerTok)
	if err != nil {
		t.Fatal(err)
	}
	idA := attemptsOf(t, qw, qw.officerAID)[0].ID
	keyShown := func() []string {
		v, err := other.Get(context.Background(), trainerActor, idA)
		if err != nil || v.Review == nil {
			t.Fatalf("review in the other process: %+v %v", v, err)
		}
		for _, item := range v.Review {
			if item.QuestionID == "pick" {
				return item.CorrectChoices
			}
		}
		return nil
	}
	keyBefore := keyShown()

	// 15:00: the key was wrong. The trainer fixes the Markdown.
	fixed := flipPickKey(t, ts, quizFile)
	if res, _ := ts.api(t, ts.token(t, qw.coordA), "POST", regrade, nil); res.StatusCode != 403 {
		t.Errorf("coordinator regrading: %d", res.StatusCode)
	}
	res, body := ts.api(t, qw.trainerTok, "POST", regrade, nil)
	preview := decode[attempt.Regrade](t, body)
	if res.StatusCode != 200 || preview.Applied || preview.NowPass != 1 || preview.NowFail != 1 || len(preview.Rows) != 2 {
		t.Fatalf("preview: %d %s", res.StatusCode, body)
	}
	// The preview changed nothing.
	if passedOf(t, qw, qw.officerAID) {
		t.Errorf("the preview changed a result")
	}
	if res, _ := ts.api(t, qw.trainerTok, "POST", regrade, map[string]string{"confirm": "not-the-hash"}); res.StatusCode != 409 {
		t.Errorf("confirming another version: %d", res.StatusCode)
	}
	if len(preview.Questions) != 1 || preview.Questions[0].QuestionID != "pick" || !slices.Equal(preview.Questions[0].Changes, []string{"key"}) || preview.Questions[0].Title != "Pick the right one" {
		t.Errorf("what the preview says changed: %+v", preview.Questions)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", regrade, map[string]string{"confirm": preview.ContentHash}); res.StatusCode != 422 || !strings.Contains(body, "reason") {
		t.Errorf("applying without a reason: %d %s", res.StatusCode, body)
	}
	res, body = ts.api(t, qw.trainerTok, "POST", regrade, map[string]string{"confirm": preview.ContentHash, "reason": "Q1 key had the wrong box ticked"})
	applied := decode[attempt.Regrade](t, body)
	if res.StatusCode != 200 || !applied.Applied {
		t.Fatalf("apply: %d %s", res.StatusCode, body)
	}
	for i := range preview.Rows {
		if preview.Rows[i].After != applied.Rows[i].After || preview.Rows[i].Change != applied.Rows[i].Change {
			t.Errorf("applied %+v, previewed %+v", applied.Rows[i], preview.Rows[i])
		}
	}
	if !passedOf(t, qw, qw.officerAID) || passedOf(t, qw, qw.idOf(t, qw.world.officerB)) {
		t.Errorf("stored results after the regrade do not follow the applied preview")
	}
	if keyAfter := keyShown(); len(keyAfter) != 1 || slices.Equal(keyAfter, keyBefore) {
		t.Errorf("the other process's review still shows the old key: %v, before %v", keyAfter, keyBefore)
	}

	// A question nobody should lose points for: dropped.
	os.WriteFile(quizFile, []byte(strings.Replace(fixed, "## Count it {#count}", "## Count it {#count} {dropped}", 1)), 0o644)
	if err := ts.Library.Reload(); err != nil {
		t.Fatal(err)
	}
	// This time through the trainer's pages: the preview, then the button.
	pagePath := fmt.Sprintf("/sessions/%d/quizzes/01-m/regrade", qw.sessionID)
	if res, _ := getWith(t, ts.browser(t, qw.world.coordA), ts.URL+pagePath); res.StatusCode != 403 {
		t.Errorf("coordinator's regrade page: %d", res.StatusCode)
	}
	trainer := ts.browser(t, qw.world.trainer)
	_, html := getWith(t, trainer, ts.URL+pagePath)
	m := regexp.MustCompile(`name="confirm" value="([0-9a-f]+)"`).FindStringSubmatch(html)
	if m == nil || !strings.Contains(html, "Officer Alpha-Marker") {
		t.Fatalf("regrade page: %s", html)
	}
	if !strings.Contains(html, "Question 3") || !strings.Contains(html, "dropped (counts for nobody)") {
		t.Errorf("the regrade page does not say which question changed how")
	}
	res, html = activate(t, ts, trainer, pagePath, url.Values{"confirm": {m[1]}})
	if res.StatusCode != 422 || !strings.Contains(html, `id="reason-error"`) {
		t.Errorf("applying from the page without a reason: %d", res.StatusCode)
	}
	res, _ = activate(t, ts, trainer, pagePath, url.Values{"confirm": {m[1]}, "reason": {"Count question ambiguous: dropped"}})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "Regraded") {
		t.Errorf("apply from the page: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ats, _ := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", nil)
	for _, at := range ats {
		if at.MaxScore != 2 {
			t.Errorf("dropped question still counts: attempt %d max %v", at.ID, at.MaxScore)
		}
	}

	// 17:00: closing the day issues the certificate that became due, to A only.
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); body != "{\"issued\":1}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	certs, _ := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{SessionID: &qw.sessionID})
	if len(certs) != 1 || certs[0].UserID != qw.officerAID {
		t.Errorf("certificates: %+v", certs)
	}
	// The officer's review shows the corrected key.
	_, list := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes", qw.sessionID), nil)
	id := decode[[]struct{ Attempts []struct{ ID int64 } }](t, list)[0].Attempts[0].ID
	if _, body := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", id), nil); !strings.Contains(body, `"score":2`) {
		t.Errorf("officer A's attempt after the regrade: %s", body)
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&qw.sessionID, 200)
	count := map[string]int{}
	for _, e := range events {
		count[e.Action]++
	}
	// The log says who regraded, which questions changed how, and why.
	for _, e := range events {
		if e.Action == "quiz.regrade" && !strings.Contains(e.After, `"reason":"Q1 key had the wrong box ticked"`) && !strings.Contains(e.After, `"reason":"Count question ambiguous: dropped"`) {
			t.Errorf("quiz.regrade without its reason: %s", e.After)
		}
		if e.Action == "quiz.regrade" && !strings.Contains(e.After, `"questions":{"pick":["key"]}`) && !strings.Contains(e.After, `"questions":{"count":["dropped"]}`) {
			t.Errorf("quiz.regrade without its questions: %s", e.After)
		}
	}
	// The trainer reads the same story on the session's history page.
	history := fmt.Sprintf("%s/sessions/%d/audit", ts.URL, qw.sessionID)
	res, html = getWith(t, trainer, history)
	for _, want := range []string{"History of this session", "Result regraded", "Day closed, certificates issued", "attempt.regrade", "Officer Alpha-Marker", `<span class="mono" translate="no">passed</span>: <span dir="auto" translate="no">false</span> → <span dir="auto" translate="no">true</span>`, `Reason: <span dir="auto" translate="no">Q1 key had the wrong box ticked`, `{&#34;pick&#34;:[&#34;key&#34;]}`, "session.close",
		// the day's status as the reader calls it, its code beside it
		`<span class="mono" translate="no">status</span>: <span dir="auto">Closed</span> <span class="meta mono" translate="no">closed</span>`} {
		if res.StatusCode != 200 || !strings.Contains(html, want) {
			t.Errorf("the session's history (%d) lacks %q", res.StatusCode, want)
		}
	}
	for _, who := range []credentials{qw.world.coordA, qw.world.officerA} {
		if res, _ := getWith(t, ts.browser(t, who), history); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("%s reading the session's history: %d", who.Email, res.StatusCode)
		}
		if res, _ := ts.api(t, ts.token(t, who), "GET", fmt.Sprintf("/api/v1/audit?session_id=%d", qw.sessionID), nil); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("%s reading the session's audit API: %d", who.Email, res.StatusCode)
		}
	}
	if res, _ := ts.api(t, qw.trainerTok, "GET", "/api/v1/audit", nil); res.StatusCode != 403 {
		t.Errorf("a trainer reading the whole audit log: %d", res.StatusCode)
	}
	if count["attempt.regrade"] < 2 || count["quiz.regrade"] != 2 || count["session.close"] != 1 {
		t.Errorf("audit: %v", count)
	}
}

// editableQuizServer serves the shipped courses and a copy of the fixture
// course whose quiz file a test may edit, as a trainer fixing a key would.
func editableQuizServer(t *testing.T) (*testServer, string) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, courses.FS); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "secret"), os.DirFS("testdata/courses/secret")); err != nil {
		t.Fatal(err)
	}
	return startServer(t, os.DirFS(dir)), filepath.Join(dir, "secret", "01-m.quiz.md")
}

// flipPickKey swaps the right and the wrong choice of the fixture's "pick"
// question in the Markdown, reloads the course and returns the new source.
func flipPickKey(t *testing.T, ts *testServer, quizFile string) string {
	t.Helper()
	src, err := os.ReadFile(quizFile)
	if err != nil {
		t.Fatal(err)
	}
	flipped := strings.NewReplacer("- [ ] WRONG-CHOICE-a41", "- [x] WRONG-CHOICE-a41", "- [x] CORRECT-CHOICE-7f3", "- [ ] CORRECT-CHOICE-7f3",
		"- [x] WRONG-CHOICE-a41", "- [ ] WRONG-CHOICE-a41", "- [ ] CORRECT-CHOICE-7f3", "- [x] CORRECT-CHOICE-7f3").Replace(string(src))
	if flipped == string(src) {
		t.Fatalf("fixture changed: %s", src)
	}
	if err := os.WriteFile(quizFile, []byte(flipped), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ts.Library.Reload(); err != nil {
		t.Fatal(err)
	}
	return flipped
}

// A regrade after the day was closed: an officer who now fails keeps the
// certificate until a trainer revokes it, so the preview names it, and the
// session page revokes it with a reason; the re-close issues what became due.
func TestRegrade_AfterTheCloseNamesCertificates(t *testing.T) {
	ts, quizFile := editableQuizServer(t)
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)  // 3/3 with the key as it is
	qw.passQuiz(t, qw.officerB, false) // 2/3
	officerB := qw.idOf(t, qw.world.officerB)
	for _, id := range []int64{qw.officerAID, officerB} {
		ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, id), map[string]string{"status": "present"})
	}
	if _, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); body != "{\"issued\":1}\n" {
		t.Fatalf("close: %s", body)
	}
	certs, _ := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{SessionID: &qw.sessionID})
	if len(certs) != 1 || certs[0].UserID != qw.officerAID {
		t.Fatalf("certificates: %+v", certs)
	}
	serialA := certs[0].Serial

	// The next morning the key turns out to be the other way round.
	flipPickKey(t, ts, quizFile)
	trainer := ts.browser(t, qw.world.trainer)
	pagePath := fmt.Sprintf("/sessions/%d/quizzes/01-m/regrade", qw.sessionID)
	_, html := getWith(t, trainer, ts.URL+pagePath)
	if !strings.Contains(html, "Holds certificate "+serialA) || strings.Count(html, "Holds certificate") != 1 {
		t.Errorf("the preview does not name A's certificate (and only it)")
	}
	m := regexp.MustCompile(`name="confirm" value="([0-9a-f]+)"`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no confirm form")
	}
	res, _ := activate(t, ts, trainer, pagePath, url.Values{"confirm": {m[1]}, "reason": {"Key of pick reversed"}})
	if res.StatusCode != 303 {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	// The message after applying sends the trainer to the certificate that no longer stands.
	if msg, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(msg, "Regraded: 2 results changed, 1 now pass, 1 now fail. 1 officer who now fails holds a certificate: revoke it on the session page") {
		t.Errorf("message after the regrade: %s", msg)
	}
	if passedOf(t, qw, qw.officerAID) || !passedOf(t, qw, officerB) {
		t.Fatalf("the regrade did not swap the verdicts")
	}
	verify := func() string {
		_, body := getWith(t, nil, ts.URL+"/verify/"+serialA+".json")
		return body
	}
	if !strings.Contains(verify(), `"status":"valid"`) {
		t.Errorf("a regrade revoked a certificate by itself: %s", verify())
	}

	// The trainer revokes it from the session page, which flags it.
	revoke := fmt.Sprintf("/sessions/%d/certificates/%s/revoke", qw.sessionID, serialA)
	_, page := getWith(t, trainer, fmt.Sprintf("%s/sessions/%d", ts.URL, qw.sessionID))
	if !strings.Contains(page, `action="`+revoke+`"`) {
		t.Errorf("the session page offers no revoke form")
	}
	if strings.Count(page, "No longer meets the requirements") != 1 {
		t.Errorf("the session page does not flag (only) A's certificate as no longer standing")
	}
	if !strings.Contains(page, fmt.Sprintf(`href="/sessions/%d/quizzes">Quizzes</a>`, qw.sessionID)) {
		t.Errorf("the trainer's session page does not link to the quizzes (close, regrade, paper)")
	}
	if _, page := getWith(t, ts.browser(t, qw.coordA), fmt.Sprintf("%s/sessions/%d", ts.URL, qw.sessionID)); strings.Contains(page, "/revoke") {
		t.Errorf("a coordinator is offered a revoke form")
	}
	if res, body := activate(t, ts, trainer, revoke, url.Values{"reason": {" "}}); res.StatusCode != 422 || !strings.Contains(body, "reason") {
		t.Errorf("revoking without a reason: %d", res.StatusCode)
	}
	if res, _ := activate(t, ts, ts.browser(t, qw.coordA), revoke, url.Values{"reason": {"no"}}); res.StatusCode != 403 {
		t.Errorf("a coordinator revoking: %d", res.StatusCode)
	}
	other := qw.world.createSession(t, 10, map[string]any{"course": "secret"})
	if res, _ := activate(t, ts, trainer, fmt.Sprintf("/sessions/%d/certificates/%s/revoke", other.ID, serialA), url.Values{"reason": {"wrong page"}}); res.StatusCode != 404 {
		t.Errorf("revoking through another session's URL: %d", res.StatusCode)
	}
	if !strings.Contains(verify(), `"status":"valid"`) {
		t.Fatalf("a refused revocation changed the certificate: %s", verify())
	}
	if res, _ := activate(t, ts, trainer, revoke, url.Values{"reason": {"Failed after the key of pick was corrected"}}); res.StatusCode != 303 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if v := verify(); !strings.Contains(v, `"status":"revoked"`) || !strings.Contains(v, "Failed after the key of pick was corrected") {
		t.Errorf("verify after the revocation: %s", v)
	}
	if _, page := getWith(t, trainer, fmt.Sprintf("%s/sessions/%d", ts.URL, qw.sessionID)); strings.Contains(page, "No longer meets the requirements") {
		t.Errorf("a revoked certificate is still flagged")
	}
	// Closing again issues B's certificate, which became due.
	if _, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); body != "{\"issued\":1}\n" {
		t.Errorf("re-close: %s", body)
	}
}

// passedOf reads an officer's last stored attempt at the fixture quiz.
func passedOf(t *testing.T, qw *quizWorld, userID int64) bool {
	ats := attemptsOf(t, qw, userID)
	return ats[len(ats)-1].Passed
}

// attemptsOf reads an officer's stored attempts at the fixture quiz.
func attemptsOf(t *testing.T, qw *quizWorld, userID int64) []store.Attempt {
	t.Helper()
	ats, err := qw.ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &userID)
	if err != nil || len(ats) == 0 {
		t.Fatalf("attempts of %d: %v", userID, err)
	}
	return ats
}

// Paper results count once, for the certificate, and are marked as entered by
// the trainer.
func TestPaperResults(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	paper := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/paper", qw.sessionID)
	officerB := qw.idOf(t, qw.world.officerB)
	// The trainer says why, every time (the audit log keeps it).
	enter := func(body map[string]any) (*http.Response, string) {
		t.Helper()
		if _, ok := body["reason"]; !ok {
			body["reason"] = "no phones in room B"
		}
		return ts.api(t, qw.trainerTok, "POST", paper, body)
	}
	// Neither or both of answers and score; too high a score; not enrolled; not the trainer.
	for _, bad := range []map[string]any{{"user_id": officerB}, {"user_id": officerB, "score": 9}, {"user_id": officerB, "score": 1, "answers": map[string]any{"count": map[string]any{"number": 1}}}, {"user_id": officerB, "answers": map[string]any{"nope": map[string]any{"number": 1}}}} {
		if res, body := enter(bad); res.StatusCode != 422 {
			t.Errorf("%v: %d %s", bad, res.StatusCode, body)
		}
	}
	if res, _ := enter(map[string]any{"user_id": qw.coordAID, "score": 1}); res.StatusCode != 404 {
		t.Errorf("paper result for someone not enrolled: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, ts.token(t, qw.coordB), "POST", paper, map[string]any{"user_id": officerB, "score": 3, "reason": "r"}); res.StatusCode != 403 {
		t.Errorf("coordinator entering a paper result: %d", res.StatusCode)
	}
	// Without a reason, and with a wrong mark too: both said at once, nothing stored.
	res, body := enter(map[string]any{"user_id": officerB, "reason": " ", "sheet": map[string]any{"version": 1, "answers": map[string]string{"1": "Z", "2": "Z", "3": "Z"}}})
	if res.StatusCode != 422 || !strings.Contains(body, `"field":"reason"`) || !strings.Contains(body, `"field":"sheet.answers.`) {
		t.Errorf("no reason and a wrong mark: %d %s", res.StatusCode, body)
	}
	if ats, _ := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &officerB); len(ats) != 0 {
		t.Fatalf("a refused paper result was stored: %+v", ats)
	}
	// A failing sheet first, then corrected: one paper attempt, the last one counts.
	if res, body := enter(map[string]any{"user_id": officerB, "score": 1}); res.StatusCode != 200 || !strings.Contains(body, `"passed":false`) {
		t.Fatalf("paper score: %d %s", res.StatusCode, body)
	}
	// A total only says nothing per question: no item scores, or the
	// programme's facility would count every question wrong.
	if ats, _ := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &officerB); len(ats) != 1 {
		t.Fatalf("paper score: %d attempts", len(ats))
	} else if sc, err := ts.DB.Read(context.Background()).ItemScores(ats[0].ID); err != nil || len(sc) != 0 {
		t.Errorf("a total entered from paper has item scores %v, %v", sc, err)
	}
	sheet := map[string]any{"user_id": officerB, "reason": "sheet re-marked", "answers": map[string]any{
		"type": map[string]any{"text": "SHORT-ANSWER-2b8"}, "count": map[string]any{"number": 4242}, "pick": map[string]any{"choices": []string{}}}}
	res, body = enter(sheet)
	if res.StatusCode != 200 || !strings.Contains(body, `"score":2`) {
		t.Fatalf("paper answers: %d %s", res.StatusCode, body)
	}
	// The printed sheet, read back by version, question number and letter:
	// version 2's order, with the right letter wherever the shuffle put it.
	marks, pickN := paperMarks(t, 2)
	for n, m := range marks { // as a trainer may type them
		marks[n] = " " + strings.ToLower(m) + " "
	}
	for _, bad := range []map[string]any{{"version": 0, "answers": map[string]string{"1": "B"}}, {"version": 1, "answers": map[string]string{"4": "B"}}, {"version": 1, "answers": map[string]string{"x": "B"}},
		{"version": 100, "answers": map[string]string{"1": "B"}}, {"version": 1, "answers": map[string]string{"1": "C", "2": "C", "3": "C"}}} {
		if res, body := enter(map[string]any{"user_id": officerB, "sheet": bad}); res.StatusCode != 422 {
			t.Errorf("sheet %v: %d %s", bad, res.StatusCode, body)
		}
	}
	if res, body := enter(map[string]any{"user_id": officerB, "sheet": map[string]any{"version": 2, "answers": map[string]string{pickN: "A B"}}}); res.StatusCode != 422 || !strings.Contains(body, "takes one letter") {
		t.Errorf("two letters for a single choice: %d %s", res.StatusCode, body)
	}
	marked := map[string]any{"version": 2, "answers": marks}
	if res, body := enter(map[string]any{"user_id": officerB, "sheet": marked}); res.StatusCode != 200 || !strings.Contains(body, `"score":3`) {
		t.Fatalf("paper sheet: %d %s", res.StatusCode, body)
	}
	res, body = enter(sheet)
	if res.StatusCode != 200 || !strings.Contains(body, `"score":2`) {
		t.Fatalf("paper answers again: %d %s", res.StatusCode, body)
	}
	ats, _ := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &officerB)
	if len(ats) != 1 || ats[0].EnteredBy == nil {
		t.Fatalf("paper attempts: %+v", ats)
	}
	// A paper sheet is not reopened online: it is entered again.
	reopen := fmt.Sprintf("/api/v1/attempts/%d/reopen", ats[0].ID)
	if res, body := ts.api(t, qw.trainerTok, "POST", reopen, map[string]any{"reason": "phone found", "minutes": 10}); res.StatusCode != 409 || !strings.Contains(body, "paper") {
		t.Errorf("reopening a paper attempt: %d %s", res.StatusCode, body)
	}
	// Counted for the certificate: 2 of 3 is below the pass mark; the sheet is
	// marked again as 3 of 3, which passes, and the close issues the certificate.
	if res, body := enter(map[string]any{"user_id": officerB, "score": 3}); res.StatusCode != 200 || !strings.Contains(body, `"passed":true`) {
		t.Fatalf("paper pass: %d %s", res.StatusCode, body)
	}
	ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, officerB), map[string]string{"status": "present"})
	if _, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); body != "{\"issued\":1}\n" {
		t.Errorf("close after a paper pass: %s", body)
	}
	if ats, _ := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &officerB); len(ats) != 1 {
		t.Errorf("entering again added attempts: %d", len(ats))
	}
	_, csv := ts.api(t, qw.trainerTok, "GET", fmt.Sprintf("/api/v1/sessions/%d/results.csv", qw.sessionID), nil)
	if !strings.Contains(csv, "submitted") {
		t.Errorf("results.csv: %s", csv)
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&qw.sessionID, 100)
	n := 0
	for _, e := range events {
		if e.Action == "attempt.paper" && e.ActorID != nil {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d paper audit events, want 5", n)
	}
}

// The fix made it worse: a regrade chooses a stored earlier version of the
// course to score against, previewed and applied like the current one.
func TestRegrade_AgainstAnEarlierVersion(t *testing.T) {
	ts, quizFile := editableQuizServer(t)
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)  // right with the original key
	qw.passQuiz(t, qw.officerB, false) // wrong with it
	officerB := qw.idOf(t, qw.world.officerB)
	regrade := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/regrade", qw.sessionID)
	_, body := ts.api(t, qw.trainerTok, "POST", regrade, nil)
	original := decode[attempt.Regrade](t, body)
	if original.Changed != 0 || original.Version == "" {
		t.Fatalf("a preview against the version served: %s", body)
	}

	// A wrong "fix" is applied...
	flipPickKey(t, ts, quizFile)
	_, body = ts.api(t, qw.trainerTok, "POST", regrade, nil)
	wrong := decode[attempt.Regrade](t, body)
	if wrong.Version == original.Version {
		t.Fatalf("the edited course has the same version")
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", regrade, map[string]string{"confirm": wrong.ContentHash, "reason": "key looked reversed"}); res.StatusCode != 200 {
		t.Fatalf("apply: %d %s", res.StatusCode, body)
	}
	if passedOf(t, qw, qw.officerAID) || !passedOf(t, qw, officerB) {
		t.Fatalf("the wrong fix was not applied")
	}

	// ...and undone by regrading against the version from before it.
	for _, bad := range []string{"not-a-version", strings.Repeat("0", 64)} {
		if res, body := ts.api(t, qw.trainerTok, "POST", regrade, map[string]string{"version": bad}); res.StatusCode != 422 || !strings.Contains(body, `"version"`) {
			t.Errorf("version %q: %d %s", bad, res.StatusCode, body)
		}
	}
	trainer := ts.browser(t, qw.world.trainer)
	pagePath := fmt.Sprintf("/sessions/%d/quizzes/01-m/regrade", qw.sessionID)
	_, html := getWith(t, trainer, ts.URL+pagePath)
	if strings.Count(html[strings.Index(html, "<main"):], "<option ") != 2 || !strings.Contains(html, `value="`+original.Version+`"`) || !strings.Contains(html, "as served now") {
		t.Errorf("the regrade page does not offer both stored versions")
	}
	_, html = getWith(t, trainer, ts.URL+pagePath+"?version=nope")
	if !strings.Contains(html, "no stored version") {
		t.Errorf("an unknown version in the URL is not explained")
	}
	_, html = getWith(t, trainer, ts.URL+pagePath+"?version="+original.Version)
	if !strings.Contains(html, `name="version" value="`+original.Version+`"`) || !strings.Contains(html, "now passes") || !strings.Contains(html, "now fails") {
		t.Fatalf("the preview against the earlier version: %s", html)
	}
	m := regexp.MustCompile(`name="confirm" value="([0-9a-f]+)"`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no confirm form")
	}
	if res, _ := activate(t, ts, trainer, pagePath, url.Values{"version": {original.Version}, "confirm": {m[1]}, "reason": {"the key was right: back to this morning's version"}}); res.StatusCode != 303 {
		t.Fatalf("apply the earlier version: %d", res.StatusCode)
	}
	if !passedOf(t, qw, qw.officerAID) || passedOf(t, qw, officerB) {
		t.Errorf("the earlier version's key was not applied")
	}
	events, _ := ts.DB.Read(context.Background()).AuditEvents(&qw.sessionID, 50)
	if e := events[0]; e.Action != "quiz.regrade" || !strings.Contains(e.After, `"course_version":"`+original.Version+`"`) {
		t.Errorf("the audit does not say which version was applied: %s %s", e.Action, e.After)
	}
}

// An attempt still being answered when the key is fixed ends scored with the
// fixed key (found walking the day: it used to keep the key it started with).
func TestRegrade_OpenAttemptEndsWithTheFixedKey(t *testing.T) {
	ts, quizFile := editableQuizServer(t)
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	v := qw.start(t, qw.officerA)
	for path, answer := range map[string]any{"pick": map[string]any{"choices": []string{choiceID(v, "pick", "WRONG")}},
		"type": map[string]any{"text": "SHORT-ANSWER-2b8"}, "count": map[string]any{"number": 4242}} {
		if res, body := ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", v.ID, path), answer); res.StatusCode != 200 {
			t.Fatalf("save %s: %d %s", path, res.StatusCode, body)
		}
	}
	flipPickKey(t, ts, quizFile) // "WRONG" is the right choice after all
	regrade := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/regrade", qw.sessionID)
	_, body := ts.api(t, qw.trainerTok, "POST", regrade, nil)
	preview := decode[attempt.Regrade](t, body)
	if preview.Open != 1 || len(preview.Questions) != 1 {
		t.Errorf("the preview does not count the open attempt or its changed question: %s", body)
	}
	trainer := ts.browser(t, qw.world.trainer)
	pagePath := fmt.Sprintf("%s/sessions/%d/quizzes/01-m/regrade", ts.URL, qw.sessionID)
	if _, html := getWith(t, trainer, pagePath); !strings.Contains(html, "1 attempt still in progress") || !strings.Contains(html, `name="confirm"`) {
		t.Errorf("the regrade page does not offer to give the open attempt the fixed key")
	}
	res, body := ts.api(t, qw.trainerTok, "POST", regrade, map[string]string{"confirm": preview.ContentHash, "reason": "key reversed"})
	if applied := decode[attempt.Regrade](t, body); res.StatusCode != 200 || applied.Open != 1 {
		t.Fatalf("apply with an attempt open: %d %s", res.StatusCode, body)
	}
	if res, body := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 || !strings.Contains(body, `"score":3`) {
		t.Errorf("submitted after the fix: %d %s, want 3 of 3 with the fixed key", res.StatusCode, body)
	}
	// A second regrade finds nothing left to change, and offers nothing to apply.
	if _, body := ts.api(t, qw.trainerTok, "POST", regrade, nil); decode[attempt.Regrade](t, body).Changed != 0 || len(decode[attempt.Regrade](t, body).Questions) != 0 {
		t.Errorf("a regrade after the submission still finds changes: %s", body)
	}
	if _, html := getWith(t, trainer, pagePath); !strings.Contains(html, "Nothing to apply") || strings.Contains(html, `name="confirm"`) {
		t.Errorf("the regrade page offers to apply nothing")
	}
}
