package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/vc"
)

// credentialOf downloads a certificate's Open Badges credential with a bearer
// token, as an HR system's import would.
func credentialOf(t *testing.T, ts *testServer, token, serial string) []byte {
	t.Helper()
	res, body := ts.api(t, token, "GET", "/api/v1/certificates/"+serial+"/credential", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("credential of %s: %d %s", serial, res.StatusCode, body)
	}
	return []byte(body)
}

// TestCredentials_Download: the certificate.json beside the PDF, linked from
// the officer's pages and the session's certificate list, to the PDF's people.
func TestCredentials_Download(t *testing.T) {
	qw, certA := closedQuizDay(t)
	ts := qw.ts
	link := "/api/v1/certificates/" + certA.Serial + "/credential"

	t.Run("LinkedBesideThePDF", func(t *testing.T) {
		for who, pages := range map[string][]string{
			"officer A":     {"/", fmt.Sprintf("/sessions/%d", qw.sessionID)},
			"coordinator A": {fmt.Sprintf("/sessions/%d", qw.sessionID)},
			"trainer":       {fmt.Sprintf("/sessions/%d", qw.sessionID)},
		} {
			cred := map[string]credentials{"officer A": qw.world.officerA, "coordinator A": qw.coordA, "trainer": qw.world.trainer}[who]
			for _, p := range pages {
				_, body := getWith(t, ts.browser(t, cred), ts.URL+p)
				if !strings.Contains(body, `href="`+link+`"`) {
					t.Errorf("%s's %s does not link the credential", who, p)
				}
			}
		}
		if _, body := getWith(t, ts.browser(t, qw.world.officerA), ts.URL+"/"); !strings.Contains(body, "Download as Open Badges (JSON)") {
			t.Errorf("officer A's dashboard does not name the download")
		}
	})

	t.Run("FollowTheLink", func(t *testing.T) {
		res, body := getWith(t, ts.browser(t, qw.world.officerA), ts.URL+link)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("the link: %d %s %.200s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
		if err != nil || !strings.HasSuffix(params["filename"], "_"+certA.Serial+".json") {
			t.Errorf("Content-Disposition %q: want an attachment named like the PDF, .json", res.Header.Get("Content-Disposition"))
		}
		var doc struct {
			Context []string `json:"@context"`
			ID      string   `json:"id"`
			Type    []string `json:"type"`
			Proof   struct{ Cryptosuite string }
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if doc.ID != ts.Server.cfg.BaseURL+"/verify/"+certA.Serial || !strings.Contains(strings.Join(doc.Type, " "), "OpenBadgeCredential") || doc.Proof.Cryptosuite != "eddsa-rdfc-2022" {
			t.Errorf("the credential: %+v", doc)
		}
	})

	t.Run("SamePeopleAsThePDF", func(t *testing.T) {
		want := map[string]int{"officerA": 200, "coordA": 200, "trainer": 200, "admin": 200, "officerB": 404, "coordB": 404, "anon": 401}
		creds := map[string]credentials{"officerA": qw.world.officerA, "coordA": qw.coordA, "trainer": qw.world.trainer,
			"admin": qw.world.admin, "officerB": qw.world.officerB, "coordB": qw.coordB}
		for who, status := range want {
			token := ""
			if who != "anon" {
				token = ts.token(t, creds[who])
			}
			pdf, _ := ts.api(t, token, "GET", "/api/v1/certificates/"+certA.Serial+".pdf", nil)
			res, body := ts.api(t, token, "GET", link, nil)
			if res.StatusCode != status || pdf.StatusCode != status {
				t.Errorf("%s: credential %d, PDF %d, want %d (%.200s)", who, res.StatusCode, pdf.StatusCode, status, body)
			}
			if status != 200 && strings.Contains(body, "Alpha-Marker") {
				t.Errorf("%s: the refusal names the holder: %s", who, body)
			}
		}
		// A browser whose sign-in ended is sent to sign in, then back.
		req, _ := http.NewRequest("GET", ts.URL+link, nil)
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		if res, _ := send(t, newBrowser(), req); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next="+url.QueryEscape(link) {
			t.Errorf("signed out, following the link: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	t.Run("NotAfterRevocation", func(t *testing.T) {
		if res, body := ts.api(t, qw.trainerTok, "POST", "/api/v1/certificates/"+certA.Serial+"/revoke", map[string]string{"reason": "Attendance corrected"}); res.StatusCode != 200 {
			t.Fatalf("revoke: %d %s", res.StatusCode, body)
		}
		if res, body := ts.api(t, qw.officerA, "GET", link, nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Attendance corrected") {
			t.Errorf("a revoked certificate's credential: %d %s", res.StatusCode, body)
		}
		if _, body := getWith(t, ts.browser(t, qw.world.officerA), ts.URL+"/"); strings.Contains(body, link) {
			t.Errorf("the dashboard still links a revoked certificate's credential")
		}
	})
}

// statusBit reads a credential's bit in the status list it names, fetched
// from the server with etag as If-None-Match (when not empty); it returns the
// bit, the response's ETag, and its status.
func statusBit(t *testing.T, ts *testServer, credential []byte, etag string) (set bool, newETag string, status int) {
	t.Helper()
	var doc struct {
		CredentialStatus struct {
			StatusListIndex      string
			StatusListCredential string
		}
	}
	if err := json.Unmarshal(credential, &doc); err != nil {
		t.Fatal(err)
	}
	st := doc.CredentialStatus
	// The test server's base URL has no port: the list is fetched from where it listens.
	path, ok := strings.CutPrefix(st.StatusListCredential, ts.Server.cfg.BaseURL)
	if !ok || !strings.HasPrefix(path, "/credentials/status/") {
		t.Fatalf("status list %q is not this server's", st.StatusListCredential)
	}
	var index int
	if _, err := fmt.Sscan(st.StatusListIndex, &index); err != nil {
		t.Fatalf("status list index %q: %v", st.StatusListIndex, err)
	}
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, body := send(t, http.DefaultClient, req)
	if res.StatusCode == http.StatusNotModified {
		return false, res.Header.Get("ETag"), res.StatusCode
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status list: %d %s", res.StatusCode, body)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") || res.Header.Get("ETag") == "" {
		t.Errorf("status list Cache-Control %q, ETag %q: a revocation must not wait in a cache", cc, res.Header.Get("ETag"))
	}
	var list struct {
		CredentialSubject struct{ EncodedList string }
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	bits, err := vc.DecodeStatusList(list.CredentialSubject.EncodedList)
	if err != nil || len(bits)*8 < vc.MinStatusListBits || index >= len(bits)*8 {
		t.Fatalf("encoded list: %d bytes, index %d, %v", len(bits), index, err)
	}
	return bits[index/8]&(0x80>>(index%8)) != 0, res.Header.Get("ETag"), res.StatusCode
}

// TestCredentials_PublicDocuments: the issuer's DID document at both of its
// addresses, and a status list that shows a revocation at the next GET.
func TestCredentials_PublicDocuments(t *testing.T) {
	qw, certA := closedQuizDay(t)
	ts := qw.ts

	t.Run("DIDDocument", func(t *testing.T) {
		did, err := vc.DIDWeb(ts.Server.cfg.BaseURL)
		if err != nil {
			t.Fatal(err)
		}
		var first string
		for _, p := range []string{"/.well-known/did.json", "/did.json"} {
			res, body := getWith(t, nil, ts.URL+p)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
				!strings.Contains(res.Header.Get("Cache-Control"), "max-age=") {
				t.Errorf("%s: %d %q %q %q", p, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), res.Header.Get("Access-Control-Allow-Origin"))
			}
			var doc struct {
				ID                 string
				VerificationMethod []struct{ ID, Type, Controller, PublicKeyMultibase string }
				AssertionMethod    []string
			}
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if doc.ID != did || len(doc.VerificationMethod) == 0 || doc.VerificationMethod[0].ID != did+"#"+ts.Server.opts.Signer.KeyID ||
				doc.VerificationMethod[0].Type != "Multikey" || len(doc.AssertionMethod) == 0 {
				t.Errorf("%s: %s", p, body)
			}
			if first == "" {
				first = body
			} else if body != first {
				t.Errorf("the two addresses serve different documents")
			}
		}
	})

	t.Run("StatusListFollowsARevocation", func(t *testing.T) {
		cred := credentialOf(t, ts, qw.officerA, certA.Serial)
		set, etag, _ := statusBit(t, ts, cred, "")
		if set {
			t.Fatal("a valid certificate's bit is set")
		}
		if _, _, status := statusBit(t, ts, cred, etag); status != http.StatusNotModified {
			t.Errorf("unchanged list asked with its ETag: %d, want 304", status)
		}
		if res, body := ts.api(t, qw.trainerTok, "POST", "/api/v1/certificates/"+certA.Serial+"/revoke", map[string]string{"reason": "Attendance corrected"}); res.StatusCode != 200 {
			t.Fatalf("revoke: %d %s", res.StatusCode, body)
		}
		if set, _, status := statusBit(t, ts, cred, etag); !set || status != http.StatusOK {
			t.Errorf("after the revocation, asked with the old ETag: bit %v, status %d", set, status)
		}
	})

	t.Run("UnknownLists", func(t *testing.T) {
		for _, n := range []string{"0", "999", "-1", "01", "1x", "abc", "1.json"} {
			if res, body := getWith(t, nil, ts.URL+"/credentials/status/"+n); res.StatusCode != http.StatusNotFound {
				t.Errorf("status list %q: %d %.200s", n, res.StatusCode, body)
			}
		}
	})
}

// verifyForm posts the verify page's form as a browser: the page's CSRF token
// (unless noCSRF), the pasted text and an uploaded file (empty: none chosen),
// in lang when it is not empty.
func verifyForm(t *testing.T, ts *testServer, client *http.Client, serial, pasted string, file []byte, noCSRF bool, lang ...string) (*http.Response, string) {
	t.Helper()
	page := ts.URL + "/verify/" + serial
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if !noCSRF {
		_ = mw.WriteField("csrf_token", csrfFrom(t, client, page))
	}
	_ = mw.WriteField("credential", pasted)
	fw, err := mw.CreateFormFile("file", "certificate.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", page, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if len(lang) > 0 {
		req.Header.Set("Accept-Language", lang[0])
	}
	return send(t, client, req)
}

// checkResult is the check's result on the verify page: its verdict, and its text.
var checkResult = regexp.MustCompile(`(?s)<div class="verify verify-([a-z_]+)" role="status">(.*?)</div>`)

// TestCredentials_CheckOnTheVerifyPage: a credential pasted or uploaded on
// /verify/{serial} is checked and the result shown, in the page's language;
// every bad form gets its own message and status.
func TestCredentials_CheckOnTheVerifyPage(t *testing.T) {
	qw, certA := closedQuizDay(t)
	ts := qw.ts
	cred := credentialOf(t, ts, qw.officerA, certA.Serial)
	altered := bytes.Replace(cred, []byte("Officer Alpha-Marker"), []byte("Officer Alpha-Markes"), 1)
	if bytes.Equal(altered, cred) {
		t.Fatal("the holder's name is not in the credential")
	}
	anyone := newBrowser()
	check := func(t *testing.T, serial, pasted string, file []byte) (status int, verdict, text string) {
		t.Helper()
		res, body := verifyForm(t, ts, anyone, serial, pasted, file, false)
		if m := checkResult.FindStringSubmatch(body); m != nil {
			return res.StatusCode, m[1], m[2]
		}
		return res.StatusCode, "", body
	}

	t.Run("PastedValid", func(t *testing.T) {
		status, verdict, text := check(t, certA.Serial, string(cred), nil)
		if status != 200 || verdict != "valid" || !strings.Contains(text, "Valid: this programme signed this credential") ||
			!strings.Contains(text, "It is the credential of this certificate.") || !strings.Contains(text, "Officer Alpha-Marker") {
			t.Errorf("valid credential pasted: %d %q %s", status, verdict, text)
		}
	})
	t.Run("UploadedValid", func(t *testing.T) {
		if status, verdict, text := check(t, certA.Serial, "", cred); status != 200 || verdict != "valid" {
			t.Errorf("valid credential uploaded: %d %q %.300s", status, verdict, text)
		}
	})
	t.Run("OneCharacterChanged", func(t *testing.T) {
		status, verdict, text := check(t, certA.Serial, string(altered), nil)
		if status != 200 || verdict != "not_valid" || !strings.Contains(text, "Not valid") || strings.Contains(text, "It is the credential of") {
			t.Errorf("altered credential: %d %q %s", status, verdict, text)
		}
	})
	t.Run("InFrench", func(t *testing.T) {
		if _, body := verifyForm(t, ts, anyone, certA.Serial, string(altered), nil, false, "fr"); !strings.Contains(checkResult.FindString(body), "Non valide") {
			t.Errorf("the French page's verdict: %.2000s", checkResult.FindString(body))
		}
	})
	t.Run("OtherCertificatesPage", func(t *testing.T) {
		other := ts.issueForTest(t, qw.sessionID, qw.idOf(t, qw.world.officerB))
		status, verdict, text := check(t, other, string(cred), nil)
		if status != 200 || verdict != "valid" || !strings.Contains(text, "It is the credential of another certificate, serial "+certA.Serial) {
			t.Errorf("A's credential on another certificate's page: %d %q %s", status, verdict, text)
		}
	})
	t.Run("BadForms", func(t *testing.T) {
		huge := `{"x":"` + strings.Repeat("a", credentialLimit) + `"}`
		for _, c := range []struct {
			name   string
			pasted string
			file   []byte
			status int
			want   string
		}{
			{"nothing", "  ", nil, http.StatusUnprocessableEntity, "Paste the credential or choose its file."},
			{"both", string(cred), cred, http.StatusBadRequest, "not both"},
			{"not JSON", "this is not a credential", nil, http.StatusUnprocessableEntity, "JSON"},
			{"pasted over 256 KB", huge, nil, http.StatusRequestEntityTooLarge, "larger than 256 KB"},
			{"uploaded over 256 KB", "", []byte(huge), http.StatusRequestEntityTooLarge, "larger than 256 KB"},
		} {
			res, body := verifyForm(t, ts, anyone, certA.Serial, c.pasted, c.file, false)
			if res.StatusCode != c.status || !strings.Contains(body, `class="field-error" id="credential-error">`) || !strings.Contains(body, c.want) {
				t.Errorf("%s: %d, want %d and %q", c.name, res.StatusCode, c.status, c.want)
			}
			if checkResult.MatchString(body) {
				t.Errorf("%s: a result is shown", c.name)
			}
		}
	})
	t.Run("NoCSRFToken", func(t *testing.T) {
		if res, body := verifyForm(t, ts, newBrowser(), certA.Serial, string(cred), nil, true); res.StatusCode != http.StatusForbidden || checkResult.MatchString(body) {
			t.Errorf("without the CSRF token: %d", res.StatusCode)
		}
	})
	t.Run("UnknownSerial", func(t *testing.T) {
		if res, _ := verifyForm(t, ts, anyone, "AAAAAAAAAAAAAAAA", string(cred), nil, false); res.StatusCode != http.StatusNotFound {
			t.Errorf("the form of an unknown serial: %d", res.StatusCode)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		qw.at(400 * 24 * time.Hour) // past 3 December 2027
		defer qw.at(2 * time.Hour)
		status, verdict, text := check(t, certA.Serial, string(cred), nil)
		if status != 200 || verdict != "expired" || !strings.Contains(text, "Expired: this credential is genuine") {
			t.Errorf("expired credential: %d %q %s", status, verdict, text)
		}
	})
	t.Run("Revoked", func(t *testing.T) {
		if res, body := ts.api(t, qw.trainerTok, "POST", "/api/v1/certificates/"+certA.Serial+"/revoke", map[string]string{"reason": "Attendance corrected"}); res.StatusCode != 200 {
			t.Fatalf("revoke: %d %s", res.StatusCode, body)
		}
		status, verdict, text := check(t, certA.Serial, string(cred), nil)
		if status != 200 || verdict != "revoked" || !strings.Contains(text, "Revoked: this credential is genuine") || !strings.Contains(text, "Attendance corrected") {
			t.Errorf("revoked credential: %d %q %s", status, verdict, text)
		}
	})
}

// TestCredentials_CheckAPI: POST /api/v1/verify/credential, for machines.
func TestCredentials_CheckAPI(t *testing.T) {
	qw, certA := closedQuizDay(t)
	ts := qw.ts
	cred := credentialOf(t, ts, qw.officerA, certA.Serial)
	post := func(contentType string, body []byte) (*http.Response, credentialCheckJSON, string) {
		t.Helper()
		res, text := bearer(t, "", "POST", ts.URL+"/api/v1/verify/credential", contentType, bytes.NewReader(body))
		var out credentialCheckJSON
		if res.StatusCode == 200 {
			if err := json.Unmarshal([]byte(text), &out); err != nil {
				t.Fatalf("%s: %v", text, err)
			}
		}
		return res, out, text
	}
	if res, out, text := post("application/json", cred); res.StatusCode != 200 || !out.Valid || out.Status != "valid" || out.Serial != certA.Serial ||
		out.Certificate == nil || out.Certificate.HolderName != "Officer Alpha-Marker" || out.ReasonID != "" {
		t.Errorf("valid: %d %s", res.StatusCode, text)
	}
	if res, out, text := post("application/ld+json", bytes.Replace(cred, []byte("Alpha-Marker"), []byte("Alpha-Markes"), 1)); res.StatusCode != 200 || out.Valid ||
		out.Status != "not_valid" || out.ReasonID != "err.credential.altered" || out.Reason == "" || out.Serial != "" || out.Certificate != nil {
		t.Errorf("altered: %d %s", res.StatusCode, text)
	}
	for _, c := range []struct {
		name, contentType string
		body              []byte
		status            int
		code              string
	}{
		{"not JSON", "application/json", []byte("certificate"), http.StatusUnprocessableEntity, `"invalid"`},
		{"over 256 KB", "application/json", []byte(`{"x":"` + strings.Repeat("a", credentialLimit) + `"}`), http.StatusRequestEntityTooLarge, `"message_id":"err.credential.too_large"`},
		{"as a form", "application/x-www-form-urlencoded", cred, http.StatusUnsupportedMediaType, `"unsupported_media_type"`},
	} {
		if res, _, text := post(c.contentType, c.body); res.StatusCode != c.status || !strings.Contains(text, c.code) {
			t.Errorf("%s: %d %.300s, want %d %s", c.name, res.StatusCode, text, c.status, c.code)
		}
	}
	// Revoked, through the API too.
	if res, body := ts.api(t, qw.trainerTok, "POST", "/api/v1/certificates/"+certA.Serial+"/revoke", map[string]string{"reason": "Attendance corrected"}); res.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", res.StatusCode, body)
	}
	if res, out, text := post("application/json", cred); res.StatusCode != 200 || out.Valid || out.Status != "revoked" || out.ReasonID != "err.credential.revoked" ||
		!strings.Contains(out.Reason, "Attendance corrected") {
		t.Errorf("revoked: %d %s", res.StatusCode, text)
	}
}

// TestCredentials_ChecksTakeTurns: presented credentials are checked a few at a
// time (one per two cores), since the largest costs seconds of CPU; one that
// finds every turn taken for checkWait is refused with 429 and a Retry-After,
// and is checked once a turn is free.
func TestCredentials_ChecksTakeTurns(t *testing.T) {
	qw, certA := closedQuizDay(t)
	ts := qw.ts
	cred := credentialOf(t, ts, qw.officerA, certA.Serial)
	ts.Server.checkWait = 200 * time.Millisecond
	for range cap(ts.Server.checks) {
		ts.Server.checks <- struct{}{} // every turn taken, as by large credentials
	}
	res, body := bearer(t, "", "POST", ts.URL+"/api/v1/verify/credential", "application/json", bytes.NewReader(cred))
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("every turn taken: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if res, _ := verifyForm(t, ts, newBrowser(), certA.Serial, string(cred), nil, false); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the page's check with every turn taken: %d", res.StatusCode)
	}
	<-ts.Server.checks // one turn free
	if res, body := bearer(t, "", "POST", ts.URL+"/api/v1/verify/credential", "application/json", bytes.NewReader(cred)); res.StatusCode != http.StatusOK || !strings.Contains(body, `"valid":true`) {
		t.Errorf("a turn free: %d %s", res.StatusCode, body)
	}
}
