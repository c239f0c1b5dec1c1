package web

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

// testServer is a real Lectern HTTP server on a loopback port, with a real SQLite
// database in a temporary directory.
type testServer struct {
	URL      string
	Library  *course.Library
	DB       *store.DB
	Accounts *auth.Service
	Server   *Server
	client   *http.Client // a signed-in officer's browser, for page tests
}

func startServer(t testing.TB, fsys fs.FS) *testServer {
	t.Helper()
	return startServerWith(t, fsys, Config{})
}

// startServerWith starts a server with cfg's settings (BaseURL is the test's own).
func startServerWith(t testing.TB, fsys fs.FS, cfg Config) *testServer {
	t.Helper()
	return startServerApp(t, fsys, cfg, app.Options{})
}

// startServerApp starts a server with cfg's settings over an App built with o's
// (metrics, keys, programme, idle timeout): see startServerFull.
func startServerApp(t testing.TB, fsys fs.FS, cfg Config, o app.Options) *testServer {
	t.Helper()
	return startServerFull(t, fsys, cfg, o, filepath.Join(t.TempDir(), "lectern.db"), io.Discard)
}

// startServerOn starts a server on the database dsn names (a SQLite file, or
// PostgreSQL: see postgresDSN).
func startServerOn(t testing.TB, fsys fs.FS, cfg Config, dsn string) *testServer {
	t.Helper()
	return startServerLogging(t, fsys, cfg, dsn, io.Discard)
}

// startServerLogging is startServerOn with the server's logs written to logs
// (as slog text), for tests of what reaches the logs.
func startServerLogging(t testing.TB, fsys fs.FS, cfg Config, dsn string, logs io.Writer) *testServer {
	t.Helper()
	return startServerFull(t, fsys, cfg, app.Options{}, dsn, logs)
}

// startServerFull builds the App over the database dsn names with o's settings,
// as serve does (cmd/lectern/app.go), and serves it with cfg's. The base URL,
// catalogue and log are the test's own; so are the signing and secrets keys
// unless o brings them (a test that seeded certificates brings the key that
// signed them).
func startServerFull(t testing.TB, fsys fs.FS, cfg Config, o app.Options, dsn string, logs io.Writer) *testServer {
	t.Helper()
	return startServerListening(t, fsys, cfg, o, dsn, logs, nil)
}

// startServerAtItsURL is startServerApp with the server's own loopback
// address (http://127.0.0.1:PORT) as its base URL rather than
// http://127.0.0.1, so the URLs it hands out reach it: its credentials'
// did:web and status lists, for a verifier that resolves them.
func startServerAtItsURL(t testing.TB, fsys fs.FS, cfg Config, o app.Options) *testServer {
	t.Helper()
	return startServerListening(t, fsys, cfg, o, filepath.Join(t.TempDir(), "lectern.db"), io.Discard,
		func(own string) string { return own })
}

