package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/store"
)

// TestIsolation_EveryRouteWithAnotherAgency walks every registered route, with
// every id of agency A in every path parameter, as an officer and a coordinator of
// agency B, through the API (bearer) and the browser (cookie + CSRF). Nothing of
// agency A may come back, and nothing of agency A may change.
func TestIsolation_EveryRouteWithAnotherAgency(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ctx := context.Background()
	usersBefore, _ := ts.DB.Users(ctx, store.UserFilter{AgencyID: &w.agencyA.ID})

	// Sessions: one open to agency A only, one open to all; officer A is enrolled
	// in both, checked in to one and marked by the trainer in the other.
	ts.fixClock(weekBefore)
	onlyA := w.createSession(t, 10, map[string]any{"agency_ids": []int64{w.agencyA.ID}, "venue": "Alpha-Marker Hall"})
	open := w.createSession(t, 10, nil)
	trainer := ts.token(t, w.trainer)
	for _, sid := range []int64{onlyA.ID, open.ID} {
		ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", sid), map[string]any{"user_id": w.officerAID, "extra_time_percent": 50})
		ts.api(t, trainer, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", sid, w.officerAID), map[string]string{"status": "present"})
	}
	// Officer A holds a certificate of the open session; its serial goes into every
	// path parameter too (the walk must not find it by /certificates/:serial…).
	serialOfA := ts.issueForTest(t, open.ID, w.officerAID)
	idsOfA := []string{
		strconv.FormatInt(w.agencyA.ID, 10), strconv.FormatInt(w.officerAID, 10), strconv.FormatInt(w.coordAID, 10),
		strconv.FormatInt(onlyA.ID, 10), strconv.FormatInt(open.ID, 10), serialOfA, serialOfA + ".pdf",
	}
	secretsOfA := []string{"Alpha-Marker", w.officerA.Email, w.coordA.Email, serialOfA}
	enrolledBefore, _ := ts.DB.Read(ctx).Enrollments(open.ID, &w.agencyA.ID)
	// A body that tries to reach into agency A through every field we have.
	hostileJSON := map[string]any{"agency_id": w.agencyA.ID, "user_id": w.officerAID, "email": "intruder@test.example",
		"name": "Intruder", "role": "officer", "password": testPassword, "country": "FR", "status": "absent", "capacity": 1}
	hostileForm := url.Values{"agency_id": {strconv.FormatInt(w.agencyA.ID, 10)}, "user_id": {strconv.FormatInt(w.officerAID, 10)},
		"email": {"intruder-form@test.example"}, "name": {"Intruder"}, "role": {"officer"}, "password": {testPassword}, "country": {"FR"},
		"status": {"absent"}, "capacity": {"1"}}

	actors := map[string]credentials{"officer B": w.officerB, "coordinator B": w.coordB}
	routes := ts.Server.echo.Routes()
	if len(routes) < 15 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	checked := 0
	for who, cred := range actors {
		token := ts.token(t, cred)
		browser := ts.browser(t, cred)
		for _, r := range routes {
			if r.Method == echoRouteNotFound || r.Path == "/logout" || r.Path == "/api/v1/auth/logout" {
				continue // logout only ends the caller's own session
			}
			for _, path := range expandPath(r.Path, func(_, param string) []string { return isolationValues(param, idsOfA) }) {
				if path == "/verify/"+serialOfA {
					continue // public by design: whoever holds a serial may verify it (the old 5/s limit hid this from the walk)
				}
				checked++
				// API style: bearer token and a hostile JSON body.
				var body any
				if r.Method != http.MethodGet && r.Method != http.MethodHead {
					body = hostileJSON
				}
				res, text := ts.api(t, token, r.Method, path, body)
				assertNothingOfA(t, who+" (API) "+r.Method+" "+path, res, text, secretsOfA)

				// Browser style: session cookie, CSRF token, hostile form.
				var bres *http.Response
				var btext string
				if r.Method == http.MethodGet {
					bres, btext = getWith(t, browser, ts.URL+path)
				} else {
					form := url.Values{}
					for k, v := range hostileForm {
						form[k] = v
					}
					form.Set("csrf_token", csrfFrom(t, browser, ts.URL+"/"))
					req, _ := http.NewRequest(r.Method, ts.URL+path, strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					var err error
					if bres, err = browser.Do(req); err != nil {
						t.Fatal(err)
					}
					buf := new(strings.Builder)
					_, _ = ioCopy(buf, bres)
					btext = buf.String()
				}
				assertNothingOfA(t, who+" (browser) "+r.Method+" "+path, bres, btext, secretsOfA)
			}
		}
	}
	if checked < 40 {
		t.Errorf("walked only %d route/id combinations", checked)
	}
	usersAfter, _ := ts.DB.Users(ctx, store.UserFilter{AgencyID: &w.agencyA.ID})
	if len(usersAfter) != len(usersBefore) {
		t.Errorf("agency A had %d users, now %d", len(usersBefore), len(usersAfter))
	}
	// Agency B's people may enrol themselves in the open session; agency A's
	// enrolments must be exactly as they were.
	enrolledAfter, _ := ts.DB.Read(ctx).Enrollments(open.ID, &w.agencyA.ID)
	if len(enrolledAfter) != len(enrolledBefore) || len(enrolledAfter) == 0 ||
		enrolledAfter[0].Status != enrolledBefore[0].Status || enrolledAfter[0].ExtraTimePercent != 50 {
		t.Errorf("agency A's enrolments in the open session changed: %+v → %+v", enrolledBefore, enrolledAfter)
	}
	for _, sid := range []int64{onlyA.ID, open.ID} {
		if att, _ := ts.DB.Read(ctx).Attendance(sid, w.officerAID); att == nil || att.Status != "present" {
			t.Errorf("officer A's attendance in session %d changed: %+v", sid, att)
		}
		if ses, _ := ts.DB.Read(ctx).Session(sid, false); ses.Status != "scheduled" || ses.Sequence != 0 {
			t.Errorf("session %d changed: %s seq %d", sid, ses.Status, ses.Sequence)
		}
	}
	if ag, _ := ts.DB.Read(ctx).Agency(w.agencyA.ID); ag.Name != w.agencyA.Name || ag.Country != w.agencyA.Country {
		t.Errorf("agency A changed: %+v", ag)
	}
	if c, _ := ts.DB.Read(ctx).Certificate(serialOfA); c == nil || c.Status != "valid" {
		t.Errorf("agency A's certificate changed: %+v", c)
	}
}

// issueForTest stores a signed certificate for an officer without closing the
// session (closing would change what the isolation walk checks stays unchanged).
func (ts *testServer) issueForTest(t *testing.T, sessionID, userID int64) string {
	t.Helper()
	return ts.storeCertificate(t, userID, recordCert{session: sessionID, date: "2026-12-03", course: "crypto-crime", noExpiry: true})
}

const echoRouteNotFound = "echo_route_not_found"

// expandPath fills each path parameter with every value values gives for it
// (from the segment before it, e.g. "sessions", and its name, e.g. "id"); the
// wildcard gets an ordinary name. A session page is also its calendar.
func expandPath(p string, values func(noun, param string) []string) []string {
	p = strings.ReplaceAll(p, "*", "x")
	out := []string{""}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		options := []string{part}
		if strings.HasPrefix(part, ":") {
			options = values(parts[i-1], part[1:])
		}
		var next []string
		for _, prefix := range out {
			for _, o := range options {
				if i > 0 {
					next = append(next, prefix+"/"+o)
				} else {
					next = append(next, o)
				}
			}
		}
		out = next
	}
	if strings.HasSuffix(p, "/sessions/:id") && !strings.HasPrefix(p, "/api/") {
		for _, path := range slices.Clone(out) {
			out = append(out, path+".ics")
		}
	}
	return out
}

// isolationValues puts every id of agency A in every parameter but the course
// library's own names.
func isolationValues(param string, ids []string) []string {
	switch param {
	case "course":
		return []string{"crypto-crime"}
	case "module":
		return []string{"01-blockchain"}
	case "token":
		return []string{"x.ics"}
	case "file":
		// A report's download, and agency A's ids in its place.
		return append([]string{"agencies.csv", "courses.csv"}, ids...)
	}
	return ids
}

func assertNothingOfA(t *testing.T, what string, res *http.Response, body string, secrets []string) {
	t.Helper()
	if res.StatusCode >= 500 {
		t.Errorf("%s: %d", what, res.StatusCode)
	}
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s (status %d) reveals %q", what, res.StatusCode, s)
		}
	}
}

