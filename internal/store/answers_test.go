package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// newTestAttempt stores an officer, a session and an open attempt started at now.
func newTestAttempt(t *testing.T, db *DB, now time.Time) *Attempt {
	t.Helper()
	ctx := context.Background()
	u := &User{Email: "o-" + now.Format("150405.000000000") + time.Now().Format("150405.000000000") + "@x.example", Name: "O", Role: "officer"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	ts := &TrainingSession{CourseID: "c", Date: "2026-12-03", StartTime: "09:00", EndTime: "17:00", Timezone: "UTC",
		StartsAt: now, EndsAt: now.Add(8 * time.Hour), Venue: "V", City: "C", Country: "FR", Capacity: 1, Status: "scheduled",
		CheckinSecret: []byte("s"), CreatedBy: u.ID}
	if err := db.Tx(ctx, func(q Q) error { return q.CreateSession(ts) }); err != nil {
		t.Fatal(err)
	}
	at := &Attempt{SessionID: ts.ID, QuizID: "q", UserID: u.ID, Number: 1, ContentHash: "h", CourseHash: "h", Questions: []byte("[]"),
		PassMark: 70, Review: "never", StartedAt: now, Deadline: now.Add(10 * time.Minute)}
	if err := db.Tx(ctx, func(q Q) error { return q.CreateAttempt(at) }); err != nil {
		t.Fatal(err)
	}
	return at
}

// testSaveAnswerIfNewer exercises the one-statement autosave on a database.
func testSaveAnswerIfNewer(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	at := newTestAttempt(t, db, now)
	save := func(seq int64, answer string, at2 time.Time) (bool, *AttemptAnswer) {
		rec := &AttemptAnswer{AttemptID: at.ID, QuestionID: "q1", Answer: []byte(answer), Seq: seq}
		ok, err := db.SaveAnswerIfNewer(ctx, rec, at2)
		if err != nil {
			t.Fatal(err)
		}
		return ok, rec
	}
	if ok, rec := save(5, `{"text":"a"}`, now); !ok || rec.Revision != 1 || rec.Seq != 5 {
		t.Errorf("first save: %v %+v", ok, rec)
	}
	if ok, rec := save(7, `{"text":"b"}`, now); !ok || rec.Revision != 2 {
		t.Errorf("newer save: %v %+v", ok, rec)
	}
	if ok, _ := save(6, `{"text":"stale"}`, now); ok {
		t.Errorf("a stale save was written")
	}
	if ok, _ := save(9, `{"text":"late"}`, now.Add(10*time.Minute)); ok {
		t.Errorf("a save at the deadline was written")
	}
	got, err := db.Read(ctx).Answer(at.ID, "q1")
	if err != nil || string(got.Answer) != `{"text":"b"}` || got.Seq != 7 || got.Revision != 2 {
		t.Errorf("stored %+v, %v", got, err)
	}
	at.Finalised = "submitted"
	if err := db.Tx(ctx, func(q Q) error { return q.SaveAttempt(at) }); err != nil {
		t.Fatal(err)
	}
	if ok, _ := save(10, `{"text":"after submit"}`, now); ok {
		t.Errorf("a save after submission was written")
	}
}

func TestSaveAnswerIfNewer_SQLite(t *testing.T) { testSaveAnswerIfNewer(t, openTest(t)) }

func TestSaveAnswerIfNewer_PostgreSQL(t *testing.T) { testSaveAnswerIfNewer(t, openTestPostgres(t)) }

// A save that arrives while a submit or a close is scoring the attempt (holding
// its row) must not be stored and acknowledged after the scorer read the
// answers: it waits, then finds the attempt finalised.
func TestSaveAnswerIfNewer_WaitsForTheScorer_PostgreSQL(t *testing.T) {
	db := openTestPostgres(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	at := newTestAttempt(t, db, now)
	type saved struct {
		ok  bool
		err error
	}
	done := make(chan saved, 1)
	err := db.Tx(ctx, func(q Q) error {
		locked, err := q.Attempt(at.ID, true) // as finalise does
		if err != nil {
			return err
		}
		go func() {
			ok, err := db.SaveAnswerIfNewer(ctx, &AttemptAnswer{AttemptID: at.ID, QuestionID: "q1", Answer: []byte(`{"text":"x"}`), Seq: 1}, now)
			done <- saved{ok, err}
		}()
		// Go on once the save has either finished (the bug) or is waiting for
		// this transaction's lock (the fix); never on a timer.
		for give := time.Now().Add(30 * time.Second); ; {
			if time.Now().After(give) {
				return errors.New("the save neither finished nor waited for the lock within 30 s")
			}
			var waiting int64
			if err := db.R.WithContext(ctx).Raw(`SELECT count(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO attempt_answers%'`).Scan(&waiting).Error; err != nil {
				return err
			}
			if waiting > 0 || len(done) > 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		locked.Finalised = "submitted"
		return q.SaveAttempt(locked)
	})
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.ok {
		t.Errorf("a save racing the scorer was stored and acknowledged, yet the scorer never saw it")
	}
	if _, err := db.Read(ctx).Answer(at.ID, "q1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("answer stored behind a finalised attempt: %v", err)
	}
}
