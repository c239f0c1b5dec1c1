package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
)

// rawFetch sends one request that asks for gzip the way a browser does, through
// a transport that leaves the answer as it came (Go's client would otherwise
// unzip it and drop Content-Encoding), and returns the response with its body
// decoded and how many bytes crossed the wire.
func rawFetch(t *testing.T, jar http.CookieJar, method, u, token string, body io.Reader, header http.Header) (*http.Response, []byte, int) {
	t.Helper()
	client := &http.Client{Jar: jar, Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	for k, v := range header {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	wire, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain := wire
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			t.Fatalf("%s %s: Content-Encoding gzip but %v", method, u, err)
		}
		if plain, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s %s: broken gzip: %v", method, u, err)
		}
	}
	return res, plain, len(wire)
}

// TestCompression_ByType: what a browser asks gzip for comes gzipped when it is
// text of some size (pages, CSS, JS, SVG, JSON, CSV, error pages), never when it
// is compressed already (PDF, PNG, ZIP), tiny (an autosave's answer), a HEAD or
// a range; a 304 still answers the static files' ETag.
func TestCompression_ByType(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)
	ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, qw.officerAID), map[string]string{"status": "present"})
	open := qw.start(t, qw.officerB)
	// Enough officers (the session seats 10) with names long enough for the
	// results CSV to pass the 1 KB below which nothing is compressed.
	for i := range 8 {
		o := ts.user(t, auth.RoleOfficer, &qw.agencyA.ID, fmt.Sprintf("Officer %02d of the Compression Test, Whose Name Fills a CSV Row", i))
		ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", qw.sessionID), map[string]any{"user_id": qw.idOf(t, o)})
	}
	trainerPages := ts.browser(t, qw.world.trainer).Jar
	officerPages := ts.browser(t, qw.world.officerB).Jar
	coordTok := ts.token(t, qw.coordA)

	type want struct {
		gzip  bool
		ctype string
	}
	check := func(what string, res *http.Response, body []byte, wire int, w want) {
		t.Helper()
		if res.StatusCode >= 500 {
			t.Fatalf("%s: %d %s", what, res.StatusCode, body)
		}
		if got := res.Header.Get("Content-Encoding") == "gzip"; got != w.gzip {
			t.Errorf("%s (%s, %d bytes): gzip %v, want %v", what, res.Header.Get("Content-Type"), len(body), got, w.gzip)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), w.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", what, res.Header.Get("Content-Type"), w.ctype)
		}
		if w.gzip && wire*4 > len(body)*3 {
			t.Errorf("%s: %d bytes on the wire for %d: a quarter less at least expected", what, wire, len(body))
		}
		if w.gzip && !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: gzipped without Vary: Accept-Encoding", what)
		}
	}
	get := func(what string, jar http.CookieJar, token, path string, w want) []byte {
		t.Helper()
		res, body, wire := rawFetch(t, jar, "GET", ts.URL+path, token, nil, nil)
		check(what, res, body, wire, w)
		return body
	}

	attemptPage := fmt.Sprintf("/attempts/%d", open.ID)
	page := string(get("quiz page", officerPages, "", attemptPage, want{true, "text/html"}))
	for _, asset := range []string{"css/lectern.css", "js/quiz.js"} {
		if !strings.Contains(page, assetURL(asset)) {
			t.Errorf("the quiz page does not link %s", assetURL(asset))
		}
	}
	get("stylesheet", nil, "", assetURL("css/lectern.css"), want{true, "text/css"})
	get("quiz script", nil, "", assetURL("js/quiz.js"), want{true, "text/javascript"})
	get("course figure", officerPages, "", "/courses/crypto-crime/assets/images/01-utxo-vs-account.svg", want{true, "image/svg+xml"})
	get("small icon", nil, "", assetURL("css/icon.svg"), want{false, "image/svg+xml"})
	get("JSON list", nil, ts.token(t, qw.world.admin), "/api/v1/users", want{true, "application/json"})
	get("results CSV", nil, qw.trainerTok, fmt.Sprintf("/api/v1/sessions/%d/results.csv", qw.sessionID), want{true, "text/csv"})
	get("error page", officerPages, "", "/sessions/999999", want{true, "text/html"})
	get("check-in QR", trainerPages, "", fmt.Sprintf("/sessions/%d/checkin-qr.png", qw.sessionID), want{false, "image/png"})
	get("paper quiz", nil, qw.trainerTok, fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/paper.pdf", qw.sessionID), want{false, "application/pdf"})

	// A small JSON answer (an autosave) is not worth a gzip header.
	res, body, _ := rawFetch(t, nil, "PUT", fmt.Sprintf("%s/api/v1/attempts/%d/answers/type", ts.URL, open.ID), qw.officerB,
		strings.NewReader(`{"text":"x","seq":1}`), http.Header{"Content-Type": {"application/json"}})
	check("autosave", res, body, 0, want{false, "application/json"})
	if res.StatusCode != 200 || len(body) > 1024 {
		t.Errorf("autosave: %d, %d bytes", res.StatusCode, len(body))
	}

	// HEAD and ranges of a static file are answered as they were, uncompressed.
	res, _, _ = rawFetch(t, nil, "HEAD", ts.URL+assetURL("css/lectern.css"), "", nil, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" || res.ContentLength <= 1024 {
		t.Errorf("HEAD of the stylesheet: %d, encoding %q, length %d", res.StatusCode, res.Header.Get("Content-Encoding"), res.ContentLength)
	}
	res, body, _ = rawFetch(t, nil, "GET", ts.URL+assetURL("css/lectern.css"), "", nil, http.Header{"Range": {"bytes=0-2047"}})
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Encoding") != "" || len(body) != 2048 {
		t.Errorf("a range of the stylesheet: %d, encoding %q, %d bytes", res.StatusCode, res.Header.Get("Content-Encoding"), len(body))
	}
	// The ETag of a gzipped file is weak (the bytes differ from the plain ones)
	// and revalidates to an empty 304, either way.
	res, _, _ = rawFetch(t, nil, "GET", ts.URL+assetURL("css/lectern.css"), "", nil, nil)
	etag := res.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Errorf("ETag of a gzipped stylesheet %q, want a weak one", etag)
	}
	res, body, _ = rawFetch(t, nil, "GET", ts.URL+assetURL("css/lectern.css"), "", nil, http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("revalidation: %d, %d bytes, encoding %q", res.StatusCode, len(body), res.Header.Get("Content-Encoding"))
	}

	// The certificates: the PDF and the session's ZIP go as they are; the ZIP
	// still streams (chunked, no length announced, no buffer in between).
	qw.at(8 * time.Hour)
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); res.StatusCode != 200 {
		t.Fatalf("close: %s", body)
	}
	_, listed := ts.api(t, coordTok, "GET", "/api/v1/certificates", nil)
	list := decode[[]struct{ Serial string }](t, listed)
	if len(list) == 0 {
		t.Fatal("no certificate issued")
	}
	get("certificate PDF", nil, coordTok, "/api/v1/certificates/"+url.PathEscape(list[0].Serial)+".pdf", want{false, "application/pdf"})
	res, body, _ = rawFetch(t, nil, "GET", fmt.Sprintf("%s/api/v1/sessions/%d/certificates.zip", ts.URL, qw.sessionID), coordTok, nil, nil)
	check("certificates ZIP", res, body, len(body), want{false, "application/zip"})
	if res.ContentLength != -1 || len(res.TransferEncoding) == 0 || res.TransferEncoding[0] != "chunked" {
		t.Errorf("certificates ZIP: length %d, transfer encoding %v: not streamed", res.ContentLength, res.TransferEncoding)
	}
	if files := pdfsOf(t, unzip(t, body)); len(files) != 2 {
		t.Errorf("certificates ZIP holds %d files besides the credential, want the PDF and results.csv", len(files))
	}
}

