package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// inbox is a real SMTP server (github.com/emersion/go-smtp) keeping what it gets.
type inbox struct {
	mu   sync.Mutex
	msgs []string
}

func (in *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{in: in}, nil }

type inboxSession struct{ in *inbox }

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *inboxSession) Reset()                               {}
func (s *inboxSession) Logout() error                        { return nil }
func (s *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.in.mu.Lock()
	s.in.msgs = append(s.in.msgs, string(b))
	s.in.mu.Unlock()
	return err
}

func (in *inbox) received() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.msgs...)
}

// TestServe_SendsMailThroughSMTP: with LECTERN_SMTP_URL set, the real binary's
// sender delivers the invitation of an account created without a password.
func TestServe_SendsMailThroughSMTP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	in := &inbox{}
	srv := smtp.NewServer(in)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	t.Setenv("LECTERN_SMTP_URL", "smtp://127.0.0.1:"+strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)+"?tls=none&from=Lectern%20<noreply@lectern.test>")

	bin := buildBinary(t)
	_, url, logs := startBinary(t, bin, "--data", t.TempDir())
	res, err := http.Post(url+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"`+testAdminEmail+`","password":"`+testAdminPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	req, _ := http.NewRequest("POST", url+"/api/v1/users", strings.NewReader(`{"email":"minjun.kim@police.test","name":"김민준","role":"trainer"}`))
	req.Header.Set("Authorization", "Bearer "+login.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create user: %d", res.StatusCode)
	}
	deadline := time.Now().Add(20 * time.Second) // the sender polls every 5 s
	for len(in.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	got := in.received()
	if len(got) != 1 || !strings.Contains(got[0], "/activate/") || !strings.Contains(got[0], "Subject: Activate your Lectern account") {
		t.Fatalf("received %d messages:\n%s\nlogs:\n%s", len(got), strings.Join(got, "\n---\n"), logs)
	}
	// The sender logs "e-mail sent" once the SMTP server has answered the
	// message's end, which can be just after the inbox holds it.
	for !strings.Contains(logs.String(), "msg=\"e-mail sent\"") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "msg=\"sending e-mail\"") || !strings.Contains(logs.String(), "msg=\"e-mail sent\"") {
		t.Errorf("logs:\n%s", logs)
	}
	if status, body := adminGet(t, url, "/api/v1/outbox?status=sent"); status != 200 || !strings.Contains(body, "minjun.kim@police.test") {
		t.Errorf("outbox after sending: %d %s", status, body)
	}
}

func TestServe_BadSMTPURL(t *testing.T) {
	if code, _, stderr := runCmd(t, "serve", "--smtp-url", "http://mail.example.org"); code != 2 || !strings.Contains(stderr, "smtp-url") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	// --help shows no password taken from the environment.
	t.Setenv("LECTERN_SMTP_URL", "smtp://user:hunter2@mail.example.org?from=a@example.org")
	if _, _, stderr := runCmd(t, "serve", "-h"); strings.Contains(stderr, "hunter2") || !strings.Contains(stderr, "LECTERN_SMTP_URL") {
		t.Errorf("help:\n%s", stderr)
	}
}
