package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lectern-platform/lectern/internal/auth"
)

const testPassword = "correct horse battery"

var userSeq atomic.Int64

type credentials struct{ Email, Password string }

// agency creates an agency directly through the domain service.
func (ts *testServer) agency(t testing.TB, name, country string) *auth.Agency {
	t.Helper()
	u, err := ts.Accounts.CreateUserAsSystem(context.Background(), auth.NewUser{
		Email: fmt.Sprintf("seed-admin-%d@test.example", userSeq.Add(1)), Name: "Seed Admin", Role: "admin", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := ts.Accounts.CreateAgency(context.Background(), auth.ActorFor(u), auth.NewAgency{Name: name, Country: country})
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

// user creates an account of a role and returns its credentials.
func (ts *testServer) user(t testing.TB, role auth.Role, agencyID *int64, name string) credentials {
	t.Helper()
	email := fmt.Sprintf("%s-%d@test.example", role, userSeq.Add(1))
	_, err := ts.Accounts.CreateUserAsSystem(context.Background(), auth.NewUser{
		Email: email, Name: name, Role: string(role), AgencyID: agencyID, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return credentials{email, testPassword}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrfFrom fetches a page and returns the CSRF token of its first form.
func csrfFrom(t testing.TB, client *http.Client, pageURL string) string {
	t.Helper()
	_, body := getWith(t, client, pageURL)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in %s", pageURL)
	}
	return m[1]
}

// newBrowser is a client with a cookie jar that does not follow redirects.
func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// browser signs in through the real login form and returns the browser.
func (ts *testServer) browser(t testing.TB, c credentials) *http.Client {
	t.Helper()
	client := newBrowser()
	res := submitForm(t, client, ts.URL+"/login", ts.URL+"/login", url.Values{"email": {c.Email}, "password": {c.Password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("browser login as %s: %d", c.Email, res.StatusCode)
	}
	return client
}

func postForm(t testing.TB, client *http.Client, u string, form url.Values) *http.Response {
	t.Helper()
	res, err := client.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// submitForm posts form to action as a browser submitting a form of page:
// with the CSRF token page carries.
func submitForm(t testing.TB, client *http.Client, page, action string, form url.Values) *http.Response {
	t.Helper()
	form.Set("csrf_token", csrfFrom(t, client, page))
	return postForm(t, client, action, form)
}

// token signs in through the API and returns the bearer token.
func (ts *testServer) token(t testing.TB, c credentials) string {
	t.Helper()
	res, body := ts.api(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"email": c.Email, "password": c.Password})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("API login as %s: %d %s", c.Email, res.StatusCode, body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Token == "" {
		t.Fatalf("login response %s", body)
	}
	return out.Token
}

// api sends a JSON request (body may be nil, a string sent as is, or a value to
// encode) with an optional bearer token.
func (ts *testServer) api(t testing.TB, token, method, path string, body any) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		r = bytes.NewReader(data)
	}
	return bearer(t, token, method, ts.URL+path, "application/json", r)
}

// bearer sends a request to u with an optional bearer token and a body of
// contentType (when body is not nil), and reads the whole answer.
func bearer(t testing.TB, token, method, u, contentType string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, http.DefaultClient, req)
}

// send sends req and reads the whole answer.
func send(t testing.TB, client *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := new(strings.Builder)
	if _, err := ioCopy(buf, res); err != nil {
		t.Fatal(err)
	}
	return res, buf.String()
}

func ioCopy(dst io.Writer, res *http.Response) (int64, error) {
	defer res.Body.Close()
	return io.Copy(dst, res.Body)
}
