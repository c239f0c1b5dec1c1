package attempt

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// oneCourse serves one course; a test swaps it to play a trainer's fix.
type oneCourse struct{ c *course.Course }

func (o *oneCourse) Course(id string) (*course.Course, bool) { return o.c, o.c != nil && o.c.ID == id }

// regradeCourse is a one-quiz course whose question "pick" has the key given.
func regradeCourse(t *testing.T, key string) *course.Course {
	t.Helper()
	choices := map[string]string{"a": "- [x] Recommendation 10\n- [ ] Recommendation 16\n", "b": "- [ ] Recommendation 10\n- [x] Recommendation 16\n"}[key]
	c, probs := course.FromFiles("c", map[string][]byte{
		"course.md":    []byte("---\ntitle: C\nsummary: S\n---\n"),
		"01-m.md":      []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n"),
		"01-m.quiz.md": []byte("---\ntitle: Q\npass_mark: 50\n---\n\n## Which Recommendation sets the travel rule? {#pick}\n\n" + choices),
	})
	if c == nil || len(probs) > 0 || c.Module("01-m") == nil || c.Module("01-m").Quiz == nil {
		t.Fatalf("course did not load: %v", probs)
	}
	return c
}

// regradeWorld is a session of course c with an admin and three enrolled
// officers, on a real database.
type regradeWorld struct {
	db       *store.DB
	svc      *Service
	courses  *oneCourse
	admin    *auth.Actor
	session  int64
	officers []int64
}

