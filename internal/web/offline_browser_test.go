package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/attempt"
)

// The quiz page on a phone whose network really goes (a relay switched off, not
// DevTools' offline mode, which a reload would lift): the service worker's copy
// of the page and the journal bring the quiz back on a reload, the page syncs by
// itself soon after the network returns, and sign-out leaves no copy behind.

// pollAsync waits until a script's promise gives true.
func (b *browserTab) pollAsync(what, expr string) {
	b.t.Helper()
	b.pollAcross(what, expr, chromedp.EvalAwaitPromise)
}

// keptOffline is true once the service worker holds this page and every static
// file it uses, under their exact URLs.
const keptOffline = `(async () => {
	const urls = [location.href, ...[...document.querySelectorAll('script[src], link[href^="/static/"]')].map(e => e.src || e.href)];
	if (!urls.some(u => u.includes("/static/js/quiz.js?v="))) return false;
	for (const u of urls) { if (!(await caches.match(u))) return false; }
	return true;
})()`

// barCompact measures the sticky bar on a phone: its height, the timer's line
// (with the bar's padding), whether "Details" sits on the timer's line, and the
// status under it: how many lines it takes and whether it is shown whole
// (nothing cut off, no ellipsis).
const barCompact = `(() => {
	const bar = document.querySelector(".timer-bar"), t = document.getElementById("timer").getBoundingClientRect();
	const sync = document.getElementById("sync-status"), more = document.getElementById("sync-more");
	const cs = getComputedStyle(bar), ss = getComputedStyle(sync), m = more.getBoundingClientRect(), r = sync.getBoundingClientRect();
	const chrome = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom) + parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth);
	return {height: bar.getBoundingClientRect().height, line: t.height + chrome, status: r.height, gap: parseFloat(cs.rowGap) || 0,
		detailsBeside: !more.hidden && m.top < t.bottom && m.bottom > t.top,
		statusLines: Math.round(r.height / parseFloat(ss.lineHeight)),
		statusWhole: sync.scrollWidth <= sync.clientWidth + 1 && sync.scrollHeight <= sync.clientHeight + 1 && ss.textOverflow === "clip" && r.right <= innerWidth && r.left >= 0};
})()`

type barMeasure struct {
	Height, Line, Status, Gap  float64
	DetailsBeside, StatusWhole bool
	StatusLines                int
}

// compact fails the test unless the bar is the timer's line (with Details)
// and the status whole under it, in at most two lines.
func (m barMeasure) check(t *testing.T, when string) {
	t.Helper()
	if !m.DetailsBeside || !m.StatusWhole || m.StatusLines > 2 || m.Height > m.Line+m.Gap+m.Status+2 {
		t.Errorf("%s, the sticky bar is %.0f px tall, want the timer's line (%.0f px) and the status (%.0f px, %d lines, shown whole: %v) under it, Details beside the timer: %v",
			when, m.Height, m.Line, m.Status, m.StatusLines, m.StatusWhole, m.DetailsBeside)
	}
}