// startServerListening is startServerFull with the base URL baseURL gives
// from the server's own address (http://127.0.0.1:PORT); nil gives
// http://127.0.0.1.
func startServerListening(t testing.TB, fsys fs.FS, cfg Config, o app.Options, dsn string, logs io.Writer, baseURL func(own string) string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() }) // if the test stops before serving
	base := "http://127.0.0.1"
	if baseURL != nil {
		base = baseURL("http://" + ln.Addr().String())
	}
	log := slog.New(slog.NewTextHandler(logs, nil))
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	lib := course.NewLibrary(fsys, ".", "courses", log)
	lib.Shared = app.SharedCourses(db)
	if err := lib.Reload(); err != nil {
		t.Fatal(err)
	}
	if o.Catalog, err = i18n.Load(); err != nil {
		t.Fatal(err)
	}
	if o.Signer == nil {
		if o.Signer, _, err = certify.LoadOrCreateKey(t.TempDir(), ""); err != nil {
			t.Fatal(err)
		}
	}
	if o.Secrets == nil {
		if o.Secrets, _, err = secrets.LoadOrCreate(t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	cfg.BaseURL, o.BaseURL, o.Log = base, base, log
	a, err := app.New(db, lib, o)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, a)
	if err != nil {
		t.Fatal(err)
	}
	// As serve does: other processes' sign-outs, course versions and regrades
	// on the same PostgreSQL database (nothing with SQLite).
	followCtx, stopFollowing := context.WithCancel(ctx)
	var following sync.WaitGroup
	for what, follow := range map[string]func(context.Context) error{
		"evictions": a.Accounts.FollowEvictions, "courses": a.FollowCourses, "regrades": a.Attempts.FollowRegrades} {
		following.Add(1)
		go func() {
			defer following.Done()
			if err := follow(followCtx); err != nil {
				t.Errorf("follow %s: %v", what, err)
			}
		}()
	}
	t.Cleanup(func() { stopFollowing(); following.Wait() })
	// Data is arranged through the App's own services, the ones the server acts through.
	ts := &testServer{URL: serveListener(t, ln, s.HTTPServer()), Library: lib, DB: db, Accounts: a.Accounts, Server: s}
	ag := ts.agency(t, "Reader Agency", "FR")
	ts.client = ts.browser(t, ts.user(t, auth.RoleOfficer, &ag.ID, "Reader"))
	signInReader(t, ts.URL, ts.client)
	return ts
}

// serveLoopback serves hs on a free loopback port until the test ends, and
// returns its base URL.
func serveLoopback(t testing.TB, hs *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveListener(t, ln, hs)
}

// serveListener serves hs on ln until the test ends, and returns its base URL.
func serveListener(t testing.TB, ln net.Listener, hs *http.Server) string {
	t.Helper()
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// get fetches a URL as the test server's signed-in officer.
func get(t testing.TB, url string) (*http.Response, string) {
	t.Helper()
	host, _, _ := strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	readers.Lock()
	client := readers.byHost[host]
	readers.Unlock()
	return getWith(t, client, url)
}

// readers maps a live test server's host to its officer's browser. A server's
// entry goes when its test ends: the next server may get the same port, and must
// not be read through a sign-in of a database that is gone (a 401, then a 303
// to the sign-in page, one run in many).
var readers = struct {
	sync.Mutex
	byHost map[string]*http.Client
}{byHost: map[string]*http.Client{}}

func signInReader(t testing.TB, baseURL string, client *http.Client) {
	host := strings.TrimPrefix(baseURL, "http://")
	readers.Lock()
	readers.byHost[host] = client
	readers.Unlock()
	t.Cleanup(func() {
		readers.Lock()
		defer readers.Unlock()
		if readers.byHost[host] == client {
			delete(readers.byHost, host)
		}
	})
}

func getWith(t testing.TB, client *http.Client, url string) (*http.Response, string) {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, client, req)
}

// bothCourses serves the shipped courses and the secret-keeping fixture together.
func bothCourses(t testing.TB) fs.FS {
	dir := t.TempDir()
	if err := os.CopyFS(dir, courses.FS); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "secret"), os.DirFS("testdata/courses/secret")); err != nil {
		t.Fatal(err)
	}
	return os.DirFS(dir)
}

var linkAttr = regexp.MustCompile(`(?:href|src)="(/[^"#?]*)`)

// crawl fetches every page reachable from /courses and returns their bodies.
func crawl(t *testing.T, base string) map[string]string {
	pages := map[string]string{}
	queue := []string{"/courses"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if _, seen := pages[p]; seen {
			continue
		}
		res, body := get(t, base+p)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
		pages[p] = body
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range linkAttr.FindAllStringSubmatch(body, -1) {
			queue = append(queue, m[1])
		}
	}
	return pages
}

