package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/quiz"
)

// quizWorld is a session of the secret-keeping fixture course (answer keys carry
// markers) on 3 Dec 2026, 09:00–17:00 Paris, with officers A and B enrolled.
type quizWorld struct {
	*world
	sessionID  int64
	officerA   string // tokens
	officerB   string
	trainerTok string
	day        time.Time
}

func newQuizWorld(t *testing.T) *quizWorld { return newQuizWorldOn(t, newWorldWith(t, bothCourses(t))) }

// newQuizWorldOn sets the quiz day up in a world already peopled; its server
// must serve bothCourses.
func newQuizWorldOn(t *testing.T, w *world) *quizWorld {
	w.ts.fixClock(weekBefore)
	s := w.createSession(t, 10, map[string]any{"course": "secret"})
	qw := &quizWorld{world: w, sessionID: s.ID, trainerTok: w.ts.token(t, w.trainer), day: s.StartsAt}
	for _, id := range []int64{w.officerAID, w.idOf(t, w.officerB)} {
		extra := 0
		if id == w.officerAID {
			extra = 50
		}
		if res, body := w.ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": id, "extra_time_percent": extra}); res.StatusCode != 201 {
			t.Fatalf("enrol: %s", body)
		}
	}
	qw.officerA, qw.officerB = w.ts.token(t, w.officerA), w.ts.token(t, w.officerB)
	return qw
}

func (qw *quizWorld) at(d time.Duration) { qw.ts.fixClock(qw.day.Add(d)) }

func (qw *quizWorld) start(t *testing.T, token string) attempt.View {
	t.Helper()
	res, body := qw.ts.api(t, token, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID), nil)
	if res.StatusCode != 201 && res.StatusCode != 200 {
		t.Fatalf("start: %d %s", res.StatusCode, body)
	}
	assertNoKeys(t, "start", body)
	return decode[attempt.View](t, body)
}

// assertNoKeys fails if an officer-facing body holds any part of the answer key.
func assertNoKeys(t *testing.T, what, body string) {
	t.Helper()
	for _, secret := range []string{"EXPLANATION-", "SHORT-ANSWER-2b8", `"number":4242`, `"correct"`, "accepted", "tolerance", "explanation_html", "correct_choices"} {
		if strings.Contains(body, secret) {
			t.Errorf("%s reveals %q: %s", what, secret, body)
		}
	}
}

func choiceID(v attempt.View, qid, text string) string {
	for _, q := range v.Questions {
		if q.ID == qid {
			for _, c := range q.Choices {
				if strings.Contains(string(c.TextHTML), text) {
					return c.ID
				}
			}
		}
	}
	return ""
}