// TestBrowser_QuizReloadOfflineShowsTheQuiz: on a 390×844 phone, an officer
// answers, the network goes, she answers again and reloads: the quiz comes back
// from the service worker's copy with both answers and an offline state shown
// whole under the timer in the sticky bar. After a long outage the network returns and the
// answer reaches the server within about 5 s, without a tap. Signing out
// empties the service worker's cache.
func TestBrowser_QuizReloadOfflineShowsTheQuiz(t *testing.T) {
	path := needChromium(t)
	qw := newQuizWorld(t)
	qw.at(time.Hour)
	relay := startRelay(t, serveWithServerDate(t, qw.ts, qw.day.Add(time.Hour)))
	base := relay.URL()
	b := newBrowserTab(t, path)
	b.do("a phone screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	b.signIn(base, qw.world.officerA)
	attemptID, msg := b.startQuiz(base, qw.sessionID)

	b.do("pick the right choice", chromedp.Click(chromedp.JSPath(correctRadio)))
	b.waitText("pick saved", "st-pick", msg["saved"])
	right := tabRun(b, "read the right choice", chromedp.Evaluate[string](correctRadio+".value"))
	b.pollAsync("the page and its files are kept for offline use", keptOffline)
	tabRun(b, "measure the bar online", chromedp.Evaluate[barMeasure](barCompact)).check(t, "online")

	// The network goes; the phone still believes it is online.
	relay.Cut()
	b.do("type an answer offline", chromedp.SendKeys(chromedp.ID("in-type"), "SHORT-ANSWER-2b8"), chromedp.Blur(chromedp.ID("in-type")))
	b.waitText("type kept offline", "st-type", msg["offline"])

	b.do("reload on the dead network", chromedp.Reload())
	if !tabRun(b, "is the quiz there", chromedp.Evaluate[bool](`location.protocol === "http:" && !!document.getElementById("quiz-form") && /\d:\d\d/.test(document.getElementById("timer-value").textContent)`)) {
		b.fail("reload offline", fmt.Errorf("the quiz and its timer are not shown"))
	}
	b.poll("the journal's answers are back", `document.getElementById("in-type").value === "SHORT-ANSWER-2b8" && `+correctRadio+`.checked`)
	b.waitText("the page says it is offline", "sync-status", strings.ReplaceAll(msg["offlineN"], "{n}", "1"))

	// Compact on the phone, the status whole, details on request (by keyboard).
	tabRun(b, "measure the bar offline", chromedp.Evaluate[barMeasure](barCompact)).check(t, "offline")
	b.do("open the details by keyboard", chromedp.Focus(chromedp.ID("sync-more")), chromedp.KeyEvent("\r"))
	b.poll("details shown", `document.getElementById("sync-more").getAttribute("aria-expanded") === "true" && document.getElementById("sync-status").getBoundingClientRect().height > 10`)
	b.do("close the details", chromedp.Focus(chromedp.ID("sync-more")), chromedp.KeyEvent(" "))
	b.poll("details hidden", `document.getElementById("sync-more").getAttribute("aria-expanded") === "false"`)

	// A long outage: the page's retries back off meanwhile.
	time.Sleep(16 * time.Second)
	if got := storedAnswers(t, qw.ts, attemptID); got["type"].Text != nil {
		t.Fatalf("an answer passed the cut relay: %+v", got["type"])
	}
	b.do("mark the offline document", chromedp.Evaluate[chromedp.Void](`window.offlineCopy = true`))
	relay.Restore()
	back := time.Now()
	token := qw.ts.token(t, qw.world.officerA)
	for {
		res, body := qw.ts.api(t, token, "GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), nil)
		var v attempt.View
		if res.StatusCode != 200 || json.Unmarshal([]byte(body), &v) != nil {
			t.Fatalf("read the attempt: %d %s", res.StatusCode, body)
		}
		if a := v.Answers["type"].Answer.Text; a != nil && *a == "SHORT-ANSWER-2b8" {
			break
		}
		if time.Since(back) > 6*time.Second {
			t.Fatalf("the answer kept offline was not synced within 6 s of the network's return (answers %+v)", v.Answers)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("synced %v after the network returned", time.Since(back).Round(10*time.Millisecond))
	if a := storedAnswers(t, qw.ts, attemptID)["pick"].Choices; len(a) != 1 || a[0] != right {
		t.Errorf("pick stored as %v, want [%s]", a, right)
	}
	// Back online, the page replaces its offline copy with the server's.
	b.pollAcross("the page reloads from the server", `window.offlineCopy === undefined && document.readyState === "complete" && document.getElementById("sync-status")?.textContent === `+jsString(msg["allSaved"]))

	// Sign-out: the service worker's copy goes. Of the journals, what the server
	// holds goes too; what it does not (another attempt's, kept here) stays.
	b.do("a journal the server has not acknowledged", chromedp.Evaluate[chromedp.Void](`localStorage.setItem("lectern.attempt.999999", JSON.stringify({q1: {answer: {text: "x"}, seq: 5, acked: false}, q2: {answer: {text: "y"}, seq: 6, acked: true}}))`))
	if p := b.navigate("sign out", chromedp.Click(chromedp.CSS(`form.logout button[type=submit]`))); p != "/login" {
		t.Fatalf("signed out to %s", p)
	}
	b.pollAsync("the service worker's cache is empty", `caches.keys().then(async keys => { for (const k of keys) { if ((await (await caches.open(k)).keys()).length) return false; } return true; })`)
	b.poll("acknowledged journals are gone", fmt.Sprintf(`localStorage.getItem("lectern.attempt.%d") === null`, attemptID))
	kept := tabRun(b, "read the other journal", chromedp.Evaluate[string](`localStorage.getItem("lectern.attempt.999999") || ""`))
	if !strings.Contains(kept, `"x"`) || strings.Contains(kept, `"y"`) {
		t.Errorf("after sign-out the journal holds %s, want only the unacknowledged answer", kept)
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestQuizServiceWorker_Served: the worker script comes from /attempts/ (so its
// scope covers the attempt pages without Service-Worker-Allowed), as JavaScript,
// checked again on every visit, under the page CSP, to anyone (it holds nothing
// of a person).
func TestQuizServiceWorker_Served(t *testing.T) {
	ts := newWorld(t).ts
	res, err := http.Get(ts.URL + "/attempts/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /attempts/sw.js: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", cc)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if !strings.Contains(string(body), `addEventListener("fetch"`) {
		t.Errorf("not the service worker: %.80s", body)
	}
}