func TestPages_NeverRevealAnswerKeys(t *testing.T) {
	ts := startServer(t, bothCourses(t))
	pages := crawl(t, ts.URL)
	if len(pages) < 8 {
		t.Fatalf("crawl found only %d pages", len(pages))
	}
	secrets := []string{"CORRECT-CHOICE-7f3", "WRONG-CHOICE-a41", "SHORT-ANSWER-2b8", "4242", "EXPLANATION-", "[x]", "- [ ]"}
	// Every explanation of the shipped course is a secret too.
	for _, c := range ts.Library.Courses() {
		for _, q := range c.Quizzes() {
			for _, x := range q.Questions {
				secrets = append(secrets, x.Explanation)
			}
		}
	}
	for path, body := range pages {
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s reveals %q", path, s)
			}
		}
	}
	if _, ok := pages["/courses/secret/01-m"]; !ok {
		t.Errorf("crawl did not reach the fixture module")
	}
}

func TestPages_QuizSourcesAreNeverServed(t *testing.T) {
	ts := startServer(t, bothCourses(t))
	for _, p := range []string{
		"/courses/secret/assets/01-m.quiz.md",
		"/courses/secret/assets/01-m.md",
		"/courses/secret/assets/course.md",
		"/courses/secret/assets/../01-m.quiz.md",
		"/courses/secret/assets/%2e%2e/01-m.quiz.md",
		"/courses/secret/01-m.quiz",
		"/courses/secret/01-m.quiz.md",
		"/courses/crypto-crime/assets/01-blockchain.quiz.md",
		"/static/../courses/crypto-crime/01-blockchain.quiz.md",
	} {
		res, body := get(t, ts.URL+p)
		if res.StatusCode == http.StatusOK || strings.Contains(body, "CORRECT-CHOICE") || strings.Contains(body, "[x]") {
			t.Errorf("GET %s: %d, body leaks the quiz", p, res.StatusCode)
		}
	}
}