func newRegradeWorld(t *testing.T, dsn string) *regradeWorld {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := testfixture.Open(t, dsn)
	w := &regradeWorld{db: db, courses: &oneCourse{c: regradeCourse(t, "a")}}
	w.svc = NewService(db, w.courses, schedule.Access{}, nil, log)
	admin := &store.User{Email: "admin@lectern.example", Name: "Admin", Role: string(auth.RoleAdmin)}
	if err := db.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	w.admin = &auth.Actor{UserID: admin.ID, Role: auth.RoleAdmin, Name: admin.Name, Email: admin.Email}
	ag := &store.Agency{Name: "Agency Alpha", Country: "FR"}
	if err := db.CreateAgency(ctx, ag); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Ana Novak", "Jonas Berg", "Mia Laine"} {
		u := &store.User{Email: name[:3] + "@police.example", Name: name, Role: string(auth.RoleOfficer), AgencyID: &ag.ID}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		w.officers = append(w.officers, u.ID)
	}
	now := time.Now().UTC()
	err := db.Tx(ctx, func(q store.Q) error {
		ts := &store.TrainingSession{CourseID: "c", Date: now.Format("2006-01-02"), StartTime: "00:00", EndTime: "23:59", Timezone: "UTC",
			StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), Capacity: 10, Status: "in_progress", CheckinSecret: []byte("0123456789abcdef"), CreatedBy: admin.ID}
		if err := q.CreateSession(ts); err != nil {
			return err
		}
		w.session = ts.ID
		for _, id := range w.officers {
			if err := q.CreateEnrollment(&store.Enrollment{SessionID: ts.ID, UserID: id, Status: "enrolled"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// paper enters an officer's answer to "pick" as the trainer would from a sheet.
func (w *regradeWorld) paper(t *testing.T, officer int64, choice string) {
	t.Helper()
	_, err := w.svc.EnterPaper(context.Background(), w.admin, w.session, "01-m",
		PaperInput{UserID: officer, Answers: map[string]SaveInput{"pick": {Choices: []string{choice}}}, Reason: "paper sheet"})
	if err != nil {
		t.Fatal(err)
	}
}

// state is what a regrade may change: each attempt's key and score, and the
// audit log's regrade events.
func (w *regradeWorld) state(t *testing.T) (attempts []store.Attempt, events []string) {
	t.Helper()
	q := w.db.Read(context.Background())
	attempts, err := q.Attempts(w.session, "01-m", nil)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := q.SessionAuditEvents(w.session, []string{"attempt.regrade", "quiz.regrade"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		events = append(events, e.Action)
	}
	return attempts, events
}

// A preview writes nothing and says what applying it writes; applying it, in
// one transaction, writes what the attempts hold then (here one entered again
// after the preview), with the key the preview showed.
func TestRegrade_PreviewThenApply(t *testing.T) { testPreviewThenApply(t, testfixture.SQLite(t)) }

func TestRegrade_PreviewThenApply_PostgreSQL(t *testing.T) {
	testPreviewThenApply(t, testfixture.PostgresDSN(t))
}

func testPreviewThenApply(t *testing.T, dsn string) {
	ctx := context.Background()
	w := newRegradeWorld(t, dsn)
	choice := func(text string) string {
		for _, c := range w.courses.c.Module("01-m").Quiz.Questions[0].Choices {
			if c.Text == text {
				return c.ID
			}
		}
		t.Fatalf("no choice %q", text)
		return ""
	}
	r10, r16 := choice("Recommendation 10"), choice("Recommendation 16")
	w.paper(t, w.officers[0], r16) // right, marked wrong by the faulty key
	w.paper(t, w.officers[1], r10) // wrong, marked right
	// Mia is still answering online, on the faulty key.
	old := w.courses.c.Module("01-m").Quiz
	snap, err := json.Marshal(quiz.Snapshot(old, 0))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	open := &store.Attempt{SessionID: w.session, QuizID: "01-m", UserID: w.officers[2], Number: 1, ContentHash: old.Hash, CourseHash: w.courses.c.Hash,
		Questions: snap, PassMark: 50, StartedAt: now, Deadline: now.Add(time.Hour)}
	if err := w.db.Tx(ctx, func(q store.Q) error { return q.CreateAttempt(open) }); err != nil {
		t.Fatal(err)
	}

	w.courses.c = regradeCourse(t, "b") // the trainer fixes the key
	fixed := w.courses.c.Module("01-m").Quiz
	beforeAttempts, beforeEvents := w.state(t)

	t.Run("Preview", func(t *testing.T) {
		p, err := w.svc.PreviewRegrade(ctx, w.admin, w.session, "01-m", "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Applied || p.ContentHash != fixed.Hash || p.Version != w.courses.c.Hash || len(p.Rows) != 2 ||
			p.NowPass != 1 || p.NowFail != 1 || p.Changed != 2 || p.Open != 1 {
			t.Errorf("preview = %+v", p)
		}
		if len(p.Questions) != 1 || p.Questions[0].QuestionID != "pick" || !reflect.DeepEqual(p.Questions[0].Changes, []string{"key"}) {
			t.Errorf("questions = %+v", p.Questions)
		}
		// RegradeQuiz without Confirm is the same preview.
		if again, err := w.svc.RegradeQuiz(ctx, w.admin, w.session, "01-m", RegradeInput{}); err != nil || !reflect.DeepEqual(again, p) {
			t.Errorf("RegradeQuiz preview = %+v, %v; want %+v", again, err, p)
		}
		if got, events := w.state(t); !reflect.DeepEqual(got, beforeAttempts) || !reflect.DeepEqual(events, beforeEvents) {
			t.Errorf("the preview wrote: attempts %+v, events %v", got, events)
		}
	})

	t.Run("ApplyRefused", func(t *testing.T) {
		for name, in := range map[string]RegradeInput{
			"stale":     {Confirm: old.Hash, Reason: "wrong key"},
			"no reason": {Confirm: fixed.Hash, Reason: " "},
		} {
			_, err := w.svc.ApplyRegrade(ctx, w.admin, w.session, "01-m", in)
			want := map[string]apperr.Code{"stale": apperr.CodeConflict, "no reason": apperr.CodeInvalid}[name]
			if de, ok := apperr.As(err); !ok || de.Code != want {
				t.Errorf("%s: %v, want %s", name, err, want)
			}
		}
		if got, events := w.state(t); !reflect.DeepEqual(got, beforeAttempts) || !reflect.DeepEqual(events, beforeEvents) {
			t.Errorf("a refused apply wrote: attempts %+v, events %v", got, events)
		}
	})

	t.Run("Apply", func(t *testing.T) {
		// After the preview, Jonas's sheet is entered again (he ticked the
		// wrong box by mistake), now on the fixed key: the apply plans again
		// and finds it scored right already.
		w.paper(t, w.officers[1], r16)
		r, err := w.svc.ApplyRegrade(ctx, w.admin, w.session, "01-m", RegradeInput{Confirm: fixed.Hash, Reason: "the key said Recommendation 10"})
		if err != nil {
			t.Fatal(err)
		}
		// Jonas's result is already on the fixed key: it changes nothing.
		if !r.Applied || len(r.Rows) != 2 || r.NowPass != 1 || r.NowFail != 0 || r.Changed != 1 || r.Open != 1 {
			t.Errorf("applied = %+v", r)
		}
		attempts, events := w.state(t)
		for _, at := range attempts {
			if at.ContentHash != fixed.Hash {
				t.Errorf("attempt %d of user %d keeps content %s", at.ID, at.UserID, at.ContentHash)
			}
			if at.Finalised != "" && !at.Passed {
				t.Errorf("attempt %d of user %d (right on the fixed key) fails", at.ID, at.UserID)
			}
		}
		if want := []string{"attempt.regrade", "quiz.regrade"}; !reflect.DeepEqual(events, want) {
			t.Errorf("audit events = %v, want %v", events, want)
		}
		p, err := w.svc.PreviewRegrade(ctx, w.admin, w.session, "01-m", "")
		if err != nil || p.Changed != 0 || p.Open != 0 || len(p.Questions) != 0 {
			t.Errorf("a preview after applying = %+v, %v; want nothing left to change", p, err)
		}
	})
}

// translatedCourse is a one-quiz course with a short-answer question whose
// French translation accepts frAnswers.
func translatedCourse(t *testing.T, frAnswers string) *course.Course {
	t.Helper()
	c, probs := course.FromFiles("c", map[string][]byte{
		"course.md":       []byte("---\ntitle: C\nsummary: S\n---\n"),
		"01-m.md":         []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n"),
		"01-m.quiz.md":    []byte("---\ntitle: Q\npass_mark: 50\n---\n\n## Name Bitcoin's consensus mechanism. {#pow}\n\n= proof of work\n"),
		"01-m.quiz.fr.md": []byte("---\ntitle: Q\n---\n\n## Nommez le mécanisme de consensus de Bitcoin. {#pow}\n\n" + frAnswers),
	})
	if c == nil || len(probs) > 0 || c.Module("01-m").Quiz == nil || !c.Module("01-m").Quiz.Has("fr") {
		t.Fatalf("course did not load with its French quiz: %v", probs)
	}
	return c
}

// TestRegrade_TranslationChangedAfterPreview: a translation's accepted answers
// score attempts in its language, so a reload that changes only
// 01-m.quiz.fr.md between preview and apply refuses the apply (409, nothing
// written), as a change to the course language's file does — while the hash
// attempts pin (the course language's file's) stays as it was.
func TestRegrade_TranslationChangedAfterPreview(t *testing.T) {
	ctx := context.Background()
	w := newRegradeWorld(t, testfixture.SQLite(t))
	w.courses.c = translatedCourse(t, "= preuve de travail\n")
	before := w.courses.c.Module("01-m").Quiz
	p, err := w.svc.PreviewRegrade(ctx, w.admin, w.session, "01-m", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentHash == before.Hash || p.ContentHash != translatedCourse(t, "= preuve de travail\n").Module("01-m").Quiz.VersionHash() {
		t.Fatalf("preview's content hash %q: want the quiz with its translation, stable across reloads", p.ContentHash)
	}
	w.courses.c = translatedCourse(t, "= preuve de travail\n= preuve d'enjeu\n") // only the French file changed
	after := w.courses.c.Module("01-m").Quiz
	if after.Hash != before.Hash {
		t.Errorf("the hash attempts pin changed with a translation: %q → %q", before.Hash, after.Hash)
	}
	beforeAttempts, beforeEvents := w.state(t)
	_, err = w.svc.ApplyRegrade(ctx, w.admin, w.session, "01-m", RegradeInput{Confirm: p.ContentHash, Reason: "accept a French synonym"})
	if de, ok := apperr.As(err); !ok || de.Code != apperr.CodeConflict || de.ID != "err.regrade.quiz_changed" {
		t.Fatalf("apply after the translation changed: %v, want the conflict err.regrade.quiz_changed", err)
	}
	if got, events := w.state(t); !reflect.DeepEqual(got, beforeAttempts) || !reflect.DeepEqual(events, beforeEvents) {
		t.Errorf("a refused apply wrote: attempts %+v, events %v", got, events)
	}
	// Previewed again, the new version applies.
	p, err = w.svc.PreviewRegrade(ctx, w.admin, w.session, "01-m", "")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := w.svc.ApplyRegrade(ctx, w.admin, w.session, "01-m", RegradeInput{Confirm: p.ContentHash, Reason: "accept a French synonym"}); err != nil || !r.Applied {
		t.Errorf("apply after a fresh preview: %+v, %v", r, err)
	}
}
