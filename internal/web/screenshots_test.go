package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/demo"
	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/store"
)

// TestScreenshots regenerates the README's screenshots in headless Chromium from
// the real app holding the demo of `lectern serve --demo`, so they show what a
// newcomer sees (scripts/screenshots.sh):
//
//	LECTERN_SCREENSHOTS=$PWD/docs/screenshots go test ./internal/web -run TestScreenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("LECTERN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set LECTERN_SCREENSHOTS=DIR to regenerate the screenshots")
	}
	path := needChromium(t)
	ctx := context.Background()
	// The real binary, as a newcomer starts it: `lectern serve --demo`.
	bin := filepath.Join(t.TempDir(), "lectern")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/lectern").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v %s", err, out)
	}
	data := t.TempDir()
	cmd := exec.Command(bin, "serve", "--demo", "--data", data, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "LECTERN_LOG_FORMAT=text")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	listening := regexp.MustCompile(`msg=listening addr=(\S+)`)
	var base string
	sc := bufio.NewScanner(stderr)
	for base == "" && sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		t.Fatal("the demo server did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	db, err := store.Open(ctx, filepath.Join(data, "lectern.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	logins, err := demo.Logins(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	login := map[string]credentials{}
	for _, l := range logins {
		if _, seen := login[l.Role+l.Country]; !seen {
			login[l.Role+l.Country] = credentials{l.Email, l.Password}
		}
	}
	sessions, err := db.Read(ctx).Sessions(store.SessionFilter{CourseID: demo.CourseID})
	if err != nil || len(sessions) != 2 {
		t.Fatalf("demo sessions: %d %v", len(sessions), err)
	}
	var today, past int64
	for _, s := range sessions {
		if s.Status == "closed" {
			past = s.ID
		} else {
			today = s.ID
		}
	}
	capture := func(b *browserTab, name string) {
		t.Helper()
		img := tabRun(b, "screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot := func(b *browserTab, name string, width, height int64, url string) {
		t.Helper()
		b.do("viewport", chromedp.EmulateViewport(width, height))
		b.do("open "+url, chromedp.Navigate(base+url))
		time.Sleep(300 * time.Millisecond)
		capture(b, name)
	}

	anonymous := newBrowserTab(t, path)
	shot(anonymous, "login-desktop.png", 1280, 1000, "/login")

	trainer := newBrowserTab(t, path)
	trainer.signIn(base, login["trainer"])
	shot(trainer, "module-desktop.png", 1280, 900, "/courses/crypto-crime/01-blockchain")
	shot(trainer, "session-trainer-desktop.png", 1280, 1100, fmt.Sprintf("/sessions/%d", today))
	shot(trainer, "results-desktop.png", 1280, 1500, fmt.Sprintf("/sessions/%d/results", today))
	shot(trainer, "attendance-tablet.png", 820, 1180, fmt.Sprintf("/sessions/%d/attendance", today))
	shot(trainer, "projector.png", 1920, 1080, fmt.Sprintf("/sessions/%d/projector", today))
	// The trainer's exceptions and paper entry, on the tablet used in the room.
	enrolled, err := db.Read(ctx).Enrollments(today, nil)
	if err != nil || len(enrolled) == 0 {
		t.Fatalf("the demo's session has no enrolments (%v)", err)
	}
	shot(trainer, "quiz-officers-tablet.png", 820, 1180, fmt.Sprintf("/sessions/%d/quizzes/01-blockchain/officers", today))
	shot(trainer, "paper-tablet.png", 820, 1180, fmt.Sprintf("/sessions/%d/quizzes/01-blockchain/paper/%d?version=2", today, enrolled[0].UserID))

	coordinator := newBrowserTab(t, path)
	coordinator.signIn(base, login["coordinatorFR"])
	shot(coordinator, "certificates-desktop.png", 1280, 1300, fmt.Sprintf("/sessions/%d", past))

	officer := newBrowserTab(t, path)
	officer.signIn(base, login["officerFR"])
	shot(officer, "module-phone.png", 390, 844, "/courses/crypto-crime/02-tracing")
	shot(officer, "session-phone.png", 390, 844, fmt.Sprintf("/sessions/%d", today))
	shot(officer, "dashboard-phone.png", 390, 844, "/")
	officer.do("viewport", chromedp.EmulateViewport(390, 844))
	officer.do("open quizzes", chromedp.Navigate(fmt.Sprintf("%s/sessions/%d/quizzes", base, today)))
	attempt := officer.navigate("start", chromedp.Click(chromedp.CSS(`form[action$="/quizzes/01-blockchain/start"] button[type=submit]`)))
	officer.do("answer", chromedp.Click(chromedp.CSS(`fieldset[data-type=single] label.choice`)))
	time.Sleep(800 * time.Millisecond)
	capture(officer, "quiz-phone.png")
	// The same officer chooses Hebrew in the header: the pages are laid out
	// right to left.
	officer.do("open the dashboard", chromedp.Navigate(base+"/"))
	officer.do("open the language list", chromedp.Click(chromedp.CSS(`#language-header > summary`)))
	officer.navigate("choose Hebrew", chromedp.Click(chromedp.CSS(`#language-header button[value=he]`)))
	shot(officer, "dashboard-phone-he.png", 390, 844, "/")
	shot(officer, "session-phone-he.png", 390, 844, fmt.Sprintf("/sessions/%d", today))
	// The quiz in Hebrew: the interface right to left around the course's
	// English questions, an answer changed and saved.
	officer.do("open the quiz", chromedp.Navigate(base+attempt))
	officer.do("answer", chromedp.Click(chromedp.CSS(`fieldset[data-type=single] label.choice:nth-of-type(2)`)))
	time.Sleep(800 * time.Millisecond)
	// From the top, whichever question the shuffle put first: the header,
	// the title, the timer bar and the first question.
	officer.do("scroll to the top", chromedp.Evaluate[chromedp.Void](`scrollTo(0, 0)`))
	time.Sleep(200 * time.Millisecond)
	capture(officer, "quiz-phone-he.png")

	// A certificate of last week's session, as the coordinator downloads it.
	certs, err := db.Read(ctx).Certificates(store.CertificateFilter{SessionID: &past})
	if err != nil || len(certs) == 0 {
		t.Fatalf("the demo's past session has no certificates (%v)", err)
	}
	coordinator.do("viewport", chromedp.EmulateViewport(1280, 900))
	var pdf []byte
	client := &http.Client{}
	res, err := client.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, login["coordinatorFR"].Email, login["coordinatorFR"].Password)))
	if err != nil {
		t.Fatal(err)
	}
	tok := decodeReader[struct{ Token string }](t, res.Body).Token
	req, _ := http.NewRequest("GET", base+"/api/v1/certificates/"+certs[0].Serial+".pdf", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if res, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	pdf, _ = io.ReadAll(res.Body)
	res.Body.Close()
	file := filepath.Join(t.TempDir(), "certificate.pdf")
	os.WriteFile(file, pdf, 0o600)
	if out, err := exec.Command(pdftest.Tool(t, "pdftoppm"), "-png", "-r", "70", "-singlefile", file, filepath.Join(dir, "certificate")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
}

func decodeReader[T any](t *testing.T, r io.ReadCloser) T {
	t.Helper()
	defer r.Close()
	var v T
	if err := json.NewDecoder(r).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
