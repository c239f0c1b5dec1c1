package web

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
)

// reviewMarker is one form in which a part of the answer key can reach a
// response: the fixture's explanations, accepted answer and number, and the
// fields and classes the review is rendered with (the choice texts themselves are
// shown as options; for choices the key is which one is marked right).
type reviewMarker struct {
	name string
	re   *regexp.Regexp
	page bool // the attempt page shows it once review is allowed
	json bool // the attempt JSON holds it once review is allowed
}

var reviewMarkers = []reviewMarker{
	{"explanation EXPLANATION-9c1", regexp.MustCompile(`EXPLANATION-9c1`), true, true},
	{"explanation EXPLANATION-5d0", regexp.MustCompile(`EXPLANATION-5d0`), true, true},
	{"explanation EXPLANATION-77e", regexp.MustCompile(`EXPLANATION-77e`), true, true},
	{"accepted answer SHORT-ANSWER-2b8", regexp.MustCompile(`(?i)SHORT-ANSWER-2b8`), true, true},
	{"number 4242", regexp.MustCompile(`(?:^|[^\w-])4242(?:[^\w-]|$)`), true, true},
	{`JSON "review"`, regexp.MustCompile(`"review"\s*:`), false, true},
	{`JSON "correct"`, regexp.MustCompile(`"correct"\s*:`), false, true},
	{`JSON "correct_choices"`, regexp.MustCompile(`"correct_choices"\s*:`), false, true},
	{`JSON "accepted"`, regexp.MustCompile(`"accepted"\s*:`), false, true},
	{`JSON "tolerance"`, regexp.MustCompile(`"tolerance"\s*:`), false, true},
	{`JSON "explanation_html"`, regexp.MustCompile(`"explanation_html"\s*:`), false, true},
	{"review section", regexp.MustCompile(`class="review-item`), true, false},
	{"right/wrong mark on a question", regexp.MustCompile(`\bis-(?:correct|wrong)\b`), true, false},
	{"review choice list", regexp.MustCompile(`class="review-choices"`), true, false},
	{"choice marked right", regexp.MustCompile(`<li class="right`), true, false},
	{"accepted answers label", regexp.MustCompile(`Accepted answers`), true, false},
	{"explanation block", regexp.MustCompile(`class="explanation"`), true, false},
}

// reviewStage is a moment of the quiz day: how the day gets there, and the
// policies under which the officer may see the review of their own attempt by then.
type reviewStage struct {
	name  string
	enter func(*reviewScan, *testing.T)
	due   map[string]bool
}

