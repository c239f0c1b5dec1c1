package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEnrollment_FormURLs: the session page's forms post to /enroll and
// /unenroll. A page rendered before the rename (a tab left open) posts to /enrol
// and /unenrol, which answer 308; a client that follows it, as browsers do, with
// the method and the body, enrolls and unenrolls.
func TestEnrollment_FormURLs(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 10, nil)
	sessionURL := fmt.Sprintf("%s/sessions/%d", ts.URL, s.ID)
	enrollments := fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID)
	officer := ts.token(t, w.officerA)
	browser := ts.browser(t, w.officerA)
	follows := *browser // the same cookies, but redirects followed
	follows.CheckRedirect = nil

	post := func(client *http.Client, path string) *http.Response {
		t.Helper()
		form := url.Values{"csrf_token": {csrfFrom(t, browser, sessionURL)}}
		res, err := client.PostForm(sessionURL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	status := func() string {
		t.Helper()
		res, body := ts.api(t, officer, "GET", enrollments, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("list enrollments: %d %s", res.StatusCode, body)
		}
		return strings.TrimSpace(body)
	}

	if _, page := getWith(t, browser, sessionURL); !strings.Contains(page, fmt.Sprintf(`action="/sessions/%d/enroll"`, s.ID)) {
		t.Errorf("the session page's enroll form does not post to /enroll")
	}
	// The old URL itself changes nothing: it only says where the form went.
	res := post(browser, "/enrol")
	if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != fmt.Sprintf("/sessions/%d/enroll", s.ID) {
		t.Fatalf("POST /enrol: %d Location %q, want 308 to /sessions/%d/enroll", res.StatusCode, res.Header.Get("Location"), s.ID)
	}
	if body := status(); body != "[]" {
		t.Fatalf("the redirect alone enrolled: %s", body)
	}

	res = post(&follows, "/enrol")
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != fmt.Sprintf("/sessions/%d", s.ID) {
		t.Fatalf("POST /enrol followed: %d at %s", res.StatusCode, res.Request.URL)
	}
	if body := status(); !strings.Contains(body, `"status":"enrolled"`) {
		t.Fatalf("not enrolled through the old URL: %s", body)
	}
	if _, page := getWith(t, browser, sessionURL); !strings.Contains(page, fmt.Sprintf(`action="/sessions/%d/unenroll"`, s.ID)) {
		t.Errorf("the session page's unenroll form does not post to /unenroll")
	}

	res = post(&follows, "/unenrol")
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != fmt.Sprintf("/sessions/%d", s.ID) {
		t.Fatalf("POST /unenrol followed: %d at %s", res.StatusCode, res.Request.URL)
	}
	if body := status(); body != "[]" {
		t.Fatalf("still enrolled after the old unenrol URL: %s", body)
	}

	// The new URLs, directly.
	if res := post(browser, "/enroll"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /enroll: %d", res.StatusCode)
	}
	if body := status(); !strings.Contains(body, `"status":"enrolled"`) {
		t.Fatalf("not enrolled through /enroll: %s", body)
	}
	if res := post(browser, "/unenroll"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /unenroll: %d", res.StatusCode)
	}
	if body := status(); body != "[]" {
		t.Fatalf("still enrolled after /unenroll: %s", body)
	}
}
