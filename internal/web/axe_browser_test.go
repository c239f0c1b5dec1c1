package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/demo"
	"github.com/lectern-platform/lectern/internal/store"
)

// axeSource is axe-core, vendored from npm (axe-core@4.14.1, MPL-2.0, its
// licence header kept; testdata/axe.LICENSE). It is a test fixture, not part
// of the binary. To update: `npm pack axe-core@VERSION` and copy package/axe.min.js.
const axeSource = "testdata/axe.min.js"

// axeTags are the rule sets the pages must pass: WCAG 2.2 AA as axe knows it.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeWidths are the viewports of the walk: the phone and a laptop.
var axeWidths = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}}

type axeViolation struct {
	ID      string   `json:"id"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// runAxe injects axe-core into the page through DevTools (a <script> tag would
// be refused by the page's CSP) and returns its violations, less the rules off.
// A page that reloads itself meanwhile (the projector, when its code changes)
// is checked again once loaded: the next reload is a whole code period away.
func (b *browserTab) runAxe(src string, off ...string) []axeViolation {
	b.t.Helper()
	tags, _ := json.Marshal(axeTags)
	rules := map[string]map[string]bool{}
	for _, id := range off {
		rules[id] = map[string]bool{"enabled": false}
	}
	disabled, _ := json.Marshal(rules)
	run := fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, rules: %s, resultTypes: ["violations"]})
		.then(r => r.violations.map(v => ({id: v.id, help: v.help, targets: v.nodes.map(n => n.target.join(" "))})))`, tags, disabled)
	var err error
	for try := 0; try < 2; try++ {
		ctx, cancel := context.WithTimeout(b.ctx, browserStep)
		var v []axeViolation
		if err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src+";undefined")); err == nil {
			v, err = chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
		}
		cancel()
		if err == nil {
			return v
		}
		b.pollAcross("the page loads again", `document.readyState === "complete"`)
	}
	b.fail("run axe-core", err)
	return nil
}

// demoDay is the demo of `lectern serve --demo` seeded at a fixed time on its
// day (10:30 in Paris, 3 December 2026), served in demo mode by the test server
// with the same clock: today's session in progress with attempts, last week's
// closed with certificates.
type demoDay struct {
	ts          *testServer
	login       map[string]credentials // by role
	today, past int64
	quiz        string   // the first module's quiz
	modules     []string // the course's modules
	officerID   int64    // the officer's, who has an attempt open
	agencyID    int64    // the officer's and the coordinator's agency (its record)
	paperUser   int64    // an officer with no attempt today
	open, done  int64    // the officer's attempts: in progress today, submitted last week
	serial      string   // the officer's certificate of last week
	activation  string   // an invitation's path
}

func newDemoDay(t *testing.T) *demoDay {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	dsn := filepath.Join(t.TempDir(), "lectern.db")
	log := slog.New(slog.DiscardHandler)
	db, err := store.Open(ctx, dsn, log)
	if err != nil {
		t.Fatal(err)
	}
	lib := course.NewLibrary(courses.FS, ".", "courses", log)
	lib.Shared = app.SharedCourses(db)
	if err := lib.Reload(); err != nil {
		t.Fatal(err)
	}
	signer, _, err := certify.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(db, lib, app.Options{Signer: signer, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Accounts.EnsureAdmin(ctx, "admin@localhost", demo.AdminPassword); err != nil {
		t.Fatal(err)
	}
	res, err := (&demo.Seeder{App: a, DB: db, Now: func() time.Time { return now }}).Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	cfg := Config{Demo: &Demo{}}
	d := &demoDay{login: map[string]credentials{}, today: res.Today.ID, past: res.Past.ID}
	for _, l := range res.Logins {
		cfg.Demo.Logins = append(cfg.Demo.Logins, DemoLogin{Role: l.Role, Name: l.Name, Agency: l.Agency, Email: l.Email, Password: l.Password})
		if _, seen := d.login[l.Role]; !seen && (l.Country == "FR" || l.Country == "") {
			d.login[l.Role] = credentials{l.Email, l.Password}
		}
	}
	d.ts = startServerFull(t, courses.FS, cfg, app.Options{Signer: signer}, dsn, io.Discard)
	ts := d.ts
	ts.fixClock(now)
	c, _ := ts.Library.Course(demo.CourseID)
	d.quiz = c.Quizzes()[0].ID
	for _, m := range c.Modules {
		d.modules = append(d.modules, m.ID)
	}
	officer, err := ts.DB.UserByEmail(ctx, d.login["officer"].Email)
	if err != nil {
		t.Fatal(err)
	}
	d.officerID = officer.ID
	if officer.AgencyID == nil {
		t.Fatal("the demo officer has no agency")
	}
	d.agencyID = *officer.AgencyID

	// The officer starts the first quiz: the quiz page with an attempt in progress.
	tok := ts.token(t, d.login["officer"])
	r, body := ts.api(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/sessions/%d/quizzes/%s/attempts", d.today, d.quiz), nil)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("start the quiz: %d %s", r.StatusCode, body)
	}
	d.open = decode[struct{ ID int64 }](t, body).ID
	done, err := ts.DB.Read(ctx).Attempts(d.past, d.quiz, &d.officerID)
	if err != nil || len(done) == 0 {
		t.Fatalf("the officer's attempts last week: %v %v", done, err)
	}
	d.done = done[0].ID
	certs, err := ts.DB.Read(ctx).Certificates(store.CertificateFilter{SessionID: &d.past})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		if c.UserID == d.officerID {
			d.serial = c.Serial
		}
	}
	for _, l := range res.Logins {
		u, err := ts.DB.UserByEmail(ctx, l.Email)
		if err != nil || l.Role != "officer" || u.ID == d.officerID {
			continue
		}
		if at, err := ts.DB.Read(ctx).Attempts(d.today, d.quiz, &u.ID); err == nil && len(at) == 0 {
			d.paperUser = u.ID
			break
		}
	}
	if d.serial == "" || d.paperUser == 0 {
		t.Fatalf("the demo has no certificate of the officer (%q) or no officer without an attempt (%d)", d.serial, d.paperUser)
	}

	// An invitation, for the activation page.
	admin := ts.token(t, d.login["admin"])
	r, body = ts.api(t, admin, http.MethodPost, "/api/v1/users", map[string]any{"email": "invited@police-paris.example", "name": "Inès Invitée", "role": "officer", "agency_id": officer.AgencyID})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create an invited officer: %d %s", r.StatusCode, body)
	}
	r, body = ts.api(t, admin, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/invite", decode[struct{ ID int64 }](t, body).ID), map[string]bool{"send_email": false})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("invite: %d %s", r.StatusCode, body)
	}
	d.activation = pathOf(t, decode[auth.Invitation](t, body).Link)
	return d
}

