package web

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/secrets"
)

// TestSeveralProcesses_CourseEditAndRegrade_PostgreSQL: two processes on one
// PostgreSQL database, each reading a courses folder of its own (two images
// during a deploy, or two copies of a trainer's folder). The trainer edits the
// quiz in A's folder: B serves that version too, so a quiz started on B
// freezes it. An attempt started on A is saved and submitted on B, scored by
// the questions it froze. A regrade applied on A is what B shows at once: the
// open attempt's new points, the submitted one's new score and the results.
func TestSeveralProcesses_CourseEditAndRegrade_PostgreSQL(t *testing.T) {
	dsn := postgresDSN(t)
	var o app.Options // one deployment: the same keys on every process
	var err error
	if o.Signer, _, err = certify.LoadOrCreateKey(t.TempDir(), ""); err != nil {
		t.Fatal(err)
	}
	if o.Secrets, _, err = secrets.LoadOrCreate(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	folder := func() string {
		dir := t.TempDir()
		if err := os.CopyFS(dir, courses.FS); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(filepath.Join(dir, "secret"), os.DirFS("testdata/courses/secret")); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dirA, dirB := folder(), folder()
	a := startServerFull(t, os.DirFS(dirA), Config{}, o, dsn, io.Discard)
	b := startServerFull(t, os.DirFS(dirB), Config{}, o, dsn, io.Discard)
	qw := newQuizWorldOn(t, newWorldOn(t, a))
	qw.at(time.Hour)
	b.fixClock(qw.day.Add(time.Hour))
	hashOf := func(ts *testServer) string {
		c, ok := ts.Library.Course("secret")
		if !ok {
			t.Fatal("the secret course is not served")
		}
		return c.Hash
	}
	if hashOf(a) != hashOf(b) {
		t.Fatal("the two folders start as one version")
	}
	attempts := func(id int64) string { return fmt.Sprintf("/api/v1/attempts/%d", id) }

	// Officer B starts on A and submits on A with the key as it is.
	vB := qw.start(t, qw.officerB)
	for q, answer := range map[string]any{"pick": map[string]any{"choices": []string{choiceID(vB, "pick", "CORRECT")}}, "type": map[string]any{"text": "SHORT-ANSWER-2b8"}} {
		if res, body := a.api(t, qw.officerB, "PUT", attempts(vB.ID)+"/answers/"+q, answer); res.StatusCode != 200 {
			t.Fatalf("officer B saves %s on A: %d %s", q, res.StatusCode, body)
		}
	}
	if res, body := a.api(t, qw.officerB, "POST", attempts(vB.ID)+"/submit", nil); res.StatusCode != 200 || !strings.Contains(body, `"score":2,"max_score":3`) {
		t.Fatalf("officer B submits on A: %d %s", res.StatusCode, body)
	}
	// Officer A starts on A, then answers on B (the balancer sent them there).
	vA := qw.start(t, qw.officerA)
	if res, body := b.api(t, qw.officerA, "PUT", attempts(vA.ID)+"/answers/pick", map[string]any{"choices": []string{choiceID(vA, "pick", "WRONG")}}); res.StatusCode != 200 {
		t.Fatalf("officer A saves on B: %d %s", res.StatusCode, body)
	}
	if _, body := b.api(t, qw.officerA, "GET", attempts(vA.ID), nil); decode[attempt.View](t, body).ContentHash != vA.ContentHash {
		t.Fatalf("B shows officer A's attempt with other questions: %s", body)
	}

	// The trainer fixes the quiz in A's folder: "pick"'s key was reversed, and
	// "count" is worth 2. A reads it; B serves it as soon as it is told.
	quizFile := filepath.Join(dirA, "secret", "01-m.quiz.md")
	src, err := os.ReadFile(quizFile)
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.NewReplacer("- [ ] WRONG-CHOICE-a41", "- [x] WRONG-CHOICE-a41", "- [x] CORRECT-CHOICE-7f3", "- [ ] CORRECT-CHOICE-7f3",
		"## Count it {#count}", "## Count it {#count} {points=2}").Replace(string(src))
	if err := os.WriteFile(quizFile, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.Library.Reload(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); hashOf(b) != hashOf(a); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("B still serves %.12s 10 s after A published %.12s", hashOf(b), hashOf(a))
		}
	}
	c, _ := b.Library.Course("secret")
	if c.Module("01-m").Quiz.Points() != 4 {
		t.Errorf("B serves the edited version's hash but %d points", c.Module("01-m").Quiz.Points())
	}

	// A regrade on A: officer B's submitted attempt (pick now wrong: 1 of 4)
	// and officer A's open one get the fixed key.
	regrade := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/regrade", qw.sessionID)
	_, body := a.api(t, qw.trainerTok, "POST", regrade, nil)
	preview := decode[attempt.Regrade](t, body)
	if preview.Open != 1 || len(preview.Rows) != 1 {
		t.Fatalf("preview on A: %s", body)
	}
	// Confirmed on B: it serves the same version, so the preview's hash holds.
	if res, body := b.api(t, qw.trainerTok, "POST", regrade, map[string]string{"confirm": preview.ContentHash, "reason": "key reversed; counting is worth 2"}); res.StatusCode != 200 {
		t.Fatalf("apply on B what A previewed: %d %s", res.StatusCode, body)
	}
	_, body = a.api(t, qw.officerA, "GET", attempts(vA.ID), nil) // A: the process that did not apply it
	for _, q := range decode[attempt.View](t, body).Questions {
		if q.ID == "count" && q.Points != 2 {
			t.Errorf("officer A's open attempt on A right after the regrade on B: count is worth %d, want 2", q.Points)
		}
	}
	if res, body := a.api(t, qw.officerA, "PUT", attempts(vA.ID)+"/answers/count", map[string]any{"number": 4242}); res.StatusCode != 200 {
		t.Fatalf("officer A saves on A: %d %s", res.StatusCode, body)
	}
	if res, body := b.api(t, qw.officerA, "PUT", attempts(vA.ID)+"/answers/type", map[string]any{"text": "short-answer-2b8"}); res.StatusCode != 200 {
		t.Fatalf("officer A saves on B: %d %s", res.StatusCode, body)
	}
	if res, body := b.api(t, qw.officerA, "POST", attempts(vA.ID)+"/submit", nil); res.StatusCode != 200 || !strings.Contains(body, `"score":4,"max_score":4`) {
		t.Errorf("officer A submits on B: %d %s, want 4 of 4 with the fixed key", res.StatusCode, body)
	}
	for _, ts := range []*testServer{a, b} {
		if _, body := ts.api(t, qw.officerB, "GET", attempts(vB.ID), nil); !strings.Contains(body, `"score":1,"max_score":4`) {
			t.Errorf("officer B's regraded attempt read on %s: %s, want 1 of 4", ts.URL, body)
		}
		_, csv := ts.api(t, qw.trainerTok, "GET", fmt.Sprintf("/api/v1/sessions/%d/results.csv", qw.sessionID), nil)
		if !strings.Contains(csv, "25") || !strings.Contains(csv, "100") {
			t.Errorf("results read on %s do not show the regraded scores (25%% and 100%%):\n%s", ts.URL, csv)
		}
	}

	// A quiz started on B now freezes the version A published.
	qw.world.ts = b
	if res, _ := b.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/exceptions", qw.sessionID),
		map[string]any{"user_id": qw.officerAID, "extra_attempts": 1, "reason": "second try"}); res.StatusCode != 200 {
		t.Fatalf("grant a second attempt: %d", res.StatusCode)
	}
	again := qw.start(t, qw.officerA)
	if again.ContentHash == vA.ContentHash {
		t.Errorf("a quiz started on B after the edit froze the old version %.12s", again.ContentHash)
	}
}
