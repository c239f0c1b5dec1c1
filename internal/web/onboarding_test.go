package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/store"
)

// linkMailer records the links the accounts service would e-mail. (The outbox
// delivers them in production; here the test needs the raw link, which is never
// stored.)
type linkMailer struct {
	mu    sync.Mutex
	links map[string]string // e-mail address → last link
}

func (m *linkMailer) put(u *store.User, link string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.links == nil {
		m.links = map[string]string{}
	}
	m.links[u.Email] = link
	return nil
}
func (m *linkMailer) Invitation(q store.Q, u *store.User, link string, _ time.Time) error {
	return m.put(u, link)
}
func (m *linkMailer) PasswordReset(q store.Q, u *store.User, link string, _ time.Time) error {
	return m.put(u, link)
}
func (m *linkMailer) link(email string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.links[email]
}

func pathOf(t *testing.T, link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Path == "" {
		t.Fatalf("bad link %q", link)
	}
	return u.Path
}

// activate fills the activation form as a browser would; it returns the response.
func activate(t *testing.T, ts *testServer, client *http.Client, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	// A signed-in browser is sent away from /login; its pages carry the token too.
	tokenPage := ts.URL + "/login"
	if res, _ := getWith(t, client, tokenPage); res.StatusCode == http.StatusSeeOther {
		tokenPage = ts.URL + "/sessions"
	}
	form.Set("csrf_token", csrfFrom(t, client, tokenPage))
	res, err := client.PostForm(ts.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// TestOnboarding_RosterToSignedIn: a coordinator imports a roster at 08:30; each
// new officer gets an invitation, activates it (password + privacy notice) and is
// signed in; the link cannot be used twice.
func TestOnboarding_RosterToSignedIn(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	mails := &linkMailer{}
	ts.Server.accounts.Mailer = mails
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	coordA := ts.token(t, w.coordA)
	csv := "email,name\nnew.one@police.example,Ana Novak\nnew.two@police.example,김민준\n"
	if res, body := ts.postCSV(t, coordA, s.ID, csv); res.StatusCode != 200 || !strings.Contains(body, `"created":2`) {
		t.Fatalf("roster: %d %s", res.StatusCode, body)
	}
	for _, email := range []string{"new.one@police.example", "new.two@police.example"} {
		link := mails.link(email)
		if !strings.HasPrefix(link, ts.Server.cfg.BaseURL+"/activate/") {
			t.Fatalf("%s: invitation link %q", email, link)
		}
		browser := newBrowser()
		res, page := getWith(t, browser, ts.URL+pathOf(t, link))
		if res.StatusCode != 200 || !strings.Contains(page, "accept_privacy") {
			t.Fatalf("activation page: %d", res.StatusCode)
		}
		// Mistakes come back with the reason, and change nothing.
		for _, bad := range []url.Values{
			{"password": {"short"}, "password_again": {"short"}, "accept_privacy": {"on"}},
			{"password": {"a long enough password"}, "password_again": {"a long enough passw0rd"}, "accept_privacy": {"on"}},
			{"password": {"a long enough password"}, "password_again": {"a long enough password"}},
		} {
			if res, body := activate(t, ts, browser, pathOf(t, link), bad); res.StatusCode != 422 || !strings.Contains(body, "field-error") {
				t.Errorf("bad activation %v: %d", bad, res.StatusCode)
			}
		}
		good := url.Values{"password": {"a long enough password"}, "password_again": {"a long enough password"}, "accept_privacy": {"on"}}
		res, _ = activate(t, ts, browser, pathOf(t, link), good)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("activate: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		// Signed in: the session page is theirs.
		if _, body := getWith(t, browser, fmt.Sprintf("%s/sessions/%d", ts.URL, s.ID)); !strings.Contains(body, "logout") {
			t.Errorf("not signed in after activation")
		}
		// The link works once.
		if res, body := activate(t, ts, newBrowser(), pathOf(t, link), good); res.StatusCode != http.StatusGone || !strings.Contains(body, "already used") {
			t.Errorf("second use: %d", res.StatusCode)
		}
		// And the password they chose signs them in.
		ts.token(t, credentials{email, "a long enough password"})
		u, _ := ts.DB.UserByEmail(context.Background(), email)
		if u.PrivacyAcceptedAt == nil {
			t.Errorf("privacy acceptance not recorded")
		}
	}
	// The audit log tells the story.
	events, _ := ts.DB.Read(context.Background()).AuditEvents(nil, 1000)
	count := map[string]int{}
	for _, e := range events {
		count[e.Action]++
	}
	if count["user.invite"] != 2 || count["user.activate"] != 2 {
		t.Errorf("audit: %v", count)
	}
}

func TestOnboarding_InviteScopeExpiryAndGuessing(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ctx := context.Background()
	admin := ts.token(t, w.admin)
	// A coordinator creates an officer without a password: invited.
	res, body := ts.api(t, ts.token(t, w.coordA), "POST", "/api/v1/users", map[string]any{"email": "invited@police.example", "name": "Eva Lind"})
	if res.StatusCode != 201 {
		t.Fatalf("create without password: %d %s", res.StatusCode, body)
	}
	id := decode[struct{ ID int64 }](t, body).ID
	invite := fmt.Sprintf("/api/v1/users/%d/invite", id)
	// Scope: coordinator B, the trainer, officers get nothing.
	for who, want := range map[credentials]int{w.coordB: 404, w.trainer: 403, w.officerA: 403, w.officerB: 403} {
		if res, _ := ts.api(t, ts.token(t, who), "POST", invite, map[string]bool{"send_email": false}); res.StatusCode != want {
			t.Errorf("%s inviting agency A's officer: %d, want %d", who.Email, res.StatusCode, want)
		}
	}
	// Active accounts are not invited.
	if res, _ := ts.api(t, admin, "POST", fmt.Sprintf("/api/v1/users/%d/invite", w.officerAID), nil); res.StatusCode != 409 {
		t.Errorf("inviting an active account: %d", res.StatusCode)
	}
	res, body = ts.api(t, ts.token(t, w.coordA), "POST", invite, map[string]bool{"send_email": false})
	first := decode[auth.Invitation](t, body)
	if res.StatusCode != 200 || len(first.Code) != 19 || !strings.HasSuffix(first.Link, strings.ReplaceAll(first.Code, "-", "")) {
		t.Fatalf("invite: %d %s", res.StatusCode, body)
	}
	// Re-inviting retires the older link.
	_, body = ts.api(t, admin, "POST", invite, map[string]bool{"send_email": false})
	second := decode[auth.Invitation](t, body)
	if res, _ := getWith(t, newBrowser(), ts.URL+pathOf(t, first.Link)); res.StatusCode != http.StatusGone {
		t.Errorf("the older invitation still works: %d", res.StatusCode)
	}
	// Typing the code from a slip (any case, spaces) leads to the same page.
	browser := newBrowser()
	typed := strings.ToLower(strings.ReplaceAll(second.Code, "-", " "))
	res, _ = activate(t, ts, browser, "/activate", url.Values{"code": {typed}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathOf(t, second.Link) {
		t.Errorf("code entry: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Expiry, by the server's clock: 14 days.
	ts.Server.accounts.SetClock(func() time.Time { return time.Now().UTC().Add(auth.InviteLifetime + time.Minute) })
	if res, body := getWith(t, newBrowser(), ts.URL+pathOf(t, second.Link)); res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("expired invitation: %d", res.StatusCode)
	}
	ts.Server.accounts.SetClock(func() time.Time { return time.Now().UTC() })
	// Guessing: made-up codes are unknown, and the address is soon throttled.
	throttled := false
	for i := 0; i < 300 && !throttled; i++ {
		res, _ := getWith(t, newBrowser(), fmt.Sprintf("%s/activate/GUESS%011d", ts.URL, i))
		switch res.StatusCode {
		case http.StatusNotFound:
		case http.StatusTooManyRequests:
			throttled = true
		default:
			t.Fatalf("guess %d: %d", i, res.StatusCode)
		}
	}
	if !throttled {
		t.Errorf("300 guesses in a row were not throttled")
	}
	if u, _ := ts.DB.User(ctx, id); u.PasswordHash != "" {
		t.Errorf("the invited account got a password without activation")
	}
}

// Reset answers the same for every address, signs the account out elsewhere, and
// works once within the hour.
func TestOnboarding_PasswordReset(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	mails := &linkMailer{}
	ts.Server.accounts.Mailer = mails
	oldToken := ts.token(t, w.officerA)
	ask := func(email string) (int, string) {
		b := newBrowser()
		res, body := activate(t, ts, b, "/reset", url.Values{"email": {email}})
		// Each browser has its own CSRF token (the header's language selector
		// carries it); the address asked about must change nothing else.
		return res.StatusCode, csrfField.ReplaceAllString(body, "")
	}
	codeKnown, known := ask(strings.ToUpper(w.officerA.Email))
	codeUnknown, unknown := ask("nobody@police.example")
	if codeKnown != 200 || codeUnknown != 200 || known != unknown {
		t.Errorf("reset answers differ for a known and an unknown address (%d, %d)", codeKnown, codeUnknown)
	}
	link := mails.link(w.officerA.Email)
	if link == "" || mails.link("nobody@police.example") != "" {
		t.Fatalf("reset link %q", link)
	}
	browser := newBrowser()
	newPassword := url.Values{"password": {"a brand new password"}, "password_again": {"a brand new password"}}
	if res, _ := activate(t, ts, browser, pathOf(t, link), newPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res, _ := ts.api(t, oldToken, "GET", "/api/v1/me", nil); res.StatusCode != 401 {
		t.Errorf("the old session survived the reset: %d", res.StatusCode)
	}
	ts.token(t, credentials{w.officerA.Email, "a brand new password"})
	if res, _ := activate(t, ts, newBrowser(), pathOf(t, link), newPassword); res.StatusCode != http.StatusGone {
		t.Errorf("reset link reused: %d", res.StatusCode)
	}
	// An invitation link is not a reset link, and the other way round.
	if res, _ := getWith(t, newBrowser(), ts.URL+strings.Replace(pathOf(t, link), "/reset/", "/activate/", 1)); res.StatusCode != http.StatusNotFound {
		t.Errorf("a reset token opened the activation page: %d", res.StatusCode)
	}
}

// Sign-in slips: one QR code per invited officer that decodes to a working link;
// a coordinator prints only their agency's; active accounts get a reminder.
func TestOnboarding_SignInSlips(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	trainer := ts.token(t, w.trainer)
	csv := fmt.Sprintf("email,name,agency_id\nslip.a1@police.example,Ana Novak,%d\nslip.a2@police.example,דניאל כהן,%d\nslip.b1@police.example,Bea Braun,%d\n",
		w.agencyA.ID, w.agencyA.ID, w.agencyB.ID)
	if res, body := ts.postCSV(t, trainer, s.ID, csv); res.StatusCode != 200 {
		t.Fatalf("roster: %s", body)
	}
	ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": w.officerAID}) // already active
	slipsURL := fmt.Sprintf("/api/v1/sessions/%d/slips", s.ID)
	res, doc := ts.api(t, ts.token(t, w.coordA), "POST", slipsURL, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("slips: %d %s", res.StatusCode, res.Header)
	}
	if file := os.Getenv("LECTERN_SLIPS_PDF"); file != "" { // to look at by hand
		os.WriteFile(file, []byte(doc), 0o644)
	}
	text := pdftest.Text(t, []byte(doc))
	// Agency A is in France: its officers, with no language saved yet, get
	// their slips in French (the documents catalogue's, not this test's words).
	activeID := "documents.slip.active"
	active := strings.TrimSuffix(ts.Server.catalog.For("fr").T(activeID), ".")
	if active == "" || strings.HasPrefix(active, "Your account") {
		t.Fatalf("no French slip text: %q", active)
	}
	for _, name := range []string{"Ana Novak", "דניאל כהן", active, w.officerA.Email} {
		if !strings.Contains(text, name) {
			t.Errorf("%q not on coordinator A's slips", name)
		}
	}
	if strings.Contains(text, "Bea Braun") {
		t.Errorf("coordinator A's slips include agency B's officer")
	}
	// Scan the page: one QR per invited officer (and one to the sign-in page).
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "slips.pdf"), []byte(doc), 0o600)
	if out, err := exec.Command(pdftest.Tool(t, "pdftoppm"), "-png", "-r", "150", "-singlefile", filepath.Join(dir, "slips.pdf"), filepath.Join(dir, "slips")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(pdftest.Tool(t, "zbarimg"), "--quiet", "--raw", filepath.Join(dir, "slips.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	var activations []string
	for _, line := range strings.Fields(string(out)) {
		if strings.Contains(line, "/activate/") {
			activations = append(activations, line)
		} else if line != ts.Server.cfg.BaseURL+"/login" {
			t.Errorf("unexpected QR content %q", line)
		}
	}
	if len(activations) != 2 {
		t.Fatalf("%d activation QR codes, want 2: %s", len(activations), out)
	}
	names := map[string]bool{}
	for _, link := range activations {
		res, page := getWith(t, newBrowser(), ts.URL+pathOf(t, link))
		if res.StatusCode != 200 {
			t.Fatalf("scanned link %s: %d", link, res.StatusCode)
		}
		for _, n := range []string{"Ana Novak", "דניאל כהן"} {
			if strings.Contains(page, n) {
				names[n] = true
			}
		}
	}
	if len(names) != 2 {
		t.Errorf("the scanned links belong to %v", names)
	}
	// One of them activates; the slip's code is printed too (typed from paper).
	browser := newBrowser()
	good := url.Values{"password": {"a long enough password"}, "password_again": {"a long enough password"}, "accept_privacy": {"on"}}
	if res, _ := activate(t, ts, browser, pathOf(t, activations[0]), good); res.StatusCode != http.StatusSeeOther {
		t.Errorf("activating from a slip: %d", res.StatusCode)
	}
	// Coordinator B sees only B's officer; officers print nothing.
	_, docB := ts.api(t, ts.token(t, w.coordB), "POST", slipsURL, nil)
	if textB := pdftest.Text(t, []byte(docB)); !strings.Contains(textB, "Bea Braun") || strings.Contains(textB, "Ana Novak") || strings.Contains(textB, "כהן") {
		t.Errorf("coordinator B's slips:\n%s", textB)
	}
	for _, who := range []credentials{w.officerA, w.officerB} {
		if res, _ := ts.api(t, ts.token(t, who), "POST", slipsURL, nil); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("officer printing slips: %d", res.StatusCode)
		}
	}
	// Printing again retires the earlier print-out's links.
	ts.api(t, trainer, "POST", slipsURL, nil)
	if res, _ := getWith(t, newBrowser(), ts.URL+pathOf(t, activations[1])); res.StatusCode != http.StatusGone {
		t.Errorf("an earlier slip still works after reprinting: %d", res.StatusCode)
	}
}

// Idle logout: a browser left alone for longer than the idle timeout is signed
// out (by the server's clock); activity keeps it; API tokens are not affected.
func TestIdleLogout(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.Server.opts.IdleTimeout = 30 * time.Minute
	ts.Server.accounts.IdleTimeout = 30 * time.Minute
	start := time.Now().UTC()
	at := func(d time.Duration) { ts.Server.accounts.SetClock(func() time.Time { return start.Add(d) }) }
	at(0)
	browser := ts.browser(t, w.officerA)
	apiToken := ts.token(t, w.officerA)
	signedIn := func() bool {
		res, body := getWith(t, browser, ts.URL+"/sessions")
		return res.StatusCode == 200 && strings.Contains(body, "logout")
	}
	// The page tells idle.js when to sign out.
	if _, body := getWith(t, browser, ts.URL+"/"); !strings.Contains(body, `data-idle-seconds="1800"`) || !strings.Contains(body, "/static/js/idle.js") {
		t.Errorf("the page does not carry the idle timeout")
	}
	for _, step := range []struct {
		at   time.Duration
		want bool
	}{{10 * time.Minute, true}, {35 * time.Minute, true}, {64 * time.Minute, true}, {95*time.Minute + 30*time.Second, false}} {
		at(step.at)
		if got := signedIn(); got != step.want {
			t.Errorf("after %s: signed in = %v, want %v", step.at, got, step.want)
		}
	}
	// Signed out for good: the session row is gone, a later request does not revive it.
	at(96 * time.Minute)
	if signedIn() {
		t.Errorf("an idle session came back")
	}
	if res, _ := ts.api(t, apiToken, "GET", "/api/v1/me", nil); res.StatusCode != 200 {
		t.Errorf("the API token was ended by the browser idle timeout: %d", res.StatusCode)
	}
	if _, body := getWith(t, newBrowser(), ts.URL+"/login?idle=1"); !strings.Contains(body, "without activity") {
		t.Errorf("the sign-in page does not say why")
	}
}

// TestOnboarding_ThirtyOfficersByNine is issue 11's "done when": at 08:30 a
// coordinator imports a roster of thirty; twenty read their invitation e-mail
// (from the outbox, as an admin without SMTP would see it), ten are handed printed
// slips; by 09:00 every one of them is signed in and on the session page.
func TestOnboarding_ThirtyOfficersByNine(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ctx := context.Background()
	ts.fixClock(weekBefore)
	s := w.createSession(t, 40, nil) // 3 December 2026, 09:00 Paris
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(hhmm string) {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-03 "+hhmm, paris)
		ts.fixClock(tm.UTC())
		ts.Server.accounts.SetClock(func() time.Time { return tm.UTC() })
	}
	at("08:30")
	var csv strings.Builder
	csv.WriteString("email,name\n")
	names := map[string]string{}
	scripts := []string{"Ana Novak", "김민준", "דניאל כהן", "Γιώργος Παπαδόπουλος", "Дмитрий Иванов", "François Müller-Łukasiewicz"}
	for i := 0; i < 30; i++ {
		email := fmt.Sprintf("officer%02d@police-a.example", i)
		names[email] = fmt.Sprintf("%s %d", scripts[i%len(scripts)], i)
		fmt.Fprintf(&csv, "%s,%s\n", email, names[email])
	}
	coord := ts.token(t, w.coordA)
	if res, body := ts.postCSV(t, coord, s.ID, csv.String()); res.StatusCode != 200 || !strings.Contains(body, `"created":30`) {
		t.Fatalf("roster: %d %s", res.StatusCode, body)
	}
	// Every new officer has an invitation e-mail waiting, with the link in both parts.
	invites, err := ts.DB.OutboxMessages(ctx, store.OutboxFilter{Kind: "invitation"})
	if err != nil || len(invites) != 30 {
		t.Fatalf("%d invitation e-mails (%v)", len(invites), err)
	}
	linkRe := regexp.MustCompile(`https?://[^\s"<>]+/activate/[A-Z2-7]{16}`)
	mailed := map[string]string{}
	for _, m := range invites {
		link := linkRe.FindString(m.TextBody)
		if link == "" || !strings.Contains(m.HTMLBody, link) {
			t.Fatalf("invitation to %s has no link", m.ToAddress)
		}
		mailed[m.ToAddress] = link
	}

	// 08:40: the coordinator prints slips for the ten whose agency mail blocks us.
	at("08:40")
	res, doc := ts.api(t, coord, "POST", fmt.Sprintf("/api/v1/sessions/%d/slips", s.ID), nil)
	if res.StatusCode != 200 {
		t.Fatalf("slips: %d", res.StatusCode)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "slips.pdf"), []byte(doc), 0o600)
	if out, err := exec.Command(pdftest.Tool(t, "pdftoppm"), "-png", "-r", "110", filepath.Join(dir, "slips.pdf"), filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var slipLinks []string
	for _, page := range pages {
		out, _ := exec.Command(pdftest.Tool(t, "zbarimg"), "--quiet", "--raw", page).Output()
		for _, line := range strings.Fields(string(out)) {
			if strings.Contains(line, "/activate/") {
				slipLinks = append(slipLinks, line)
			}
		}
	}
	if len(slipLinks) < 30 {
		t.Fatalf("decoded %d slip QR codes from %d pages, want 30 (one per officer, some pages may share codes)", len(slipLinks), len(pages))
	}

	// Which slip is whose: the activation page greets its owner by name (read
	// as a person reads it: without the invisible isolates round the name).
	slipOf := map[string]string{}
	for _, sl := range slipLinks {
		_, page := getWith(t, newBrowser(), ts.URL+pathOf(t, sl))
		page = i18n.StripIsolates(page)
		for email, name := range names {
			if strings.Contains(page, name+".") {
				slipOf[email] = sl
			}
		}
	}
	if len(slipOf) != 30 {
		t.Fatalf("matched %d slips to officers", len(slipOf))
	}

	// 08:45–08:59: twenty open their e-mail, ten scan their slip; each lands on the session page.
	sessionPage := fmt.Sprintf("/sessions/%d", s.ID)
	signedIn, i := 0, 0
	for email, mailLink := range mailed {
		at(fmt.Sprintf("08:%02d", 45+i/3))
		link, other := mailLink, slipOf[email]
		if i >= 20 {
			link, other = other, link
		}
		browser := newBrowser()
		form := url.Values{"password": {"officer password " + email}, "password_again": {"officer password " + email}, "accept_privacy": {"on"}}
		if res, body := activate(t, ts, browser, pathOf(t, link), form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s activating: %d %s", email, res.StatusCode, body)
		}
		if res, body := getWith(t, browser, ts.URL+sessionPage); res.StatusCode != 200 || !strings.Contains(body, names[email]) {
			t.Errorf("%s is not on the session page by 09:00: %d", email, res.StatusCode)
		} else {
			signedIn++
		}
		// The other way in is closed now: one activation ends the e-mail and the slip.
		if res, _ := getWith(t, newBrowser(), ts.URL+pathOf(t, other)); res.StatusCode != http.StatusGone {
			t.Errorf("%s's other invitation still works after activating: %d", email, res.StatusCode)
		}
		i++
	}
	if signedIn != 30 {
		t.Errorf("%d of 30 signed in by 09:00", signedIn)
	}
}

// One-time tokens sign people in: the request log writes the route, not them
// (for every route, so no new route with a secret in its path can forget it).
func TestRequestLog_KeepsTokensOut(t *testing.T) {
	var buf strings.Builder
	s := &Server{log: slog.New(slog.NewTextHandler(&buf, nil))}
	e := echo.New()
	e.GET("/activate/:token", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, s.logRequests)
	e.GET("/sessions/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, s.logRequests)
	for _, path := range []string{"/activate/K7QW2M9XPD4TRV8H", "/sessions/42"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	if strings.Contains(buf.String(), "K7QW2M9XPD4TRV8H") || !strings.Contains(buf.String(), "/activate/:token") {
		t.Errorf("the token reached the log:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "/sessions/42") || !strings.Contains(buf.String(), "/sessions/:id") {
		t.Errorf("ordinary paths should be logged by their route too:\n%s", buf.String())
	}
}