// TestAuthorization_RoleMatrix pins what each role gets from each route.
func TestAuthorization_RoleMatrix(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	tokens := map[string]string{"anon": ""}
	for name, c := range map[string]credentials{"officerA": w.officerA, "officerB": w.officerB, "coordA": w.coordA, "coordB": w.coordB, "trainer": w.trainer, "admin": w.admin} {
		tokens[name] = ts.token(t, c)
	}
	agencyA := "/api/v1/agencies/" + strconv.FormatInt(w.agencyA.ID, 10)
	officerA := "/api/v1/users/" + strconv.FormatInt(w.officerAID, 10)
	newOfficer := func(n int) map[string]any {
		return map[string]any{"email": "new" + strconv.Itoa(n) + "@test.example", "name": "Nouvel Agent", "role": "officer", "agency_id": w.agencyA.ID, "password": testPassword}
	}
	eraseReason := func(int) map[string]any { return map[string]any{"reason": "erasure request"} }
	type row struct {
		method, path string
		body         func(int) map[string]any
		want         map[string]int
	}
	rows := []row{
		{"GET", "/api/v1/me", nil, map[string]int{"anon": 401, "officerA": 200, "coordB": 200, "trainer": 200, "admin": 200}},
		{"GET", "/api/v1/agencies", nil, map[string]int{"anon": 401, "officerA": 200, "officerB": 200, "coordA": 200, "trainer": 200, "admin": 200}},
		{"POST", "/api/v1/agencies", func(int) map[string]any { return map[string]any{"name": "New agency", "country": "BR"} },
			map[string]int{"anon": 401, "officerA": 403, "coordA": 403, "trainer": 403, "admin": 201}},
		{"GET", agencyA, nil, map[string]int{"anon": 401, "officerA": 200, "officerB": 404, "coordA": 200, "coordB": 404, "trainer": 200, "admin": 200}},
		{"GET", "/api/v1/agencies/999999", nil, map[string]int{"officerB": 404, "admin": 404}},
		{"GET", agencyA + "/record", nil, map[string]int{"anon": 401, "officerA": 403, "officerB": 404, "coordA": 200, "coordB": 404, "trainer": 403, "admin": 200}},
		{"GET", agencyA + "/record.csv", nil, map[string]int{"anon": 401, "officerA": 403, "officerB": 404, "coordA": 200, "coordB": 404, "trainer": 403, "admin": 200}},
		{"GET", agencyA + "/record.xlsx", nil, map[string]int{"anon": 401, "officerA": 403, "officerB": 404, "coordA": 200, "coordB": 404, "trainer": 403, "admin": 200}},
		{"GET", agencyA + "/certificates.zip", nil, map[string]int{"anon": 401, "officerA": 403, "officerB": 404, "coordA": 409, "coordB": 404, "trainer": 403, "admin": 409}},
		{"GET", "/api/v1/agencies/999999/record", nil, map[string]int{"coordB": 404, "admin": 404}},
		{"GET", "/api/v1/users", nil, map[string]int{"anon": 401, "officerA": 200, "coordA": 200, "trainer": 200, "admin": 200}},
		{"POST", "/api/v1/users", newOfficer, map[string]int{"anon": 401, "officerA": 403, "officerB": 403, "coordA": 201, "coordB": 422, "trainer": 403, "admin": 201}},
		{"GET", officerA, nil, map[string]int{"anon": 401, "officerA": 200, "officerB": 404, "coordA": 200, "coordB": 404, "trainer": 404, "admin": 200}},
		{"GET", "/api/v1/users/abc", nil, map[string]int{"admin": 404}},
		{"GET", "/api/v1/me/data.zip", nil, map[string]int{"anon": 401, "officerA": 200, "coordB": 200, "trainer": 200, "admin": 200}},
		{"GET", officerA + "/data.zip", nil, map[string]int{"anon": 401, "officerA": 200, "officerB": 404, "coordA": 403, "coordB": 404, "trainer": 404, "admin": 200}},
		{"GET", "/api/v1/retention", nil, map[string]int{"anon": 401, "officerA": 403, "coordA": 403, "trainer": 403, "admin": 200}},
		// Erasure is the admins': who can see officer A but not erase → 403,
		// who cannot see them → 404 (the admin's own erasure is in erase_test.go).
		{"POST", officerA + "/erase", eraseReason, map[string]int{"anon": 401, "officerA": 403, "officerB": 404, "coordA": 403, "coordB": 404, "trainer": 404}},
		{"POST", "/api/v1/users/999999/erase", eraseReason, map[string]int{"admin": 404, "coordA": 404}},
	}
	// Programme reports: admins and coordinators (their agency's slice; another
	// agency's id is not found); a bad filter parameter is a 400 for anyone.
	agencyB := strconv.FormatInt(w.agencyB.ID, 10)
	for _, name := range reportNames {
		p := "/api/v1/reports/" + name
		rows = append(rows,
			row{"GET", p, nil, map[string]int{"anon": 401, "officerA": 403, "coordA": 200, "coordB": 200, "trainer": 403, "admin": 200}},
			row{"GET", p + "?agency=" + agencyB, nil, map[string]int{"coordA": 404, "coordB": 200, "admin": 200}},
			row{"GET", p + "?agency=999999", nil, map[string]int{"coordA": 404, "admin": 404}},
			row{"GET", p + "?from=2026-13-01", nil, map[string]int{"coordA": 400, "admin": 400}},
			row{"GET", p + "?course=no-such-course", nil, map[string]int{"coordA": 404, "admin": 404}})
	}
	// Offering a session to the officers due for recertification: those who
	// enrol others (a trainer on the session, admins, coordinators).
	ts.fixClock(weekBefore)
	recert := fmt.Sprintf("/api/v1/sessions/%d/recertification", w.createSession(t, 10, nil).ID)
	rows = append(rows,
		row{"GET", recert, nil, map[string]int{"anon": 401, "officerA": 403, "coordA": 200, "coordB": 200, "trainer": 200, "admin": 200}},
		row{"POST", recert, nil, map[string]int{"anon": 401, "officerA": 403, "officerB": 403, "coordA": 200, "trainer": 200, "admin": 200}},
		row{"GET", "/api/v1/sessions/999999/recertification", nil, map[string]int{"coordA": 404, "admin": 404}})
	n := 0
	check := func(rows []row) {
		for _, r := range rows {
			for who, want := range r.want {
				n++
				var body any
				if r.body != nil {
					body = r.body(n)
				}
				res, text := ts.api(t, tokens[who], r.method, r.path, body)
				if res.StatusCode != want {
					t.Errorf("%s %s as %s: %d, want %d (%.300s)", r.method, r.path, who, res.StatusCode, want, text)
				}
			}
		}
	}
	check(rows)
	// Open Badges: a certificate's credential goes to the people of its PDF;
	// the issuer's documents and the check of a presented credential are
	// anyone's. (Issued after the rows above, whose agency ZIP has nothing.)
	credential := "/api/v1/certificates/" + ts.issueForTest(t, w.createSession(t, 10, nil).ID, w.officerAID) + "/credential"
	presented := func(int) map[string]any {
		return map[string]any{"@context": []string{"https://www.w3.org/ns/credentials/v2"}}
	}
	check([]row{
		{"GET", credential, nil, map[string]int{"anon": 401, "officerA": 200, "officerB": 404, "coordA": 200, "coordB": 404, "trainer": 200, "admin": 200}},
		{"GET", "/api/v1/certificates/NOSUCHSERIAL0000/credential", nil, map[string]int{"officerA": 404, "admin": 404}},
		{"POST", "/api/v1/verify/credential", presented, map[string]int{"anon": 200, "officerB": 200, "coordA": 200, "admin": 200}},
		{"GET", "/.well-known/did.json", nil, map[string]int{"anon": 200, "officerB": 200}},
		{"GET", "/did.json", nil, map[string]int{"anon": 200}},
		{"GET", "/credentials/status/999999", nil, map[string]int{"anon": 404, "admin": 404}},
	})

	// Listings are scoped, not just guarded.
	_, body := ts.api(t, tokens["officerA"], "GET", "/api/v1/users", nil)
	if strings.Contains(body, w.coordA.Email) || !strings.Contains(body, w.officerA.Email) {
		t.Errorf("officer A's user list: %s", body)
	}
	_, body = ts.api(t, tokens["coordA"], "GET", "/api/v1/users", nil)
	if !strings.Contains(body, w.officerA.Email) || strings.Contains(body, w.officerB.Email) || strings.Contains(body, w.trainer.Email) {
		t.Errorf("coordinator A's user list: %s", body)
	}
	_, body = ts.api(t, tokens["coordB"], "GET", "/api/v1/agencies", nil)
	if strings.Contains(body, "Alpha-Marker") || !strings.Contains(body, "Agency Bravo") {
		t.Errorf("coordinator B's agency list: %s", body)
	}
	_, body = ts.api(t, tokens["coordB"], "GET", "/api/v1/users?agency_id="+strconv.FormatInt(w.agencyA.ID, 10), nil)
	if body != "[]\n" {
		t.Errorf("coordinator B filtering on agency A: %s", body)
	}

	// Pages: who may open the admin and coordinator pages.
	pages := []struct {
		path string
		want map[string]int
	}{
		{"/admin/agencies", map[string]int{"officerA": 403, "coordA": 403, "trainer": 403, "admin": 200}},
		{"/admin/users", map[string]int{"officerA": 403, "coordA": 403, "trainer": 403, "admin": 200}},
		{"/admin/retention", map[string]int{"officerA": 403, "coordA": 403, "trainer": 403, "admin": 200}},
		{"/agency/officers", map[string]int{"officerA": 403, "coordA": 200, "trainer": 403, "admin": 303}},
		{"/agencies/" + strconv.FormatInt(w.agencyA.ID, 10) + "/record", map[string]int{"officerA": 403, "coordA": 200, "trainer": 403, "admin": 200}},
		{"/agencies/" + strconv.FormatInt(w.agencyB.ID, 10) + "/record", map[string]int{"officerA": 404, "coordA": 404, "trainer": 403, "admin": 200}},
		{"/", map[string]int{"officerA": 200, "coordA": 200, "trainer": 200, "admin": 200}},
		{"/account", map[string]int{"officerA": 200, "coordA": 200, "trainer": 200, "admin": 200}},
		{"/me/data.zip", map[string]int{"officerA": 200, "coordA": 200, "trainer": 200, "admin": 200}},
		// The reports page and its downloads: admins, coordinators (their
		// agency's slice; another agency is not found); a bad filter is a 400.
		{"/reports", map[string]int{"officerA": 403, "coordA": 200, "trainer": 403, "admin": 200}},
		{"/reports/agencies.csv", map[string]int{"officerA": 403, "coordA": 200, "trainer": 403, "admin": 200}},
		{"/reports/months.xlsx?agency=" + agencyB, map[string]int{"officerA": 403, "coordA": 404, "trainer": 403, "admin": 200}},
		{"/reports?agency=" + agencyB, map[string]int{"coordA": 404, "admin": 200}},
		{"/reports?from=2026-13-01", map[string]int{"coordA": 400, "admin": 400}},
		{"/reports/no-such-report.csv", map[string]int{"coordA": 404, "admin": 404}},
		{strings.TrimPrefix(recert, "/api/v1"), map[string]int{"officerA": 403, "coordA": 200, "trainer": 200, "admin": 200}},
	}
	browsers := map[string]*http.Client{}
	for name, c := range map[string]credentials{"officerA": w.officerA, "coordA": w.coordA, "trainer": w.trainer, "admin": w.admin} {
		browsers[name] = ts.browser(t, c)
	}
	for _, p := range pages {
		for who, want := range p.want {
			if res, _ := getWith(t, browsers[who], ts.URL+p.path); res.StatusCode != want {
				t.Errorf("GET %s as %s: %d, want %d", p.path, who, res.StatusCode, want)
			}
		}
	}
	if res, _ := getWith(t, newBrowser(), ts.URL+"/admin/users"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous admin page: %d", res.StatusCode)
	}
}
