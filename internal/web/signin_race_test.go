package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
)

// answer is one response of a burst.
type answer struct {
	status int
	body   string
	err    error
}

// burst sends n requests at once: every goroutine waits at one barrier, and the
// answers come back by channel (in no particular order), so a failing request
// is reported by the test's own goroutine.
func burst(n int, send func(i int) (*http.Response, error)) []answer {
	start := make(chan struct{})
	out := make(chan answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := send(i)
			if err != nil {
				out <- answer{err: err}
				return
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			out <- answer{status: res.StatusCode, body: string(body), err: err}
		}()
	}
	close(start)
	wg.Wait()
	close(out)
	var all []answer
	for a := range out {
		all = append(all, a)
	}
	return all
}

// apiLoginBurst sends n API sign-ins at once (body(i) each) and returns how
// many were answered 401 (their credentials checked and found wrong); the
// others must be 429.
func apiLoginBurst(t *testing.T, ts *testServer, n int, body func(i int) string) int {
	t.Helper()
	checked := 0
	for _, a := range burst(n, func(i int) (*http.Response, error) {
		return http.Post(ts.URL+"/api/v1/auth/login", "application/json", strings.NewReader(body(i)))
	}) {
		switch {
		case a.err != nil:
			t.Fatalf("API sign-in: %v", a.err)
		case a.status == http.StatusUnauthorized:
			checked++
		case a.status != http.StatusTooManyRequests:
			t.Errorf("API sign-in: %d %s", a.status, a.body)
		}
	}
	return checked
}

// wrongCodes returns n six-digit codes none of which the authenticator accepts
// now (one time step either way).
func wrongCodes(t *testing.T, secret string, n int) []string {
	t.Helper()
	right := map[string]bool{}
	for _, d := range []time.Duration{-time.Minute, -30 * time.Second, 0, 30 * time.Second, time.Minute} {
		right[totpCode(t, secret, d)] = true
	}
	var codes []string
	for i := 0; len(codes) < n; i++ {
		if c := fmt.Sprintf("%06d", (i*7919+13)%1000000); !right[c] {
			codes = append(codes, c)
		}
	}
	return codes
}

