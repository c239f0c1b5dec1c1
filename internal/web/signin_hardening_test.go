package web

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
)

var (
	totpSecretField = regexp.MustCompile(`<span class="mono">([A-Z2-7]{16,})</span>`)
	pendingField    = regexp.MustCompile(`name="pending" value="([^"]+)"`)
)

// enableTOTP turns on c's second factor through the security pages of a
// signed-in browser and returns the secret. The confirming code is the one of
// the previous time step, so the test's own sign-ins can use the current one.
func enableTOTP(t *testing.T, ts *testServer, browser *http.Client, c credentials) string {
	t.Helper()
	secret := startTOTP(t, ts, browser, c)
	res, _ := activate(t, ts, browser, "/account/security/confirm", url.Values{"code": {totpCode(t, secret, -30*time.Second)}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("confirm the second factor: %d", res.StatusCode)
	}
	return secret
}

// startTOTP begins turning on c's second factor (the set-up page, with the
// password) and returns the secret it shows, not yet confirmed.
func startTOTP(t *testing.T, ts *testServer, browser *http.Client, c credentials) string {
	t.Helper()
	_, body := activate(t, ts, browser, "/account/security/start", url.Values{"password": {c.Password}})
	m := totpSecretField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret on the set-up page")
	}
	return m[1]
}

// passwordStep posts the sign-in form and returns the pending token of the code
// form (failing the test without one).
func passwordStep(t *testing.T, ts *testServer, client *http.Client, c credentials) string {
	t.Helper()
	res, body := activate(t, ts, client, "/login", url.Values{"email": {c.Email}, "password": {c.Password}})
	m := pendingField.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("password step: %d, code form shown: %v", res.StatusCode, m != nil)
	}
	return m[1]
}

// resetPassword asks for a reset link for email and follows it in a new
// browser, setting password; it returns that browser and the answer.
func resetPassword(t *testing.T, ts *testServer, mails *linkMailer, email, password string) (*http.Client, *http.Response, string) {
	t.Helper()
	activate(t, ts, newBrowser(), "/reset", url.Values{"email": {email}})
	b := newBrowser()
	res, body := activate(t, ts, b, pathOf(t, mails.link(email)), url.Values{"password": {password}, "password_again": {password}})
	return b, res, body
}

// totpResetWorld is a world whose trainer has the second factor on (turned on
// in the browser returned) and whose reset links are caught in mails.
func totpResetWorld(t *testing.T) (w *world, mails *linkMailer, browser *http.Client, secret string) {
	t.Helper()
	w = newWorld(t)
	mails = &linkMailer{}
	w.ts.Server.accounts.Mailer = mails
	browser = w.ts.browser(t, w.trainer)
	return w, mails, browser, enableTOTP(t, w.ts, browser, w.trainer)
}

// resetCode sends the current code on the code form that followed a reset link
// (body), in the browser that followed it; no code form fails the test.
func resetCode(t *testing.T, ts *testServer, b *http.Client, body, secret string) *http.Response {
	t.Helper()
	pending := pendingField.FindStringSubmatch(body)
	if pending == nil {
		t.Fatalf("reset of an account with a second factor: no code form")
	}
	res, _ := activate(t, ts, b, "/login/code", url.Values{"pending": {pending[1]}, "totp": {totpCode(t, secret, 0)}})
	return res
}

func signedInAs(t *testing.T, ts *testServer, client *http.Client) bool {
	t.Helper()
	res, body := getWith(t, client, ts.URL+"/sessions")
	return res.StatusCode == http.StatusOK && strings.Contains(body, "logout")
}

// TestSecondStep_Throttled: the code form is throttled like the password form,
// and one pending sign-in takes five wrong codes at most.
func TestSecondStep_Throttled(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	secret := enableTOTP(t, ts, ts.browser(t, w.trainer), w.trainer)
	code := func(b *http.Client, pending, totp string) *http.Response {
		res, _ := activate(t, ts, b, "/login/code", url.Values{"pending": {pending}, "totp": {totp}})
		return res
	}

	t.Run("pending sign-in cancelled after five wrong codes", func(t *testing.T) {
		b := newBrowser()
		pending := passwordStep(t, ts, b, w.trainer)
		for i := 0; i < 5; i++ {
			if res := code(b, pending, fmt.Sprintf("%06d", i)); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong code %d: %d", i+1, res.StatusCode)
			}
		}
		if res := code(b, pending, totpCode(t, secret, 0)); res.StatusCode != http.StatusUnauthorized || signedInAs(t, ts, b) {
			t.Errorf("right code after five wrong ones: %d, signed in %v", res.StatusCode, signedInAs(t, ts, b))
		}
	})

	t.Run("throttled with the password step", func(t *testing.T) {
		// Five failures so far; four wrong passwords make nine, the right
		// password still passes, and the tenth failure is a wrong code.
		for i := 0; i < 4; i++ {
			b := newBrowser()
			if res, _ := activate(t, ts, b, "/login", url.Values{"email": {w.trainer.Email}, "password": {"not the password"}}); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d", res.StatusCode)
			}
		}
		b := newBrowser()
		pending := passwordStep(t, ts, b, w.trainer)
		if res := code(b, pending, "999999"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code: %d", res.StatusCode)
		}
		res := code(b, pending, totpCode(t, secret, 30*time.Second))
		retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusTooManyRequests || retry < 800 || retry > 900 || signedInAs(t, ts, b) {
			t.Errorf("code after ten failures: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
	})

	t.Run("API login with totp", func(t *testing.T) {
		admin := w.admin
		secret := enableTOTP(t, ts, ts.browser(t, admin), admin)
		login := func(code string) *http.Response {
			res, _ := ts.api(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": admin.Email, "password": admin.Password, "totp": code})
			return res
		}
		for i := 0; i < 10; i++ {
			if res := login(fmt.Sprintf("%06d", i)); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong code %d: %d", i+1, res.StatusCode)
			}
		}
		if res := login(totpCode(t, secret, 0)); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("right code after ten wrong ones: %d", res.StatusCode)
		}
	})
}