func TestAttempts_FullLifecycle(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	// Before the session starts, no quiz.
	qw.at(-time.Minute)
	if res, _ := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID), nil); res.StatusCode != 409 {
		t.Errorf("before the start: %d", res.StatusCode)
	}
	qw.at(time.Hour)
	res, body := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes", qw.sessionID), nil)
	if res.StatusCode != 200 || !strings.Contains(body, `"time_limit_seconds":600`) || !strings.Contains(body, `"attempts_allowed":1`) {
		t.Errorf("quiz list: %d %s", res.StatusCode, body)
	}
	assertNoKeys(t, "quiz list", body)

	v := qw.start(t, qw.officerA)
	// 10 minutes + 50 % extra time.
	if !v.Deadline.Equal(qw.day.Add(time.Hour+15*time.Minute)) || v.ContentHash == "" || len(v.Questions) != 3 {
		t.Errorf("attempt = deadline %v, hash %q, %d questions", v.Deadline, v.ContentHash, len(v.Questions))
	}
	// A second start returns the open attempt.
	if again := qw.start(t, qw.officerA); again.ID != v.ID {
		t.Errorf("second start opened attempt %d, want %d", again.ID, v.ID)
	}
	right := choiceID(v, "pick", "CORRECT-CHOICE")
	save := func(token, qid string, body any) (int, string) {
		res, out := ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", v.ID, qid), body)
		assertNoKeys(t, "save", out)
		return res.StatusCode, out
	}
	if st, out := save(qw.officerA, "pick", map[string]any{"choices": []string{right}, "seq": 2}); st != 200 || !strings.Contains(out, `"revision":1`) {
		t.Fatalf("save: %d %s", st, out)
	}
	// A stale save (lower seq) is acknowledged with the stored answer.
	wrong := choiceID(v, "pick", "WRONG-CHOICE")
	if st, out := save(qw.officerA, "pick", map[string]any{"choices": []string{wrong}, "seq": 1}); st != 200 || !strings.Contains(out, right) || !strings.Contains(out, `"seq":2`) {
		t.Errorf("stale save: %d %s", st, out)
	}
	// The same save again is idempotent.
	if st, out := save(qw.officerA, "pick", map[string]any{"choices": []string{right}, "seq": 2}); st != 200 || !strings.Contains(out, `"revision":1`) {
		t.Errorf("repeated save: %d %s", st, out)
	}
	for name, c := range map[string]struct {
		qid  string
		body any
		want int
	}{
		"unknown question": {"nope", map[string]any{"text": "x"}, 422},
		"wrong shape":      {"count", map[string]any{"text": "x"}, 422},
		"two choices":      {"pick", map[string]any{"choices": []string{right, wrong}}, 422},
		"unknown choice":   {"pick", map[string]any{"choices": []string{"zzz"}}, 422},
		"malformed":        {"type", `{"text": `, 400},
	} {
		if st, out := save(qw.officerA, c.qid, c.body); st != c.want {
			t.Errorf("%s: %d %s", name, st, out)
		}
	}
	// Someone else's attempt is not found, for reading and writing.
	if st, _ := save(qw.officerB, "pick", map[string]any{"choices": []string{right}}); st != 404 {
		t.Errorf("officer B saving A's answer: %d", st)
	}
	if res, _ := ts.api(t, qw.officerB, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil); res.StatusCode != 404 {
		t.Errorf("officer B reading A's attempt: %d", res.StatusCode)
	}
	save(qw.officerA, "type", map[string]any{"text": "  short-answer-2B8 ", "seq": 1})
	if res, _ := ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/count", v.ID), map[string]any{"number": 4242.0, "seq": 1}); res.StatusCode != 200 {
		t.Errorf("numeric save: %d", res.StatusCode)
	}

	res, body = ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil)
	r := decode[quiz.Result](t, body)
	if res.StatusCode != 200 || r.Score != 3 || r.MaxScore != 3 || r.Percent != 100 || !r.Passed {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	if _, again := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); again != body {
		t.Errorf("second submit: %s, first %s", again, body)
	}
	if st, _ := save(qw.officerA, "pick", map[string]any{"choices": []string{wrong}, "seq": 9}); st != 409 {
		t.Errorf("saving after submit: %d", st)
	}
	// Review follows the policy: after_close by default, so nothing yet.
	_, body = ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil)
	assertNoKeys(t, "submitted attempt", strings.ReplaceAll(body, `"answer":{"number":4242}`, ""))
	if !strings.Contains(body, "when the trainer closes the quiz or the session") || !strings.Contains(body, `"review_policy":"after_close"`) {
		t.Errorf("no review note: %s", body)
	}
	// The result page says so in its reader's language.
	if _, page := getIn(t, ts.browser(t, qw.world.officerA), fmt.Sprintf("%s/attempts/%d", ts.URL, v.ID), "fr"); !strings.Contains(page, "quand le formateur ferme le questionnaire ou clôt la journée") {
		t.Errorf("the result page in French has no French review note")
	}
	// The trainer sees the review.
	if _, body := ts.api(t, qw.trainerTok, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil); !strings.Contains(body, "EXPLANATION-9c1") {
		t.Errorf("trainer review lacks explanations: %s", body)
	}
	// One attempt allowed.
	if res, _ := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID), nil); res.StatusCode != 409 {
		t.Errorf("beyond the allowed attempts: %d", res.StatusCode)
	}
	// Not enrolled → 404; trainers do not take quizzes.
	stranger := ts.token(t, ts.user(t, "officer", &qw.agencyA.ID, "Stranger"))
	if res, _ := ts.api(t, stranger, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID), nil); res.StatusCode != 404 {
		t.Errorf("not enrolled: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/nope/attempts", qw.sessionID), nil); res.StatusCode != 404 {
		t.Errorf("unknown quiz: %d", res.StatusCode)
	}
}