// reviewStages run in order. The quiz is reopened before the session is closed, so
// that the last stage allows after_close review by the session's closing alone.
var reviewStages = []reviewStage{
	{"before starting", func(*reviewScan, *testing.T) {}, nil},
	{"attempt in progress", (*reviewScan).startAndSave, nil},
	{"submitted, quiz open", (*reviewScan).submit, map[string]bool{"after_submit": true}},
	{"quiz closed by the trainer", func(s *reviewScan, t *testing.T) {
		s.trainer(t, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/close", s.sessionID), nil)
	}, map[string]bool{"after_submit": true, "after_close": true}},
	{"quiz reopened", func(s *reviewScan, t *testing.T) {
		s.trainer(t, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/open", s.sessionID), nil)
	}, map[string]bool{"after_submit": true}},
	{"session closed", (*reviewScan).closeSession, map[string]bool{"after_submit": true, "after_close": true}},
}

// TestReviewPolicy_ScanEveryOfficerResponse is issue 12's "no correct answer or
// explanation reaches an officer before the policy allows it". For each policy,
// at each stage of the day, it walks every GET route of the router as the
// officer (browser cookie and API bearer) and anonymously, with the ids the
// officer has, and scans the officer's own start, save and submit responses. Only
// the officer's own attempt may carry the review, and only once the policy allows
// it; once it does, it must.
func TestReviewPolicy_ScanEveryOfficerResponse(t *testing.T) {
	total := 0
	for _, policy := range []string{"after_submit", "after_close", "never"} {
		t.Run(policy, func(t *testing.T) { total += scanReviewPolicy(t, policy) })
	}
	t.Logf("%d responses scanned", total)
}

// reviewScan is one server whose fixture quiz has one review policy, the officer
// who scans it, and another officer of the same agency who answered everything
// right (their attempt is a trap: nothing of it may reach the first).
type reviewScan struct {
	*quizWorld
	policy        string
	stage         reviewStage
	officerID     int64
	browser, anon *http.Client
	csrf          string
	own, other    string // attempt ids
	submitted     bool
	serial        string
	calendar      string // the officer's calendar token
	scanned       int
	seen          map[string]bool // markers seen where the review is allowed
	ok            map[string]int  // successful responses by who asked, in the current stage
	xff           int
}

func scanReviewPolicy(t *testing.T, policy string) int {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	// Each request comes from its own forwarded address, so the per-address rate
	// limits (verify, onboarding links) let the whole walk through.
	ts := startServerWith(t, reviewCourse(t, policy), Config{TrustedProxies: []*net.IPNet{loopback}})
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	s := &reviewScan{quizWorld: qw, policy: policy, officerID: qw.officerAID, seen: map[string]bool{}, ok: map[string]int{}}
	s.browser, s.anon = ts.browser(t, qw.world.officerA), newBrowser()
	_, home := s.fetch(t, s.browser, "", "GET", "/", nil)
	m := csrfField.FindStringSubmatch(home)
	if m == nil {
		t.Fatal("no CSRF token on the dashboard")
	}
	s.csrf = m[1]
	_, body := s.fetch(t, nil, qw.officerA, "GET", "/api/v1/me/calendar", nil)
	s.calendar = decode[struct{ URL string }](t, body).URL
	s.calendar = s.calendar[strings.LastIndex(s.calendar, "/")+1:]

	qw.at(time.Hour)
	s.other = s.otherOfficerAnswersRight(t)
	for _, st := range reviewStages {
		s.stage = st
		st.enter(s, t)
		if s.submitted {
			// Again at every stage: each may answer differently now (refused
			// starts and saves, the same result for a second submission).
			s.startAndSave(t)
			s.submit(t)
		}
		s.ok = map[string]int{}
		s.walk(t)
		// The walk reaches real pages and JSON, not only sign-in redirects.
		for who, least := range map[string]int{"officer (browser)": 20, "officer (API)": 20, "anonymous": 5} {
			if s.ok[who] < least {
				t.Errorf("%s, %s: only %d successful responses to the %s", policy, st.name, s.ok[who], who)
			}
		}
		s.otherAttemptIsNotFound(t)
		s.reviewAsDue(t)
	}
	for _, mk := range reviewMarkers {
		if policy != "never" && !s.seen[mk.name] {
			t.Errorf("%s: the scan never saw %s where the review is allowed: the scan looks at the wrong thing", policy, mk.name)
		}
	}
	if policy == "never" {
		// The review exists: the session's trainer sees it.
		_, page := getWith(t, ts.browser(t, qw.world.trainer), ts.URL+"/attempts/"+s.own)
		for _, mk := range reviewMarkers {
			if mk.page && !mk.re.MatchString(page) {
				t.Errorf("never: the trainer's view of the attempt lacks %s", mk.name)
			}
		}
	}
	return s.scanned
}

// reviewCourse is the secret-keeping fixture with the given review policy
// (after_close by default, so it is left unset) and a pass mark the scanning
// officer's one right answer reaches, so that closing issues a certificate.
func reviewCourse(t *testing.T, policy string) fs.FS {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "secret"), os.DirFS("testdata/courses/secret")); err != nil {
		t.Fatal(err)
	}
	edit := func(name, old, new string) {
		p := filepath.Join(dir, "secret", name)
		src, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(src), old) {
			t.Fatalf("fixture %s: %v", name, err)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(src), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if policy != "after_close" {
		edit("01-m.quiz.md", "---\n", "---\nreview: "+policy+"\n")
	}
	edit("course.md", "certificate:\n", "certificate:\n  pass_mark: 30\n")
	return os.DirFS(dir)
}

// startAndSave are the officer's own writes before submitting, through the API
// and the browser: start, and save answers (all wrong but the choice). Every
// response is scanned, and every redirect followed.
func (s *reviewScan) startAndSave(t *testing.T) {
	t.Helper()
	res, body := s.fetch(t, nil, s.officerA, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", s.sessionID), nil)
	if s.own == "" {
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("start: %d %s", res.StatusCode, body)
		}
		s.own = strconv.FormatInt(decode[struct{ ID int64 }](t, body).ID, 10)
	}
	s.browserPost(t, fmt.Sprintf("/sessions/%d/quizzes/01-m/start", s.sessionID), nil)
	_, body = s.fetch(t, nil, s.officerA, "GET", "/api/v1/attempts/"+s.own, nil)
	right := choiceID(decode[attempt.View](t, body), "pick", "CORRECT-CHOICE")
	for q, answer := range map[string]any{"pick": map[string]any{"choices": []string{right}}, "type": map[string]string{"text": "a wrong guess"}, "count": map[string]int{"number": 17}} {
		s.fetch(t, nil, s.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%s", s.own, q), answer)
	}
	s.browserPost(t, "/attempts/"+s.own, url.Values{"action": {"save"}, "shown.pick": {"1"}, "shown.type": {"1"}, "shown.count": {"1"},
		"q.pick": {right}, "q.type": {"a wrong guess"}, "q.count": {"17"}})
}

// submit submits through the API, then through the browser (the same result).
func (s *reviewScan) submit(t *testing.T) {
	t.Helper()
	if res, body := s.fetch(t, nil, s.officerA, "POST", "/api/v1/attempts/"+s.own+"/submit", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("%s: submit: %d %s", s.stage.name, res.StatusCode, body)
	}
	s.browserPost(t, "/attempts/"+s.own, url.Values{"action": {"submit"}})
	s.submitted = true
}

// closeSession marks the officer present and closes the session, which issues
// their certificate (one right answer of three reaches the fixture's pass mark).
func (s *reviewScan) closeSession(t *testing.T) {
	t.Helper()
	s.trainer(t, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", s.sessionID, s.officerID), map[string]string{"status": "present"})
	s.trainer(t, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", s.sessionID), nil)
	_, body := s.fetch(t, nil, s.officerA, "GET", "/api/v1/certificates", nil)
	certs := decode[[]struct{ Serial string }](t, body)
	if len(certs) != 1 {
		t.Fatalf("the officer's certificates after closing: %s", body)
	}
	s.serial = certs[0].Serial
}

// browserPost sends a form with the officer's CSRF token and follows the redirect.
func (s *reviewScan) browserPost(t *testing.T, path string, form url.Values) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", s.csrf)
	res, _ := s.fetch(t, s.browser, "", "POST", path, form)
	if loc := res.Header.Get("Location"); res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/") {
		s.fetch(t, s.browser, "", "GET", strings.SplitN(loc, "#", 2)[0], nil)
	}
}

// otherOfficerAnswersRight has another officer of agency A answer every question
// right, the short answer and the number typed in, and submit.
func (s *reviewScan) otherOfficerAnswersRight(t *testing.T) string {
	t.Helper()
	ts := s.ts
	other := ts.user(t, auth.RoleOfficer, &s.agencyA.ID, "Officer Alpha-Two")
	s.trainer(t, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.sessionID), map[string]any{"user_id": s.idOf(t, other)})
	tok := ts.token(t, other)
	v := s.start(t, tok)
	for q, answer := range map[string]any{"pick": map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT-CHOICE")}},
		"type": map[string]string{"text": "SHORT-ANSWER-2b8"}, "count": map[string]int{"number": 4242}} {
		ts.api(t, tok, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", v.ID, q), answer)
	}
	if res, body := ts.api(t, tok, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); !strings.Contains(body, `"score":3`) {
		t.Fatalf("the other officer's submit: %d %s", res.StatusCode, body)
	}
	return strconv.FormatInt(v.ID, 10)
}

func (s *reviewScan) trainer(t *testing.T, method, path string, body any) {
	t.Helper()
	if res, out := s.ts.api(t, s.trainerTok, method, path, body); res.StatusCode >= 300 {
		t.Fatalf("trainer %s %s: %d %s", method, path, res.StatusCode, out)
	}
}

// walk requests every GET route the router has, as the officer's browser, the
// officer's API token and an anonymous visitor.
func (s *reviewScan) walk(t *testing.T) {
	t.Helper()
	var paths []string
	for _, r := range s.ts.Server.echo.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		for _, p := range expandPath(r.Path, s.values) {
			paths = append(paths, p)
			if r.Path == "/attempts/:id" {
				for q := range 3 {
					paths = append(paths, fmt.Sprintf("%s?view=one&q=%d", p, q))
				}
			}
		}
	}
	slices.Sort(paths)
	for _, p := range slices.Compact(paths) {
		s.fetch(t, s.browser, "", "GET", p, nil)
		s.fetch(t, nil, s.officerA, "GET", p, nil)
		s.fetch(t, s.anon, "", "GET", p, nil)
	}
}

// values are the ids the officer has, by the noun they follow in a path.
func (s *reviewScan) values(noun, param string) []string {
	sid := strconv.FormatInt(s.sessionID, 10)
	uid := strconv.FormatInt(s.officerID, 10)
	attempts := []string{s.other}
	if s.own != "" {
		attempts = append(attempts, s.own)
	}
	serials := []string{"NO-CERTIFICATE-YET"}
	if s.serial != "" {
		serials = []string{s.serial, s.serial + ".json", s.serial + ".pdf"}
	}
	switch {
	case param == "course":
		return []string{"secret"}
	case param == "module" || param == "quiz":
		return []string{"01-m"}
	case param == "token":
		return []string{s.calendar}
	case param == "serial":
		return serials
	case param == "user_id" || noun == "users":
		return []string{uid}
	case noun == "sessions":
		return []string{sid}
	case noun == "attempts":
		return attempts
	case noun == "agencies":
		return []string{strconv.FormatInt(s.agencyA.ID, 10)}
	}
	return append([]string{sid, uid}, attempts...)
}

// otherAttemptIsNotFound: the other officer's attempt, by every route that takes
// an attempt id, is not found for the scanning officer.
func (s *reviewScan) otherAttemptIsNotFound(t *testing.T) {
	t.Helper()
	form := url.Values{"csrf_token": {s.csrf}, "action": {"submit"}, "q.type": {"x"}}
	for _, call := range []struct {
		client        *http.Client
		token, method string
		path          string
		body          any
	}{
		{s.browser, "", "GET", "/attempts/" + s.other, nil},
		{s.browser, "", "GET", "/attempts/" + s.other + "?view=one&q=1", nil},
		{s.browser, "", "POST", "/attempts/" + s.other, form},
		{nil, s.officerA, "GET", "/api/v1/attempts/" + s.other, nil},
		{nil, s.officerA, "PUT", "/api/v1/attempts/" + s.other + "/answers/type", map[string]string{"text": "x"}},
		{nil, s.officerA, "POST", "/api/v1/attempts/" + s.other + "/submit", nil},
	} {
		if res, _ := s.fetch(t, call.client, call.token, call.method, call.path, call.body); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s, %s: the officer's %s %s of another officer's attempt: %d, want 404", s.policy, s.stage.name, call.method, call.path, res.StatusCode)
		}
	}
}