var staticLink = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// TestCompression_ColdQuizPageWeight: a phone opening the quiz with an empty
// cache fetches the page and the static files it links; gzipped, that is less
// than half the bytes. The figures are in BENCHMARKS.md (go test -v).
func TestCompression_ColdQuizPageWeight(t *testing.T) {
	qw := newQuizWorld(t)
	qw.at(time.Hour)
	v := qw.start(t, qw.officerA)
	jar := qw.ts.browser(t, qw.world.officerA).Jar
	plainTotal, wireTotal := 0, 0
	fetch := func(path string) string {
		res, body, wire := rawFetch(t, jar, "GET", qw.ts.URL+path, "", nil, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		t.Logf("%-40s %6d bytes, %6d on the wire", strings.SplitN(path, "?", 2)[0], len(body), wire)
		plainTotal += len(body)
		wireTotal += wire
		return string(body)
	}
	page := fetch(fmt.Sprintf("/attempts/%d", v.ID))
	links := staticLink.FindAllStringSubmatch(page, -1)
	if len(links) < 2 {
		t.Fatalf("the quiz page links %d static files", len(links))
	}
	for _, m := range links {
		fetch(strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	t.Logf("cold quiz page: %d bytes, %d on the wire (%.0f %%)", plainTotal, wireTotal, 100*float64(wireTotal)/float64(plainTotal))
	if wireTotal*2 > plainTotal {
		t.Errorf("the cold quiz page is %d bytes on the wire of %d: gzip should halve it at least", wireTotal, plainTotal)
	}
}
