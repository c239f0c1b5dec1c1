package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCSRF_BoundToTheSignIn: the form token is worth something only with the
// sign-in (or, before it, the browser's own pre-session cookie) it was made for,
// and cross-site form posts are refused whatever they carry.
func TestCSRF_BoundToTheSignIn(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	agencies := func() int {
		all, err := ts.DB.Agencies(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}
	// send posts a form with extra headers and returns the status.
	send := func(t *testing.T, client *http.Client, path string, form url.Values, headers map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		ioCopy(new(strings.Builder), res)
		return res.StatusCode
	}

	t.Run("AttackerChosenPair", func(t *testing.T) {
		// The double-submit pair of echo's old middleware: a cookie planted by
		// someone else with the same value as the form's token. The token is an
		// HMAC of the cookie now, so the pair alone is worth nothing; an attacker
		// who asks the server for the token of their chosen cookie is
		// TestCSRF_LoginWithATossedCookie.
		const chosen = "attacker-chosen-value-0123456789abcdef"
		plant := func(c *http.Client) {
			c.Jar.SetCookies(mustURL(ts.URL), []*http.Cookie{{Name: "lectern_csrf", Value: chosen, Path: "/"}})
		}
		anon := newBrowser()
		plant(anon)
		if st := send(t, anon, "/login", url.Values{"csrf_token": {chosen}, "email": {w.officerA.Email}, "password": {w.officerA.Password}}, nil); st != http.StatusForbidden {
			t.Errorf("sign-in with a planted cookie and token: %d, want 403", st)
		}
		admin := ts.browser(t, w.admin)
		plant(admin)
		before := agencies()
		if st := send(t, admin, "/admin/agencies", url.Values{"csrf_token": {chosen}, "name": {"Planted Pair"}, "country": {"DE"}}, nil); st != http.StatusForbidden {
			t.Errorf("signed-in form with a planted cookie and token: %d, want 403", st)
		}
		if agencies() != before {
			t.Errorf("the planted pair created an agency")
		}
	})

	t.Run("RenewedAtLoginAndLogout", func(t *testing.T) {
		b := newBrowser()
		anonymous := csrfFrom(t, b, ts.URL+"/login")
		if st := send(t, b, "/login", url.Values{"csrf_token": {anonymous}, "email": {w.admin.Email}, "password": {w.admin.Password}}, nil); st != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", st)
		}
		before := agencies()
		if st := send(t, b, "/admin/agencies", url.Values{"csrf_token": {anonymous}, "name": {"Old Token Agency"}, "country": {"DE"}}, nil); st != http.StatusForbidden {
			t.Errorf("the token from before the sign-in, after it: %d, want 403", st)
		}
		if agencies() != before {
			t.Errorf("the token from before the sign-in created an agency")
		}
		signedIn := csrfFrom(t, b, ts.URL+"/admin/agencies")
		if signedIn == anonymous {
			t.Fatalf("the token did not change at sign-in")
		}
		if st := send(t, b, "/admin/agencies", url.Values{"csrf_token": {signedIn}, "name": {"New Token Agency"}, "country": {"DE"}}, nil); st != http.StatusSeeOther {
			t.Errorf("the signed-in token: %d, want 303", st)
		}
		if st := send(t, b, "/logout", url.Values{"csrf_token": {signedIn}}, nil); st != http.StatusSeeOther {
			t.Fatalf("logout: %d", st)
		}
		if st := send(t, b, "/login", url.Values{"csrf_token": {signedIn}, "email": {w.admin.Email}, "password": {w.admin.Password}}, nil); st != http.StatusForbidden {
			t.Errorf("the signed-in token after logout: %d, want 403", st)
		}
		if again := csrfFrom(t, b, ts.URL+"/login"); again == anonymous || again == signedIn {
			t.Errorf("the token after logout is an old one")
		} else if st := send(t, b, "/login", url.Values{"csrf_token": {again}, "email": {w.admin.Email}, "password": {w.admin.Password}}, nil); st != http.StatusSeeOther {
			t.Errorf("sign-in again with the new token: %d", st)
		}
	})

	t.Run("CrossSiteRefused", func(t *testing.T) {
		admin := ts.browser(t, w.admin)
		token := csrfFrom(t, admin, ts.URL+"/admin/agencies")
		before := agencies()
		for _, h := range []map[string]string{
			{"Origin": "https://evil.example"},
			{"Origin": "null"},
			{"Sec-Fetch-Site": "cross-site"},
			{"Sec-Fetch-Site": "same-site", "Origin": "http://other.127.0.0.1.nip.example"},
		} {
			if st := send(t, admin, "/admin/agencies", url.Values{"csrf_token": {token}, "name": {"Cross Site"}, "country": {"DE"}}, h); st != http.StatusForbidden {
				t.Errorf("cross-site %v: %d, want 403", h, st)
			}
		}
		anon := newBrowser()
		if st := send(t, anon, "/login", url.Values{"csrf_token": {csrfFrom(t, anon, ts.URL+"/login")}, "email": {w.admin.Email}, "password": {w.admin.Password}},
			map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); st != http.StatusForbidden {
			t.Errorf("cross-site sign-in: %d, want 403", st)
		}
		if agencies() != before {
			t.Fatalf("a cross-site post created an agency")
		}
		// Same-origin browsers, and clients that send neither header, still work.
		for i, h := range []map[string]string{
			{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"},
			{"Origin": ts.URL},
			nil,
		} {
			form := url.Values{"csrf_token": {token}, "name": {"Same Origin " + string(rune('A'+i))}, "country": {"DE"}}
			if st := send(t, admin, "/admin/agencies", form, h); st != http.StatusSeeOther {
				t.Errorf("same origin %v: %d, want 303", h, st)
			}
		}
	})
}

// TestCSRF_CurrentTokenForScripts: a page's script whose token went stale (a
// sign-out and sign-in in another tab, an upgrade) can tell the CSRF refusal
// from others by its code and get the sign-in's current token, from the refusal
// itself or from GET /api/v1/auth/csrf; only a same-site script of a cookie
// sign-in ever sees it.
func TestCSRF_CurrentTokenForScripts(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	// call sends a request as client (nil: no cookies) and returns the response and its body.
	call := func(t *testing.T, client *http.Client, method, path string, headers map[string]string) (*http.Response, string) {
		t.Helper()
		if client == nil {
			client = http.DefaultClient
		}
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader("{}"))
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := new(strings.Builder)
		ioCopy(body, res)
		return res, body.String()
	}
	current := func(t *testing.T, client *http.Client, headers map[string]string) (*http.Response, string, string) {
		t.Helper()
		res, body := call(t, client, http.MethodGet, "/api/v1/auth/csrf", headers)
		var out struct {
			Token string `json:"csrf_token"`
			Error struct{ Code string }
		}
		_ = json.Unmarshal([]byte(body), &out)
		if out.Token == "" {
			out.Token = out.Error.Code
		}
		return res, out.Token, body
	}
	sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": ts.URL}

	t.Run("TheSignInsToken", func(t *testing.T) {
		admin := ts.browser(t, w.admin)
		page := csrfFrom(t, admin, ts.URL+"/admin/agencies")
		res, got, body := current(t, admin, sameOrigin)
		if res.StatusCode != http.StatusOK || got != page {
			t.Fatalf("GET /api/v1/auth/csrf: %d %s, want 200 and the page's token", res.StatusCode, body)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		for _, path := range []string{"/api/v1/auth/csrf", "/", "/api/v1/me"} {
			if res, _ := call(t, admin, http.MethodGet, path, sameOrigin); res.Header.Get("X-CSRF-Token") != page {
				t.Errorf("GET %s: X-CSRF-Token %q, want the sign-in's token", path, res.Header.Get("X-CSRF-Token"))
			}
		}
	})

	t.Run("StaleTokenRefusedWithItsOwnCode", func(t *testing.T) {
		b := ts.browser(t, w.officerA)
		stale := csrfFrom(t, b, ts.URL+"/")
		// Signed out and in again, in another tab of the same browser.
		if res := postForm(t, b, ts.URL+"/logout", url.Values{"csrf_token": {stale}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if res := postForm(t, b, ts.URL+"/login", url.Values{"csrf_token": {csrfFrom(t, b, ts.URL+"/login")}, "email": {w.officerA.Email}, "password": {w.officerA.Password}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in again: %d", res.StatusCode)
		}
		_, fresh, _ := current(t, b, sameOrigin)
		if fresh == "" || fresh == stale {
			t.Fatalf("the token after signing in again is %q (the old one was %q)", fresh, stale)
		}
		res, body := call(t, b, http.MethodPost, "/api/v1/agencies", map[string]string{"X-CSRF-Token": stale, "Sec-Fetch-Site": "same-origin"})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `"code":"csrf"`) {
			t.Errorf("a stale token: %d %s, want 403 with code csrf", res.StatusCode, body)
		}
		if got := res.Header.Get("X-CSRF-Token"); got != fresh {
			t.Errorf("the refusal carries X-CSRF-Token %q, want the current token", got)
		}
		// With the current token the request gets through the CSRF check, and
		// an officer is refused for her role: another code.
		res, body = call(t, b, http.MethodPost, "/api/v1/agencies", map[string]string{"X-CSRF-Token": fresh, "Sec-Fetch-Site": "same-origin"})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `"code":"forbidden"`) {
			t.Errorf("the current token, a role refusal: %d %s, want 403 with code forbidden", res.StatusCode, body)
		}
	})

	t.Run("NeverForBearerClients", func(t *testing.T) {
		token := ts.token(t, w.officerA)
		for _, path := range []string{"/api/v1/auth/csrf", "/api/v1/me"} {
			res, body := call(t, nil, http.MethodGet, path, map[string]string{"Authorization": "Bearer " + token})
			if h := res.Header.Get("X-CSRF-Token"); h != "" {
				t.Errorf("bearer GET %s carries X-CSRF-Token", path)
			}
			if path == "/api/v1/auth/csrf" && (res.StatusCode != http.StatusBadRequest || strings.Contains(body, "csrf_token")) {
				t.Errorf("bearer GET %s: %d %s, want 400", path, res.StatusCode, body)
			}
		}
	})

	t.Run("NeverCrossSite", func(t *testing.T) {
		admin := ts.browser(t, w.admin)
		page := csrfFrom(t, admin, ts.URL+"/admin/agencies")
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
			{"Sec-Fetch-Site": "same-site", "Origin": "http://other.127.0.0.1.nip.example"},
			{"Origin": "https://evil.example"},
		} {
			res, got, body := current(t, admin, h)
			if res.StatusCode != http.StatusForbidden || got != "csrf" || strings.Contains(body, page) {
				t.Errorf("GET /api/v1/auth/csrf %v: %d %s, want 403 csrf without the token", h, res.StatusCode, body)
			}
			for _, path := range []string{"/api/v1/auth/csrf", "/", "/api/v1/me"} {
				if res, _ := call(t, admin, http.MethodGet, path, h); res.Header.Get("X-CSRF-Token") != "" {
					t.Errorf("GET %s %v carries X-CSRF-Token", path, h)
				}
			}
		}
	})

	t.Run("NotSignedIn", func(t *testing.T) {
		anon := newBrowser()
		csrfFrom(t, anon, ts.URL+"/login") // a pre-session cookie
		res, _, body := current(t, anon, sameOrigin)
		if res.StatusCode != http.StatusUnauthorized || res.Header.Get("X-CSRF-Token") != "" {
			t.Errorf("signed out: %d %s (X-CSRF-Token %q), want 401 without a token", res.StatusCode, body, res.Header.Get("X-CSRF-Token"))
		}
		if res, _ := call(t, anon, http.MethodGet, "/login", sameOrigin); res.Header.Get("X-CSRF-Token") != "" {
			t.Errorf("the sign-in page carries X-CSRF-Token")
		}
	})
}

// tlsBrowser is a browser of a site served over HTTPS (its base URL is https;
// TLS ends at a proxy in front of the test server). It keeps the Secure cookies,
// which Go's cookie jar would not send to the plain-HTTP test server, and sends
// whatever cookies a test plants.
type tlsBrowser struct {
	base    string
	cookies map[string]*http.Cookie
}

func (b *tlsBrowser) do(t *testing.T, method, path string, form url.Values, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range b.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body := new(strings.Builder)
	ioCopy(body, res)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(b.cookies, ck.Name)
		} else {
			b.cookies[ck.Name] = ck
		}
	}
	return res, body.String()
}

