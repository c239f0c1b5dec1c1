package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// anotherTab opens a second tab in b's browser: the same cookies, as when an
// officer signs out and in again in another tab. It is closed when the test ends
// or when close is called.
func (b *browserTab) anotherTab() (tab *browserTab, close func()) {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	// The first call opens the tab and binds it to ctx (a step's timeout
	// context would close it with the step).
	if err := chromedp.Do(ctx); err != nil {
		b.fail("open another tab", err)
	}
	return &browserTab{t: b.t, ctx: ctx}, cancel
}

// signOutAndInAgain signs the browser out and in again through another tab:
// every page already open holds a CSRF token that no longer works (as after an
// upgrade that changed how tokens are made).
func (b *browserTab) signOutAndInAgain(base string, c credentials) {
	b.t.Helper()
	other, close := b.anotherTab()
	defer close()
	other.do("open the dashboard in another tab", chromedp.Navigate(base+"/"))
	if p := other.navigate("sign out in the other tab", chromedp.Click(chromedp.CSS(`form.logout button[type=submit]`))); p != "/login" {
		b.fail("sign out in the other tab", fmt.Errorf("landed on %s, want /login", p))
	}
	other.signIn(base, c)
}

// TestBrowser_QuizRenewsAStaleCSRFToken: the quiz page holds the CSRF token of
// the sign-in it was loaded under. The officer signs out and in again in another
// tab; the next answer still reaches the server, without a reload: quiz.js tells
// the CSRF refusal from a signed-out one and gets the current token once.
func TestBrowser_QuizRenewsAStaleCSRFToken(t *testing.T) {
	qw, b, attemptID, msg := openQuizInBrowser(t)
	base := tabRun(b, "read the origin", chromedp.Evaluate[string](`location.origin`))
	const tokenInput = `document.querySelector('#quiz-form input[name="csrf_token"]').value`
	stale := tabRun(b, "read the page's token", chromedp.Evaluate[string](tokenInput))
	b.do("mark the document", chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))

	b.signOutAndInAgain(base, qw.world.officerA)

	b.do("pick the right choice", chromedp.Evaluate[chromedp.Void](correctRadio+".click()"))
	b.waitText("pick saved", "st-pick", msg["saved"])
	right := tabRun(b, "read the right choice", chromedp.Evaluate[string](correctRadio+".value"))
	if got := storedAnswers(t, qw.ts, attemptID)["pick"].Choices; len(got) != 1 || got[0] != right {
		t.Fatalf("pick stored as %v, want [%s]", got, right)
	}
	if !tabRun(b, "the same document", chromedp.Evaluate[bool](`window.notReloaded === true`)) {
		t.Errorf("the page was reloaded")
	}
	// The page's forms (submit, sign-out) carry the current token now.
	if now := tabRun(b, "read the page's token", chromedp.Evaluate[string](tokenInput)); now == stale {
		t.Errorf("the page still holds the stale token")
	}
}

// TestBrowser_IdleLogoutWithAStaleToken: a page whose token went stale (a sign-
// out and sign-in in another tab) still signs itself out when left idle, and the
// browser's sign-in really ends.
func TestBrowser_IdleLogoutWithAStaleToken(t *testing.T) {
	w, b := idleBrowser(t, 3*time.Second)
	ts := w.ts
	// Kept in use while the other tab signs out and in again.
	b.do("keep the page in use", chromedp.Evaluate[chromedp.Void](`window.inUse = setInterval(function () { window.dispatchEvent(new KeyboardEvent("keydown", {key: "Shift"})); }, 200)`))
	b.signOutAndInAgain(ts.URL, w.officerA)
	if p := tabRun(b, "where the tab is", chromedp.Evaluate[string](`location.pathname`)); p != "/" {
		t.Fatalf("the page in use left the dashboard: on %s", p)
	}
	// Count the sign-out posts: a refused one lands on an error page, whose own
	// idle sign-out (with that page's token) would hide the failure.
	posts := chromedp.Events(b.ctx, network.RequestWillBeSent)
	signOuts := make(chan int, 1)
	go func() {
		n := 0
		for ev, err := range posts {
			if err != nil {
				return
			}
			if ev.Request.Method == http.MethodPost && strings.HasSuffix(ev.Request.URL, "/logout") {
				n++
				select {
				case <-signOuts:
				default:
				}
				signOuts <- n
			}
		}
	}()
	b.do("leave the page alone", chromedp.Evaluate[chromedp.Void](`clearInterval(window.inUse)`))
	b.pollAcross("the idle page signs out", `location.pathname === "/login" && location.search.includes("idle=1")`)
	if n := <-signOuts; n != 1 {
		t.Errorf("signed out after %d sign-out posts, want 1 (the first one refused)", n)
	}
	if p := b.navigate("open the dashboard", chromedp.Navigate(ts.URL+"/")); p != "/login" {
		t.Errorf("after the idle sign-out, / is %s, want the sign-in page", p)
	}
}
