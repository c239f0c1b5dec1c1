package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the real lectern binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lectern")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

const (
	testAdminEmail    = "admin@test.example"
	testAdminPassword = "test admin password"
)

// adminGet fetches a path as the configured admin, with a bearer token.
func adminGet(t *testing.T, base, path string) (int, string) {
	t.Helper()
	body := strings.NewReader(`{"email":"` + testAdminEmail + `","password":"` + testAdminPassword + `"}`)
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

// stdoutFor receives the next started binary's standard output (nil: discarded).
var stdoutFor io.Writer

// startBinary runs `lectern serve` on a free loopback port and returns its URL.
// The logs are written by the copier goroutine while the test reads them.
func startBinary(t *testing.T, bin string, args ...string) (*exec.Cmd, string, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "LECTERN_LOG_FORMAT=text")
	if _, set := os.LookupEnv("LECTERN_ADMIN_EMAIL"); !set {
		cmd.Env = append(cmd.Env, "LECTERN_ADMIN_EMAIL="+testAdminEmail, "LECTERN_ADMIN_PASSWORD="+testAdminPassword)
	}
	cmd.Stdout = stdoutFor
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	logs := &lockedBuffer{}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write([]byte(sc.Text() + "\n"))
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("server exited before listening:\n%s", logs)
		}
		return cmd, "http://" + a, logs
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start:\n%s", logs)
	}
	return nil, "", nil
}

func TestServe_RealBinaryStartsServesAndDrainsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	cmd, url, logs := startBinary(t, bin, "--data", data)

	for _, p := range []string{"/healthz", "/readyz", "/courses", "/courses/crypto-crime/01-blockchain"} {
		if status, _ := adminGet(t, url, p); status != http.StatusOK {
			t.Errorf("GET %s: %d", p, status)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "lectern.db")); err != nil {
		t.Errorf("no SQLite database in the data dir: %v", err)
	}
	if st, err := os.Stat(filepath.Join(data, "signing-key.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("no private signing key in the data dir: %v", err)
	}
	if st, err := os.Stat(filepath.Join(data, "secrets.key")); err != nil || st.Mode().Perm() != 0o600 || st.Size() != 32 {
		t.Errorf("no private secrets key in the data dir: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(35 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
	if !strings.Contains(logs.String(), "msg=stopped") || !strings.Contains(logs.String(), "msg=request") {
		t.Errorf("logs lack request or shutdown lines:\n%s", logs)
	}
}

func TestServe_CoursesDirIsWatched(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	write := func(title string) {
		os.MkdirAll(filepath.Join(dir, "mine"), 0o755)
		os.WriteFile(filepath.Join(dir, "mine", "course.md"), []byte("---\ntitle: Mine\nsummary: S\n---\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "mine", "01-a.md"), []byte("---\ntitle: "+title+"\nduration: 5m\n---\n\nText.\n"), 0o644)
	}
	write("Version one")
	_, url, logs := startBinary(t, bin, "--data", t.TempDir(), "--courses", dir)
	write("Version two")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, body := adminGet(t, url, "/courses/mine/01-a"); strings.Contains(body, "Version two") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("edited course not reloaded:\n%s", logs)
}

func TestServe_BadFlags(t *testing.T) {
	if code, _, stderr := runCmd(t, "serve", "--nope"); code != 2 || !strings.Contains(stderr, "flag provided but not defined") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "serve", "--data", t.TempDir(), "--courses", "/does/not/exist", "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(stderr, "not a readable directory") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "serve", "--idle-timeout", "soon"); code != 2 || !strings.Contains(stderr, "idle-timeout") {
		t.Errorf("bad --idle-timeout: exit %d, %q", code, stderr)
	}
	t.Setenv("LECTERN_IDLE_TIMEOUT", "ten minutes")
	if code, _, stderr := runCmd(t, "serve", "--data", t.TempDir()); code == 0 || !strings.Contains(stderr, "LECTERN_IDLE_TIMEOUT") {
		t.Errorf("bad LECTERN_IDLE_TIMEOUT: exit %d, %q", code, stderr)
	}
}

// A bad privacy policy stops serve before it opens anything, naming the file
// and line; a good one reaches the Config; without one, the defaults.
func TestServe_PrivacyPolicyFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "privacy.yaml")
	if err := os.WriteFile(bad, []byte("retention:\n  answers: forever\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, "serve", "--data", t.TempDir(), "--privacy", bad); code == 0 || !strings.Contains(stderr, bad+":2: retention.answers") {
		t.Errorf("bad --privacy: exit %d, %q", code, stderr)
	}
	good := filepath.Join(t.TempDir(), "privacy.yaml")
	if err := os.WriteFile(good, []byte("controller:\n  name: Programme Office\ncertificate_names: keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LECTERN_PRIVACY_FILE", good)
	cfg, err := parseServeConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Privacy.Controller.Name != "Programme Office" || cfg.Privacy.CertificateNames != "keep" {
		t.Errorf("LECTERN_PRIVACY_FILE not read: %+v", cfg.Privacy)
	}
	t.Setenv("LECTERN_PRIVACY_FILE", "")
	if cfg, err = parseServeConfig(nil, io.Discard); err != nil || cfg.Privacy.CertificateNames != "erase" {
		t.Errorf("no policy file: %+v, %v", cfg.Privacy, err)
	}
}
