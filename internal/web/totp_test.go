package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestSecondFactor walks a trainer through turning on a TOTP second factor,
// signing in with it (browser and API), replaying a code, spending a recovery
// code, and an admin turning it off for a lost phone.
func TestSecondFactor(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	browser := ts.browser(t, w.trainer)
	post := func(client *http.Client, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		return activate(t, ts, client, path, form)
	}
	if _, body := getWith(t, browser, ts.URL+"/account/security"); !strings.Contains(body, "second factor is off") {
		t.Fatalf("security page: %s", body)
	}
	_, body := post(browser, "/account/security/start", url.Values{"password": {w.trainer.Password}})
	m := totpSecretField.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "data:image/png;base64,") {
		t.Fatalf("no secret or QR code on the set-up page")
	}
	secret := m[1]
	if res, _ := post(browser, "/account/security/confirm", url.Values{"code": {"000000"}}); res.StatusCode != 422 {
		t.Errorf("confirming with a wrong code: %d", res.StatusCode)
	}
	code := func(offset time.Duration) string {
		c, err := totp.GenerateCode(secret, time.Now().Add(offset))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// The confirming code is spent: the previous step's, so code(0) signs in below.
	res, body := post(browser, "/account/security/confirm", url.Values{"code": {code(-30 * time.Second)}})
	recovery := regexp.MustCompile(`<li>([a-z2-7]{5}-[a-z2-7]{5})</li>`).FindAllStringSubmatch(body, -1)
	if res.StatusCode != 200 || len(recovery) != 10 {
		t.Fatalf("confirm: %d, %d recovery codes", res.StatusCode, len(recovery))
	}

	// Browser sign-in: the password, then the code on a second form.
	fresh := newBrowser()
	res, body = post(fresh, "/login", url.Values{"email": {w.trainer.Email}, "password": {w.trainer.Password}})
	pending := regexp.MustCompile(`name="pending" value="([^"]+)"`).FindStringSubmatch(body)
	if res.StatusCode != 200 || pending == nil || strings.Contains(body, w.trainer.Password) {
		t.Fatalf("password step: %d", res.StatusCode)
	}
	if res, _ := post(fresh, "/login/code", url.Values{"pending": {pending[1]}, "totp": {"123456"}}); res.StatusCode != 401 {
		t.Errorf("wrong code: %d", res.StatusCode)
	}
	if res, _ := post(fresh, "/login/code", url.Values{"pending": {pending[1]}, "totp": {code(0)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("code step: %d", res.StatusCode)
	}
	if _, body := getWith(t, fresh, ts.URL+"/sessions"); !strings.Contains(body, "logout") {
		t.Errorf("not signed in after the code")
	}
	// The pending token was spent with the sign-in.
	if res, _ := post(newBrowser(), "/login/code", url.Values{"pending": {pending[1]}, "totp": {code(30 * time.Second)}}); res.StatusCode != 401 {
		t.Errorf("pending token reused: %d", res.StatusCode)
	}

	// API: the code is required, works once, and a recovery code works once.
	login := func(extra string) (int, string) {
		res, body := ts.api(t, "", "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":%q%s}`, w.trainer.Email, w.trainer.Password, extra))
		return res.StatusCode, body
	}
	if status, body := login(""); status != 401 || !strings.Contains(body, `"field":"totp"`) {
		t.Errorf("API without a code: %d %s", status, body)
	}
	next := code(30 * time.Second)
	if status, body := login(fmt.Sprintf(`,"totp":%q`, next)); status != 200 {
		t.Errorf("API with a code: %d %s", status, body)
	}
	if status, body := login(fmt.Sprintf(`,"totp":%q`, next)); status != 401 || !strings.Contains(body, "already used") {
		t.Errorf("API replaying a code: %d %s", status, body)
	}
	rc := strings.ToUpper(recovery[3][1])
	if status, _ := login(fmt.Sprintf(`,"totp":%q`, rc)); status != 200 {
		t.Errorf("recovery code: %d", status)
	}
	if status, _ := login(fmt.Sprintf(`,"totp":%q`, rc)); status != 401 {
		t.Errorf("recovery code reused: %d", status)
	}
	if _, body := getWith(t, browser, ts.URL+"/account/security"); !strings.Contains(body, "9 recovery codes left") {
		t.Errorf("codes left not shown")
	}

	// Officers have no second factor page; others cannot turn someone's off.
	if res, _ := getWith(t, ts.browser(t, w.officerA), ts.URL+"/account/security"); res.StatusCode != 403 {
		t.Errorf("officer security page: %d", res.StatusCode)
	}
	trainerID := w.idOf(t, w.trainer)
	totpURL := fmt.Sprintf("/api/v1/users/%d/totp", trainerID)
	if res, _ := ts.api(t, ts.token(t, w.coordA), "DELETE", totpURL, nil); res.StatusCode != 404 {
		t.Errorf("coordinator turning off the trainer's second factor: %d", res.StatusCode)
	}
	// The admin confirms with their own password: a token alone is not enough.
	adminToken := ts.token(t, w.admin)
	for _, body := range []any{nil, map[string]string{"password": "not the admin's password"}} {
		if res, _ := ts.api(t, adminToken, "DELETE", totpURL, body); res.StatusCode != 422 {
			t.Errorf("admin reset with %v: %d, want 422", body, res.StatusCode)
		}
	}
	if status, _ := login(""); status != 401 {
		t.Errorf("after refused admin resets, the password alone: %d, want 401 (the second factor stays)", status)
	}
	if res, _ := ts.api(t, adminToken, "DELETE", totpURL, map[string]string{"password": testPassword}); res.StatusCode != 204 {
		t.Errorf("admin reset: %d", res.StatusCode)
	}
	if status, _ := login(""); status != 200 {
		t.Errorf("after the admin reset, the password alone: %d", status)
	}
}