// reviewAsDue: once the policy allows it, the officer's own attempt page and JSON
// carry the review with its explanations; before, a submitted attempt shows its
// result and no review.
func (s *reviewScan) reviewAsDue(t *testing.T) {
	t.Helper()
	if s.own == "" {
		return
	}
	res, page := s.fetch(t, s.browser, "", "GET", "/attempts/"+s.own, nil)
	_, data := s.fetch(t, nil, s.officerA, "GET", "/api/v1/attempts/"+s.own, nil)
	where := s.policy + ", " + s.stage.name
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: the officer's attempt page: %d", where, res.StatusCode)
	}
	if s.stage.name != "attempt in progress" && !strings.Contains(page, `id="result"`) {
		t.Errorf("%s: the officer's submitted attempt page shows no result", where)
	}
	if !s.stage.due[s.policy] {
		return // the walk checked that nothing shows
	}
	var notOnPage, notInJSON []string
	for _, mk := range reviewMarkers {
		if mk.page && !mk.re.MatchString(page) {
			notOnPage = append(notOnPage, mk.name)
		}
		if mk.json && !mk.re.MatchString(data) {
			notInJSON = append(notInJSON, mk.name)
		}
	}
	if notOnPage != nil || notInJSON != nil {
		t.Errorf("%s: the review is due, but the officer's attempt page lacks %q and its JSON lacks %q", where, notOnPage, notInJSON)
	}
}

