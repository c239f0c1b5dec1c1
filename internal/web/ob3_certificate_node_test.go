package web

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/vc"
)

// TestOB3Node_CertificateCredential: the credential of a certificate issued by
// closing a session, downloaded from the real server, verifies with Digital
// Bazaar's libraries, which resolve the server's did:web and its status list
// over HTTP (base URL = the server's loopback address); one changed character
// in the holder's name, the course, a date or the proof makes them refuse it;
// the copies in the coordinator's ZIP and attached to the PDF verify too;
// so does its revocation through the API, read from the status list, while
// another certificate of the same list stays valid; the status list
// credential verifies on its own before and after. Our own check
// (POST /api/v1/verify/credential) agrees on each.
func TestOB3Node_CertificateCredential(t *testing.T) {
	node := needOB3Verifier(t)
	ts := startServerAtItsURL(t, bothCourses(t), Config{}, app.Options{})
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	officerC := ts.user(t, auth.RoleOfficer, &qw.agencyA.ID, "Élise Dupont-Łukasiewicz")
	officerCID := qw.idOf(t, officerC)
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", qw.sessionID), map[string]any{"user_id": officerCID}); res.StatusCode != 201 {
		t.Fatalf("enrol: %s", body)
	}
	tokC := ts.token(t, officerC)
	qw.at(time.Hour)
	qw.passQuiz(t, qw.officerA, true)
	qw.passQuiz(t, tokC, true)
	for _, id := range []int64{qw.officerAID, officerCID} {
		if res, body := ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, id), map[string]string{"status": "present"}); res.StatusCode != 200 {
			t.Fatalf("mark: %s", body)
		}
	}
	qw.at(9 * time.Hour)
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); res.StatusCode != 200 || body != "{\"issued\":2}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	certs, err := ts.DB.Read(context.Background()).Certificates(store.CertificateFilter{})
	if err != nil || len(certs) != 2 {
		t.Fatalf("%d certificates, %v", len(certs), err)
	}
	serial := map[int64]string{}
	for _, c := range certs {
		serial[c.UserID] = c.Serial
	}
	download := func(token, serial string) []byte {
		t.Helper()
		res, body := ts.api(t, token, "GET", "/api/v1/certificates/"+serial+"/credential", nil)
		if res.StatusCode != 200 {
			t.Fatalf("credential of %s: %d %s", serial, res.StatusCode, body)
		}
		return []byte(body)
	}
	credA, credC := download(qw.officerA, serial[qw.officerAID]), download(tokC, serial[officerCID])
	// The officer's dashboard links it; a browser following the link gets
	// the same file.
	browser := ts.browser(t, qw.world.officerA)
	link := "/api/v1/certificates/" + serial[qw.officerAID] + "/credential"
	if _, page := getWith(t, browser, ts.URL+"/"); !strings.Contains(page, `href="`+link+`"`) {
		t.Errorf("the officer's dashboard does not link %s", link)
	}
	req, _ := http.NewRequest("GET", ts.URL+link, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	if res, body := send(t, browser, req); res.StatusCode != 200 || body != string(credA) {
		t.Errorf("following the link: %d %s %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if strings.Contains(string(credA), "@test.example") {
		t.Errorf("the credential carries the holder's e-mail address: %s", credA)
	}

	did, err := vc.DIDWeb(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The verifier's clock is the test's: after the close, before validUntil.
	now := "--now=" + qw.day.Add(10*time.Hour).UTC().Format(time.RFC3339)
	verify := func(cred []byte) ob3Verdict {
		t.Helper()
		return verifyWithNode(t, node, cred, "--base", ts.URL, now)
	}
	// Our own check (POST /api/v1/verify/credential) must agree with theirs
	// on every credential below.
	ours := func(cred []byte) (valid bool, status string) {
		t.Helper()
		res, body := ts.api(t, "", "POST", "/api/v1/verify/credential", string(cred))
		out := decode[struct {
			Valid  bool
			Status string
		}](t, body)
		if res.StatusCode != 200 {
			t.Fatalf("POST /api/v1/verify/credential: %d %s", res.StatusCode, body)
		}
		return out.Valid, out.Status
	}
	v := verify(credA)
	if valid, status := ours(credA); !valid || status != "valid" {
		t.Errorf("our check of the credential: %v %s", valid, status)
	}
	if !v.Verified || v.Issuer != did || v.VerificationMethod != did+"#"+ts.Server.opts.Signer.KeyID ||
		len(v.Status) != 1 || v.Status[0].StatusPurpose != "revocation" || v.Status[0].Status {
		t.Fatalf("the certificate's credential: %+v (issuer want %s)\n%s", v, did, credA)
	}
	statusList := func() []byte {
		t.Helper()
		var c struct {
			CredentialStatus struct{ StatusListCredential string }
		}
		if err := json.Unmarshal(credA, &c); err != nil || !strings.HasPrefix(c.CredentialStatus.StatusListCredential, ts.URL+"/") {
			t.Fatalf("status list of %s: %v", credA, err)
		}
		res, body := getWith(t, newBrowser(), c.CredentialStatus.StatusListCredential)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", c.CredentialStatus.StatusListCredential, res.StatusCode, body)
		}
		return []byte(body)
	}
	if v := verify(statusList()); !v.Verified {
		t.Errorf("the status list credential: %+v", v)
	}

	// The same credential rides in the coordinator's ZIP beside each PDF, and
	// in the PDF as its attachment: each copy verifies as it is.
	t.Run("ZIPAndPDF", func(t *testing.T) {
		res, body := ts.api(t, ts.token(t, qw.coordA), "GET", fmt.Sprintf("/api/v1/sessions/%d/certificates.zip", qw.sessionID), nil)
		if res.StatusCode != 200 {
			t.Fatalf("ZIP: %d %s", res.StatusCode, body)
		}
		var inZIP int
		for name, data := range unzip(t, []byte(body)) {
			if !strings.HasSuffix(name, ".json") {
				continue
			}
			inZIP++
			if v := verify(data); !v.Verified || v.Issuer != did {
				t.Errorf("%s of the ZIP: %+v", name, v)
			}
		}
		if inZIP != 2 {
			t.Errorf("%d credentials in the ZIP, want 2", inZIP)
		}
		res, body = ts.api(t, qw.officerA, "GET", "/api/v1/certificates/"+serial[qw.officerAID]+".pdf", nil)
		if res.StatusCode != 200 {
			t.Fatalf("PDF: %d", res.StatusCode)
		}
		dir := t.TempDir()
		pdf, attached := filepath.Join(dir, "certificate.pdf"), filepath.Join(dir, "attached.json")
		if err := os.WriteFile(pdf, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		// (poppler 22.12's -savefile does not find a name -list prints, so
		// by number, once -list says which.)
		pdfdetach := pdftest.Tool(t, "pdfdetach")
		if out, err := exec.Command(pdfdetach, "-list", pdf).CombinedOutput(); err != nil || !strings.Contains(string(out), "\n1: certificate.json") {
			t.Fatalf("pdfdetach -list: %v %s", err, out)
		}
		if out, err := exec.Command(pdfdetach, "-save", "1", "-o", attached, pdf).CombinedOutput(); err != nil {
			t.Fatalf("pdfdetach: %v %s", err, out)
		}
		data, err := os.ReadFile(attached)
		if err != nil {
			t.Fatal(err)
		}
		if v := verify(data); !v.Verified || v.Issuer != did {
			t.Errorf("the PDF's certificate.json: %+v", v)
		}
	})

	t.Run("OneCharacterChanged", func(t *testing.T) {
		for what, change := range map[string]func(doc map[string]any){
			"holder's name": func(doc map[string]any) {
				for _, id := range doc["credentialSubject"].(map[string]any)["identifier"].([]any) {
					if id := id.(map[string]any); id["identityType"] == "name" {
						id["identityHash"] = changeLast(id["identityHash"].(string))
					}
				}
			},
			"course": func(doc map[string]any) {
				a := doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
				a["name"] = changeLast(a["name"].(string))
			},
			"validFrom": func(doc map[string]any) {
				doc["validFrom"] = strings.Replace(doc["validFrom"].(string), "2026", "2025", 1)
			},
			"validUntil": func(doc map[string]any) {
				doc["validUntil"] = strings.Replace(doc["validUntil"].(string), "2027", "2028", 1)
			},
			"proofValue": func(doc map[string]any) {
				p := doc["proof"].(map[string]any)
				pv := []byte(p["proofValue"].(string))
				pv[len(pv)/2] = map[bool]byte{true: 'A', false: 'B'}[pv[len(pv)/2] != 'A']
				p["proofValue"] = string(pv)
			},
		} {
			var doc map[string]any
			if err := json.Unmarshal(credA, &doc); err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(doc)
			change(doc)
			changed, _ := json.Marshal(doc)
			if string(changed) == string(before) {
				t.Fatalf("%s: nothing changed", what)
			}
			if v := verify(changed); v.Verified || !strings.Contains(v.Error, "Invalid signature") {
				t.Errorf("%s changed: %+v, want refused for its signature", what, v)
			}
			if valid, status := ours(changed); valid || status != "not_valid" {
				t.Errorf("%s changed: our check says %v %s", what, valid, status)
			}
		}
	})

	t.Run("Revoked", func(t *testing.T) {
		revoke := fmt.Sprintf("/api/v1/certificates/%s/revoke", serial[qw.officerAID])
		if res, body := ts.api(t, qw.trainerTok, "POST", revoke, map[string]string{"reason": "Attendance sheet corrected"}); res.StatusCode != 200 {
			t.Fatalf("revoke: %d %s", res.StatusCode, body)
		}
		if v := verify(credA); v.Verified || !strings.Contains(v.Error, "status list says: revocation") {
			t.Errorf("the revoked certificate's credential: %+v, want refused by the status list", v)
		}
		if valid, status := ours(credA); valid || status != "revoked" {
			t.Errorf("our check of the revoked credential: %v %s", valid, status)
		}
		if v := verify(credC); !v.Verified {
			t.Errorf("another certificate, not revoked: %+v", v)
		}
		if valid, status := ours(credC); !valid {
			t.Errorf("our check of the other certificate: %v %s", valid, status)
		}
		// Pointing the revoked credential at another place of the list
		// breaks its signature.
		var doc map[string]any
		if err := json.Unmarshal(credA, &doc); err != nil {
			t.Fatal(err)
		}
		st := doc["credentialStatus"].(map[string]any)
		st["statusListIndex"] = changeLast(st["statusListIndex"].(string))
		moved, _ := json.Marshal(doc)
		if v := verify(moved); v.Verified || !strings.Contains(v.Error, "Invalid signature") {
			t.Errorf("the revoked credential with another statusListIndex: %+v, want refused for its signature", v)
		}
		if valid, status := ours(moved); valid || status != "not_valid" {
			t.Errorf("the revoked credential with another statusListIndex: our check says %v %s", valid, status)
		}
		if v := verify(statusList()); !v.Verified {
			t.Errorf("the status list credential after the revocation: %+v", v)
		}
	})
}

// changeLast changes the last character of s.
func changeLast(s string) string {
	r := []rune(s)
	if r[len(r)-1] == 'x' {
		r[len(r)-1] = 'y'
	} else {
		r[len(r)-1] = 'x'
	}
	return string(r)
}

// TestOB3Node_BaseURLWithPath: Lectern behind a proxy at a path
// (http://127.0.0.1:PORT/lectern, did:web:127.0.0.1%3APORT:lectern) answers
// its DID document at /did.json, where a did:web resolver looks
// (<base>/did.json) once the proxy has stripped the prefix, with the path
// DID's ids; Digital Bazaar's libraries verify a credential signed with the
// server's key for that DID, and refuse one signed with another key.
func TestOB3Node_BaseURLWithPath(t *testing.T) {
	node := needOB3Verifier(t)
	// The signing key is the test's own, so that it can sign as the server.
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(keyDir, certify.KeyFileName), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := certify.LoadKey(keyDir, "")
	if err != nil {
		t.Fatal(err)
	}
	// The proxy's address first: the base URL names it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/lectern"
	ts := startServerListening(t, courses.FS, Config{}, app.Options{Signer: signer}, filepath.Join(t.TempDir(), "lectern.db"), io.Discard,
		func(string) string { return base })
	target, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	serveListener(t, ln, &http.Server{Handler: http.StripPrefix("/lectern", httputil.NewSingleHostReverseProxy(target))})

	did, err := vc.DIDWeb(base)
	if err != nil || !strings.HasSuffix(did, ":lectern") {
		t.Fatalf("did:web of %s: %q %v", base, did, err)
	}
	sign := func(key ed25519.PrivateKey) []byte {
		data, err := json.Marshal(ob3Credential(base, did))
		if err != nil {
			t.Fatal(err)
		}
		signed, err := vc.Sign(data, key, vc.ProofOptions{VerificationMethod: did + "#" + signer.KeyID, Created: time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	now := "--now=2026-12-04T12:00:00Z"
	if v := verifyWithNode(t, node, sign(key), "--base", base, now); !v.Verified || v.Issuer != did {
		t.Errorf("signed with the server's key for %s: %+v", did, v)
	}
	_, other, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := verifyWithNode(t, node, sign(other), "--base", base, now); v.Verified || !strings.Contains(v.Error, "Invalid signature") {
		t.Errorf("signed with another key: %+v, want refused for its signature", v)
	}
}
