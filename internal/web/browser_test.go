package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lectern-platform/lectern/internal/quiz"
)

// Browser tests drive the real quiz page and quiz.js in headless Chromium. They
// need a Chromium binary: under CI=true a missing browser fails the run; on a
// developer's machine the tests skip.

// browserStep bounds every browser step, so a broken page fails instead of hanging.
const browserStep = 20 * time.Second

// chromiumPath finds the browser: Debian's binary (not its noisy wrapper script)
// first, then whatever is on PATH.
func chromiumPath() string {
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
		return "/usr/lib/chromium/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserTab is a test's Chromium tab.
type browserTab struct {
	t   *testing.T
	ctx context.Context
}

// needChromium returns the browser's path, or skips the test (fails it under CI)
// when there is none.
func needChromium(t *testing.T) string {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found: browser tests must run in CI (apt-get install chromium)")
		}
		t.Skip("no Chromium installed")
	}
	return path
}

// newBrowserTab starts a headless Chromium with a fresh profile, closed when
// the test ends; extra options are the browser's own settings (its language).
func newBrowserTab(t *testing.T, path string, extra ...chromedp.ExecAllocatorOption) *browserTab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium's singleton socket and shared-memory files go to TMPDIR;
		// this one is removed with the test.
		chromedp.Env("TMPDIR="+t.TempDir()),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser and binds it to ctx, so it gets no timeout
	// of its own; the start is bounded by a watchdog instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium: %v", err)
		}
	case <-time.After(browserStep):
		cancel()
		t.Fatal("Chromium did not start within the step timeout")
	}
	return &browserTab{t: t, ctx: ctx}
}

// do runs steps with a timeout and fails the test, showing the page, on error.
func (b *browserTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

// tabRun runs one action that returns a value, with a timeout.
func tabRun[T any](b *browserTab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

// navigate runs steps that load a new page (a link, a form post) and returns the
// path it ends on.
func (b *browserTab) navigate(what string, steps ...chromedp.Action[chromedp.Void]) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.fail(what, err)
	}
	if res.Status != http.StatusOK {
		b.fail(what, fmt.Errorf("status %d for %s", res.Status, res.URL))
	}
	return tabRun(b, what, chromedp.Evaluate[string](`location.pathname`))
}

// poll waits until a JavaScript expression is truthy.
func (b *browserTab) poll(what, expr string) {
	b.t.Helper()
	b.do(what, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(browserStep)))
}

// pollAcross waits until a JavaScript expression is truthy, across navigations
// that the page starts by itself (a Poll would end with the old document).
// opts go to each evaluation (chromedp.EvalAwaitPromise for a promise).
func (b *browserTab) pollAcross(what, expr string, opts ...chromedp.EvaluateOption) {
	b.t.Helper()
	deadline := time.Now().Add(browserStep)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr, opts...))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.fail(what, fmt.Errorf("not true within %v: %s (last error: %v)", browserStep, expr, err))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fail stops the test with what the officer sees, to make a failure readable.
func (b *browserTab) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	b.t.Fatalf("%s: %v\npage:\n%s", what, err, text)
}

// tabCall sends one DevTools command to the tab.
func tabCall[P, R any](b *browserTab, what string, cmd cdp.Command[P, R], params P) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	if _, err := chromedp.Call(ctx, cmd, params); err != nil {
		b.fail(what, err)
	}
}

// setOffline cuts or restores the tab's network the way DevTools' "Offline" does:
// every request fails, and navigator.onLine follows (firing offline/online).
func (b *browserTab) setOffline(off bool) {
	b.t.Helper()
	var rules []*network.Conditions // none: no emulation
	if off {
		rules = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
	}
	tabCall(b, "network conditions", network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules})
	tabCall(b, "navigator.onLine", network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
}

