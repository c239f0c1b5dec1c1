package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/store"
)

// passQuiz has an officer answer the fixture quiz right (or not) and submit.
func (qw *quizWorld) passQuiz(t *testing.T, token string, right bool) {
	t.Helper()
	v := qw.start(t, token)
	choice := choiceID(v, "pick", "WRONG")
	if right {
		choice = choiceID(v, "pick", "CORRECT")
	}
	qw.ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID), map[string]any{"choices": []string{choice}})
	qw.ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/type", v.ID), map[string]any{"text": "SHORT-ANSWER-2b8"})
	qw.ts.api(t, token, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/count", v.ID), map[string]any{"number": 4242})
	if res, body := qw.ts.api(t, token, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 {
		t.Fatalf("submit: %s", body)
	}
}

func TestCertificates_CloseVerifyRevoke(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	ctx := context.Background()
	officerC := ts.user(t, auth.RoleOfficer, &qw.agencyA.ID, "François Müller-Łukasiewicz")
	officerCID := qw.idOf(t, officerC)
	ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", qw.sessionID), map[string]any{"user_id": officerCID})
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)  // 3/3
	qw.passQuiz(t, qw.officerB, false) // 2/3 < 70 %
	tokC := ts.token(t, officerC)
	qw.passQuiz(t, tokC, true)
	mark := func(id int64, st string) {
		if res, body := ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, id), map[string]string{"status": st}); res.StatusCode != 200 {
			t.Fatalf("mark: %s", body)
		}
	}
	mark(qw.officerAID, "present")
	mark(qw.idOf(t, qw.world.officerB), "late")
	// Officer C passed but is not marked yet.

	closeURL := fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID)
	// The coordinator sees the session but does not run it (schedule.Access).
	if res, _ := ts.api(t, ts.token(t, qw.coordA), "POST", closeURL, nil); res.StatusCode != 403 {
		t.Errorf("coordinator closing: %d", res.StatusCode)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); res.StatusCode != 200 || body != "{\"issued\":1}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	if _, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); body != "{\"issued\":0}\n" {
		t.Errorf("second close: %s", body)
	}
	// A late correction, then closing again issues what became due.
	mark(officerCID, "present")
	if _, body := ts.api(t, qw.trainerTok, "POST", closeURL, nil); body != "{\"issued\":1}\n" {
		t.Errorf("close after correction: %s", body)
	}

	certs, _ := ts.DB.Read(ctx).Certificates(store.CertificateFilter{})
	if len(certs) != 2 {
		t.Fatalf("%d certificates", len(certs))
	}
	var certA store.Certificate
	for _, c := range certs {
		if c.UserID == qw.officerAID {
			certA = c
		}
		if len(c.Serial) != 16 || c.Status != "valid" || c.ExpiresAt == nil || c.ExpiresAt.Format("2006-01-02") != "2027-12-03" {
			t.Errorf("certificate %+v", c)
		}
	}
	// The stored payload verifies with the published key; a changed byte does not.
	key := ts.Server.opts.Signer
	trusted := map[string]ed25519.PublicKey{key.KeyID: key.PublicKey()}
	p, err := certify.Verify(certify.Signed{Payload: certA.Payload, Signature: certA.Signature}, trusted)
	if err != nil || p.Serial != certA.Serial || p.Holder != certA.HolderName || p.Agency != "Agency Alpha-Marker" {
		t.Errorf("payload: %+v %v", p, err)
	}
	bad := append([]byte(nil), certA.Payload...)
	bad[len(bad)/2] ^= 1
	if _, err := certify.Verify(certify.Signed{Payload: bad, Signature: certA.Signature}, trusted); err == nil {
		t.Errorf("a tampered payload verifies")
	}

	// Scopes: own only for officers, own agency for coordinators, 404 otherwise.
	for who, tok := range map[string]string{"officer B": qw.officerB, "coordinator B": ts.token(t, qw.coordB)} {
		if res, _ := ts.api(t, tok, "GET", "/api/v1/certificates/"+certA.Serial, nil); res.StatusCode != 404 {
			t.Errorf("%s reading A's certificate: %d", who, res.StatusCode)
		}
		if _, body := ts.api(t, tok, "GET", "/api/v1/certificates", nil); strings.Contains(body, certA.Serial) {
			t.Errorf("%s lists A's certificate", who)
		}
	}
	if res, _ := ts.api(t, ts.token(t, qw.coordA), "GET", "/api/v1/certificates/"+certA.Serial, nil); res.StatusCode != 200 {
		t.Errorf("coordinator A reading A's certificate: %d", res.StatusCode)
	}
	// After the close, the after_close review policy lets officers see the answers.
	_, body := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes", qw.sessionID), nil)
	id := decode[[]struct{ Attempts []struct{ ID int64 } }](t, body)[0].Attempts[0].ID
	if _, body := ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", id), nil); !strings.Contains(body, "EXPLANATION-9c1") {
		t.Errorf("no review after the session closed")
	}

	// Public verification, signed in or not.
	res, body := getWith(t, newBrowser(), ts.URL+"/verify/"+certA.Serial+".json")
	if res.StatusCode != 200 || !strings.Contains(body, `"status":"valid"`) || strings.Contains(body, "email") {
		t.Errorf("verify: %d %s", res.StatusCode, body)
	}
	if res, body := getWith(t, newBrowser(), ts.URL+"/verify/AAAAAAAAAAAAAAAA.json"); res.StatusCode != 404 || !strings.Contains(body, "not_found") {
		t.Errorf("unknown serial: %d %s", res.StatusCode, body)
	}
	if res, body := getWith(t, newBrowser(), ts.URL+"/verify/"+certA.Serial); res.StatusCode != 200 || !strings.Contains(body, "Valid") {
		t.Errorf("verify page: %d", res.StatusCode)
	}

	// Revocation: trainers with a reason; verification says so; the PDF
	// rendered for a download is no longer kept.
	cachedPDFs := func() int64 {
		var n int64
		if err := ts.DB.R.Raw("SELECT COUNT(*) FROM certificate_pdfs WHERE serial = ?", certA.Serial).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if res, body := ts.api(t, qw.officerA, "GET", "/api/v1/certificates/"+certA.Serial+".pdf", nil); res.StatusCode != 200 || cachedPDFs() != 1 {
		t.Fatalf("the holder's PDF: %d, %d cached (want 1): %.200s", res.StatusCode, cachedPDFs(), body)
	}
	revoke := fmt.Sprintf("/api/v1/certificates/%s/revoke", certA.Serial)
	// The holder's coordinator sees the certificate but may not revoke it.
	if res, _ := ts.api(t, ts.token(t, qw.coordA), "POST", revoke, map[string]string{"reason": "x"}); res.StatusCode != 403 {
		t.Errorf("coordinator revoking: %d, want 403", res.StatusCode)
	}
	if res, _ := ts.api(t, qw.trainerTok, "POST", revoke, map[string]string{"reason": " "}); res.StatusCode != 422 {
		t.Errorf("revoking without a reason: %d", res.StatusCode)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", revoke, map[string]string{"reason": "Attendance sheet corrected: absent"}); res.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", res.StatusCode, body)
	}
	if _, body := getWith(t, newBrowser(), ts.URL+"/verify/"+certA.Serial+".json"); !strings.Contains(body, `"status":"revoked"`) || !strings.Contains(body, "Attendance sheet corrected") {
		t.Errorf("verify after revoke: %s", body)
	}
	if n := cachedPDFs(); n != 0 {
		t.Errorf("the revoked certificate's PDF is still cached (%d)", n)
	}
	if res, _ := ts.api(t, qw.trainerTok, "POST", revoke, map[string]string{"reason": "again"}); res.StatusCode != 409 {
		t.Errorf("revoking twice: %d", res.StatusCode)
	}
}

