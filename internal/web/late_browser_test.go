package web

import (
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/attempt"
)

// TestBrowser_LateAnswersAtTheDeadline: officer B answers one question online,
// then the network is really cut (the relay) in the last seconds of the quiz
// and she answers two more. At 0:00 the page keeps them and says they are
// still only on the device (no reload into an error page, journal kept). The
// network returns after the deadline: the server keeps them as late answers,
// the page says so, then shows the result with them waiting; the trainer sees
// them and accepting them scores them.
func TestBrowser_LateAnswersAtTheDeadline(t *testing.T) {
	path := needChromium(t)
	qw := newQuizWorld(t)
	ts := qw.ts
	// The server's clock runs with real time from an hour into the fixture
	// day; shift jumps it (the page follows through the Date header).
	start, real0 := qw.day.Add(time.Hour), time.Now()
	var shift atomic.Int64
	clock := func() time.Time { return start.Add(time.Since(real0) + time.Duration(shift.Load())) }
	ts.Server.schedule.Now, ts.Server.attempts.Now, ts.Server.certs.Now = clock, clock, clock
	relay := startRelay(t, ts.URL)
	b := newBrowserTab(t, path)
	b.signIn(relay.URL(), qw.world.officerB)
	attemptID, msg := b.startQuiz(relay.URL(), qw.sessionID)
	b.do("pick the right choice", chromedp.Click(chromedp.JSPath(correctRadio)))
	b.waitText("pick saved", "st-pick", msg["saved"])

	// Eight seconds before the deadline (the page is loaded again to know it).
	at, err := ts.DB.Read(t.Context()).Attempt(attemptID, false)
	if err != nil {
		t.Fatal(err)
	}
	shift.Store(int64(at.Deadline.Add(-8 * time.Second).Sub(clock())))
	b.navigate("reload near the deadline", chromedp.Reload())
	relay.Cut()
	b.do("answer offline",
		chromedp.SendKeys(chromedp.ID("in-type"), "SHORT-ANSWER-2b8"),
		chromedp.Blur(chromedp.ID("in-type")),
		chromedp.SendKeys(chromedp.ID("in-count"), "4242"),
		chromedp.Blur(chromedp.ID("in-count")),
	)
	b.waitText("type kept offline", "st-type", msg["offline"])
	b.waitText("time up, two only on the device", "sync-status", strings.ReplaceAll(msg["timeUpPending"], "{n}", "2"))
	journal := tabRun(b, "read the journal", chromedp.Evaluate[string](fmt.Sprintf(`localStorage.getItem("lectern.attempt.%d") || ""`, attemptID)))
	if !strings.Contains(journal, "SHORT-ANSWER-2b8") || !strings.Contains(journal, "4242") {
		t.Fatalf("the journal lost answers at the deadline: %q", journal)
	}
	b.do("stay offline past the deadline", chromedp.Sleep(1500*time.Millisecond))
	if p := tabRun(b, "where", chromedp.Evaluate[string](`location.pathname + " " + !!document.getElementById("quiz-form")`)); p != fmt.Sprintf("/attempts/%d true", attemptID) {
		t.Fatalf("the page left the quiz at the deadline: %s", p)
	}
	if got := storedAnswers(t, ts, attemptID); len(got) != 1 {
		t.Fatalf("offline answers reached the server: %+v", got)
	}

	// The network returns after the deadline.
	relay.Restore()
	b.waitText("type arrived late", "st-type", msg["late"])
	b.waitText("count arrived late", "st-count", msg["late"])
	b.pollAcross("the result page, with the late answers waiting", `!!document.querySelector(".result .notice") && !document.getElementById("quiz-form")`)
	note := tabRun(b, "read the note", chromedp.Text(chromedp.CSS(".result .notice")))
	score := tabRun(b, "read the score", chromedp.Text(chromedp.CSS(".score")))
	if !strings.Contains(note, "arrived after the time was up") || !strings.Contains(score, "1 / 3") {
		t.Errorf("result page: %q, %q", score, note)
	}
	if left := tabRun(b, "read the journal", chromedp.Evaluate[*string](fmt.Sprintf(`localStorage.getItem("lectern.attempt.%d")`, attemptID))); left != nil {
		t.Errorf("journal left behind once everything was settled: %s", *left)
	}
	res, body := ts.api(t, qw.officerB, "GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), nil)
	v := decode[attempt.View](t, body)
	if res.StatusCode != 200 || v.Status != "submitted" || len(v.LateAnswers) != 2 || v.Result.Score != 1 {
		t.Fatalf("the server holds: %s", body)
	}
	for _, l := range v.LateAnswers {
		if !l.AnsweredAt.Before(at.Deadline) || !l.ArrivedAt.After(at.Deadline) {
			t.Errorf("late answer %+v: stated or arrival time wrong (deadline %v)", l, at.Deadline)
		}
	}

	// The trainer sees them and accepts them, from the officers page.
	trainer := ts.browser(t, qw.world.trainer)
	page := fmt.Sprintf("/sessions/%d/quizzes/01-m/officers", qw.sessionID)
	if _, html := getWith(t, trainer, ts.URL+page); strings.Count(html, "waits for you") != 2 {
		t.Fatalf("the officers page does not show the two late answers")
	}
	res, _ = activate(t, ts, trainer, fmt.Sprintf("/sessions/%d/quizzes/01-m/attempts/%d/accept-late", qw.sessionID, attemptID), url.Values{"reason": {"Wi-Fi dropped"}})
	if res.StatusCode != 303 || !strings.Contains(flash(t, res), "100%") {
		t.Fatalf("accepting: %d %q", res.StatusCode, flash(t, res))
	}
	if got := storedAttempts(t, qw, qw.idOf(t, qw.world.officerB)); got[0].Score != 3 {
		t.Errorf("after accepting: %+v", got[0])
	}
}