func TestAttempts_DeadlineFinalisesWithWhatWasSaved(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	v := qw.start(t, qw.officerB) // no extra time: 10 minutes
	if !v.Deadline.Equal(qw.day.Add(time.Hour + 10*time.Minute)) {
		t.Fatalf("deadline %v", v.Deadline)
	}
	ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID), map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}, "seq": 1})
	qw.at(time.Hour + 9*time.Minute + 59*time.Second)
	if res, _ := ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/count", v.ID), map[string]any{"number": 1, "seq": 1}); res.StatusCode != 200 {
		t.Errorf("one second before the deadline: %d", res.StatusCode)
	}
	qw.at(time.Hour + 10*time.Minute)
	res, body := ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/type", v.ID), map[string]any{"text": "SHORT-ANSWER-2b8", "seq": 1})
	if res.StatusCode != 409 {
		t.Errorf("at the deadline: %d %s", res.StatusCode, body)
	}
	_, body = ts.api(t, qw.officerB, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil)
	got := decode[attempt.View](t, body)
	if got.Status != "submitted" || got.Result == nil || got.Result.Score != 1 {
		t.Errorf("after the deadline: %s", body)
	}
	// The sweep finalises attempts nobody comes back to.
	qw.at(2 * time.Hour)
	other := qw.start(t, qw.officerA)
	qw.at(3 * time.Hour)
	if err := ts.Server.attempts.FinaliseOverdue(t.Context()); err != nil {
		t.Fatal(err)
	}
	at, _ := ts.DB.Read(t.Context()).Attempt(other.ID, false)
	if at.Finalised != "deadline" {
		t.Errorf("sweep left attempt %+v", at)
	}
}

func TestAttempts_ConcurrentSavesKeepTheNewest(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	v := qw.start(t, qw.officerA)
	var wg sync.WaitGroup
	for seq := 1; seq <= 40; seq++ {
		wg.Add(1)
		go func(seq int) {
			defer wg.Done()
			res, body := ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/type", v.ID), map[string]any{"text": fmt.Sprintf("answer %d", seq), "seq": seq})
			if res.StatusCode != 200 {
				t.Errorf("seq %d: %d %s", seq, res.StatusCode, body)
			}
		}(seq)
	}
	wg.Wait()
	_, body := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil)
	got := decode[attempt.View](t, body)
	if a := got.Answers["type"]; a.Seq != 40 || a.Answer.Text == nil || *a.Answer.Text != "answer 40" {
		t.Errorf("stored %+v, want seq 40", a)
	}
}

// submitTwo has officer A answer "pick" right and "count", officer B
// "pick" wrong, an hour into the day, and both submit.
func (qw *quizWorld) submitTwo(t *testing.T) (a, b attempt.View) {
	t.Helper()
	ts := qw.ts
	qw.at(time.Hour)
	a = qw.start(t, qw.officerA)
	b = qw.start(t, qw.officerB)
	ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", a.ID), map[string]any{"choices": []string{choiceID(a, "pick", "CORRECT")}})
	ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/count", a.ID), map[string]any{"number": 4242})
	ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", b.ID), map[string]any{"choices": []string{choiceID(b, "pick", "WRONG")}})
	ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), nil)
	ts.api(t, qw.officerB, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", b.ID), nil)
	return a, b
}