// values fills the router's path parameters with the demo's ids, by the noun
// they follow.
func (d *demoDay) values(noun, param string) []string {
	switch {
	case param == "course":
		return []string{demo.CourseID}
	case param == "module":
		return d.modules
	case param == "quiz":
		return []string{d.quiz}
	case param == "user" || param == "user_id" || noun == "users":
		return []string{strconv.FormatInt(d.paperUser, 10)}
	case param == "serial":
		return []string{d.serial}
	case param == "file":
		return []string{"agencies.csv"}
	case param == "token":
		return []string{strings.TrimPrefix(d.activation, "/activate/")}
	case noun == "attempts":
		return []string{strconv.FormatInt(d.open, 10), strconv.FormatInt(d.done, 10)}
	case noun == "sessions":
		return []string{strconv.FormatInt(d.today, 10), strconv.FormatInt(d.past, 10)}
	case noun == "agencies":
		return []string{strconv.FormatInt(d.agencyID, 10)}
	}
	return []string{"1"}
}

// htmlPaths is every page the router answers to GET with HTML, with the demo's
// ids: new routes join the walk by themselves. A few views of one route are
// added (one question per screen, a page that does not exist).
func (d *demoDay) htmlPaths() []string {
	var paths []string
	for _, r := range d.ts.Server.echo.Routes() {
		if r.Method != http.MethodGet || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		for _, p := range expandPath(r.Path, d.values) {
			paths = append(paths, p)
			if r.Path == "/attempts/:id" {
				paths = append(paths, p+"?view=one&q=1")
			}
		}
	}
	paths = append(paths, "/no-such-page", fmt.Sprintf("/sessions/%d/checkin?code=000000", d.today),
		"/reports?from=2026-12-31&to=2026-01-01") // the filter's errors shown
	slices.Sort(paths)
	return slices.Compact(paths)
}

