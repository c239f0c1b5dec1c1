package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestUserAdd(t *testing.T) {
	data := t.TempDir()
	add := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"user", "add", "--data", data}, args...), strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := add("a long trainer password\n", "--email", "Trainer@Example.org", "--name", "Zoë Trainer", "--role", "trainer")
	if code != 0 || !strings.Contains(out, "created trainer trainer@example.org") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := add("a long trainer password\n", "--email", "trainer@example.org", "--name", "Again", "--role", "trainer"); code != 1 || !strings.Contains(errs, "email") {
		t.Errorf("duplicate: exit %d %s", code, errs)
	}
	if code, _, errs := add("short\n", "--email", "x@example.org", "--name", "X", "--role", "officer", "--agency", "42"); code != 1 || !strings.Contains(errs, "password") || !strings.Contains(errs, "agency_id") {
		t.Errorf("bad input: exit %d %s", code, errs)
	}
	if code, _, errs := add("", "--email", "y@example.org", "--name", "Y", "--role", "trainer"); code != 2 || !strings.Contains(errs, "standard input") {
		t.Errorf("no password: exit %d %s", code, errs)
	}
	var out2, errb bytes.Buffer
	if code := run(context.Background(), []string{"user", "add", "--data", filepath.Join(data, "nope"), "--email", "z@example.org", "--name", "Z", "--role", "trainer"}, strings.NewReader("a long password here\n"), &out2, &errb); code != 1 || !strings.Contains(errb.String(), "no data directory") {
		t.Errorf("missing data dir: exit %d %s", code, errb.String())
	}
}

var generatedPassword = regexp.MustCompile(`password: (\S+)`)

func TestServe_FirstStartCreatesAdminOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	t.Setenv("LECTERN_ADMIN_EMAIL", "") // set but empty: no admin configured
	data := t.TempDir()
	var stdout lockedBuffer
	cmd, url, logs := startBinaryWithStdout(t, bin, &stdout, "--data", data)
	m := generatedPassword.FindStringSubmatch(stdout.String())
	if m == nil || !strings.Contains(stdout.String(), "admin@localhost") {
		t.Fatalf("no generated admin password printed:\n%s\n%s", stdout.String(), logs)
	}
	if strings.Contains(logs.String(), m[1]) {
		t.Errorf("the generated password was written to the log")
	}
	body, _ := json.Marshal(map[string]string{"email": "admin@localhost", "password": m[1]})
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("login with the generated password: %d", res.StatusCode)
	}
	cmd.Process.Kill()
	cmd.Wait()

	stdout.Reset()
	startBinaryWithStdout(t, bin, &stdout, "--data", data)
	if strings.Contains(stdout.String(), "password") {
		t.Errorf("second start printed a password again:\n%s", stdout.String())
	}
}

func TestServe_AdminFromEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	t.Setenv("LECTERN_ADMIN_EMAIL", "chief@agency.example")
	t.Setenv("LECTERN_ADMIN_PASSWORD", "a very long admin password")
	var stdout lockedBuffer
	_, url, _ := startBinaryWithStdout(t, bin, &stdout, "--data", t.TempDir())
	body, _ := json.Marshal(map[string]string{"email": "chief@agency.example", "password": "a very long admin password"})
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || strings.Contains(stdout.String(), "password:") {
		t.Errorf("login as the configured admin: %d; stdout %q", res.StatusCode, stdout.String())
	}
}

// startBinaryWithStdout is startBinary that also captures standard output.
func startBinaryWithStdout(t *testing.T, bin string, stdout io.Writer, args ...string) (*exec.Cmd, string, *lockedBuffer) {
	t.Helper()
	orig := stdoutFor
	stdoutFor = stdout
	defer func() { stdoutFor = orig }()
	cmd, url, logs := startBinary(t, bin, args...)
	time.Sleep(50 * time.Millisecond) // stdout is written before "listening"; let the copy finish
	return cmd, url, logs
}

// lockedBuffer is written by the child's output copier and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}