// TestPasswordReset_AsksForTheSecondFactor: a reset link from the mailbox sets
// the password but signs in only after the code.
func TestPasswordReset_AsksForTheSecondFactor(t *testing.T) {
	w, mails, _, secret := totpResetWorld(t)
	ts := w.ts
	b, res, body := resetPassword(t, ts, mails, w.trainer.Email, "a brand new password")
	if res.StatusCode != http.StatusOK || signedInAs(t, ts, b) {
		t.Fatalf("reset of an account with a second factor: %d, signed in %v", res.StatusCode, signedInAs(t, ts, b))
	}
	if res := resetCode(t, ts, b, body, secret); res.StatusCode != http.StatusSeeOther || !signedInAs(t, ts, b) {
		t.Errorf("code after the reset: %d", res.StatusCode)
	}
	// The new password is the one that works.
	passwordStep(t, ts, newBrowser(), credentials{w.trainer.Email, "a brand new password"})
}

// TestSecondFactor_ConfirmingCodeIsSpent: the code that turned the second
// factor on cannot sign in.
func TestSecondFactor_ConfirmingCodeIsSpent(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	browser := ts.browser(t, w.trainer)
	confirming := totpCode(t, startTOTP(t, ts, browser, w.trainer), 0)
	if res, _ := activate(t, ts, browser, "/account/security/confirm", url.Values{"code": {confirming}}); res.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	res, body := ts.api(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": w.trainer.Email, "password": w.trainer.Password, "totp": confirming})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "already used") {
		t.Errorf("sign-in with the confirming code: %d %s", res.StatusCode, body)
	}
}