// TestBrowser_AxeEveryPage runs axe-core over every page type × role (admin,
// trainer, coordinator, officer, signed out) at a phone's and a desktop's
// width, in one Chromium with a tab per role; any violation of WCAG 2.2 AA
// rules fails the test, named with page, role, width, rule and element.
func TestBrowser_AxeEveryPage(t *testing.T) {
	path := needChromium(t)
	src, err := os.ReadFile(axeSource)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	d := newDemoDay(t)
	ts := d.ts
	paths := d.htmlPaths()

	// What each role gets, through an HTTP client signed in as it: the pages
	// that answer HTML (not a redirect, a download, or an asset sandboxed by its
	// CSP, where no script runs), one error page per status.
	roles := []string{"admin", "trainer", "coordinator", "officer", "signed out"}
	pages := map[string][]string{}
	types := map[string]bool{}
	for _, role := range roles {
		client := newBrowser()
		if role != "signed out" {
			client = ts.browser(t, d.login[role])
		}
		errorSeen := map[int]bool{}
		for _, p := range paths {
			res, _ := getWith(t, client, ts.URL+p)
			if res.StatusCode >= 300 && res.StatusCode < 400 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
				strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
				continue
			}
			if res.StatusCode >= 400 {
				if errorSeen[res.StatusCode] {
					continue
				}
				errorSeen[res.StatusCode] = true
			}
			pages[role] = append(pages[role], p)
			types[role+" "+pageType(p)] = true
		}
		t.Logf("%s: %d pages: %s", role, len(pages[role]), strings.Join(pages[role], " "))
	}

	// One browser, one tab: each role signs in through the login form, walks
	// its pages at both widths, and leaves no cookie for the next.
	tab := newBrowserTab(t, path)
	tab.do("open the sign-in page", chromedp.Navigate(ts.URL+"/login"))
	// The walk must be able to fail: an image without a text alternative is found.
	tab.do("add an image without alt", chromedp.Evaluate[chromedp.Void](`document.querySelector("main").append(Object.assign(document.createElement("img"), {src: "/static/css/icon.svg"}))`))
	if v := tab.runAxe(string(src)); !slices.ContainsFunc(v, func(v axeViolation) bool { return v.ID == "image-alt" }) {
		t.Fatalf("axe-core missed an image without alt: %+v", v)
	}

	// The check-in screen is a room display whose code changes every 30 s: it
	// may reload itself (WCAG 2.2.1's real-time exception), and says so on screen
	// (TestResults_NoMetaRefresh). Nothing else is let off.
	allowed := map[string][]string{"/sessions/N/projector": {"meta-refresh"}}
	walked := 0
	for _, role := range roles {
		tabCall(tab, "clear cookies", network.ClearBrowserCookies, cdp.Empty{})
		if role != "signed out" {
			tab.signIn(ts.URL, d.login[role])
		}
		for _, w := range axeWidths {
			var opts []chromedp.EmulateViewportOption
			if w.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			tab.do("set the viewport", chromedp.EmulateViewport(w.width, w.height, opts...))
			for _, p := range pages[role] {
				tab.do("open "+p, chromedp.Navigate(ts.URL+p))
				walked++
				for _, v := range tab.runAxe(string(src), allowed[pageType(p)]...) {
					t.Errorf("%s as %s at %s width: %s (%s) at %s", p, role, w.name, v.ID, v.Help, strings.Join(v.Targets, " | "))
				}
			}
		}
	}
	if len(types) < 60 {
		t.Errorf("the walk met only %d page types × roles: %v", len(types), types)
	}
	t.Logf("axe-core walked %d pages (%d page types × roles, 2 widths) in %v", walked, len(types), time.Since(began).Round(time.Second))
}

// pageType is a path with its ids taken out: /sessions/12/results → /sessions/N/results.
func pageType(p string) string {
	p, _, _ = strings.Cut(p, "?")
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if _, err := strconv.ParseInt(s, 10, 64); err == nil || len(s) > 12 {
			parts[i] = "N"
		}
	}
	return strings.Join(parts, "/")
}

// TestBrowser_AxeLanguageDisclosure: the header's language list, which the
// page walk sees only closed, passes WCAG 2.2 AA open as well — its submit
// buttons, their languages' names in their own scripts and directions — on the
// sign-in page and a signed-in page, at both widths, in English and in Hebrew
// (right to left).
func TestBrowser_AxeLanguageDisclosure(t *testing.T) {
	path := needChromium(t)
	src, err := os.ReadFile(axeSource)
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, courses.FS)
	ag := ts.agency(t, "משטרת ישראל", "IL")
	who := ts.user(t, auth.RoleOfficer, &ag.ID, "נועה כהן")
	tab := newBrowserTab(t, path)
	check := func(where, lang string) {
		t.Helper()
		for _, w := range axeWidths {
			var opts []chromedp.EmulateViewportOption
			if w.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			tab.do("set the viewport", chromedp.EmulateViewport(w.width, w.height, opts...))
			tab.do("open "+where, chromedp.Navigate(ts.URL+where))
			tab.do("open the language list", chromedp.Click(chromedp.CSS(`#language-header > summary`)))
			tab.poll("the list is open", `document.getElementById("language-header").open && document.querySelector('#language-header button[value=he]').getClientRects().length > 0`)
			if got := tabRun(tab, "page language", chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Fatalf("%s is in %q, want %q", where, got, lang)
			}
			for _, v := range tab.runAxe(string(src)) {
				t.Errorf("%s in %s at %s width, language list open: %s (%s) at %s", where, lang, w.name, v.ID, v.Help, strings.Join(v.Targets, " | "))
			}
		}
	}
	check("/login", "en")
	tab.signIn(ts.URL, who)
	check("/courses/crypto-crime/01-blockchain", "en")
	tab.navigate("choose Hebrew", chromedp.Click(chromedp.CSS(`#language-header button[value=he]`)))
	check("/courses/crypto-crime/01-blockchain", "he")
}