// signIn logs in through the login form, as an officer would.
func (b *browserTab) signIn(base string, c credentials) {
	b.t.Helper()
	b.do("open the login page", chromedp.Navigate(base+"/login"))
	if path := b.navigate("sign in",
		chromedp.SendKeys(chromedp.ID("email"), c.Email),
		chromedp.SendKeys(chromedp.ID("password"), c.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
	); path != "/" {
		b.fail("sign in", fmt.Errorf("landed on %s, want /", path))
	}
}

var attemptPath = regexp.MustCompile(`^/attempts/(\d+)$`)

// startQuiz starts the fixture quiz from the session's quiz list and returns the
// attempt id and the page's messages (so checks do not depend on the language).
func (b *browserTab) startQuiz(base string, sessionID int64) (int64, map[string]string) {
	b.t.Helper()
	b.do("open the quiz list", chromedp.Navigate(fmt.Sprintf("%s/sessions/%d/quizzes", base, sessionID)))
	path := b.navigate("start the quiz", chromedp.Click(chromedp.CSS(`form[action$="/quizzes/01-m/start"] button[type=submit]`)))
	m := attemptPath.FindStringSubmatch(path)
	if m == nil {
		b.fail("start the quiz", fmt.Errorf("landed on %s, want /attempts/ID", path))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	raw := tabRun(b, "read the quiz messages", chromedp.Evaluate[string](`document.getElementById("quiz-messages").textContent`))
	var msg map[string]string
	if err := json.Unmarshal([]byte(raw), &msg); err != nil || msg["saved"] == "" {
		b.fail("read the quiz messages", fmt.Errorf("%q: %v", raw, err))
	}
	return id, msg
}

// waitText waits until an element's text content is exactly want.
func (b *browserTab) waitText(what, id, want string) {
	b.t.Helper()
	b.poll(what, fmt.Sprintf(`document.getElementById(%q).textContent === %q`, id, want))
}

// correctRadio selects the radio of pick's correct choice, found by its label
// (choices are shuffled).
const correctRadio = `[...document.querySelectorAll('fieldset[data-question="pick"] label')].find(l => l.textContent.includes("CORRECT-CHOICE-7f3")).querySelector("input[type=radio]")`

// serveWithServerDate serves the same application on a second loopback address
// whose responses carry the test's fixed server time in their Date header.
// quiz.js corrects its countdown from that header; against the real clock, the
// fixture's day (3 December 2026) would be days ahead or, once past, make the
// page declare the time up and reload. observe, if given, sees each request
// first (what a browser sent).
func serveWithServerDate(t *testing.T, ts *testServer, now time.Time, observe ...func(*http.Request)) string {
	t.Helper()
	date := now.UTC().Format(http.TimeFormat)
	hs := ts.Server.HTTPServer()
	app := hs.Handler
	hs.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, o := range observe {
			o(r)
		}
		w.Header().Set("Date", date)
		app.ServeHTTP(w, r)
	})
	return serveLoopback(t, hs)
}

// storedAnswers reads what the server holds for an attempt, straight from the database.
func storedAnswers(t *testing.T, ts *testServer, attemptID int64) map[string]quiz.Answer {
	t.Helper()
	rows, err := ts.DB.Read(t.Context()).Answers(attemptID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]quiz.Answer{}
	for id, row := range rows {
		var a quiz.Answer
		if err := json.Unmarshal(row.Answer, &a); err != nil {
			t.Fatalf("answer %s: %v", id, err)
		}
		out[id] = a
	}
	return out
}

// openQuizInBrowser is the setting of every browser test: the fixture session an
// hour after its start, officer A signed in through the login form in Chromium,
// and her attempt started from the quiz list. It returns the attempt's id and the
// page's messages.
func openQuizInBrowser(t *testing.T) (*quizWorld, *browserTab, int64, map[string]string) {
	t.Helper()
	path := needChromium(t) // before anything slow, so that a skip is quick
	qw := newQuizWorld(t)
	qw.at(time.Hour)
	base := serveWithServerDate(t, qw.ts, qw.day.Add(time.Hour))
	b := newBrowserTab(t, path)
	b.signIn(base, qw.world.officerA)
	attemptID, msg := b.startQuiz(base, qw.sessionID)
	return qw, b, attemptID, msg
}

