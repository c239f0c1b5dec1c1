package web

import (
	"context"
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
		// A cookie planted by someone else (a sibling subdomain, plain HTTP on the
		// venue's Wi-Fi) with the same value as the form's token.
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
