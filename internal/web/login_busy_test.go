package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// A sign-in refused because every hash slot is busy: 429 with Retry-After and a
// page that says so and when to try again (the plain form, without JavaScript),
// with the e-mail kept, no password in it and no meta refresh (which could only
// reload the page, never resend the password). The next sign-in goes through.
func TestLogin_BusyAnswersRetryAfterWithoutScript(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	var checks atomic.Int32
	ts.Accounts.SetRefuseHash(func() bool { return checks.Add(1) == 1 })
	t.Cleanup(func() { ts.Accounts.SetRefuseHash(nil) })

	client := newBrowser()
	page := ts.URL + "/login"
	form := url.Values{"email": {w.officerA.Email}, "password": {w.officerA.Password}}
	form.Set("csrf_token", csrfFrom(t, client, page))
	req, _ := http.NewRequest(http.MethodPost, page, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, body := send(t, client, req)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "5" {
		t.Fatalf("busy sign-in: %d, Retry-After %q; want 429, 5", res.StatusCode, res.Header.Get("Retry-After"))
	}
	for _, want := range []string{`id="login-busy"`, `data-retry-after="5"`, "Many people are signing in at once", "try again in 5 s", `value="` + w.officerA.Email + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("busy page lacks %q", want)
		}
	}
	if strings.Contains(body, w.officerA.Password) || strings.Contains(strings.ToLower(body), `http-equiv="refresh"`) || strings.Contains(body, "Too many failed attempts") {
		t.Errorf("busy page carries the password, a meta refresh or the throttle's message:\n%s", body)
	}
	// The countdown's words are on every sign-in page, ready for the script.
	if !strings.Contains(body, `data-retrying="Many people are signing in — retrying in {n} s"`) {
		t.Errorf("sign-in page lacks the countdown's text")
	}

	res = submitForm(t, client, page, page, form)
	if res.StatusCode != http.StatusSeeOther || checks.Load() != 2 {
		t.Errorf("second sign-in: %d after %d password checks, want 303 after 2", res.StatusCode, checks.Load())
	}
}
