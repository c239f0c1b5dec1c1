package web

import (
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/ratelimit"
	"github.com/lectern-platform/lectern/internal/secrets"
)

// Two processes on one PostgreSQL database, each with its auth cache: a
// sign-out on A, of a browser or of an API token, is refused on B at once
// (told through LISTEN/NOTIFY), not after the cache's 10 s lifetime.
func TestSharedState_SignOutReachesEveryProcess_PostgreSQL(t *testing.T) {
	dsn := postgresDSN(t)
	a := startServerOn(t, courses.FS, Config{}, dsn)
	b := startServerOn(t, courses.FS, Config{}, dsn)
	ag := a.agency(t, "Agency Shared", "FR")
	officer := a.user(t, auth.RoleOfficer, &ag.ID, "Officer Shared")
	awaitEvictionsFollowed(t, a, b, officer)

	// The cookie jar sends the session cookie to both (same host, other port).
	browser := a.browser(t, officer)
	if res, _ := getWith(t, browser, b.URL+"/"); res.StatusCode != http.StatusOK {
		t.Fatalf("signed-in dashboard on B: %d", res.StatusCode)
	}
	// The jar forgets the cookie with the sign-out: B is asked with the old one.
	old := browser.Jar.Cookies(mustURL(a.URL))
	if res := submitForm(t, browser, a.URL+"/", a.URL+"/logout", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out on A: %d", res.StatusCode)
	}
	refusedWithin(t, "browser session signed out on A", func() int {
		req, _ := http.NewRequest(http.MethodGet, b.URL+"/", nil)
		for _, c := range old {
			req.AddCookie(c)
		}
		res, _ := send(t, newBrowser(), req)
		return res.StatusCode
	}, http.StatusOK)

	token := a.token(t, officer)
	if res, body := b.api(t, token, "GET", "/api/v1/me", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("API token on B: %d %s", res.StatusCode, body)
	}
	if res, body := a.api(t, token, "POST", "/api/v1/auth/logout", nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke the token on A: %d %s", res.StatusCode, body)
	}
	refusedWithin(t, "API token revoked on A", func() int {
		res, _ := b.api(t, token, "GET", "/api/v1/me", nil)
		return res.StatusCode
	}, http.StatusOK)
}

// refusedWithin asks until the answer is no longer ok, and fails unless that
// happens well within the auth cache's 10 s lifetime (which alone would end
// it on B, without any notification).
func refusedWithin(t *testing.T, what string, ask func() int, ok int) {
	t.Helper()
	start := time.Now()
	for ask() == ok {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("%s: still accepted on B after %v", what, time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("%s: refused on B after %v", what, time.Since(start).Round(time.Millisecond))
}

// awaitEvictionsFollowed returns once to follows from's sign-outs (its
// listener is connected): until then a sign-out's notification is lost and
// only the cache's lifetime ends the session on to.
func awaitEvictionsFollowed(t *testing.T, from, to *testServer, c credentials) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		token := from.token(t, c)
		if res, body := to.api(t, token, "GET", "/api/v1/me", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("probe token on %s: %d %s", to.URL, res.StatusCode, body)
		}
		if res, body := from.api(t, token, "POST", "/api/v1/auth/logout", nil); res.StatusCode != http.StatusNoContent {
			t.Fatalf("probe sign-out: %d %s", res.StatusCode, body)
		}
		probe := time.Now()
		for time.Since(probe) < time.Second {
			if res, _ := to.api(t, token, "GET", "/api/v1/me", nil); res.StatusCode != http.StatusOK {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			t.Fatal("the other server never followed a sign-out")
		}
	}
}

// Two processes on one PostgreSQL database share a client's per-address
// allowance: 120 verifications in a window, sent to both in turn, are
// answered; the 121st, on either, is refused with 429 and a Retry-After that
// reaches the next window. Windows two behind are deleted.
func TestSharedState_AddressLimitAcrossProcesses_PostgreSQL(t *testing.T) {
	dsn := postgresDSN(t)
	// The processes share secrets.key, as the README requires: the counts
	// are keyed with a key derived from it.
	key, _, err := secrets.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := startServerFull(t, courses.FS, Config{}, app.Options{Secrets: key}, dsn, io.Discard)
	b := startServerFull(t, courses.FS, Config{}, app.Options{Secrets: key}, dsn, io.Discard)
	// A clock of the test's: a window boundary mid-test would start the count
	// again. Atomic: the servers' goroutines read it while the test moves it.
	var clockAt atomic.Int64
	clockAt.Store(1_900_000_000/12*12 + 3) // 3 s into a window
	for _, ts := range []*testServer{a, b} {
		ts.Server.app.AddressLimits.Now = func() time.Time { return time.Unix(clockAt.Load(), 0) }
	}
	path := "/verify/AAAAAAAAAAAAAAAA.json" // unknown: 404
	for i := range ratelimit.AddressLimit {
		ts := []*testServer{a, b}[i%2]
		if res, body := getWith(t, http.DefaultClient, ts.URL+path); res.StatusCode != http.StatusNotFound {
			t.Fatalf("request %d of the allowance: %d %s", i+1, res.StatusCode, body)
		}
	}
	for _, ts := range []*testServer{a, b} {
		res, body := getWith(t, http.DefaultClient, ts.URL+path)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "9" {
			t.Fatalf("past the allowance shared by both: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
	}
	// Another route group has its own allowance.
	if res, _ := getWith(t, newBrowser(), a.URL+"/activate/GUESS00000000001"); res.StatusCode != http.StatusNotFound {
		t.Errorf("activation while verify is limited: %d, want 404", res.StatusCode)
	}
	// Two windows on: allowed again, and the old windows are gone.
	clock := time.Unix(clockAt.Add(int64((2*ratelimit.AddressWindow+time.Second)/time.Second)), 0)
	if res, body := getWith(t, http.DefaultClient, b.URL+path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("two windows later: %d %s", res.StatusCode, body)
	}
	var old int64
	if err := a.DB.W.Raw("SELECT count(*) FROM rate_windows WHERE start < ?", clock.Unix()-int64(ratelimit.AddressWindow.Seconds())).Scan(&old).Error; err != nil {
		t.Fatal(err)
	}
	if old != 0 {
		t.Errorf("%d windows older than the last one left", old)
	}
}