// accountFailures is how many failed sign-ins the throttle counts for email.
func accountFailures(t *testing.T, ts *testServer, email string) int64 {
	t.Helper()
	_, account, _, err := ts.DB.LoginFailures(context.Background(), email, "", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return account.N
}

const (
	wrongCodeShown   = "this code is not right"
	codeExpiredShown = "That took too long, or the sign-in was already finished"
)

// A burst of wrong codes against one pending sign-in checks five at most: each
// code reserves one of the pending sign-in's five tries before it is checked.
func testSecondStepParallelCodes(t *testing.T, w *world) {
	ts := w.ts
	secret := enableTOTP(t, ts, ts.browser(t, w.trainer), w.trainer)
	b := newBrowser()
	pending := passwordStep(t, ts, b, w.trainer)
	csrf := csrfFrom(t, b, ts.URL+"/login")
	const n = 60
	wrong := wrongCodes(t, secret, n)
	shown := 0 // answered "not right"; the fifth wrong code is answered "sign in again"
	for _, a := range burst(n, func(i int) (*http.Response, error) {
		return b.PostForm(ts.URL+"/login/code", url.Values{"csrf_token": {csrf}, "pending": {pending}, "totp": {wrong[i]}})
	}) {
		switch {
		case a.err != nil:
			t.Fatalf("wrong code: %v", a.err)
		case a.status == http.StatusUnauthorized && strings.Contains(a.body, wrongCodeShown):
			shown++
		case a.status == http.StatusUnauthorized && strings.Contains(a.body, codeExpiredShown):
		default:
			t.Errorf("wrong code: %d", a.status)
		}
	}
	// Every code checked and found wrong is a failed sign-in.
	if checked := accountFailures(t, ts, w.trainer.Email); checked > 5 || int64(shown) > checked {
		t.Errorf("%d of %d parallel wrong codes were checked against one pending sign-in (%d answered as wrong), want at most 5", checked, n, shown)
	}
	res, body := activate(t, ts, b, "/login/code", url.Values{"pending": {pending}, "totp": {totpCode(t, secret, 0)}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, codeExpiredShown) || signedInAs(t, ts, b) {
		t.Errorf("right code after the burst: %d, signed in %v", res.StatusCode, signedInAs(t, ts, b))
	}
}

// A burst of API sign-ins with the right password and wrong codes checks ten
// codes at most (the limit per account and client); the rest are 429.
func testAPILoginParallelCodes(t *testing.T, w *world) {
	ts := w.ts
	secret := enableTOTP(t, ts, ts.browser(t, w.admin), w.admin)
	const n = 200
	wrong := wrongCodes(t, secret, n)
	checked := apiLoginBurst(t, ts, n, func(i int) string {
		return fmt.Sprintf(`{"email":%q,"password":%q,"totp":%q}`, w.admin.Email, w.admin.Password, wrong[i])
	})
	if checked > 10 {
		t.Fatalf("%d of %d parallel API sign-ins had their code checked, want at most 10", checked, n)
	}
	// Attempts refused in the burst are not failures: the ones checked are,
	// and the limit takes the rest of ten.
	for i := checked; i < 10; i++ {
		if status, body := apiLogin(t, ts, w.admin, wrong[i]); status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d after %d in the burst: %d %s", i+1, checked, status, body)
		}
	}
	if status, _ := apiLogin(t, ts, w.admin, totpCode(t, secret, 0)); status != http.StatusTooManyRequests {
		t.Errorf("right code after ten wrong ones (%d in the burst): %d", checked, status)
	}
}

func TestSecondStep_ParallelCodes(t *testing.T) { testSecondStepParallelCodes(t, newWorld(t)) }

func TestSecondStep_ParallelCodes_PostgreSQL(t *testing.T) {
	testSecondStepParallelCodes(t, newWorldOn(t, startServerOn(t, courses.FS, Config{}, postgresDSN(t))))
}

func TestAPILogin_ParallelCodes(t *testing.T) { testAPILoginParallelCodes(t, newWorld(t)) }

func TestAPILogin_ParallelCodes_PostgreSQL(t *testing.T) {
	testAPILoginParallelCodes(t, newWorldOn(t, startServerOn(t, courses.FS, Config{}, postgresDSN(t))))
}

// TestLogin_ParallelWrongPasswords: wrong passwords sent at once are counted
// before any is checked, so ten at most are tried.
func TestLogin_ParallelWrongPasswords(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	const n = 40
	tried := apiLoginBurst(t, ts, n, func(i int) string {
		return fmt.Sprintf(`{"email":%q,"password":"not the password %d"}`, w.officerA.Email, i)
	})
	if tried > 10 {
		t.Errorf("%d of %d parallel wrong passwords were tried, want at most 10", tried, n)
	}
}

var recoveryCodeField = regexp.MustCompile(`<li>([a-z2-7]{5}-[a-z2-7]{5})</li>`)

// TestSecondStep_RecoveryCodeNotBurned: a recovery code sent while wrong codes
// end the same pending sign-in either signs in or stays unused.
func TestSecondStep_RecoveryCodeNotBurned(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	browser := ts.browser(t, w.trainer)
	secret := startTOTP(t, ts, browser, w.trainer)
	_, body := activate(t, ts, browser, "/account/security/confirm", url.Values{"code": {totpCode(t, secret, -30*time.Second)}})
	var codes []string
	for _, m := range recoveryCodeField.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	// Each round on a clock a quarter of an hour on, so the throttle of the
	// round before is over.
	clock := time.Now().UTC()
	id := w.idOf(t, w.trainer)
	used := 0
	for round, code := range codes {
		clock = clock.Add(16 * time.Minute)
		now := clock
		ts.Server.accounts.SetClock(func() time.Time { return now })
		b := newBrowser()
		pending := passwordStep(t, ts, b, w.trainer)
		csrf := csrfFrom(t, b, ts.URL+"/login")
		const n = 8 // more than a pending sign-in's 5 tries; 90 posts in all fit the code form's per-address burst
		signedIn := false
		for _, a := range burst(n+1, func(i int) (*http.Response, error) {
			totp := fmt.Sprintf("%06d", i)
			if i == n {
				totp = code
			}
			return b.PostForm(ts.URL+"/login/code", url.Values{"csrf_token": {csrf}, "pending": {pending}, "totp": {totp}})
		}) {
			if a.err != nil {
				t.Fatalf("round %d: %v", round, a.err)
			}
			signedIn = signedIn || a.status == http.StatusSeeOther
		}
		if signedIn {
			used++
		}
		left, err := ts.DB.RecoveryCodesLeft(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if left != int64(len(codes)-used) {
			t.Fatalf("round %d: %d recovery codes left after %d sign-ins with one: a code was spent without signing in", round, left, used)
		}
	}
}

// TestLogin_DeviceCookieEndsWithReset: a device cookie from before a password
// reset no longer exempts its browser from the account's limits (whoever
// signed in from it may be the one the reset shut out); one from after does.
func TestLogin_DeviceCookieEndsWithReset(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	w := newWorldOn(t, startServerWith(t, courses.FS, Config{TrustedProxies: []*net.IPNet{loopback}}))
	ts := w.ts
	mails := &linkMailer{}
	ts.Server.accounts.Mailer = mails

	taker := newBrowser()
	if res := loginFrom(t, ts, taker, "192.0.2.66", w.trainer); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in before the reset: %d", res.StatusCode)
	}
	before := deviceCookieOf(t, ts, taker)
	if _, res, _ := resetPassword(t, ts, mails, w.trainer.Email, "a brand new password"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	now := credentials{w.trainer.Email, "a brand new password"}
	owner := newBrowser()
	if res := loginFrom(t, ts, owner, "192.0.2.10", now); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in after the reset: %d", res.StatusCode)
	}
	after := deviceCookieOf(t, ts, owner)

	for i := 0; i < 50; i++ {
		if res := loginFrom(t, ts, newBrowser(), fmt.Sprintf("198.51.100.%d", i), credentials{w.trainer.Email, "not the password"}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, res.StatusCode)
		}
	}
	if res := loginFrom(t, ts, withDevice(ts, before), "192.0.2.66", now); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("device cookie from before the reset, locked account: %d, want 429", res.StatusCode)
	}
	if res := loginFrom(t, ts, withDevice(ts, after), "192.0.2.10", now); res.StatusCode != http.StatusSeeOther {
		t.Errorf("device cookie from after the reset, locked account: %d, want 303", res.StatusCode)
	}
}

