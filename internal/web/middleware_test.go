package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/courses"
)

// lockedBuffer collects a server's logs, written from its goroutines while the
// test reads them.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogs_NeverHoldLinkTokens: invitation and reset links sign people in, so
// their tokens never reach the logs — not when the form is refused for its CSRF
// token, not when the request fails, not when a handler panics.
func TestLogs_NeverHoldLinkTokens(t *testing.T) {
	var logs lockedBuffer
	ts := startServerLogging(t, courses.FS, Config{}, filepath.Join(t.TempDir(), "lectern.db"), &logs)
	const secret = "SECRETLINKTOKEN7Q2W9E4R"
	// A test-only route under the same middleware, for the panic.
	ts.Server.echo.GET("/test-panic/:token", func(echo.Context) error { panic("the handler failed") })
	anon := newBrowser()
	for _, p := range []string{"/activate/", "/reset/"} {
		if res := postForm(t, anon, ts.URL+p+secret, url.Values{"password": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a CSRF token: %d", p, res.StatusCode)
		}
	}
	if res, _ := getWith(t, anon, ts.URL+"/test-panic/"+secret); res.StatusCode != http.StatusInternalServerError {
		t.Errorf("panicking handler: %d", res.StatusCode)
	}
	token := csrfFrom(t, anon, ts.URL+"/login")
	ts.DB.Close() // every database call fails from here: a 5xx on a real route
	res := postForm(t, anon, ts.URL+"/reset/"+secret, url.Values{"csrf_token": {token}, "password": {"a new long password"}, "password_again": {"a new long password"}})
	if res.StatusCode < 500 {
		t.Errorf("reset with the database closed: %d", res.StatusCode)
	}
	out := logs.String()
	for _, want := range []string{"csrf rejected", "panic in handler", "request failed", "/activate/:token", "/reset/:token", "/test-panic/:token"} {
		if !strings.Contains(out, want) {
			t.Errorf("the logs lack %q: the test does not see what it means to", want)
		}
	}
	if strings.Contains(out, secret) {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, secret) {
				t.Errorf("a log line holds the link's token: %.300s", line)
			}
		}
	}
}

// TestCacheControl_SignedInResponsesAreNotStored walks every GET route as each
// role, in the browser and through the API: whatever needed a sign-in (an
// anonymous visitor does not get it) must not be kept by a shared device's
// browser or a proxy.
func TestCacheControl_SignedInResponsesAreNotStored(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(0)
	attemptID := strconv.FormatInt(qw.start(t, qw.officerA).ID, 10)
	serial := ts.issueForTest(t, qw.sessionID, qw.officerAID)
	values := func(noun, param string) []string {
		switch {
		case param == "course":
			return []string{"crypto-crime", "secret"}
		case param == "module":
			return []string{"01-blockchain", "01-m"}
		case param == "quiz":
			return []string{"01-m"}
		case param == "serial":
			return []string{serial, serial + ".pdf", serial + ".json"}
		case param == "token":
			return []string{"no-such-token.ics"}
		case param == "user_id" || param == "user" || noun == "users":
			return []string{strconv.FormatInt(qw.officerAID, 10)}
		case noun == "attempts" || param == "attempt":
			return []string{attemptID}
		case noun == "agencies":
			return []string{strconv.FormatInt(qw.agencyA.ID, 10)}
		}
		return []string{strconv.FormatInt(qw.sessionID, 10)}
	}
	var paths []string
	for _, r := range ts.Server.echo.Routes() {
		if r.Method != http.MethodGet || strings.HasPrefix(r.Path, "/static/") {
			continue
		}
		for _, p := range expandPath(r.Path, values) {
			paths = append(paths, strings.Replace(p, "/assets/x", "/assets/images/01-keys-to-address.svg", 1))
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)

	type caller struct {
		who     string
		browser *http.Client
		token   string
	}
	var callers []caller
	for who, cred := range map[string]credentials{"admin": qw.admin, "trainer": qw.trainer, "coordinator": qw.coordA, "officer": qw.world.officerA} {
		callers = append(callers, caller{who + " (browser)", ts.browser(t, cred), ""}, caller{who + " (API)", nil, ts.token(t, cred)})
	}
	fetch := func(c caller, p string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+p, nil)
		client := newBrowser() // no cookies: anonymous
		if c.browser != nil {
			client = c.browser
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		ioCopy(new(bytes.Buffer), res)
		return res
	}
	checked := map[string]bool{}
	for _, p := range paths {
		if fetch(caller{}, p).StatusCode == http.StatusOK {
			continue // public: the sign-in page, /verify, the signing key, probes
		}
		for _, c := range callers {
			res := fetch(c, p)
			if res.StatusCode != http.StatusOK {
				continue
			}
			checked[p] = true
			cc := res.Header.Get("Cache-Control")
			if !strings.Contains(cc, "no-store") && !strings.Contains(cc, "private") {
				t.Errorf("%s GET %s: Cache-Control %q", c.who, p, cc)
			}
		}
	}
	// The walk must reach what the finding is about, not only sign-in redirects.
	for _, p := range []string{"/", "/api/v1/me", fmt.Sprintf("/api/v1/sessions/%d/results.csv", qw.sessionID),
		"/api/v1/certificates/" + serial + ".pdf", "/courses/crypto-crime/assets/images/01-keys-to-address.svg", "/attempts/" + attemptID} {
		if !checked[p] {
			t.Errorf("the walk never got %s as a signed-in user", p)
		}
	}
	if len(checked) < 30 {
		t.Errorf("only %d signed-in paths checked", len(checked))
	}
}