// fetch sends one request (a form for url.Values, else JSON) from its own
// forwarded address, with the browser's cookies or the bearer token (anonymous:
// neither), and scans the response.
func (s *reviewScan) fetch(t *testing.T, client *http.Client, token, method, path string, body any) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case url.Values:
		r, contentType = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		r = strings.NewReader(bodyString(b))
	}
	req, err := http.NewRequest(method, s.ts.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	s.xff++
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", s.xff/250, s.xff%250+1))
	if client == nil {
		client = s.anon
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := new(strings.Builder)
	_, _ = ioCopy(buf, res)
	who := "anonymous"
	if token != "" {
		who = "officer (API)"
	} else if client != s.anon {
		who = "officer (browser)"
	}
	s.scan(t, who, method, path, res, buf.String())
	return res, buf.String()
}

// scan fails on any review marker in a response, except in the officer's own
// attempt once the policy allows it (where it records what it saw).
func (s *reviewScan) scan(t *testing.T, who, method, path string, res *http.Response, body string) {
	t.Helper()
	s.scanned++
	if res.StatusCode < 300 {
		s.ok[who]++
	}
	where := fmt.Sprintf("%s, %s: %s %s %s (%d)", s.policy, s.stage.name, who, method, path, res.StatusCode)
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
		t.Errorf("%s: not scanned: %.300s", where, body)
	}
	allowed := who != "anonymous" && s.stage.due[s.policy] && s.own != "" && isAttemptPath(path, s.own)
	var leaked []string
	excerpt := ""
	for _, mk := range reviewMarkers {
		loc := mk.re.FindStringIndex(body)
		switch {
		case loc == nil:
		case allowed:
			s.seen[mk.name] = true
		default:
			leaked = append(leaked, mk.name)
			if excerpt == "" {
				excerpt = body[max(loc[0]-60, 0):min(loc[1]+60, len(body))]
			}
		}
	}
	if leaked != nil {
		t.Errorf("%s reveals %s: …%s…", where, strings.Join(leaked, ", "), excerpt)
	}
}