func TestResults_AnalysisAndCSV(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.submitTwo(t)

	res, body := ts.api(t, qw.trainerTok, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/analysis", qw.sessionID), nil)
	an := decode[attempt.Analysis](t, body)
	if res.StatusCode != 200 || an.Submitted != 2 || len(an.Items) != 3 || an.Items[0].ID != "pick" || an.Items[0].Facility != 0.5 {
		t.Errorf("analysis: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/analysis", qw.sessionID), nil); res.StatusCode != 403 {
		t.Errorf("officer reading the analysis: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/sessions/%d/results.csv", ts.URL, qw.sessionID), nil)
	req.Header.Set("Authorization", "Bearer "+ts.token(t, qw.coordB))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := new(strings.Builder)
	ioCopy(buf, resp)
	csv := buf.String()
	if resp.StatusCode != 200 || !strings.HasPrefix(csv, "\ufeffname,latin_name,email") || !strings.Contains(csv, "경찰관 브라보") || strings.Contains(csv, "Alpha-Marker") {
		t.Errorf("coordinator B's results CSV: %d\n%s", resp.StatusCode, csv)
	}
	if !strings.Contains(csv, ",submitted,0,3,0,false,") {
		t.Errorf("officer B's row: %s", csv)
	}
}

// TestAttemptPage_NoKeysInHTML renders the quiz pages an officer sees, before and
// after submission, and finds no part of the answer key in them.
func TestAttemptPage_NoKeysInHTML(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	browser := ts.browser(t, qw.world.officerA)
	quizzes := fmt.Sprintf("%s/sessions/%d/quizzes", ts.URL, qw.sessionID)
	res := submitForm(t, browser, quizzes, quizzes+"/01-m/start", url.Values{})
	page := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(page, "/attempts/") {
		t.Fatalf("start from the page: %d %s", res.StatusCode, page)
	}
	check := func(what, body string) {
		for _, secret := range []string{"EXPLANATION-", "SHORT-ANSWER-2b8", "4242", "review-choices", "is-correct", "Accepted answers"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s reveals %q", what, secret)
			}
		}
	}
	_, body := getWith(t, browser, ts.URL+page)
	check("quiz page", body)
	if !strings.Contains(body, `name="q.pick"`) || !strings.Contains(body, `id="timer"`) {
		t.Fatalf("quiz page lacks the form or the timer")
	}
	// The deadline reads on the room's clock, with its offset, not in UTC.
	if !regexp.MustCompile(`until \d\d:\d\d UTC(&#43;|\+)01:00\)`).MatchString(body) {
		i := strings.Index(body, "until")
		t.Errorf("the quiz page's deadline is not in the session's time zone: %q", body[i:i+40])
	}
	// Back on the list, the open attempt is continued, not a new one started.
	_, list := getWith(t, browser, fmt.Sprintf("%s/sessions/%d/quizzes", ts.URL, qw.sessionID))
	if !strings.Contains(list, `href="`+page+`">Continue attempt 1</a>`) || strings.Contains(list, `/quizzes/01-m/start"`) {
		t.Errorf("with an attempt open, the quizzes page should offer 'Continue attempt 1' and no start button")
	}
	_, one := getWith(t, browser, ts.URL+page+"?view=one&q=1")
	check("one-per-screen page", one)
	// Answer without JavaScript: a plain form post of every field, then submit.
	form := url.Values{"csrf_token": {csrfFrom(t, browser, ts.URL+page)}, "action": {"submit"},
		"shown.pick": {"1"}, "shown.type": {"1"}, "shown.count": {"1"}, "q.type": {"Short-Answer-2B8"}, "q.count": {"4242"}}
	if m := regexp.MustCompile(`name="q.pick" value="([0-9a-f]+)"> <span[^>]*><p>CORRECT`).FindStringSubmatch(body); m != nil {
		form.Set("q.pick", m[1])
	} else {
		t.Fatal("cannot find the right choice's id in the page")
	}
	if res := postForm(t, browser, ts.URL+page, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("no-JS submit: %d", res.StatusCode)
	}
	_, body = getWith(t, browser, ts.URL+page)
	check("result page", body)
	if !strings.Contains(body, "3 / 3") || !strings.Contains(body, "100%") {
		t.Errorf("result page does not show 3 / 3")
	}
	// The trainer's results page shows the score and the analysis.
	_, results := getWith(t, ts.browser(t, qw.world.trainer), fmt.Sprintf("%s/sessions/%d/results", ts.URL, qw.sessionID))
	if !strings.Contains(results, "100%") || !strings.Contains(results, "<svg class=\"bars\"") {
		t.Errorf("results page lacks the score or the chart")
	}
}
