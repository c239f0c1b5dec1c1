package web

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
)

// TestScreenshots regenerates the README's screenshots from the real app in
// headless Chromium when LECTERN_SCREENSHOTS names a folder:
//
//	LECTERN_SCREENSHOTS=$PWD/docs/screenshots go test ./internal/web -run TestScreenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("LECTERN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set LECTERN_SCREENSHOTS=DIR to regenerate the screenshots")
	}
	path := needChromium(t)
	w := newWorldWith(t, courses.FS)
	ts := w.ts
	ts.fixClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s := w.createSession(t, 30, map[string]any{"venue": "Cité internationale universitaire de Paris"})
	trainerTok := ts.token(t, w.trainer)
	names := []string{"Zoë Ångström", "김민준", "דוד כהן", "Γιώργος Παπαδόπουλος", "Иван Петров", "João da Silva", "Małgorzata Nowak", "Nguyễn Thị Lan"}
	var officers []credentials
	for i, n := range names {
		ag := &w.agencyA.ID
		if i%2 == 1 {
			ag = &w.agencyB.ID
		}
		c := ts.user(t, auth.RoleOfficer, ag, n)
		officers = append(officers, c)
		ts.api(t, trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": w.idOf(t, c)})
	}
	day := s.StartsAt
	ts.fixClock(day.Add(90 * time.Minute))
	for i, c := range officers[:6] {
		ts.api(t, trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", s.ID, w.idOf(t, c)), map[string]string{"status": []string{"present", "present", "late", "present", "absent", "present"}[i]})
	}
	// A spread of scores: officer i answers the first i+2 questions with the first choice.
	for i, c := range officers[:6] {
		tok := ts.token(t, c)
		_, body := ts.api(t, tok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-blockchain/attempts", s.ID), nil)
		v := decode[struct {
			ID        int64
			Questions []struct {
				ID, Type string
				Choices  []struct{ ID string }
			}
		}](t, body)
		for j, q := range v.Questions {
			if j > i*3+2 || len(q.Choices) == 0 {
				continue
			}
			ts.api(t, tok, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", v.ID, q.ID), map[string]any{"choices": []string{q.Choices[j%len(q.Choices)].ID}})
		}
		ts.api(t, tok, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil)
	}
	base := serveWithServerDate(t, ts, day.Add(90*time.Minute))
	shot := func(b *browserTab, name string, width, height int64, url string) {
		t.Helper()
		b.do("viewport", chromedp.EmulateViewport(width, height))
		b.do("open "+url, chromedp.Navigate(base+url))
		time.Sleep(300 * time.Millisecond)
		img := tabRun(b, "screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	trainer := newBrowserTab(t, path)
	trainer.signIn(base, w.trainer)
	shot(trainer, "module-desktop.png", 1280, 900, "/courses/crypto-crime/01-blockchain")
	shot(trainer, "results-desktop.png", 1280, 1500, fmt.Sprintf("/sessions/%d/results", s.ID))
	shot(trainer, "attendance-tablet.png", 820, 1180, fmt.Sprintf("/sessions/%d/attendance", s.ID))
	shot(trainer, "projector.png", 1920, 1080, fmt.Sprintf("/sessions/%d/projector", s.ID))
	officer := newBrowserTab(t, path)
	officer.signIn(base, officers[7])
	shot(officer, "module-phone.png", 390, 844, "/courses/crypto-crime/02-tracing")
	shot(officer, "session-phone.png", 390, 844, fmt.Sprintf("/sessions/%d", s.ID))
	officer.do("viewport", chromedp.EmulateViewport(390, 844))
	officer.do("open quizzes", chromedp.Navigate(fmt.Sprintf("%s/sessions/%d/quizzes", base, s.ID)))
	officer.navigate("start", chromedp.Click(chromedp.CSS(`form[action$="/quizzes/01-blockchain/start"] button[type=submit]`)))
	officer.do("answer", chromedp.Click(chromedp.CSS(`fieldset[data-type=single] label.choice`)))
	time.Sleep(800 * time.Millisecond)
	img := tabRun(officer, "screenshot", chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, "quiz-phone.png"), img, 0o644); err != nil {
		t.Fatal(err)
	}

}