// isAttemptPath reports whether path is the attempt's page or JSON.
func isAttemptPath(path, id string) bool {
	for _, prefix := range []string{"/attempts/" + id, "/api/v1/attempts/" + id} {
		if rest, ok := strings.CutPrefix(path, prefix); ok && (rest == "" || rest[0] == '?' || rest[0] == '/') {
			return true
		}
	}
	return false
}

// Under after_submit with several attempts, the key would answer the next
// attempt: it is shown once the officer has used them all (or the quiz is
// closed), and hidden again while a granted extra attempt is unused.
func TestReviewPolicy_AfterSubmitWaitsForTheLastAttempt(t *testing.T) {
	qw := twoAttemptsAfterSubmit(t)
	ts := qw.ts
	qw.at(time.Hour)
	shows := func(attemptID int64) bool { return officerASeesKey(t, qw, attemptID) }
	qw.passQuiz(t, qw.officerA, false)
	first := attemptsOf(t, qw, qw.officerAID)[0].ID
	if shows(first) {
		t.Errorf("the key is shown after the first of two attempts")
	}
	if _, body := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", first), nil); !strings.Contains(body, "once you have used all your attempts") {
		t.Errorf("no note on when the answers come: %s", body)
	}
	qw.passQuiz(t, qw.officerA, true)
	if !shows(first) {
		t.Errorf("the key is not shown once both attempts are used")
	}
	officerA := qw.officerAID
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/exceptions", qw.sessionID),
		map[string]any{"user_id": officerA, "extra_attempts": 1, "reason": "phone died"}); res.StatusCode != 200 {
		t.Fatalf("grant: %d %s", res.StatusCode, body)
	}
	if shows(first) {
		t.Errorf("the key is shown while a granted attempt is unused")
	}
	ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/close", qw.sessionID), nil)
	if !shows(first) {
		t.Errorf("the key is not shown once the trainer closes the quiz")
	}
}

