package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
)

// TestAccess_SameStatusFromEverySessionRoute walks every session-scoped route
// of the route table (page and API, bearer and browser) as three people who
// do not run the sessions: an officer and a coordinator of agency B, and a
// trainer who is not on them. DESIGN: a session the actor cannot see answers
// 404 from every route; one they can see answers no route with "session not
// found", and a route they may not use answers 403.
func TestAccess_SameStatusFromEverySessionRoute(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	onlyA := w.createSession(t, 10, map[string]any{"agency_ids": []int64{w.agencyA.ID}})
	open := w.createSession(t, 10, nil)
	ts.fixClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	fixtures := map[int64]holding{}
	for _, sid := range []int64{onlyA.ID, open.ID} {
		fixtures[sid] = officerAHolds(t, w, sid)
	}

	otherTrainer := ts.user(t, auth.RoleTrainer, nil, "Trainer Other")
	actors := []struct {
		name string
		cred credentials
		// visible: the sessions this actor can see, though it runs none.
		visible map[int64]bool
	}{
		{"officer B", w.officerB, map[int64]bool{open.ID: true}},
		{"coordinator B", w.coordB, map[int64]bool{open.ID: true}},
		{"trainer not on the session", otherTrainer, map[int64]bool{open.ID: true, onlyA.ID: true}},
	}
	var sessionRoutes []struct{ method, path string }
	for _, r := range ts.Server.echo.Routes() {
		if strings.Contains(r.Path, "/sessions/:id") {
			sessionRoutes = append(sessionRoutes, struct{ method, path string }{r.Method, r.Path})
		}
	}
	if len(sessionRoutes) < 40 {
		t.Fatalf("only %d session routes registered", len(sessionRoutes))
	}
	// Bodies every route's own checks accept, so that what answers is the
	// access rule, not the body's validation.
	formFields := map[string]any{"user_id": w.officerAID, "status": "present", "minutes": 5, "reason": "a phone died"}
	apiBodies := map[string]map[string]any{
		"PATCH /api/v1/sessions/:id":                         {"capacity": 5},
		"POST /api/v1/sessions/:id/enrollments":              {"user_id": w.officerAID},
		"PATCH /api/v1/sessions/:id/enrollments/:user_id":    {"extra_time_percent": 10},
		"PUT /api/v1/sessions/:id/attendance/:user_id":       {"status": "present"},
		"POST /api/v1/sessions/:id/checkin":                  {"code": "000000"},
		"POST /api/v1/sessions/:id/quizzes/:quiz/exceptions": {"user_id": w.officerAID, "extra_attempts": 1, "reason": "a phone died"},
		"POST /api/v1/sessions/:id/quizzes/:quiz/paper":      {"user_id": w.officerAID, "score": 5, "reason": "a phone died"},
	}
	checked := 0
	for _, who := range actors {
		token := ts.token(t, who.cred)
		browser := ts.browser(t, who.cred)
		csrf := csrfFrom(t, browser, ts.URL+"/")
		for _, sid := range []int64{onlyA.ID, open.ID} {
			fx := fixtures[sid]
			for _, r := range sessionRoutes {
				path := fillSessionPath(r.path, sid, fx.attempt, fx.serial, w.officerAID)
				// The API answers bearer clients, pages answer browsers (and a
				// browser may follow a link to an API download).
				styles := []string{"browser"}
				if strings.HasPrefix(r.path, "/api/") {
					styles = []string{"API"}
					if r.method == http.MethodGet {
						styles = append(styles, "browser")
					}
				}
				for _, style := range styles {
					var res *http.Response
					var body string
					if style == "API" {
						res, body = apiRequest(t, token, r.method, ts.URL+path, apiBodies[r.method+" "+r.path])
					} else {
						res, body = browserRequest(t, browser, r.method, ts.URL+path, csrf, formFields)
					}
					checked++
					what := fmt.Sprintf("%s (%s) %s %s", who.name, style, r.method, r.path)
					switch {
					case res.StatusCode == http.StatusPermanentRedirect:
						// An old URL sending to its new spelling, walked itself.
					case !who.visible[sid] && res.StatusCode != http.StatusNotFound:
						t.Errorf("%s on a session it cannot see: %d, want 404", what, res.StatusCode)
					case who.visible[sid] && res.StatusCode == http.StatusNotFound && sessionNotFound(body):
						t.Errorf("%s on a session it can see: 404 session not found, want 403 or the route's answer", what)
					}
				}
			}
		}
	}
	if checked < 300 {
		t.Errorf("walked only %d route/actor/session combinations", checked)
	}
}

// holding is what officer A holds in a session: an attempt and a certificate.
type holding struct{ attempt, serial string }