// TestCSRF_LoginWithATossedCookie is login CSRF the way it is done. The
// attacker picks a cookie value, asks the server for its form token (GET /login
// with that cookie), plants the cookie in the victim's browser (cookie tossing
// from a sibling subdomain, or a forged plain-HTTP response on the venue's
// Wi-Fi) and makes it post the sign-in form with that token and the attacker's
// own credentials: the victim then works in the attacker's account. What stops
// it: the browser saying where the post comes from (Origin, Sec-Fetch-Site;
// every browser in use sends one), and, when the site is on HTTPS, cookie names
// with the __Host- prefix, which a sibling subdomain or a plain-HTTP response
// cannot set, so the planted cookie is not the one the server reads.
func TestCSRF_LoginWithATossedCookie(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	attacker := w.officerB
	// attack plants name=value, gets its token from the server and posts the
	// sign-in as the victim's browser would, with headers; it returns the status.
	attack := func(t *testing.T, name string, headers map[string]string) int {
		t.Helper()
		const chosen = "attacker-chosen-value-0123456789abcdef"
		attackerBrowser := &tlsBrowser{base: ts.URL, cookies: map[string]*http.Cookie{name: {Name: name, Value: chosen}}}
		_, page := attackerBrowser.do(t, http.MethodGet, "/login", nil, nil)
		m := csrfField.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no token on the sign-in page")
		}
		victim := &tlsBrowser{base: ts.URL, cookies: map[string]*http.Cookie{name: {Name: name, Value: chosen}}}
		res, _ := victim.do(t, http.MethodPost, "/login", url.Values{"csrf_token": {m[1]}, "email": {attacker.Email}, "password": {attacker.Password}}, headers)
		return res.StatusCode
	}
	tossed := []string{"lectern_csrf", "lectern_session"}

	t.Run("BrowserHeadersStopIt", func(t *testing.T) {
		for _, name := range tossed {
			for _, h := range []map[string]string{
				{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
				{"Origin": "https://evil.example"},
				{"Sec-Fetch-Site": "same-site"}, // the sibling subdomain's own page
			} {
				if st := attack(t, name, h); st != http.StatusForbidden {
					t.Errorf("tossed %s, posted with %v: %d, want 403", name, h, st)
				}
			}
		}
	})

	t.Run("PlainHTTPWithoutThemNothingDoes", func(t *testing.T) {
		// Documented, not wished away: on plain HTTP whoever can plant a cookie
		// can also rewrite the pages; a client that says nothing of where its post
		// comes from signs in with the planted pair.
		if st := attack(t, "lectern_csrf", nil); st != http.StatusSeeOther {
			t.Errorf("plain HTTP, no Origin, no Sec-Fetch-Site: %d; docs/api.md says this is not stopped", st)
		}
	})

	t.Run("HTTPSHostPrefixStopsIt", func(t *testing.T) {
		ts.Server.cfg.BaseURL = "https://lectern.example"
		t.Cleanup(func() { ts.Server.cfg.BaseURL = "http://127.0.0.1" })
		for _, name := range tossed {
			if st := attack(t, name, nil); st != http.StatusForbidden {
				t.Errorf("HTTPS site, tossed %s, no Origin, no Sec-Fetch-Site: %d, want 403", name, st)
			}
		}
		// The site's own cookies carry the prefix (Secure, Path=/, no Domain),
		// and an honest sign-in works.
		b := &tlsBrowser{base: ts.URL, cookies: map[string]*http.Cookie{}}
		_, page := b.do(t, http.MethodGet, "/login", nil, nil)
		pre := b.cookies["__Host-lectern_csrf"]
		if pre == nil || !pre.Secure || pre.Path != "/" || pre.Domain != "" || b.cookies["lectern_csrf"] != nil {
			t.Fatalf("pre-session cookie %+v, want __Host-lectern_csrf (Secure, Path=/, no Domain) only", pre)
		}
		res, _ := b.do(t, http.MethodPost, "/login", url.Values{"csrf_token": {csrfField.FindStringSubmatch(page)[1]}, "email": {w.officerA.Email}, "password": {w.officerA.Password}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("honest sign-in: %d", res.StatusCode)
		}
		if ck := b.cookies["__Host-lectern_session"]; ck == nil || !ck.Secure || b.cookies["lectern_session"] != nil || b.cookies["__Host-lectern_csrf"] != nil {
			t.Fatalf("after sign-in the cookies are %v, want __Host-lectern_session alone", b.cookies)
		}
		if res, body := b.do(t, http.MethodGet, "/", nil, nil); res.StatusCode != http.StatusOK || !strings.Contains(body, "Officer Alpha-Marker") {
			t.Fatalf("dashboard after an HTTPS sign-in: %d", res.StatusCode)
		}
	})

	t.Run("HTTPSUpgradeKeepsSignIns", func(t *testing.T) {
		// Signed in before the upgrade, under the old cookie name: still signed
		// in after it (for one release), and moved to the prefixed name.
		old := ts.browser(t, w.coordA)
		var session string
		for _, ck := range old.Jar.Cookies(mustURL(ts.URL)) {
			if ck.Name == "lectern_session" {
				session = ck.Value
			}
		}
		ts.Server.cfg.BaseURL = "https://lectern.example"
		t.Cleanup(func() { ts.Server.cfg.BaseURL = "http://127.0.0.1" })
		b := &tlsBrowser{base: ts.URL, cookies: map[string]*http.Cookie{"lectern_session": {Name: "lectern_session", Value: session}}}
		res, body := b.do(t, http.MethodGet, "/", nil, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Coordinator Alpha-Marker") {
			t.Fatalf("a sign-in from before the upgrade: %d, want the dashboard", res.StatusCode)
		}
		if ck := b.cookies["__Host-lectern_session"]; ck == nil || ck.Value != session || b.cookies["lectern_session"] != nil {
			t.Fatalf("cookies after the first request %v, want the session moved to __Host-lectern_session", b.cookies)
		}
		res, body = b.do(t, http.MethodGet, "/", nil, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Coordinator Alpha-Marker") {
			t.Fatalf("under the new name: %d", res.StatusCode)
		}
		if res, _ := b.do(t, http.MethodPost, "/logout", url.Values{"csrf_token": {csrfField.FindStringSubmatch(body)[1]}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out with the page's token: %d", res.StatusCode)
		}
	})
}