func TestCertificates_CloseButton(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)
	ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, qw.officerAID), map[string]string{"status": "present"})
	trainer := ts.browser(t, qw.world.trainer)
	page := fmt.Sprintf("%s/sessions/%d", ts.URL, qw.sessionID)
	res := submitForm(t, trainer, page, page+"/close", url.Values{})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "1+certificate+issued") {
		t.Fatalf("close button: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := getWith(t, trainer, page); !strings.Contains(body, "Issue certificates that became due") {
		t.Errorf("closed session page does not offer re-closing")
	}
	officer := ts.browser(t, qw.world.officerA)
	if res := submitForm(t, officer, page, page+"/close", url.Values{}); res.StatusCode != 403 {
		t.Errorf("officer closing: %d", res.StatusCode)
	}
}

// TestCertificates_CloseCountsAttemptsPastTheirDeadline: an officer who answered
// but never submitted, and whose time ran out, is finalised with the saved
// answers before the close decides eligibility.
func TestCertificates_CloseCountsAttemptsPastTheirDeadline(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	v := qw.start(t, qw.officerA)
	ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID), map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}})
	ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/type", v.ID), map[string]any{"text": "SHORT-ANSWER-2b8"})
	ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/count", v.ID), map[string]any{"number": 4242})
	ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, qw.officerAID), map[string]string{"status": "present"})
	qw.at(3 * time.Hour) // well past the 15-minute deadline; nobody submitted
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); res.StatusCode != 200 || body != "{\"issued\":1}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	if at, _ := ts.DB.Read(context.Background()).Attempt(v.ID, false); at.Finalised != "deadline" || !at.Passed {
		t.Errorf("attempt after close: %+v", at)
	}
}