// TestBrowser_QuizSurvivesNetworkDrop: an officer signs in, answers, loses the
// network, answers more, gets the network back; every answer reaches the server
// before the submission, and the score is right.
func TestBrowser_QuizSurvivesNetworkDrop(t *testing.T) {
	qw, b, attemptID, msg := openQuizInBrowser(t)
	ts := qw.ts

	// Online: a click on the right choice is saved at once.
	b.do("pick the right choice", chromedp.Click(chromedp.JSPath(correctRadio)))
	b.poll("the right choice is checked", correctRadio+".checked")
	b.waitText("pick saved", "st-pick", msg["saved"])
	right := tabRun(b, "read the right choice", chromedp.Evaluate[string](correctRadio+".value"))
	if got := storedAnswers(t, ts, attemptID)["pick"].Choices; len(got) != 1 || got[0] != right {
		t.Fatalf("pick stored as %v, want [%s]", got, right)
	}

	// The network goes. Count the requests that fail because of it, to be sure the
	// page really tried and really could not get through.
	failed := chromedp.Events(b.ctx, network.LoadingFailed) // subscribed from here on
	failures := make(chan string, 16)
	go func() {
		for ev, err := range failed {
			if err != nil {
				return // the test is over
			}
			select {
			case failures <- ev.ErrorText:
			default: // enough seen
			}
		}
	}()
	b.do("watch online/offline events", chromedp.Evaluate[chromedp.Void](`window.netEvents = [];
		addEventListener("online", () => netEvents.push("online"));
		addEventListener("offline", () => netEvents.push("offline"));`))
	b.setOffline(true)
	b.poll("navigator goes offline", `navigator.onLine === false && netEvents.includes("offline")`)

	b.do("type the short answer and the number",
		chromedp.SendKeys(chromedp.ID("in-type"), "SHORT-ANSWER-2b8"),
		chromedp.Blur(chromedp.ID("in-type")),
		chromedp.SendKeys(chromedp.ID("in-count"), "4242"),
		chromedp.Blur(chromedp.ID("in-count")),
	)
	b.waitText("type kept offline", "st-type", msg["offline"])
	b.waitText("count kept offline", "st-count", msg["offline"])
	b.waitText("summary offline", "sync-status", strings.ReplaceAll(msg["offlineN"], "{n}", "2"))
	// The officer stays offline a while, past the page's typing pause and first
	// retry. Both saves must have gone out and failed for want of a network (not
	// been skipped, nor refused by the server). On a loaded machine the events
	// can come late, so the wait ends on both conditions, bounded.
	n, held := 0, false
	hold, timeout := time.After(1500*time.Millisecond), time.After(browserStep)
	for !held || n < 2 {
		select {
		case e := <-failures:
			n++
			if !strings.Contains(e, "INTERNET_DISCONNECTED") {
				t.Errorf("request failed with %q, want an offline error", e)
			}
		case <-hold:
			held = true
		case <-timeout:
			b.fail("saves while offline", fmt.Errorf("saw %d failed requests, want at least 2", n))
		}
	}
	if got := storedAnswers(t, ts, attemptID); len(got) != 1 {
		t.Fatalf("offline answers reached the server: %+v", got)
	}
	journal := tabRun(b, "read the journal", chromedp.Evaluate[string](fmt.Sprintf(`localStorage.getItem("lectern.attempt.%d")`, attemptID)))
	var kept map[string]struct {
		Answer quiz.Answer
		Acked  bool
	}
	if err := json.Unmarshal([]byte(journal), &kept); err != nil {
		t.Fatalf("journal %q: %v", journal, err)
	}
	if e := kept["type"]; e.Acked || e.Answer.Text == nil || *e.Answer.Text != "SHORT-ANSWER-2b8" {
		t.Errorf("journal keeps type as %+v", e)
	}
	if e := kept["count"]; e.Acked || e.Answer.Number == nil || *e.Answer.Number != 4242 {
		t.Errorf("journal keeps count as %+v", e)
	}

	// The network returns: the page hears "online" and sends what it kept.
	b.setOffline(false)
	b.poll("navigator back online", `navigator.onLine === true && netEvents.includes("online")`)
	b.waitText("type saved", "st-type", msg["saved"])
	b.waitText("count saved", "st-count", msg["saved"])
	b.waitText("all saved", "sync-status", msg["allSaved"])
	got := storedAnswers(t, ts, attemptID)
	if a := got["type"]; a.Text == nil || *a.Text != "SHORT-ANSWER-2b8" {
		t.Errorf("type stored as %+v", a)
	}
	if a := got["count"]; a.Number == nil || *a.Number != 4242 {
		t.Errorf("count stored as %+v", a)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Submit through the page's own button.
	if path := b.navigate("submit", chromedp.Click(chromedp.CSS(`button[name="action"][value="submit"]`))); path != fmt.Sprintf("/attempts/%d", attemptID) {
		t.Fatalf("after submitting: %s", path)
	}
	score := tabRun(b, "read the score", chromedp.Text(chromedp.CSS(".score")))
	if !strings.Contains(score, "3 / 3") || !strings.Contains(score, "100%") {
		t.Errorf("score shown: %q", score)
	}
	if left := tabRun(b, "read the journal", chromedp.Evaluate[*string](fmt.Sprintf(`localStorage.getItem("lectern.attempt.%d")`, attemptID))); left != nil {
		t.Errorf("journal left behind after submitting: %s", *left)
	}
	at, err := ts.DB.Read(t.Context()).Attempt(attemptID, false)
	if err != nil {
		t.Fatal(err)
	}
	if at.Finalised != "submitted" || at.Score != 3 || at.MaxScore != 3 || !at.Passed {
		t.Errorf("stored attempt: finalised %q, score %v / %v, passed %v", at.Finalised, at.Score, at.MaxScore, at.Passed)
	}
}

// TestBrowser_QuizSubmitWaitsForTheNetwork: Submit pressed while offline holds
// the submission until the kept answers are saved, then submits by itself.
func TestBrowser_QuizSubmitWaitsForTheNetwork(t *testing.T) {
	qw, b, attemptID, msg := openQuizInBrowser(t)
	ts := qw.ts

	b.do("pick the right choice", chromedp.Click(chromedp.JSPath(correctRadio)))
	b.poll("the right choice is checked", correctRadio+".checked")
	b.waitText("pick saved", "st-pick", msg["saved"])
	b.setOffline(true)
	b.do("type the short answer and the number",
		chromedp.SendKeys(chromedp.ID("in-type"), "SHORT-ANSWER-2b8"),
		chromedp.Blur(chromedp.ID("in-type")),
		chromedp.SendKeys(chromedp.ID("in-count"), "4242"),
		chromedp.Blur(chromedp.ID("in-count")),
	)
	b.waitText("count kept offline", "st-count", msg["offline"])
	b.do("press Submit offline", chromedp.Click(chromedp.CSS(`button[name="action"][value="submit"]`)))
	// Offline, the page stays, keeps the answers and holds the submission.
	b.do("stay offline a while", chromedp.Sleep(1500*time.Millisecond))
	if path := tabRun(b, "read the location", chromedp.Evaluate[string](`location.pathname`)); path != fmt.Sprintf("/attempts/%d", attemptID) {
		t.Fatalf("offline submit left the quiz for %s", path)
	}
	if at, err := ts.DB.Read(t.Context()).Attempt(attemptID, false); err != nil || at.Finalised != "" {
		t.Fatalf("attempt finalised while offline: %+v %v", at, err)
	}

	// Online again, it saves what it kept, then submits.
	b.setOffline(false)
	b.pollAcross("submitted by itself", `document.querySelector(".score")?.textContent.includes("3 / 3") === true`)
	at, err := ts.DB.Read(t.Context()).Attempt(attemptID, false)
	if err != nil {
		t.Fatal(err)
	}
	if at.Finalised != "submitted" || at.Score != 3 {
		t.Errorf("stored attempt: finalised %q, score %v", at.Finalised, at.Score)
	}
}

// TestBrowser_QuizByKeyboardOnly: Tab, arrows, Space and typing are enough to
// answer and save.
func TestBrowser_QuizByKeyboardOnly(t *testing.T) {
	qw, b, attemptID, msg := openQuizInBrowser(t)
	ts := qw.ts

	// tabTo presses Tab until the element matching the selector has the focus, and
	// checks that the focus is visible.
	tabTo := func(what, selector string) {
		t.Helper()
		for range 40 {
			if tabRun(b, "read the focus", chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement.matches(%q)`, selector))) {
				if !tabRun(b, "read the focus ring", chromedp.Evaluate[bool](`document.activeElement.matches(":focus-visible")`)) {
					t.Errorf("%s has the focus but shows no focus ring", what)
				}
				return
			}
			b.do("press Tab", chromedp.KeyEvent(kb.Tab))
		}
		b.fail("tab to "+what, errors.New("never reached"))
	}

	tabTo("a choice of pick", `input[name="q.pick"]`)
	// Tab lands on a radio without choosing it; an arrow moves to the other choice
	// and chooses it; Space chooses the focused one.
	if !tabRun(b, "is the focused choice right?", chromedp.Evaluate[bool](correctRadio+` === document.activeElement`)) {
		b.do("arrow to the right choice", chromedp.KeyEvent(kb.ArrowDown))
	}
	b.do("choose with Space", chromedp.KeyEvent(" "))
	b.poll("the right choice is checked", correctRadio+`.checked`)
	b.waitText("pick saved", "st-pick", msg["saved"])

	tabTo("the short answer", `#in-type`)
	b.do("type the short answer", chromedp.KeyEvent("SHORT-ANSWER-2b8"), chromedp.KeyEvent(kb.Tab))
	b.waitText("type saved", "st-type", msg["saved"])
	b.waitText("all saved", "sync-status", msg["allSaved"])

	got := storedAnswers(t, ts, attemptID)
	right := tabRun(b, "read the right choice", chromedp.Evaluate[string](correctRadio+".value"))
	if a := got["pick"]; len(a.Choices) != 1 || a.Choices[0] != right {
		t.Errorf("pick stored as %+v, want [%s]", a, right)
	}
	if a := got["type"]; a.Text == nil || *a.Text != "SHORT-ANSWER-2b8" {
		t.Errorf("type stored as %+v", a)
	}
	if t.Failed() {
		t.FailNow()
	}

	tabTo("the submit button", `button[name="action"][value="submit"]`)
	// One question is left blank: the page asks first, its question in focus.
	b.do("submit with Enter", chromedp.KeyEvent(kb.Enter))
	b.poll("the page asks", `document.activeElement.id === "blank-confirm-text"`)
	tabTo("the confirmation's Submit", `#blank-confirm-yes`)
	b.navigate("confirm with Enter", chromedp.KeyEvent(kb.Enter))
	if score := tabRun(b, "read the score", chromedp.Text(chromedp.CSS(".score"))); !strings.Contains(score, "2 / 3") {
		t.Errorf("score shown: %q", score)
	}
}
