package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

var htmlLang = regexp.MustCompile(`<html lang="([^"]*)" dir="([^"]*)">`)

// pageLang fetches a page with the browser and an Accept-Language header, and
// returns its <html lang> and dir.
func pageLang(t *testing.T, client *http.Client, u, accept string) (lang, dir string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	res, body := send(t, client, req)
	m := htmlLang.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %d, no <html lang dir> in %.300s", u, res.StatusCode, body)
	}
	return m[1], m[2]
}

func langCookieOf(client *http.Client, base string) string {
	u, _ := url.Parse(base)
	for _, c := range client.Jar.Cookies(u) {
		if c.Name == langCookie {
			return c.Value
		}
	}
	return ""
}

// TestLanguage_AcceptLanguage: without a choice, the browser's header decides,
// matched to the catalogues (a Portuguese browser gets pt-BR, Hebrew is rtl),
// and an unknown language gets English.
func TestLanguage_AcceptLanguage(t *testing.T) {
	ts := startServer(t, courses.FS)
	for _, tc := range []struct{ accept, lang, dir string }{
		{"", "en", "ltr"},
		{"pt-PT,pt;q=0.9", "pt-BR", "ltr"},
		{"he-IL", "he", "rtl"},
		{"de-AT", "de", "ltr"},
		{"ja, ko;q=0.5", "ko", "ltr"},
		{"ja", "en", "ltr"},
	} {
		if lang, dir := pageLang(t, newBrowser(), ts.URL+"/login", tc.accept); lang != tc.lang || dir != tc.dir {
			t.Errorf("Accept-Language %q: lang=%q dir=%q, want %q %q", tc.accept, lang, dir, tc.lang, tc.dir)
		}
	}
}

// TestLanguage_SelectorAnonymous: someone not signed in chooses a language in
// the header; a cookie keeps it over the browser's header, and they come back
// to the page they were on — on this site only.
func TestLanguage_SelectorAnonymous(t *testing.T) {
	ts := startServer(t, courses.FS)
	b := newBrowser()
	_, body := getWith(t, b, ts.URL+"/login")
	for _, want := range []string{`action="/language"`, `name="language" value="he" lang="he" dir="rtl">עברית</button>`,
		`value="pt-BR" lang="pt-BR" dir="ltr">Português (Brasil)</button>`, `value="en" lang="en" dir="ltr" aria-current="true">English</button>`,
		`<summary>`,
		`name="next" value="/login"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the header's selector lacks %s", want)
		}
	}
	res := submitForm(t, b, ts.URL+"/login", ts.URL+"/language", url.Values{"language": {"fr"}, "next": {"/privacy?x=1"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/privacy?x=1" {
		t.Fatalf("choose fr: %d → %q, want 303 → /privacy?x=1", res.StatusCode, res.Header.Get("Location"))
	}
	if got := langCookieOf(b, ts.URL); got != "fr" {
		t.Errorf("cookie %q, want fr", got)
	}
	if lang, _ := pageLang(t, b, ts.URL+"/login", "de"); lang != "fr" {
		t.Errorf("after choosing fr, a German browser's page is %q", lang)
	}
	t.Run("foreign targets go home", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "javascript:alert(1)", ""} {
			res := submitForm(t, b, ts.URL+"/login", ts.URL+"/language", url.Values{"language": {"de"}, "next": {next}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
				t.Errorf("next %q: %d → %q, want 303 → /", next, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
	t.Run("unoffered languages are refused and change nothing", func(t *testing.T) {
		for _, lang := range []string{"ja", "", "pt", "fr;q=1", strings.Repeat("x", 100)} {
			res := submitForm(t, b, ts.URL+"/login", ts.URL+"/language", url.Values{"language": {lang}, "next": {"/"}})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("language %q: %d, want 422", lang, res.StatusCode)
			}
		}
		if got := langCookieOf(b, ts.URL); got != "de" {
			t.Errorf("cookie %q after refused choices, want de (the last accepted)", got)
		}
	})
	t.Run("no CSRF token, no change", func(t *testing.T) {
		res := postForm(t, b, ts.URL+"/language", url.Values{"language": {"ko"}, "next": {"/"}})
		if res.StatusCode != http.StatusForbidden || langCookieOf(b, ts.URL) != "de" {
			t.Errorf("without a token: %d, cookie %q", res.StatusCode, langCookieOf(b, ts.URL))
		}
	})
}

// TestLanguage_SelectorSignedIn: a signed-in user's choice is saved with their
// account (audited), so it wins over the browser's header on another device
// and after signing out and in again; the API twin does the same.
func TestLanguage_SelectorSignedIn(t *testing.T) {
	ts := startServer(t, courses.FS)
	ag := ts.agency(t, "Polícia Federal", "BR")
	who := ts.user(t, auth.RoleOfficer, &ag.ID, "Ana Souza")
	b := ts.browser(t, who)
	res := submitForm(t, b, ts.URL+"/", ts.URL+"/language", url.Values{"language": {"he"}, "next": {"/sessions"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sessions" {
		t.Fatalf("choose he: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if lang, dir := pageLang(t, b, ts.URL+"/sessions", "en"); lang != "he" || dir != "rtl" {
		t.Errorf("after choosing he: %q %q", lang, dir)
	}
	// Another device, no cookie, an English browser: the saved choice wins.
	other := ts.browser(t, who)
	if lang, _ := pageLang(t, other, ts.URL+"/", "en-US"); lang != "he" {
		t.Errorf("another device: %q, want he", lang)
	}
	// Signed out and in again on it: still Hebrew.
	submitForm(t, other, ts.URL+"/", ts.URL+"/logout", url.Values{})
	other = ts.browser(t, who)
	if lang, _ := pageLang(t, other, ts.URL+"/", "en-US"); lang != "he" {
		t.Errorf("after signing out and in: %q, want he", lang)
	}

	var u store.User
	if err := ts.DB.R.Where("email = ?", who.Email).Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	var events []store.AuditEvent
	if err := ts.DB.R.Where("action = ? AND user_id = ?", "user.language", u.ID).Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || !strings.Contains(events[0].After, `"he"`) || events[0].ActorID == nil || *events[0].ActorID != u.ID {
		t.Errorf("audit of the choice: %+v", events)
	}

	t.Run("API", func(t *testing.T) {
		tok := ts.token(t, who)
		res, body := ts.api(t, tok, http.MethodPut, "/api/v1/me/language", map[string]string{"language": "ko"})
		var got auth.User
		if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.Language != "ko" {
			t.Fatalf("PUT /me/language ko: %d %s", res.StatusCode, body)
		}
		for _, bad := range []any{map[string]string{"language": "ja"}, map[string]any{"language": 7}, `{"language":"fr","x":1}`, "{"} {
			if res, body := ts.api(t, tok, http.MethodPut, "/api/v1/me/language", bad); res.StatusCode/100 != 4 {
				t.Errorf("PUT %v: %d %s, want 4xx", bad, res.StatusCode, body)
			}
		}
		if res, _ := ts.api(t, "", http.MethodPut, "/api/v1/me/language", map[string]string{"language": "ko"}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous PUT: %d, want 401", res.StatusCode)
		}
		_, body = ts.api(t, tok, http.MethodGet, "/api/v1/me", nil)
		if !strings.Contains(body, `"language":"ko"`) {
			t.Errorf("GET /me after the bad ones: %s", body)
		}
		lang, err := ts.DB.Read(context.Background()).UserLanguage(u.ID)
		if err != nil || lang != "ko" {
			t.Errorf("stored language %q, %v", lang, err)
		}
	})
}
