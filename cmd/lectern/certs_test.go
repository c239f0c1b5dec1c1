package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// verifyCourse is an attendance-only course: certificates without quiz attempts.
const verifyCourse = `---
title: Tracing virtual assets
summary: A short course for the certificate tools' tests.
language: en
certificate:
  title: Certificate of attendance
  requires: [attendance]
  valid_for: 2y
---

Overview.
`

const verifyModule = `---
title: Following the money
duration: 150m
---

Body text.
`

// runBinary runs the built lectern binary and returns its exit code and output.
func runBinary(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// TestCertificateTools closes a day on the real server, then checks the PDFs with
// `lectern verify` (offline, with --trust, with --url for revocation) and exports
// the session with `lectern certs export`.
func TestCertificateTools(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data, courses := t.TempDir(), t.TempDir()
	dir := filepath.Join(courses, "tracing")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "course.md"), []byte(verifyCourse), 0o644)
	os.WriteFile(filepath.Join(dir, "01-money.md"), []byte(verifyModule), 0o644)
	_, base, logs := startBinary(t, bin, "--data", data, "--courses", courses, "--base-url", "https://lectern.example.org", "--programme", "Test programme")

	admin := login(t, base, testAdminEmail, testAdminPassword, http.DefaultClient)
	must := func(code int, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\n%s", err, logs)
		}
	}
	var agency struct{ ID int64 }
	must(admin.do("POST", "/api/v1/agencies", map[string]any{"name": "Korean National Police Agency", "country": "KR"}, "", &agency))
	names := []string{"김민준", "דניאל כהן", "François Müller-Łukasiewicz"}
	var ids []int64
	for i, name := range names {
		var u struct{ ID int64 }
		must(admin.do("POST", "/api/v1/users", map[string]any{"email": fmt.Sprintf("officer%d@test.example", i), "name": name, "role": "officer",
			"agency_id": agency.ID, "password": "officer password 1"}, "", &u))
		ids = append(ids, u.ID)
	}
	zone, today := noonZone(time.Now())
	var session struct{ ID int64 }
	must(admin.do("POST", "/api/v1/sessions", map[string]any{"course": "tracing", "date": today, "start": "00:00", "end": "23:59",
		"timezone": zone, "venue": "Hall", "city": "Seoul", "country": "KR", "capacity": 10}, "", &session))
	for _, id := range ids {
		must(admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", session.ID), map[string]any{"user_id": id}, "", nil))
		must(admin.do("PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", session.ID, id), map[string]string{"status": "present"}, "", nil))
	}
	var closed struct{ Issued int }
	must(admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/close", session.ID), nil, "", &closed))
	if closed.Issued != 3 {
		t.Fatalf("issued %d", closed.Issued)
	}
	var certs []struct {
		Serial     string `json:"serial"`
		HolderName string `json:"holder_name"`
	}
	must(admin.do("GET", fmt.Sprintf("/api/v1/certificates?session_id=%d", session.ID), nil, "", &certs))
	if len(certs) != 3 {
		t.Fatalf("listed %d certificates", len(certs))
	}
	pdfs := map[string]string{}
	for _, c := range certs {
		req, _ := http.NewRequest("GET", base+"/api/v1/certificates/"+c.Serial+".pdf", nil)
		req.Header.Set("Authorization", "Bearer "+admin.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := io.ReadAll(res.Body)
		res.Body.Close()
		file := filepath.Join(t.TempDir(), c.Serial+".pdf")
		os.WriteFile(file, doc, 0o644)
		pdfs[c.HolderName] = file
	}

	// Offline, with the data directory's key.
	for name, file := range pdfs {
		code, out, errOut := runBinary(t, bin, "verify", file, "--data", data)
		if code != 0 || !strings.HasPrefix(out, "VALID") || !strings.Contains(out, name) || !strings.Contains(out, "not checked offline") {
			t.Errorf("verify %s: %d\n%s%s", name, code, out, errOut)
		}
	}
	file := pdfs["דניאל כהן"]
	// A tampered copy: one byte changed anywhere.
	doc, _ := os.ReadFile(file)
	for _, at := range []int{len(doc) / 4, len(doc) / 2, len(doc) - 40} {
		bad := bytes.Clone(doc)
		bad[at] ^= 0x04
		badFile := filepath.Join(t.TempDir(), "tampered.pdf")
		os.WriteFile(badFile, bad, 0o644)
		if code, out, _ := runBinary(t, bin, "verify", badFile, "--data", data); code != 1 || !strings.HasPrefix(out, "INVALID") {
			t.Errorf("tampered at %d: %d %s", at, code, out)
		}
	}
	// Elsewhere, the key must be trusted explicitly: a file, or the issuer's URL.
	elsewhere := t.TempDir()
	if code, out, _ := runBinary(t, bin, "verify", file, "--data", elsewhere); code != 1 || !strings.HasPrefix(out, "NOT VERIFIED") {
		t.Errorf("untrusted key: %d %s", code, out)
	}
	_, wellKnown := adminGet(t, base, "/.well-known/lectern-signing-key")
	keyFile := filepath.Join(elsewhere, "issuer.json")
	os.WriteFile(keyFile, []byte(wellKnown), 0o644)
	if code, out, errOut := runBinary(t, bin, "verify", "--trust", keyFile, "--data", elsewhere, file); code != 0 || !strings.HasPrefix(out, "VALID") {
		t.Errorf("--trust: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := runBinary(t, bin, "verify", file, "--data", elsewhere, "--url", base); code != 0 || !strings.Contains(out, "checked with") {
		t.Errorf("--url: %d %s %s", code, out, errOut)
	}

	// Revoked: the PDF is still authentic, but not valid; online lookups agree.
	var serial string
	for _, c := range certs {
		if c.HolderName == "דניאל כהן" {
			serial = c.Serial
		}
	}
	must(admin.do("POST", "/api/v1/certificates/"+serial+"/revoke", map[string]string{"reason": "Issued to the wrong session"}, "", nil))
	if code, out, _ := runBinary(t, bin, "verify", file, "--url", base); code != 1 || !strings.Contains(out, "revoked") || !strings.Contains(out, "Issued to the wrong session") {
		t.Errorf("revoked PDF with --url: %d %s", code, out)
	}
	if code, out, _ := runBinary(t, bin, "verify", serial, "--url", base); code != 1 || !strings.Contains(out, "revoked") {
		t.Errorf("revoked serial: %d %s", code, out)
	}
	// A room checking its certificates at once, from one address: every run
	// says revoked (the server once answered 7 of 12 with 429, and verify then
	// printed VALID).
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, out, errOut := runBinary(t, bin, "verify", file, "--url", base); code != 1 || !strings.Contains(out, "NOT VALID (revoked)") {
				t.Errorf("revoked PDF, run %d of 12 at once: %d %s%s", i+1, code, out, errOut)
			}
		}()
	}
	wg.Wait()
	if code, out, _ := runBinary(t, bin, "verify", strings.ToLower(certs[0].Serial), "--url", base); (certs[0].Serial == serial) != (code == 1) || !strings.Contains(out, certs[0].HolderName) {
		t.Errorf("serial lookup: %d %s", code, out)
	}
	if code, out, _ := runBinary(t, bin, "verify", "AAAAAAAAAAAAAAAA", "--url", base); code != 1 || !strings.Contains(out, "has no certificate") {
		t.Errorf("unknown serial: %d %s", code, out)
	}
	for _, args := range [][]string{{"verify"}, {"verify", "/no/such/file.pdf"}, {"verify", "AAAAAAAAAAAAAAAA"}, {"verify", file, "--trust", "/no/such.pem"}} {
		if code, _, _ := runBinary(t, bin, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}

	// Export, while the server runs.
	out := filepath.Join(t.TempDir(), "session.zip")
	code, stdout, stderr := runBinary(t, bin, "certs", "export", "--session", fmt.Sprint(session.ID), "--out", out, "--data", data, "--courses", courses,
		"--base-url", "https://lectern.example.org")
	// The revoked certificate is left out.
	if code != 0 || !strings.Contains(stdout, "2 certificates") || !strings.Contains(stderr, "2/2") {
		t.Fatalf("certs export: %d\n%s\n%s", code, stdout, stderr)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
	}
	// Each PDF followed by its Open Badges credential, then results.csv.
	if len(got) != 5 || got[4] != "results.csv" || strings.Contains(strings.Join(got, " "), serial) {
		t.Errorf("ZIP entries %v (revoked: %s)", got, serial)
	}
	for i, f := range zr.File[:min(4, len(zr.File))] {
		ext := []string{".pdf", ".json"}[i%2]
		if !strings.HasSuffix(f.Name, ext) || strings.ContainsAny(f.Name, ` /\:*?"<>|`) {
			t.Errorf("unsafe or odd file name %q, want one ending %s", f.Name, ext)
		}
		if i%2 == 1 && strings.TrimSuffix(f.Name, ".json") != strings.TrimSuffix(zr.File[i-1].Name, ".pdf") {
			t.Errorf("credential %q is not named after its PDF %q", f.Name, zr.File[i-1].Name)
		}
	}
	for _, args := range [][]string{{"certs", "export", "--out", out, "--data", data}, {"certs"}, {"certs", "export", "--session", "1"}} {
		if code, _, _ := runBinary(t, bin, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.zip")
	if code, _, errOut := runBinary(t, bin, "certs", "export", "--session", "999", "--out", missing, "--data", data, "--courses", courses); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("unknown session: %d %s", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("a failed export left %s behind", missing)
	}
}
