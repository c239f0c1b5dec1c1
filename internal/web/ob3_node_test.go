package web

// Open Badges 3.0 credentials checked by someone else's code: Digital Bazaar's
// reference libraries (@digitalbazaar/vc, data-integrity,
// eddsa-rdfc-2022-cryptosuite, vc-bitstring-status-list), run by
// testdata/ob3-verifier/verify.mjs against a real server on loopback. The
// verifier's document loader reads the JSON-LD contexts from internal/vc's
// vendored files and resolves our did:web and status lists over HTTP from the
// server, nothing else. .ci/run installs node and the locked packages.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ob3VerifierDir is the Node project of verify.mjs, relative to this package.
const ob3VerifierDir = "testdata/ob3-verifier"

// ob3Verdict is the line verify.mjs prints.
type ob3Verdict struct {
	Verified           bool
	Error              string
	Issuer             string
	VerificationMethod string
	Status             []struct {
		StatusPurpose string
		Status        bool
	}
}

// needOB3Verifier returns node's path, or skips the test (fails it under CI)
// when node or the verifier's packages (npm ci in testdata/ob3-verifier) are
// missing.
func needOB3Verifier(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(ob3VerifierDir, "node_modules", "@digitalbazaar", "vc", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the OB 3.0 verifier must run in CI (node, and npm ci in internal/web/%s): %v", ob3VerifierDir, err)
		}
		t.Skipf("no OB 3.0 verifier (node, and npm ci in internal/web/%s): %v", ob3VerifierDir, err)
	}
	return node
}

// verifyWithNode runs verify.mjs on credential with args (--base URL, --now …,
// or --proof-only) and returns its verdict. A usage or set-up error (exit 2),
// or anything but a verdict, fails the test: a refusal must come from the
// libraries judging the credential.
func verifyWithNode(t *testing.T, node string, credential []byte, args ...string) ob3Verdict {
	t.Helper()
	file := filepath.Join(t.TempDir(), "credential.json")
	if err := os.WriteFile(file, credential, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append(append([]string{"verify.mjs"}, args...), file)...)
	cmd.Dir = ob3VerifierDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("verify.mjs %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	var v ob3Verdict
	if jerr := json.Unmarshal(stdout.Bytes(), &v); jerr != nil {
		t.Fatalf("verify.mjs printed %q (stderr %q): %v", stdout.String(), stderr.String(), jerr)
	}
	if v.Verified != (err == nil) {
		t.Fatalf("verify.mjs exit %v but verdict %+v", err, v)
	}
	return v
}

// TestOB3Node_W3CVectors: the W3C vc-di-eddsa eddsa-rdfc-2022 test vectors
// (vendored by internal/vc) verify with Digital Bazaar's libraries through the
// same loader and contexts, and refuse one changed character. This checks the
// verifier itself before it judges our credentials.
func TestOB3Node_W3CVectors(t *testing.T) {
	node := needOB3Verifier(t)
	for _, name := range []string{"signedDataInt.json", "employ/signedDataInt.json"} {
		t.Run(name, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("..", "vc", "testdata", "vc-di-eddsa", filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}
			if v := verifyWithNode(t, node, doc, "--proof-only"); !v.Verified {
				t.Fatalf("the W3C vector does not verify: %s", v.Error)
			}
			changed := bytes.Replace(doc, []byte(`"validFrom": "20`), []byte(`"validFrom": "19`), 1)
			if bytes.Equal(changed, doc) {
				t.Fatal("the vector has no validFrom to change")
			}
			if v := verifyWithNode(t, node, changed, "--proof-only"); v.Verified || !strings.Contains(v.Error, "Invalid signature") {
				t.Errorf("a changed validFrom: %+v, want refused for its signature", v)
			}
		})
	}
}
