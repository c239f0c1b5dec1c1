package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/demo"
	"github.com/lectern-platform/lectern/internal/store"
)

const demoBanner = "Demo data — do not use for real training records."

// TestServe_Demo runs `lectern serve --demo` on a new data directory as a
// newcomer would: the logins table on stdout, the same accounts on the sign-in
// page, a one-click sign-in, the data through the API; then a restart with
// LECTERN_DEMO=1 shows the same demo without seeding it again, and a start
// without demo mode drops the banner.
func TestServe_Demo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Setenv("LECTERN_ADMIN_EMAIL", "") // a first start as a newcomer makes it: the demo admin
	t.Setenv("LECTERN_ADMIN_PASSWORD", "")
	bin := buildBinary(t)
	data := t.TempDir()
	out := &lockedBuffer{}
	cmd, base, logs := startBinaryWithStdout(t, bin, out, "--data", data, "--demo")

	stdout := out.String()
	for _, want := range []string{"Demo data seeded — do not use for real training records.", "ROLE", "E-MAIL", "PASSWORD",
		"admin@localhost", demo.AdminPassword, "claire.dubois@training.example", demo.TrainerPassword,
		"seojun.yoon@police-seoul.example", demo.CoordinatorPassword, "francois.muller@police-paris.example", demo.OfficerPassword,
		"김민준", "דניאל כהן", "Νίκος Παπαδόπουλος", "Олена Коваленко", "François Müller-Łukasiewicz", "12 certificates issued", "/sessions/1", "/sessions/2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	rows := map[string]int{}
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 3 && strings.Contains(f[2], "@") {
			rows[f[0]]++
		}
	}
	if rows["admin"] != 1 || rows["trainer"] != 1 || rows["coordinator"] != 2 || rows["officer"] != 12 {
		t.Errorf("table rows by role %v, want 1 admin, 1 trainer, 2 coordinators, 12 officers", rows)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := get(t, browser, base+"/login")
	for _, want := range []string{demoBanner, "Demo accounts", "claire.dubois", "@training.example", demo.TrainerPassword, "김민준", "דניאל כהן", demo.OfficerPassword,
		`name="email" value="francois.muller@police-paris.example"`} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %q", want)
		}
	}

	// The "Sign in" button of the first officer's row: a form of hidden fields.
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatal("no CSRF token on the login page")
	}
	res, err := browser.PostForm(base+"/login", url.Values{"csrf_token": {csrf[1]}, "next": {""},
		"email": {"francois.muller@police-paris.example"}, "password": {demo.OfficerPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("demo sign-in: %d\n%s", res.StatusCode, logs)
	}
	if home := get(t, browser, base+"/"); !strings.Contains(home, "François Müller-Łukasiewicz") || !strings.Contains(home, demoBanner) {
		t.Errorf("officer's dashboard lacks the name or the banner")
	}

	trainer := login(t, base, "claire.dubois@training.example", demo.TrainerPassword, http.DefaultClient)
	var sessions []struct {
		ID       int64
		City     string
		Status   string
		Enrolled int
	}
	if code, err := trainer.do("GET", "/api/v1/sessions", nil, "", &sessions); err != nil || code != http.StatusOK {
		t.Fatalf("sessions: %d %v", code, err)
	}
	if len(sessions) != 2 {
		t.Fatalf("%d sessions, want 2: %+v", len(sessions), sessions)
	}
	for _, s := range sessions {
		if s.Enrolled != 12 || (s.City == "Seoul") != (s.Status == "closed") {
			t.Errorf("session %+v", s)
		}
	}

	stop(t, cmd)
	t.Setenv("LECTERN_DEMO", "1")
	out.Reset()
	cmd, base, _ = startBinaryWithStdout(t, bin, out, "--data", data)
	if again := out.String(); !strings.Contains(again, "earlier start") || !strings.Contains(again, demo.OfficerPassword) || strings.Contains(again, "Demo data seeded") {
		t.Errorf("restart in demo mode printed:\n%s", again)
	}
	if page := get(t, http.DefaultClient, base+"/login"); !strings.Contains(page, demoBanner) || !strings.Contains(page, "김민준") {
		t.Error("restarted demo: no banner or logins on the login page")
	}
	trainer = login(t, base, "claire.dubois@training.example", demo.TrainerPassword, http.DefaultClient)
	if _, err := trainer.do("GET", "/api/v1/sessions", nil, "", &sessions); err != nil || len(sessions) != 2 {
		t.Errorf("after the restart: %d sessions, %v", len(sessions), err)
	}

	stop(t, cmd)
	t.Setenv("LECTERN_DEMO", "")
	_, base, _ = startBinary(t, bin, "--data", data)
	if page := get(t, http.DefaultClient, base+"/login"); strings.Contains(page, demoBanner) || strings.Contains(page, demo.OfficerPassword) {
		t.Error("without --demo the login page still shows the demo")
	}
}

// TestServe_DemoRefusesADatabaseInUse: the demo is never seeded next to real
// data; the server does not start, and says why and what to do.
func TestServe_DemoRefusesADatabaseInUse(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(data, "lectern.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	accounts := auth.NewService(db, slog.New(slog.DiscardHandler), auth.Options{})
	admin, _, err := accounts.EnsureAdmin(ctx, "admin@agency.example", "an operator's password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.CreateAgency(ctx, auth.ActorFor(admin), auth.NewAgency{Name: "Polismyndigheten", Country: "SE"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, stdout, stderr := runCmd(t, "serve", "--demo", "--data", data, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "--demo") || !strings.Contains(stderr, "new data directory") || strings.Contains(stdout, "ROLE") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	db, err = store.Open(ctx, filepath.Join(data, "lectern.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if c, _ := db.Contents(ctx); c != (store.Contents{Users: 1, Admins: 1, Agencies: 1}) {
		t.Errorf("the refused start changed the database: %+v", c)
	}

	t.Setenv("LECTERN_DEMO", "maybe")
	if code, _, stderr := runCmd(t, "serve", "--data", t.TempDir()); code != 2 || !strings.Contains(stderr, "LECTERN_DEMO") {
		t.Errorf("LECTERN_DEMO=maybe: exit %d, %s", code, stderr)
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	return string(b)
}

// stop ends a started server with SIGTERM and waits for it, so the next one
// can open the same database.
func stop(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(35 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
}