// TestPasswordReset_MailboxAloneChangesNothing: with a second factor on, a
// reset link alone (the mailbox, not the phone) changes nothing until the
// code: the old password still works and no session ends. After the code, the
// new password replaces it and every other session ends.
func TestPasswordReset_MailboxAloneChangesNothing(t *testing.T) {
	w, mails, other, secret := totpResetWorld(t)
	ts := w.ts
	newPassword := credentials{w.trainer.Email, "a brand new password"}
	oldFails := func() bool {
		res, body := activate(t, ts, newBrowser(), "/login", url.Values{"email": {w.trainer.Email}, "password": {w.trainer.Password}})
		return res.StatusCode == http.StatusUnauthorized && !pendingField.MatchString(body)
	}

	_, res, body := resetPassword(t, ts, mails, w.trainer.Email, newPassword.Password)
	if res.StatusCode != http.StatusOK || !pendingField.MatchString(body) {
		t.Fatalf("reset link: %d, code form %v", res.StatusCode, pendingField.MatchString(body))
	}
	if !signedInAs(t, ts, other) {
		t.Errorf("a reset link without the code signed the account out elsewhere")
	}
	if res, body := activate(t, ts, newBrowser(), "/login", url.Values{"email": {newPassword.Email}, "password": {newPassword.Password}}); res.StatusCode != http.StatusUnauthorized || pendingField.MatchString(body) {
		t.Errorf("the new password works before the code: %d", res.StatusCode)
	}
	if oldFails() {
		t.Errorf("the old password stopped working before the code")
	}

	b, _, body := resetPassword(t, ts, mails, w.trainer.Email, newPassword.Password)
	if res := resetCode(t, ts, b, body, secret); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("code after the reset: %d", res.StatusCode)
	}
	if signedInAs(t, ts, other) {
		t.Errorf("the other browser is still signed in after the reset's code")
	}
	if !oldFails() {
		t.Errorf("the old password still works after the reset's code")
	}
	passwordStep(t, ts, newBrowser(), newPassword)
}

// TestLoginCode_PerAddressLimit: the code form is limited per client address
// like the other forms that take a one-time token (burst 120, then 10/s), so
// pending tokens cannot be searched through it.
func TestLoginCode_PerAddressLimit(t *testing.T) {
	ts := startServer(t, courses.FS)
	b := newBrowser()
	csrf := csrfFrom(t, b, ts.URL+"/login")
	limited := 0
	for i := 0; i < 150 && limited == 0; i++ {
		res, err := b.PostForm(ts.URL+"/login/code", url.Values{"csrf_token": {csrf}, "pending": {fmt.Sprintf("AAAAAAAAAAAA%04d", i)}, "totp": {"123456"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusTooManyRequests:
			limited = i + 1
			if res.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
		case http.StatusUnauthorized:
		default:
			t.Fatalf("unknown pending sign-in %d: %d", i+1, res.StatusCode)
		}
	}
	if limited == 0 {
		t.Errorf("150 codes for unknown sign-ins in a row from one address were all answered")
	}
}
