package vc

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// verifierDir is Digital Bazaar's reference verifier that CI installs (part D of
// issue 24); --proof-only checks a proof alone and resolves did:key itself.
const verifierDir = "../web/testdata/ob3-verifier"

// TestInterop_DigitalBazaarVerifiesOurProofs signs credentials holding what
// certificates hold — names in every script the PDFs print, quotes,
// backslashes, tabs and line breaks in course texts, whole and fractional hours
// — and has Digital Bazaar's libraries (jsonld + rdf-canonize + the
// eddsa-rdfc-2022 cryptosuite) verify them: json-gold and rdf-canonize must
// produce the same canonical N-Quads, byte for byte, or the signature fails
// there. It is how the control-character difference between the two was found.
func TestInterop_DigitalBazaarVerifiesOurProofs(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(verifierDir, "node_modules", "@digitalbazaar", "vc", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Digital Bazaar's verifier must run in CI (node, and npm ci in internal/web/testdata/ob3-verifier): %v", err)
		}
		t.Skipf("no Digital Bazaar verifier (node, and npm ci in internal/web/testdata/ob3-verifier): %v", err)
	}
	pub, priv := testKey()
	mk, err := MultikeyFromEd25519(pub)
	if err != nil {
		t.Fatal(err)
	}
	vm := "did:key:" + mk + "#" + mk
	build := func(name, narrative string, hours any) []byte {
		var m map[string]any
		if err := json.Unmarshal(readOB3(t), &m); err != nil {
			t.Fatal(err)
		}
		// --proof-only has no status list to check.
		delete(m, "credentialStatus")
		m["name"] = "Certificate — " + name
		cs := m["credentialSubject"].(map[string]any)
		cs["identifier"].([]any)[1].(map[string]any)["identityHash"] = name
		cs["creditsEarned"] = hours
		ach := cs["achievement"].(map[string]any)
		ach["creditsAvailable"] = hours
		ach["criteria"].(map[string]any)["narrative"] = narrative
		doc, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := Sign(doc, priv, ProofOptions{VerificationMethod: vm, Created: time.Date(2026, 12, 4, 17, 30, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	texts := "Attended \"the whole day\"\tand passed:\n- quiz 1 (70 %)\r\n- C:\\path \\u0041 {braces} <angle> `tick` ^ | ~"
	cases := []struct {
		name       string
		credential []byte
		want       bool
	}{
		{"Latin, Greek, Cyrillic; fractional hours", build("Dominique Fauré-Lindqvist Ελένη Παπαδοπούλου Дмитрий Шостакович", texts, 7.5), true},
		{"Hebrew, Hangul, emoji; whole hours", build("דנה כהן 김민준 Zoë 😀 O'Brien", "Aucune absence. Œuvre ß ﬁ", 7), true},
		{"a quarter of an hour", build("Ana", "n", 0.25), true},
		{"one character changed after signing", bytes.Replace(build("Ana", "n", 8), []byte(`"Ana"`), []byte(`"Ama"`), 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "credential.json")
			if err := os.WriteFile(file, c.credential, 0o600); err != nil {
				t.Fatal(err)
			}
			abs, err := filepath.Abs("contexts")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "verify.mjs", "--proof-only", "--contexts", abs, file)
			cmd.Dir = verifierDir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
				t.Fatalf("verify.mjs exit %d (%v): %s %s", code, err, stdout.String(), stderr.String())
			}
			var verdict struct {
				Verified bool   `json:"verified"`
				Error    string `json:"error"`
			}
			if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &verdict); err != nil {
				t.Fatalf("verify.mjs said %q: %v", stdout.String(), err)
			}
			if verdict.Verified != c.want {
				t.Fatalf("Digital Bazaar's verdict %v (%s), want %v", verdict.Verified, verdict.Error, c.want)
			}
			if !c.want && !strings.Contains(verdict.Error, "signature") {
				t.Errorf("refused for another reason than the signature: %s", verdict.Error)
			}
		})
	}
}