// officerAHolds enrolls officer A in a session (open to them), marks them
// present, starts their attempt at 01-blockchain and issues them a
// certificate, so that every sub-resource id of a path names something real.
func officerAHolds(t *testing.T, w *world, sessionID int64) holding {
	t.Helper()
	ts := w.ts
	trainer := ts.token(t, w.trainer)
	ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", sessionID), map[string]any{"user_id": w.officerAID})
	ts.api(t, trainer, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", sessionID, w.officerAID), map[string]string{"status": "present"})
	res, body := ts.api(t, ts.token(t, w.officerA), "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-blockchain/attempts", sessionID), nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("officer A starts the quiz in session %d: %d %s", sessionID, res.StatusCode, body)
	}
	var at struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &at); err != nil {
		t.Fatal(err)
	}
	return holding{attempt: strconv.FormatInt(at.ID, 10), serial: ts.issueForTest(t, sessionID, w.officerAID)}
}

// TestAccess_SameStatusFromEveryAttemptAndCertificateRoute is the session
// walk's sibling one level down: every route of the route table addressed by
// an attempt or a certificate alone (page and API), as the people around
// officer A's attempt and certificate. DESIGN: one the actor cannot see
// answers 404 from every route — an attempt is seen by its owner and the
// session's trainers and admins, a certificate by its holder, their agency's
// coordinator, trainers and admins —; one they can see answers no route with
// "not found", and what they may not do there answers 403 (the owner
// extending, reopening or accepting late answers for their own attempt; a
// holder, their coordinator or a trainer not on the session revoking).
func TestAccess_SameStatusFromEveryAttemptAndCertificateRoute(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s := w.createSession(t, 10, nil)
	ts.fixClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	fx := officerAHolds(t, w, s.ID)

	var routes []struct{ method, path string }
	for _, r := range ts.Server.echo.Routes() {
		if strings.Contains(r.Path, "/attempts/:id") && !strings.Contains(r.Path, "/sessions/") || strings.Contains(r.Path, "/certificates/:serial") && !strings.Contains(r.Path, "/sessions/") {
			routes = append(routes, struct{ method, path string }{r.Method, r.Path})
		}
	}
	if len(routes) < 10 {
		t.Fatalf("only %d attempt and certificate routes registered", len(routes))
	}
	// What each actor sees, and the routes it sees the resource on but may
	// not use (403); "attempt" and "certificate" stand for all the routes of
	// the kind.
	otherTrainer := ts.user(t, auth.RoleTrainer, nil, "Trainer Other")
	manage := map[string]bool{"POST /api/v1/attempts/:id/extend": true, "POST /api/v1/attempts/:id/reopen": true,
		"POST /api/v1/attempts/:id/late-answers/accept": true}
	revoke := map[string]bool{"POST /api/v1/certificates/:serial/revoke": true}
	actors := []struct {
		name      string
		cred      credentials
		sees      map[string]bool
		forbidden map[string]bool
	}{
		{"officer A, the owner", w.officerA, map[string]bool{"attempt": true, "certificate": true}, merged(manage, revoke)},
		{"coordinator A", w.coordA, map[string]bool{"certificate": true}, revoke},
		{"trainer not on the session", otherTrainer, map[string]bool{"certificate": true}, revoke},
		{"officer B", w.officerB, nil, nil},
		{"coordinator B", w.coordB, nil, nil},
	}
	// Bodies the routes' own checks accept, so that what answers is the rule.
	formFields := map[string]any{"minutes": 5, "reason": "a phone died"}
	apiBodies := map[string]map[string]any{
		"POST /api/v1/attempts/:id/extend":              {"minutes": 5, "reason": "a phone died"},
		"POST /api/v1/attempts/:id/reopen":              {"minutes": 5, "reason": "a phone died"},
		"POST /api/v1/attempts/:id/late-answers/accept": {"reason": "a phone died"},
		"PUT /api/v1/attempts/:id/answers/:question":    {"choices": []string{}, "seq": 1},
		"POST /api/v1/certificates/:serial/revoke":      {"reason": "a phone died"},
	}
	checked := 0
	for _, who := range actors {
		token := ts.token(t, who.cred)
		browser := ts.browser(t, who.cred)
		csrf := csrfFrom(t, browser, ts.URL+"/")
		for _, r := range routes {
			kind := "attempt"
			if strings.Contains(r.path, "/certificates/") {
				kind = "certificate"
			}
			path := strings.NewReplacer(":id", fx.attempt, ":serial", fx.serial, ":question", "nonexistent-question").Replace(r.path)
			var res *http.Response
			var out string
			style := "API"
			if strings.HasPrefix(r.path, "/api/") {
				res, out = apiRequest(t, token, r.method, ts.URL+path, apiBodies[r.method+" "+r.path])
			} else {
				style = "browser"
				res, out = browserRequest(t, browser, r.method, ts.URL+path, csrf, formFields)
			}
			checked++
			what := fmt.Sprintf("%s (%s) %s %s", who.name, style, r.method, r.path)
			switch key := r.method + " " + r.path; {
			case !who.sees[kind] && res.StatusCode != http.StatusNotFound:
				t.Errorf("%s on a%s %s it cannot see: %d, want 404", what, map[bool]string{true: "n"}[kind == "attempt"], kind, res.StatusCode)
			case who.forbidden[key] && res.StatusCode != http.StatusForbidden:
				t.Errorf("%s on a %s it can see but not change: %d %s, want 403", what, kind, res.StatusCode, out)
			case who.sees[kind] && res.StatusCode == http.StatusNotFound && strings.Contains(out, kind+" not found"):
				t.Errorf("%s on a %s it can see: 404 %s not found", what, kind, kind)
			}
		}
	}
	if checked < 50 {
		t.Errorf("walked only %d route/actor combinations", checked)
	}
}

