package web

import (
	"fmt"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

// login.js in a real browser: a sign-in refused because the server is busy
// hashing (429, err.login.busy) shows "retrying in N s", counts it down in a
// polite live region with the buttons disabled, and resends the same sign-in by
// itself; a second submit meanwhile sends nothing. The officer ends on the
// dashboard, and the server checked exactly two passwords: the refused one
// and the resent one.
func TestBrowser_LoginRetriesWhenBusy(t *testing.T) {
	path := needChromium(t)
	w := newWorld(t)
	ts := w.ts
	var checks atomic.Int32
	ts.Accounts.SetRefuseHash(func() bool { return checks.Add(1) == 1 })
	t.Cleanup(func() { ts.Accounts.SetRefuseHash(nil) })
	b := newBrowserTab(t, path)

	b.do("open the login page", chromedp.Navigate(ts.URL+"/login"))
	b.do("sign in",
		chromedp.SendKeys(chromedp.ID("email"), w.officerA.Email),
		chromedp.SendKeys(chromedp.ID("password"), w.officerA.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
	)
	b.poll("the countdown shows", `!document.getElementById("login-wait").hidden`)
	countdown := regexp.MustCompile(`^Many people are signing in — retrying in (\d+) s$`)
	read := func() int {
		text := tabRun(b, "read the countdown", chromedp.Evaluate[string](`document.getElementById("login-wait").textContent`))
		m := countdown.FindStringSubmatch(text)
		if m == nil {
			b.fail("read the countdown", fmt.Errorf("countdown text %q", text))
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	// Read once the countdown shows: on a busy machine the read may come a
	// second or more after the first value was drawn, so any value from 1 s
	// up to the Retry-After of 5 s (plus at most a fifth) is the countdown's.
	first := read()
	if first < 1 || first > 6 {
		t.Errorf("countdown at %d s when first read, want at most the Retry-After of 5 s (plus at most a fifth)", first)
	}
	if live := tabRun(b, "read aria-live", chromedp.Evaluate[string](`document.getElementById("login-wait").getAttribute("aria-live")`)); live != "polite" {
		t.Errorf("countdown aria-live = %q, want polite", live)
	}
	if !tabRun(b, "the button is disabled", chromedp.Evaluate[bool](`document.querySelector('form[action="/login"] button[type=submit]').disabled`)) {
		t.Errorf("the sign-in button is enabled while the sign-in is pending")
	}
	// A second submit (Enter in the password field, a script) sends nothing.
	b.do("submit again", chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/login"]').requestSubmit()`))
	b.poll("the countdown counts down", `(function () {
		var m = /(\d+) s$/.exec(document.getElementById("login-wait").textContent);
		return m && Number(m[1]) < `+strconv.Itoa(first)+`;
	}())`)
	if checks.Load() != 1 {
		t.Errorf("%d password checks during the countdown, want 1 (the refused one)", checks.Load())
	}
	b.pollAcross("signed in after the countdown", `location.pathname === "/" && document.readyState === "complete"`)
	if n := checks.Load(); n != 2 {
		t.Errorf("the server checked %d passwords, want 2: the refused sign-in and its one resend", n)
	}
}