// Under after_submit, the key of a submitted attempt must stay hidden while
// another attempt of the officer is open: the second attempt (the last one
// allowed, so none is left to start) or a reopened first one would be answered
// from the first's review in another tab.
func TestReviewPolicy_AfterSubmitHiddenWhileAnAttemptIsOpen(t *testing.T) {
	qw := twoAttemptsAfterSubmit(t)
	ts := qw.ts
	qw.at(time.Hour)
	shows := func(attemptID int64) bool { return officerASeesKey(t, qw, attemptID) }
	qw.passQuiz(t, qw.officerA, false)
	first := attemptsOf(t, qw, qw.officerAID)[0].ID
	second := qw.start(t, qw.officerA) // the last attempt allowed, in progress
	if shows(first) {
		t.Errorf("the first attempt's key is shown while the last one is in progress")
	}
	if res, body := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", second.ID), nil); res.StatusCode != 200 {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	if !shows(first) {
		t.Fatalf("the key is not shown once both attempts are used")
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/attempts/%d/reopen", first),
		map[string]any{"minutes": 10, "reason": "phone died"}); res.StatusCode != 200 {
		t.Fatalf("reopen: %d %s", res.StatusCode, body)
	}
	if shows(second.ID) {
		t.Errorf("the second attempt's key is shown while the first is reopened")
	}
}

// The officers page warns a trainer about to grant or reopen under
// after_submit, where an officer may already have seen the answers.
func TestQuizOfficers_AfterSubmitWarning(t *testing.T) {
	for policy, warned := range map[string]bool{"after_submit": true, "after_close": false} {
		qw := newQuizWorldOn(t, newWorldOn(t, startServer(t, reviewCourse(t, policy))))
		_, html := getWith(t, qw.ts.browser(t, qw.world.trainer), fmt.Sprintf("%s/sessions/%d/quizzes/01-m/officers", qw.ts.URL, qw.sessionID))
		if got := strings.Contains(html, "can answer from memory"); got != warned {
			t.Errorf("%s: warned = %v, want %v", policy, got, warned)
		}
	}
}

// twoAttemptsAfterSubmit is the fixture day with its quiz reviewed after_submit
// and two attempts allowed.
func twoAttemptsAfterSubmit(t *testing.T) *quizWorld { return twoAttempts(t, "after_submit") }

// twoAttempts is the fixture day with its quiz reviewed by policy and two
// attempts allowed.
func twoAttempts(t *testing.T, policy string) *quizWorld {
	dir := t.TempDir()
	if err := os.CopyFS(dir, reviewCourse(t, policy)); err != nil {
		t.Fatal(err)
	}
	quizFile := filepath.Join(dir, "secret", "01-m.quiz.md")
	src, err := os.ReadFile(quizFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(quizFile, []byte(strings.Replace(string(src), "---\n", "---\nattempts: 2\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return newQuizWorldOn(t, newWorldOn(t, startServer(t, os.DirFS(dir))))
}

// officerASeesKey reports whether officer A's attempt shows its review (an
// explanation), through the JSON and the page alike: they must agree.
func officerASeesKey(t *testing.T, qw *quizWorld, attemptID int64) bool {
	t.Helper()
	ts := qw.ts
	_, body := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), nil)
	_, page := getWith(t, ts.browser(t, qw.world.officerA), fmt.Sprintf("%s/attempts/%d", ts.URL, attemptID))
	inJSON, inPage := strings.Contains(body, "EXPLANATION-9c1"), strings.Contains(page, "EXPLANATION-9c1")
	if inJSON != inPage {
		t.Fatalf("the JSON (%v) and the page (%v) disagree", inJSON, inPage)
	}
	return inJSON
}