// TestSecondFactor_OnAndOffAskForThePassword: a browser left signed in cannot
// turn the second factor on or off without the password.
func TestSecondFactor_OnAndOffAskForThePassword(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	browser := ts.browser(t, w.trainer)
	for _, pw := range []string{"", "not the password"} {
		res, body := activate(t, ts, browser, "/account/security/start", url.Values{"password": {pw}})
		if res.StatusCode != http.StatusUnprocessableEntity || totpSecretField.MatchString(body) || !strings.Contains(body, "password") {
			t.Errorf("turning on with password %q: %d, secret shown %v", pw, res.StatusCode, totpSecretField.MatchString(body))
		}
	}
	if _, body := getWith(t, browser, ts.URL+"/account/security"); !strings.Contains(body, "second factor is off") {
		t.Errorf("the second factor changed after a refused start")
	}
	secret := enableTOTP(t, ts, browser, w.trainer)
	res, body := activate(t, ts, browser, "/account/security/disable", url.Values{"code": {totpCode(t, secret, 0)}, "password": {"not the password"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "password is not right") {
		t.Errorf("turning off with a wrong password: %d", res.StatusCode)
	}
	if _, body := getWith(t, browser, ts.URL+"/account/security"); !strings.Contains(body, "second factor is on") {
		t.Errorf("the second factor went off with a wrong password")
	}
	res, _ = activate(t, ts, browser, "/account/security/disable", url.Values{"code": {totpCode(t, secret, 30*time.Second)}, "password": {w.trainer.Password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("turning off with the password and a code: %d", res.StatusCode)
	}
	if _, body := getWith(t, browser, ts.URL+"/account/security"); !strings.Contains(body, "second factor is off") {
		t.Errorf("the second factor is still on")
	}
}

// loginFrom posts the sign-in form from client address ip (the server must
// trust loopback proxies).
func loginFrom(t *testing.T, ts *testServer, b *http.Client, ip string, c credentials) *http.Response {
	t.Helper()
	form := url.Values{"csrf_token": {csrfFrom(t, b, ts.URL+"/login")}, "email": {c.Email}, "password": {c.Password}}
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// deviceCookieOf is the device cookie a browser got by signing in.
func deviceCookieOf(t *testing.T, ts *testServer, b *http.Client) *http.Cookie {
	t.Helper()
	for _, ck := range b.Jar.Cookies(mustURL(ts.URL)) {
		if ck.Name == "lectern_device" {
			return ck
		}
	}
	t.Fatalf("no device cookie after signing in")
	return nil
}

// withDevice is a new browser carrying a device cookie.
func withDevice(ts *testServer, ck *http.Cookie) *http.Client {
	b := newBrowser()
	b.Jar.SetCookies(mustURL(ts.URL), []*http.Cookie{{Name: ck.Name, Value: ck.Value}})
	return b
}

// TestLogin_DeviceCookie: 50 failures from anywhere lock the account for every
// client except one its owner signed in from before, which keeps a limit of
// its own.
func TestLogin_DeviceCookie(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	w := newWorldOn(t, startServerWith(t, courses.FS, Config{TrustedProxies: []*net.IPNet{loopback}}))
	ts := w.ts
	wrong := credentials{w.trainer.Email, "not the password"}

	trainerDevice := newBrowser()
	if res := loginFrom(t, ts, trainerDevice, "192.0.2.10", w.trainer); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("trainer sign-in: %d", res.StatusCode)
	}
	device := deviceCookieOf(t, ts, trainerDevice)
	officerBrowser := newBrowser()
	loginFrom(t, ts, officerBrowser, "192.0.2.10", w.officerA)
	officerDevice := deviceCookieOf(t, ts, officerBrowser)

	// Someone in the same room, then from everywhere: 50 wrong passwords.
	for i := 0; i < 50; i++ {
		ip := "192.0.2.10"
		if i >= 10 {
			ip = fmt.Sprintf("198.51.100.%d", i)
		}
		if res := loginFrom(t, ts, newBrowser(), ip, wrong); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, res.StatusCode)
		}
	}
	for name, b := range map[string]*http.Client{
		"a new client":                        newBrowser(),
		"another account's device cookie":     withDevice(ts, officerDevice),
		"an altered device cookie":            withDevice(ts, &http.Cookie{Name: device.Name, Value: device.Value[:len(device.Value)-4] + "AAA="}),
		"the trainer's room without a cookie": newBrowser(),
	} {
		ip := "203.0.113.7"
		if strings.Contains(name, "room") {
			ip = "192.0.2.10"
		}
		if res := loginFrom(t, ts, b, ip, w.trainer); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s, right password: %d", name, res.StatusCode)
		}
	}
	if res := loginFrom(t, ts, withDevice(ts, device), "192.0.2.10", w.trainer); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the trainer's own device, right password: %d", res.StatusCode)
	}

	// The device has a limit of its own: ten failures.
	own := withDevice(ts, device)
	for i := 0; i < 10; i++ {
		if res := loginFrom(t, ts, own, "192.0.2.10", wrong); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("device failure %d: %d", i+1, res.StatusCode)
		}
	}
	if res := loginFrom(t, ts, own, "192.0.2.10", w.trainer); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("device after ten failures of its own: %d", res.StatusCode)
	}
}

// TestCalendarFeed_NewLink: the feed link can be replaced (the old one then
// answers 404), from the page, the API, and by a password reset.
func TestCalendarFeed_NewLink(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	mails := &linkMailer{}
	ts.Server.accounts.Mailer = mails
	browser := ts.browser(t, w.officerA)
	feedRe := regexp.MustCompile(`http://127\.0\.0\.1(/calendar/[A-Za-z0-9_-]+\.ics)`)
	feed := func() string {
		t.Helper()
		_, body := getWith(t, browser, ts.URL+"/sessions")
		m := feedRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no calendar link on /sessions")
		}
		return m[1]
	}
	status := func(path string) int {
		res, _ := getWith(t, nil, ts.URL+path)
		return res.StatusCode
	}
	first := feed()
	if status(first) != http.StatusOK {
		t.Fatalf("feed: %d", status(first))
	}
	if res, _ := activate(t, ts, browser, "/calendar/rotate", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new link: %d", res.StatusCode)
	}
	if status("/calendar/rotate") != http.StatusNotFound {
		t.Errorf("GET /calendar/rotate: %d, want the feed's 404", status("/calendar/rotate"))
	}
	second := feed()
	if second == first || status(first) != http.StatusNotFound || status(second) != http.StatusOK {
		t.Errorf("after a new link: old %d, new %d (same: %v)", status(first), status(second), second == first)
	}

	res, body := ts.api(t, ts.token(t, w.officerA), "POST", "/api/v1/me/calendar/rotate", nil)
	third := feedRe.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || third == nil || third[1] == second || status(second) != http.StatusNotFound || status(third[1]) != http.StatusOK {
		t.Fatalf("API rotate: %d %s", res.StatusCode, body)
	}

	if _, res, _ := resetPassword(t, ts, mails, w.officerA.Email, "a brand new password"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if status(third[1]) != http.StatusNotFound {
		t.Errorf("the feed link survived a password reset")
	}
}
