package web

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// world is two agencies with a coordinator and an officer each, a trainer and an
// admin. Everything of agency A carries the marker "Alpha-Marker".
type world struct {
	ts                   *testServer
	agencyA, agencyB     *auth.Agency
	officerA, officerB   credentials
	coordA, coordB       credentials
	trainer, admin       credentials
	officerAID, coordAID int64
}

func newWorld(t *testing.T) *world { return newWorldWith(t, courses.FS) }

func newWorldWith(t *testing.T, fsys fs.FS) *world { return newWorldOn(t, startServer(t, fsys)) }

// newWorldOn peoples a server already started (with a configuration of its own).
func newWorldOn(t *testing.T, ts *testServer) *world {
	w := &world{ts: ts}
	w.agencyA = ts.agency(t, "Agency Alpha-Marker", "FR")
	w.agencyB = ts.agency(t, "Agency Bravo", "KR")
	w.officerA = ts.user(t, auth.RoleOfficer, &w.agencyA.ID, "Officer Alpha-Marker")
	w.coordA = ts.user(t, auth.RoleCoordinator, &w.agencyA.ID, "Coordinator Alpha-Marker")
	w.officerB = ts.user(t, auth.RoleOfficer, &w.agencyB.ID, "경찰관 브라보")
	w.coordB = ts.user(t, auth.RoleCoordinator, &w.agencyB.ID, "Coordinator Bravo")
	w.trainer = ts.user(t, auth.RoleTrainer, nil, "Trainer Tango")
	w.admin = ts.user(t, auth.RoleAdmin, nil, "Admin Alfa")
	w.officerAID = w.idOf(t, w.officerA)
	w.coordAID = w.idOf(t, w.coordA)
	return w
}

