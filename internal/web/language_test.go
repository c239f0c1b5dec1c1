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
		lang, chosen, err := ts.DB.Read(context.Background()).UserLanguage(u.ID)
		if err != nil || lang != "ko" || !chosen {
			t.Errorf("stored language %q (chosen %v), %v", lang, chosen, err)
		}
	})
}

// TestLanguage_Precedence: each step of the rule (i18n.Catalog.LanguageOf)
// through the real server, for pages and JSON errors alike: an explicit choice
// beats the cookie, which beats Accept-Language, which beats the language only
// observed at activation, which beats English; e-mails, with no request, use
// the choice, else the observation. A choice made on the sign-in page is
// carried into the account at sign-in, unless the account has one.
func TestLanguage_Precedence(t *testing.T) {
	ts := startServer(t, courses.FS)
	ctx := context.Background()
	ag := ts.agency(t, "Politie", "NL")
	sessionNotFound := "err.not_found.session" // an errors id, not a ui one
	notFound := func(lang string) string { return ts.Server.catalog.For(lang).T(sessionNotFound) }

	// account makes an officer whose browser language was observed at
	// activation ("" for none).
	account := func(t *testing.T, observed string) (credentials, int64) {
		t.Helper()
		who := ts.user(t, auth.RoleOfficer, &ag.ID, "Sanne de Vries")
		var u store.User
		if err := ts.DB.R.Where("email = ?", who.Email).Take(&u).Error; err != nil {
			t.Fatal(err)
		}
		if observed != "" {
			if err := ts.Accounts.RecordLanguage(ctx, u.ID, observed); err != nil {
				t.Fatal(err)
			}
		}
		return who, u.ID
	}
	withCookie := func(b *http.Client, lang string) {
		if lang != "" {
			u, _ := url.Parse(ts.URL)
			b.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: lang, Path: "/"}})
		}
	}
	// sees returns the language of a page and of a JSON error for who, with
	// the cookie and Accept-Language given ("" for none).
	sees := func(t *testing.T, who credentials, cookie, accept string) (page, apiMessage string) {
		t.Helper()
		b := ts.browser(t, who) // signed in before the cookie is set: nothing adopted
		withCookie(b, cookie)
		page, _ = pageLang(t, b, ts.URL+"/", accept)
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/sessions/999999", nil)
		req.Header.Set("Authorization", "Bearer "+ts.token(t, who))
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: langCookie, Value: cookie})
		}
		res, body := send(t, http.DefaultClient, req)
		var out localisedError
		if res.StatusCode != http.StatusNotFound || json.Unmarshal([]byte(body), &out) != nil {
			t.Fatalf("API error: %d %s", res.StatusCode, body)
		}
		return page, out.Error.Message
	}

	for _, tc := range []struct {
		name, observed, choose, cookie, accept, want string
	}{
		{"the reproduction: observed en-US, cookie and browser ko", "en-US", "", "ko", "ko", "ko"},
		{"cookie beats Accept-Language", "en-US", "", "ko", "de-DE,de;q=0.9", "ko"},
		{"Accept-Language beats the observed language", "en-US", "", "", "sv-SE", "sv"},
		{"the observed language beats English", "fr-CA", "", "", "ja", "fr"},
		{"the observed language with no header at all", "pt", "", "", "", "pt-BR"},
		{"nothing known: English", "", "", "", "ja", "en"},
		{"an explicit choice beats cookie and Accept-Language", "en-US", "he", "ko", "ko", "he"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			who, _ := account(t, tc.observed)
			if tc.choose != "" {
				if res, body := ts.api(t, ts.token(t, who), http.MethodPut, "/api/v1/me/language", map[string]string{"language": tc.choose}); res.StatusCode != http.StatusOK {
					t.Fatalf("choose %s: %d %s", tc.choose, res.StatusCode, body)
				}
			}
			page, msg := sees(t, who, tc.cookie, tc.accept)
			if page != tc.want {
				t.Errorf("page in %q, want %q", page, tc.want)
			}
			if msg != notFound(tc.want) {
				t.Errorf("JSON error %q, want %q (%s)", msg, notFound(tc.want), tc.want)
			}
		})
	}

	// signIn chooses lang in the sign-in page's selector, then signs in.
	signIn := func(t *testing.T, who credentials, lang string) *http.Client {
		t.Helper()
		b := newBrowser()
		if res := submitForm(t, b, ts.URL+"/login", ts.URL+"/language", url.Values{"language": {lang}, "next": {"/login"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("choose %s: %d", lang, res.StatusCode)
		}
		if res := submitForm(t, b, ts.URL+"/login", ts.URL+"/login", url.Values{"email": {who.Email}, "password": {who.Password}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", res.StatusCode)
		}
		return b
	}
	stored := func(t *testing.T, id int64) (string, bool) {
		t.Helper()
		lang, chosen, err := ts.DB.Read(ctx).UserLanguage(id)
		if err != nil {
			t.Fatal(err)
		}
		return lang, chosen
	}

	t.Run("the sign-in page's choice is carried into the account", func(t *testing.T) {
		who, id := account(t, "en-US")
		b := signIn(t, who, "ko")
		if lang, _ := pageLang(t, b, ts.URL+"/", "en-US"); lang != "ko" {
			t.Errorf("after signing in: %q, want ko", lang)
		}
		if lang, chosen := stored(t, id); lang != "ko" || !chosen {
			t.Errorf("stored %q chosen %v, want ko chosen", lang, chosen)
		}
		// Another device, no cookie, an English browser: the choice holds.
		if page, msg := sees(t, who, "", "en-US"); page != "ko" || msg != notFound("ko") {
			t.Errorf("another device: page %q, error %q; want ko", page, msg)
		}
	})

	t.Run("a cookie never replaces a choice made before", func(t *testing.T) {
		who, id := account(t, "")
		if err := ts.Accounts.SetLanguage(ctx, &auth.Actor{UserID: id}, "he"); err != nil {
			t.Fatal(err)
		}
		b := signIn(t, who, "sv")
		if lang, _ := pageLang(t, b, ts.URL+"/", "sv"); lang != "he" {
			t.Errorf("after signing in with a Swedish cookie: %q, want he", lang)
		}
		if lang, chosen := stored(t, id); lang != "he" || !chosen {
			t.Errorf("stored %q chosen %v, want he chosen", lang, chosen)
		}
	})

	t.Run("e-mails: the choice, else the observed language", func(t *testing.T) {
		resetMail := func(t *testing.T, who credentials, id int64) string {
			t.Helper()
			b := newBrowser()
			b.Transport = acceptLanguage("ko") // the requester's browser is not the recipient's
			if res := submitForm(t, b, ts.URL+"/reset", ts.URL+"/reset", url.Values{"email": {who.Email}}); res.StatusCode != http.StatusOK {
				t.Fatalf("reset request: %d", res.StatusCode)
			}
			list, err := ts.DB.OutboxMessages(ctx, store.OutboxFilter{UserID: &id})
			if err != nil || len(list) == 0 {
				t.Fatalf("no e-mail for the reset: %v", err)
			}
			return list[0].Language
		}
		who, id := account(t, "fr-CA")
		if got := resetMail(t, who, id); got != "fr" {
			t.Errorf("observed fr-CA: e-mail in %q, want fr", got)
		}
		if err := ts.Accounts.SetLanguage(ctx, &auth.Actor{UserID: id}, "de"); err != nil {
			t.Fatal(err)
		}
		if got := resetMail(t, who, id); got != "de" {
			t.Errorf("chosen de: e-mail in %q, want de", got)
		}
	})
}