// TestAccess_SameStatusFromEveryAgencyRoute is the session walk's sibling
// for every route of the route table addressed by an agency (page and API,
// bearer and browser): another agency's people cannot see agency A and get
// 404 from every one, as for an agency that does not exist; agency A's
// officer and a trainer see it (its API show answers them) but may not read
// its record or download its certificates: 403, never "agency not found".
func TestAccess_SameStatusFromEveryAgencyRoute(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 10, nil)
	ts.issueForTest(t, s.ID, w.officerAID) // so that the ZIP has something to refuse
	var routes []struct{ method, path string }
	for _, r := range ts.Server.echo.Routes() {
		if strings.Contains(r.Path, "/agencies/:id") {
			routes = append(routes, struct{ method, path string }{r.Method, r.Path})
		}
	}
	if len(routes) < 7 {
		t.Fatalf("only %d agency routes registered", len(routes))
	}
	actors := []struct {
		name string
		cred credentials
		sees bool
	}{
		{"officer B", w.officerB, false},
		{"coordinator B", w.coordB, false},
		{"officer A", w.officerA, true},
		{"trainer", w.trainer, true},
	}
	agency := strconv.FormatInt(w.agencyA.ID, 10)
	checked := 0
	for _, who := range actors {
		token := ts.token(t, who.cred)
		browser := ts.browser(t, who.cred)
		for _, r := range routes {
			path := strings.Replace(r.path, ":id", agency, 1)
			styles := []string{"browser"}
			if strings.HasPrefix(r.path, "/api/") {
				styles = []string{"API", "browser"}
			}
			for _, style := range styles {
				var res *http.Response
				var body string
				if style == "API" {
					res, body = apiRequest(t, token, r.method, ts.URL+path, nil)
				} else {
					res, body = getWith(t, browser, ts.URL+path)
				}
				checked++
				what := fmt.Sprintf("%s (%s) %s %s", who.name, style, r.method, r.path)
				show := r.path == "/api/v1/agencies/:id"
				switch {
				case !who.sees && res.StatusCode != http.StatusNotFound:
					t.Errorf("%s on an agency it cannot see: %d, want 404", what, res.StatusCode)
				case who.sees && show && res.StatusCode != http.StatusOK:
					t.Errorf("%s on its agency: %d, want 200", what, res.StatusCode)
				case who.sees && !show && res.StatusCode != http.StatusForbidden:
					t.Errorf("%s on an agency it sees but may not read the record of: %d %.200s, want 403", what, res.StatusCode, body)
				}
			}
		}
	}
	if checked < 40 {
		t.Errorf("walked only %d route/actor combinations", checked)
	}
}

func merged(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// sessionNotFound reports the answer of the access rule's 404, as JSON or as
// a page (other 404s name their own resource: an enrolment, an attempt).
func sessionNotFound(body string) bool {
	return strings.Contains(body, `"message":"session not found"`) || strings.Contains(body, "<h1>session not found</h1>")
}

// fillSessionPath puts the session and its real sub-resources into a route.
func fillSessionPath(p string, sessionID int64, attempt, serial string, userID int64) string {
	user := strconv.FormatInt(userID, 10)
	r := strings.NewReplacer(":id", strconv.FormatInt(sessionID, 10), ":quiz", "01-blockchain", ":attempt", attempt,
		":serial", serial, ":user_id", user, ":user", user)
	return r.Replace(p)
}

// browserRequest sends a page request with the browser's cookies; a form post
// carries the CSRF token and the fields.
func browserRequest(t *testing.T, browser *http.Client, method, u, csrf string, fields map[string]any) (*http.Response, string) {
	t.Helper()
	if method == http.MethodGet {
		return getWith(t, browser, u)
	}
	form := url.Values{"csrf_token": {csrf}}
	for k, v := range fields {
		form.Set(k, fmt.Sprint(v))
	}
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, browser, req)
}

// apiRequest sends a bearer request: a roster as CSV, a body as JSON, else
// none.
func apiRequest(t *testing.T, token, method, u string, body map[string]any) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	contentType := "application/json"
	switch {
	case method == http.MethodPost && strings.HasSuffix(u, "/roster"):
		contentType, r = "text/csv", strings.NewReader("email,name\nnew-officer@test.example,New Officer\n")
	case body != nil:
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	return bearer(t, token, method, u, contentType, r)
}
