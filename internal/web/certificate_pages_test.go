package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// closedQuizDay runs the fixture day to its close: officer A attends and passes,
// officer B attends and fails. It returns A's certificate.
func closedQuizDay(t *testing.T) (*quizWorld, store.Certificate) {
	t.Helper()
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)
	qw.passQuiz(t, qw.officerB, false)
	for _, id := range []int64{qw.officerAID, qw.idOf(t, qw.world.officerB)} {
		if res, body := ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, id), map[string]string{"status": "present"}); res.StatusCode != 200 {
			t.Fatalf("mark: %s", body)
		}
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); res.StatusCode != 200 || body != "{\"issued\":1}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	certs, err := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{})
	if err != nil || len(certs) != 1 || certs[0].UserID != qw.officerAID {
		t.Fatalf("certificates after close: %+v %v", certs, err)
	}
	return qw, certs[0]
}

func TestCertificatePages_DashboardAndSession(t *testing.T) {
	qw, certA := closedQuizDay(t)
	ts := qw.ts
	get := func(who credentials, path string) string {
		t.Helper()
		res, body := getWith(t, ts.browser(t, who), ts.URL+path)
		if res.StatusCode != 200 {
			t.Fatalf("%s as %s: %d", path, who.Email, res.StatusCode)
		}
		return body
	}
	pdfLink := "/api/v1/certificates/" + certA.Serial + ".pdf"
	sessionPage := fmt.Sprintf("/sessions/%d", qw.sessionID)
	zipLink := fmt.Sprintf("/api/v1/sessions/%d/certificates.zip", qw.sessionID)

	t.Run("OfficerDashboard", func(t *testing.T) {
		body := get(qw.world.officerA, "/")
		for _, want := range []string{"My certificates", certA.Serial, `href="` + pdfLink + `"`, `href="/verify/` + certA.Serial + `"`, "Valid", "Valid until 3 December 2027", "Paris"} {
			if !strings.Contains(body, want) {
				t.Errorf("officer A's dashboard lacks %q", want)
			}
		}
		body = get(qw.world.officerB, "/")
		if strings.Contains(body, certA.Serial) {
			t.Errorf("officer B's dashboard shows A's serial")
		}
		if !strings.Contains(body, "once the trainer closes the day") {
			t.Errorf("officer B's dashboard does not explain when certificates appear")
		}
		if body := get(qw.world.coordA, "/"); strings.Contains(body, "My certificates") {
			t.Errorf("a coordinator's dashboard offers 'My certificates'")
		}
	})

	t.Run("FollowThePDFLink", func(t *testing.T) {
		officer := ts.browser(t, qw.world.officerA)
		_, body := getWith(t, officer, ts.URL+"/")
		m := regexp.MustCompile(`href="(/api/v1/certificates/[^"]+\.pdf)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no PDF link on the dashboard")
		}
		res, doc := getWith(t, officer, ts.URL+m[1])
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(doc, "%PDF-") {
			t.Fatalf("PDF link: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res, _ := getWith(t, ts.browser(t, qw.world.officerB), ts.URL+m[1]); res.StatusCode != 404 {
			t.Errorf("officer B following A's PDF link: %d", res.StatusCode)
		}
	})

	t.Run("SignedOutFollowingTheLink", func(t *testing.T) {
		// A browser whose sign-in ended gets the sign-in page, then the PDF;
		// a script or API client still gets the JSON 401.
		browser := newBrowser()
		for _, h := range []map[string]string{{"Sec-Fetch-Mode": "navigate"}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}} {
			req, _ := http.NewRequest("GET", ts.URL+pdfLink, nil)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if loc := res.Header.Get("Location"); res.StatusCode != 303 || loc != "/login?next="+url.QueryEscape(pdfLink) {
				t.Errorf("signed out, %v: %d %q", h, res.StatusCode, loc)
			}
		}
		for _, mode := range []string{"cors", ""} {
			req, _ := http.NewRequest("GET", ts.URL+pdfLink, nil)
			if mode != "" {
				req.Header.Set("Sec-Fetch-Mode", mode)
			}
			res, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 401 || !strings.Contains(string(body), `"unauthorized"`) {
				t.Errorf("signed out, fetch mode %q: %d %s", mode, res.StatusCode, body)
			}
		}
		res := submitForm(t, browser, ts.URL+"/login", ts.URL+"/login", url.Values{
			"email": {qw.world.officerA.Email}, "password": {qw.world.officerA.Password}, "next": {pdfLink}})
		if res.StatusCode != 303 || res.Header.Get("Location") != pdfLink {
			t.Fatalf("sign-in with next: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res, doc := getWith(t, browser, ts.URL+pdfLink); res.StatusCode != 200 || !strings.HasPrefix(doc, "%PDF-") {
			t.Errorf("the PDF after signing in: %d", res.StatusCode)
		}
	})

	t.Run("CoordinatorSession", func(t *testing.T) {
		body := get(qw.coordA, sessionPage)
		for _, want := range []string{`href="` + zipLink + `"`, "Download all (ZIP)", "1 certificate issued to your agency", certA.Serial, `href="` + pdfLink + `"`, "Officer Alpha-Marker"} {
			if !strings.Contains(body, want) {
				t.Errorf("coordinator A's session page lacks %q", want)
			}
		}
		res, _ := getWith(t, ts.browser(t, qw.coordA), ts.URL+zipLink)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
			t.Errorf("ZIP link: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		body = get(qw.coordB, sessionPage)
		if strings.Contains(body, certA.Serial) || strings.Contains(body, "Officer Alpha-Marker") {
			t.Errorf("coordinator B's session page shows agency A's certificate")
		}
		if strings.Contains(body, zipLink) {
			t.Errorf("coordinator B is offered a ZIP with nothing of theirs in it")
		}
	})

	t.Run("TrainersAndOfficersOnTheSession", func(t *testing.T) {
		if body := get(qw.world.trainer, sessionPage); !strings.Contains(body, zipLink) || !strings.Contains(body, "1 certificate issued.") || !strings.Contains(body, certA.Serial) {
			t.Errorf("the session's trainer has no certificates box")
		}
		other := ts.user(t, auth.RoleTrainer, nil, "Trainer Other")
		if body := get(other, sessionPage); strings.Contains(body, zipLink) {
			t.Errorf("a trainer who does not run the session is offered its ZIP")
		}
		body := get(qw.world.officerA, sessionPage)
		if !strings.Contains(body, "Your certificate:") || !strings.Contains(body, `href="`+pdfLink+`"`) || strings.Contains(body, zipLink) {
			t.Errorf("officer A's session page: own certificate link missing, or a ZIP link offered")
		}
		if body := get(qw.world.officerB, sessionPage); strings.Contains(body, certA.Serial) || strings.Contains(body, "Your certificate:") {
			t.Errorf("officer B's session page shows a certificate")
		}
	})

	t.Run("RevokedShowsTheReason", func(t *testing.T) {
		if res, body := ts.api(t, qw.trainerTok, "POST", "/api/v1/certificates/"+certA.Serial+"/revoke", map[string]string{"reason": "Attendance <corrected>"}); res.StatusCode != 200 {
			t.Fatalf("revoke: %d %s", res.StatusCode, body)
		}
		body := get(qw.world.officerA, "/")
		if !strings.Contains(body, "Revoked") || !strings.Contains(body, "Attendance &lt;corrected&gt;") || strings.Contains(body, "Valid until") {
			t.Errorf("officer A's dashboard after revocation does not say so, with the escaped reason")
		}
		// A revoked certificate is no longer handed out: no link, no PDF, not in the ZIP.
		if strings.Contains(body, "/api/v1/certificates/"+certA.Serial+".pdf") {
			t.Errorf("the dashboard still links the revoked certificate's PDF")
		}
		if res, body := ts.api(t, qw.officerA, "GET", "/api/v1/certificates/"+certA.Serial+".pdf", nil); res.StatusCode != 409 || !strings.Contains(body, "revoked") {
			t.Errorf("revoked PDF: %d %s", res.StatusCode, body)
		}
		res, zipBody := ts.api(t, ts.token(t, qw.coordA), "GET", fmt.Sprintf("/api/v1/sessions/%d/certificates.zip", qw.sessionID), nil)
		if files := unzip(t, []byte(zipBody)); res.StatusCode != 200 || len(files) != 1 || files["results.csv"] == nil {
			t.Errorf("ZIP after revocation: %d %v", res.StatusCode, keys(files))
		}
	})
}