func TestPages_MarkdownScriptIsInert(t *testing.T) {
	ts := startServer(t, bothCourses(t))
	res, body := get(t, ts.URL+"/courses/secret/01-m")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	// The module's own text, not the page's scripts (the layout's /static ones).
	_, content, _ := strings.Cut(body, `<main id="main"`)
	content, _, _ = strings.Cut(content, "</main>")
	if !strings.Contains(content, "Some text") {
		t.Fatalf("the module's text is not in <main>: %s", body)
	}
	for _, bad := range []string{"<script", "onclick", "javascript:", "pwned"} {
		if strings.Contains(content, bad) {
			t.Errorf("module page contains %q", bad)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestPages_CourseAndModule(t *testing.T) {
	ts := startServer(t, courses.FS)
	res, body := get(t, ts.URL+"/courses/crypto-crime")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Investigating crypto-asset crime") || !strings.Contains(body, "1 h 30 min") {
		t.Fatalf("course page: %d", res.StatusCode)
	}
	// The validity is words in the reader's language, not course.md's "3y".
	if !strings.Contains(body, "Valid for 3 years.") {
		t.Errorf("course page does not say how long the certificate is valid in words")
	}
	res, body = get(t, ts.URL+"/courses/crypto-crime/01-blockchain")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `src="/courses/crypto-crime/assets/images/`) {
		t.Fatalf("module page: %d", res.StatusCode)
	}
	res, _ = get(t, ts.URL+"/courses/crypto-crime/01-blockchain?lang=fr")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("French module page: %d", res.StatusCode)
	}
	_, fr := get(t, ts.URL+"/courses/crypto-crime/01-blockchain?lang=fr")
	if !strings.Contains(fr, `lang="fr"`) {
		t.Errorf("French page is not marked as French")
	}
	res, body = get(t, ts.URL+"/courses/crypto-crime/assets/images/01-utxo-vs-account.svg")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<svg") {
		t.Errorf("image: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("course assets must be sandboxed")
	}
	for _, p := range []string{"/courses/nope", "/courses/crypto-crime/99-nope", "/courses/crypto-crime/assets/images/nope.svg", "/nope"} {
		if res, _ := get(t, ts.URL+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	res, body = get(t, ts.URL+"/api/v1/nope")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("API 404 = %d %s", res.StatusCode, body)
	}
}

func TestHealth(t *testing.T) {
	var logs lockedBuffer
	ts := startServerLogging(t, courses.FS, Config{}, filepath.Join(t.TempDir(), "lectern.db"), &logs)
	for _, p := range []string{"/healthz", "/readyz"} {
		if res, body := get(t, ts.URL+p); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %s", p, res.StatusCode, body)
		}
	}
	ts.DB.Close()
	// Anyone may ask; the database's own words go to the log, not to them.
	res, body := getWith(t, nil, ts.URL+"/readyz")
	if res.StatusCode != http.StatusServiceUnavailable || body != `{"courses":"ok","database":"unavailable"}`+"\n" {
		t.Errorf("readyz with a closed database: %d %q", res.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "database is closed") {
		t.Errorf("the database error is not logged")
	}
}

func TestSigningKey_Published(t *testing.T) {
	ts := startServer(t, courses.FS)
	res, body := getWith(t, newBrowser(), ts.URL+"/.well-known/lectern-signing-key")
	if res.StatusCode != 200 || !strings.Contains(body, `"algorithm":"Ed25519"`) || !strings.Contains(body, `"key_id":"`+ts.Server.opts.Signer.KeyID+`"`) || !strings.Contains(body, "BEGIN PUBLIC KEY") {
		t.Errorf("well-known key: %d %s", res.StatusCode, body)
	}
	if strings.Contains(body, "PRIVATE") {
		t.Errorf("the private key is published")
	}
}

// A directory under /static/ is not found, with or without its slash: no
// redirect (http.FileServer's to the slash and ours away from it made a loop).
func TestStaticFiles_DirectoryIsNotFound(t *testing.T) {
	ts := startServer(t, courses.FS)
	for _, p := range []string{"/static/css", "/static/css/", "/static/js", "/static"} {
		u, hops := ts.URL+p, 0
		for ; hops < 5; hops++ {
			res, _ := getWith(t, newBrowser(), u)
			if res.StatusCode/100 != 3 {
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %d, want 404", p, res.StatusCode)
				}
				break
			}
			next, err := res.Request.URL.Parse(res.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			u = next.String()
		}
		if hops > 1 || p == "/static/css" && hops > 0 {
			t.Errorf("%s: %d redirects before an answer", p, hops)
		}
	}
}

// Pages link the static files by content version: kept for good by browsers
// under that link, checked again under any other (yesterday's), so an upgrade
// reaches every phone at once; HEAD works too.
func TestStaticFiles_VersionedLinks(t *testing.T) {
	ts := startServer(t, courses.FS)
	_, page := getWith(t, newBrowser(), ts.URL+"/login")
	m := regexp.MustCompile(`href="(/static/css/lectern\.css\?v=([0-9a-f]{12}))"`).FindStringSubmatch(page)
	if m == nil || m[2] != assetVersion {
		t.Fatalf("the page does not link the stylesheet by version: %v", m)
	}
	res, body := getWith(t, nil, ts.URL+m[1])
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(body, "{") {
		t.Errorf("the versioned stylesheet: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	for _, old := range []string{"/static/css/lectern.css", "/static/css/lectern.css?v=000000000000"} {
		if res, _ := getWith(t, nil, ts.URL+old); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %q, want no-cache", old, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+m[1], nil)
	req.Header.Set("If-None-Match", `"`+assetVersion+`"`)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation with the current ETag: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	if res, err := http.Head(ts.URL + m[1]); err != nil || res.StatusCode != 200 {
		t.Errorf("HEAD on a static file: %v %v", res, err)
	}
	if assetVersion == versionOf(fstest.MapFS{"css/lectern.css": {Data: []byte("x")}}) {
		t.Errorf("the version does not follow the content")
	}
}