func (w *world) idOf(t *testing.T, c credentials) int64 {
	u, err := w.ts.DB.UserByEmail(context.Background(), c.Email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestAPI_LoginMeLogout(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	res, body := ts.api(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": strings.ToUpper(w.officerB.Email), "password": w.officerB.Password})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login with an upper-case e-mail: %d %s", res.StatusCode, body)
	}
	var out struct {
		Token string
		User  map[string]any
	}
	json.Unmarshal([]byte(body), &out)
	for _, k := range []string{"id", "email", "name", "role", "agency_id"} {
		if _, ok := out.User[k]; !ok {
			t.Errorf("user lacks %q: %s", k, body)
		}
	}
	if strings.Contains(body, "argon2") || strings.Contains(body, "password") {
		t.Errorf("login response leaks the password hash: %s", body)
	}
	res, body = ts.api(t, out.Token, "GET", "/api/v1/me", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "경찰관 브라보") {
		t.Errorf("me: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.api(t, out.Token, "POST", "/api/v1/auth/logout", nil); res.StatusCode != http.StatusNoContent {
		t.Errorf("logout: %d", res.StatusCode)
	}
	if res, body := ts.api(t, out.Token, "GET", "/api/v1/me", nil); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"code":"unauthorized"`) {
		t.Errorf("revoked token: %d %s", res.StatusCode, body)
	}
	for _, bad := range []map[string]string{
		{"email": w.officerB.Email, "password": "wrong password!"},
		{"email": "nobody@test.example", "password": testPassword},
	} {
		if res, body := ts.api(t, "", "POST", "/api/v1/auth/login", bad); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "wrong e-mail address or password") {
			t.Errorf("bad login %v: %d %s", bad, res.StatusCode, body)
		}
	}
	if res, _ := ts.api(t, "not-a-token", "GET", "/api/v1/me", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown token: %d", res.StatusCode)
	}
}

func TestAccounts_PasswordsAreHashed(t *testing.T) {
	w := newWorld(t)
	u, err := w.ts.DB.UserByEmail(context.Background(), w.officerA.Email)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(u.PasswordHash, testPassword) {
		t.Errorf("stored password = %q", u.PasswordHash)
	}
	res, body := w.ts.api(t, w.ts.token(t, w.admin), "POST", "/api/v1/users", map[string]any{
		"email": "short@test.example", "name": "Short", "role": "trainer", "password": "elevenchars"})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"password"`) {
		t.Errorf("short password: %d %s", res.StatusCode, body)
	}
}

func TestBrowser_LoginLogoutAndCSRF(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	anon := newBrowser()
	res, _ := getWith(t, anon, ts.URL+"/courses/crypto-crime")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous course page: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	// A login form posted without its CSRF token is refused.
	if res := postForm(t, anon, ts.URL+"/login", url.Values{"email": {w.admin.Email}, "password": {w.admin.Password}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("login without CSRF: %d", res.StatusCode)
	}
	// A wrong password re-renders the form with 401.
	res = submitForm(t, anon, ts.URL+"/login", ts.URL+"/login", url.Values{"email": {w.admin.Email}, "password": {"not the password"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", res.StatusCode)
	}

	admin := ts.browser(t, w.admin)
	for _, ck := range admin.Jar.Cookies(mustURL(ts.URL)) {
		if ck.Name == sessionCookie && ck.Value == "" {
			t.Errorf("empty session cookie")
		}
	}
	before, _ := ts.DB.Agencies(context.Background(), nil)
	for name, token := range map[string]string{"no token": "", "wrong token": "forged-token-value"} {
		form := url.Values{"name": {"Forged Agency"}, "country": {"DE"}}
		if token != "" {
			form.Set("csrf_token", token)
		}
		if res := postForm(t, admin, ts.URL+"/admin/agencies", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
	}
	// A cookie-authenticated API write needs the token too.
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/agencies", strings.NewReader(`{"name":"Forged","country":"DE"}`))
	req.Header.Set("Content-Type", "application/json")
	if res, err := admin.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("cookie API write without CSRF: %v %v", res.StatusCode, err)
	}
	after, _ := ts.DB.Agencies(context.Background(), nil)
	if len(after) != len(before) {
		t.Fatalf("a CSRF-rejected request created an agency")
	}
	res = submitForm(t, admin, ts.URL+"/admin/agencies", ts.URL+"/admin/agencies", url.Values{"name": {"Bundeskriminalamt Ü"}, "country": {"de"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("agency form with CSRF: %d", res.StatusCode)
	}
	if _, body := getWith(t, admin, ts.URL+"/admin/agencies"); !strings.Contains(body, "Bundeskriminalamt Ü") || !strings.Contains(body, ">DE<") {
		t.Errorf("created agency not listed")
	}
	// A bad country comes back with the field's error, and nothing is created.
	res = submitForm(t, admin, ts.URL+"/admin/agencies", ts.URL+"/admin/agencies", url.Values{"name": {"Nowhere"}, "country": {"XX"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad country: %d", res.StatusCode)
	}

	res = submitForm(t, admin, ts.URL+"/", ts.URL+"/logout", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", res.StatusCode)
	}
	if res, _ := getWith(t, admin, ts.URL+"/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout the dashboard answers %d", res.StatusCode)
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestAPI_BadBodies(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	admin := ts.token(t, w.admin)
	before, _ := ts.DB.Users(context.Background(), store.UserFilter{})
	tests := []struct {
		name   string
		body   any
		ctype  string
		status int
		want   string
	}{
		{"malformed", `{"email": "x@test.example",`, "", 400, "malformed JSON"},
		{"unknown field", `{"email":"x@test.example","name":"X","role":"trainer","password":"a long password","admin":true}`, "", 400, "unknown field"},
		{"wrong type", `{"email":42}`, "", 400, "must be a string"},
		{"two objects", `{} {}`, "", 400, "single JSON object"},
		{"empty", ``, "", 400, "empty"},
		{"not JSON", `email=x`, "application/x-www-form-urlencoded", 415, "application/json"},
		{"oversized", `{"name":"` + strings.Repeat("a", 1100000) + `"}`, "", 413, "too_large"},
		{"invalid fields", map[string]any{"email": "not-an-email", "name": "", "role": "chief", "password": "short"}, "", 422, `"field":"role"`},
		{"officer without agency", map[string]any{"email": "o@test.example", "name": "O", "role": "officer", "password": testPassword}, "", 422, `"field":"agency_id"`},
		{"duplicate e-mail", map[string]any{"email": strings.ToUpper(w.officerA.Email), "name": "Dup", "role": "trainer", "password": testPassword}, "", 409, "already used"},
		{"unknown agency", map[string]any{"email": "u@test.example", "name": "U", "role": "officer", "agency_id": 999999, "password": testPassword}, "", 422, "unknown agency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", ts.URL+"/api/v1/users", strings.NewReader(bodyString(tt.body)))
			ct := tt.ctype
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer "+admin)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Error struct {
					Code, Message string
					Details       []map[string]any
				} `json:"error"`
			}
			json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			raw, _ := json.Marshal(out)
			if res.StatusCode != tt.status || out.Error.Code == "" || !strings.Contains(string(raw), tt.want) {
				t.Errorf("status %d, body %s; want %d containing %q", res.StatusCode, raw, tt.status, tt.want)
			}
		})
	}
	after, _ := ts.DB.Users(context.Background(), store.UserFilter{})
	if len(after) != len(before) {
		t.Errorf("bad requests created %d users", len(after)-len(before))
	}
}

func bodyString(b any) string {
	if s, ok := b.(string); ok {
		return s
	}
	data, _ := json.Marshal(b)
	return string(data)
}

func TestLogin_Throttling(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	login := func(c credentials, password, xff string) *http.Response {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/auth/login", strings.NewReader(bodyString(map[string]string{"email": c.Email, "password": password})))
		req.Header.Set("Content-Type", "application/json")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for i := 0; i < 10; i++ {
		if res := login(w.officerA, "wrong password!", ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, res.StatusCode)
		}
	}
	res := login(w.officerA, w.officerA.Password, "")
	retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
	if res.StatusCode != http.StatusTooManyRequests || retry < 800 || retry > 900 {
		t.Errorf("11th attempt with the right password: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// The rest of the room, behind the same address, still signs in.
	if res := login(w.officerB, w.officerB.Password, ""); res.StatusCode != http.StatusOK {
		t.Errorf("another account from the same client: %d", res.StatusCode)
	}
	// X-Forwarded-For is ignored without trusted proxies: it cannot dodge the limit.
	if res := login(w.officerA, w.officerA.Password, "203.0.113.9"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("spoofed X-Forwarded-For: %d", res.StatusCode)
	}
	// The browser form is throttled by the same rule.
	b := newBrowser()
	res = submitForm(t, b, ts.URL+"/login", ts.URL+"/login", url.Values{"email": {w.officerA.Email}, "password": {w.officerA.Password}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("browser login while throttled: %d", res.StatusCode)
	}
}

// TestLogin_ThrottledMessageCounts: the sign-in page says how many minutes
// are left in the right plural form: "15 minutes" just after the tenth
// failure, "1 minute" (Hebrew דקה, not דקות) with half a minute left.
func TestLogin_ThrottledMessageCounts(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	start := time.Now().UTC()
	ts.Server.accounts.SetClock(func() time.Time { return start })
	t.Cleanup(func() { ts.Server.accounts.SetClock(func() time.Time { return time.Now().UTC() }) })
	signIn := func(accept, password string) (int, string) {
		b := newBrowser()
		b.Transport = acceptLanguage(accept)
		form := url.Values{"email": {w.officerA.Email}, "password": {password}, "csrf_token": {csrfFrom(t, b, ts.URL+"/login")}}
		req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, body := send(t, b, req)
		return res.StatusCode, body
	}
	for i := 0; i < 10; i++ {
		if status, _ := signIn("en", "wrong password!"); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	if status, body := signIn("en", w.officerA.Password); status != http.StatusTooManyRequests || !strings.Contains(body, "Try again in 15 minutes.") {
		t.Errorf("just throttled: %d, want 429 saying 15 minutes:\n%s", status, body)
	}
	ts.Server.accounts.SetClock(func() time.Time { return start.Add(14*time.Minute + 30*time.Second) })
	if status, body := signIn("en", w.officerA.Password); status != http.StatusTooManyRequests || !strings.Contains(body, "Try again in 1 minute.") {
		t.Errorf("half a minute left: %d, want 429 saying 1 minute:\n%s", status, body)
	}
	if status, body := signIn("he", w.officerA.Password); status != http.StatusTooManyRequests || !strings.Contains(body, "בעוד 1 דקה.") {
		t.Errorf("half a minute left in Hebrew: %d, want 429 with בעוד 1 דקה.:\n%s", status, body)
	}
}

func TestSecurityHeaders_EveryResponse(t *testing.T) {
	w := newWorld(t)
	for _, p := range []string{"/login", "/healthz", "/api/v1/me", "/nope", "/static/css/lectern.css"} {
		res, _ := getWith(t, newBrowser(), w.ts.URL+p)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") && !strings.Contains(csp, "style-src 'unsafe-inline'; img-src data:; sandbox") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing headers", p)
		}
	}
	if _, body := getWith(t, newBrowser(), w.ts.URL+"/login"); regexp.MustCompile(`<script[^>]*>[^<]`).MatchString(body) {
		t.Errorf("login page has inline script")
	}
}