// pdfsOf is a certificates ZIP's files without the credentials: every PDF
// must have its Open Badges credential beside it (same name, .json, valid
// JSON) and every credential its PDF.
func pdfsOf(t *testing.T, files map[string][]byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, data := range files {
		base, isJSON := strings.CutSuffix(name, ".json")
		if !isJSON {
			out[name] = data
			if pdf, ok := strings.CutSuffix(name, ".pdf"); ok && !json.Valid(files[pdf+".json"]) {
				t.Errorf("%s has no credential beside it", name)
			}
			continue
		}
		if _, ok := files[base+".pdf"]; !ok {
			t.Errorf("credential %s has no PDF beside it", name)
		}
	}
	return out
}

// unzip reads a downloaded ZIP into name → content.
func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a ZIP (%d bytes): %v", len(data), err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// TestCertificates_ParisDayAgencyZIPs is the "done when": the Paris
// session's trainer closes the day; each agency's coordinator downloads a ZIP with
// exactly its eligible officers' certificates, names printed in their scripts;
// the QR code leads to a "valid" verification and a tampered copy fails.
func TestCertificates_ParisDayAgencyZIPs(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	ctx := context.Background()
	type officer struct {
		user               auth.NewUser
		agency             int64
		token              string
		id                 int64
		passes, attends    bool
		wantFile, wantText string
	}
	officers := []*officer{
		{user: auth.NewUser{Name: "김민준", FamilyName: "김", GivenName: "민준"}, agency: qw.agencyA.ID, passes: true, attends: true, wantFile: "김_민준_"},
		{user: auth.NewUser{Name: "François Müller-Łukasiewicz", GivenName: "François", FamilyName: "Müller-Łukasiewicz"}, agency: qw.agencyA.ID, passes: true, attends: true, wantFile: "Müller-Łukasiewicz_François_"},
		{user: auth.NewUser{Name: "Γιώργος Παπαδόπουλος"}, agency: qw.agencyA.ID, passes: true, attends: false}, // absent: no certificate
		{user: auth.NewUser{Name: "דניאל כהן", LatinName: "Daniel Cohen"}, agency: qw.agencyB.ID, passes: true, attends: true, wantFile: "Cohen_Daniel_"},
		{user: auth.NewUser{Name: "Дмитрий Иванов"}, agency: qw.agencyB.ID, passes: false, attends: true}, // failed the quiz
	}
	for i, o := range officers {
		o.user.Email, o.user.Role, o.user.Password, o.user.AgencyID = fmt.Sprintf("paris-%d@test.example", i), "officer", testPassword, &o.agency
		u, err := ts.Accounts.CreateUserAsSystem(ctx, o.user)
		if err != nil {
			t.Fatal(err)
		}
		o.id = u.ID
		if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", qw.sessionID), map[string]any{"user_id": o.id}); res.StatusCode != 201 {
			t.Fatalf("enrol: %s", body)
		}
		o.token = ts.token(t, credentials{o.user.Email, testPassword})
	}
	qw.at(time.Hour)
	for _, o := range officers {
		qw.passQuiz(t, o.token, o.passes)
		if o.attends {
			ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, o.id), map[string]string{"status": "present"})
		}
	}
	qw.at(8 * time.Hour)
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); body != "{\"issued\":3}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}

	key := ts.Server.opts.Signer
	trusted := map[string]ed25519.PublicKey{key.KeyID: key.PublicKey()}
	zipURL := fmt.Sprintf("/api/v1/sessions/%d/certificates.zip", qw.sessionID)
	var anyPDF []byte
	for agency, coord := range map[int64]credentials{qw.agencyA.ID: qw.coordA, qw.agencyB.ID: qw.coordB} {
		res, body := ts.api(t, ts.token(t, coord), "GET", zipURL, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("zip for agency %d: %d %s", agency, res.StatusCode, body)
		}
		files := pdfsOf(t, unzip(t, []byte(body)))
		csv, ok := files["results.csv"]
		if !ok {
			t.Errorf("agency %d: no results.csv", agency)
		}
		delete(files, "results.csv")
		want := 0
		for _, o := range officers {
			inCSV := strings.Contains(string(csv), o.user.Name)
			if inCSV != (o.agency == agency) {
				t.Errorf("agency %d results.csv lists %s: %v", agency, o.user.Name, inCSV)
			}
			var found string
			for name, doc := range files {
				p, err := certify.VerifyPDF(doc, trusted)
				if err != nil {
					t.Fatalf("%s does not verify: %v", name, err)
				}
				if p.Holder == o.user.Name {
					found = name
				}
			}
			eligible := o.agency == agency && o.passes && o.attends
			if eligible != (found != "") {
				t.Errorf("agency %d ZIP: %s eligible=%v, file %q", agency, o.user.Name, eligible, found)
			}
			if eligible {
				want++
				if !strings.HasPrefix(found, o.wantFile) || !strings.HasSuffix(found, ".pdf") {
					t.Errorf("file name %q, want %s…SERIAL.pdf", found, o.wantFile)
				}
				if text := pdftest.Text(t, files[found]); !strings.Contains(text, o.user.Name) {
					t.Errorf("%s: name not in the PDF text:\n%s", found, text)
				}
				anyPDF = files[found]
			}
		}
		if len(files) != want {
			t.Errorf("agency %d ZIP has %d certificates, want %d: %v", agency, len(files), want, keys(files))
		}
	}

	// Officers cannot bulk-download (a session they see: 403); another agency's
	// certificate is not found.
	if res, _ := ts.api(t, officers[0].token, "GET", zipURL, nil); res.StatusCode != 403 {
		t.Errorf("officer ZIP: %d", res.StatusCode)
	}
	p, _ := certify.VerifyPDF(anyPDF, trusted)
	own := officers[3].token // agency B's Daniel Cohen
	if p.Holder != officers[3].user.Name {
		own = officers[0].token
		if p.Holder != officers[0].user.Name {
			own = officers[1].token
		}
	}
	if res, body := ts.api(t, own, "GET", "/api/v1/certificates/"+p.Serial+".pdf", nil); res.StatusCode != 200 || !bytes.Equal([]byte(body), anyPDF) {
		t.Errorf("holder's own PDF: %d (%d bytes, same as in the ZIP: %v)", res.StatusCode, len(body), body == string(anyPDF))
	} else if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, p.Serial) {
		t.Errorf("Content-Disposition %q", cd)
	}
	for _, o := range officers {
		if o.user.Name == p.Holder {
			continue
		}
		if res, _ := ts.api(t, o.token, "GET", "/api/v1/certificates/"+p.Serial+".pdf", nil); res.StatusCode != 404 {
			t.Errorf("%s reading %s's PDF: %d", o.user.Name, p.Holder, res.StatusCode)
		}
	}

	// The QR code, scanned from the rendered page, leads to "valid".
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.pdf"), anyPDF, 0o600)
	if out, err := exec.Command(pdftest.Tool(t, "pdftoppm"), "-png", "-r", "100", "-singlefile", filepath.Join(dir, "c.pdf"), filepath.Join(dir, "c")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(pdftest.Tool(t, "zbarimg"), "--quiet", "--raw", filepath.Join(dir, "c.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	scanned := strings.TrimSpace(string(out))
	if scanned != ts.Server.cfg.BaseURL+"/verify/"+p.Serial {
		t.Fatalf("QR says %q", scanned)
	}
	u, _ := url.Parse(scanned)
	if res, body := getWith(t, newBrowser(), ts.URL+u.Path+".json"); res.StatusCode != 200 || !strings.Contains(body, `"status":"valid"`) {
		t.Errorf("verify from the QR code: %d %s", res.StatusCode, body)
	}
	// A tampered copy fails.
	tampered := bytes.Clone(anyPDF)
	tampered[len(tampered)/3] ^= 0x20
	if _, err := certify.VerifyPDF(tampered, trusted); err == nil {
		t.Errorf("a tampered certificate verifies")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
