package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// waits records what ObserveWriterWait reports.
type waits struct {
	mu   sync.Mutex
	list []time.Duration
}

func (w *waits) observe(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, d)
}

func (w *waits) snapshot() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.list...)
}

// TestWriterWait_Observed: every write reports its wait for the writer, and an
// autosave queued behind a transaction holding SQLite's one writer connection
// reports the time it queued.
func TestWriterWait_Observed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Now().UTC()
	at := newTestAttempt(t, db, now)
	var w waits
	db.ObserveWriterWait(w.observe)

	// The transaction holds the writer until the save is seen queued for it
	// (the pool's wait count goes up), then hold longer: the save's wait is at
	// least hold however late its goroutine was scheduled.
	const hold = 200 * time.Millisecond
	pool, err := db.W.DB()
	if err != nil {
		t.Fatal(err)
	}
	in := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(ctx, func(q Q) error {
			waiting := pool.Stats().WaitCount
			close(in)
			for deadline := time.Now().Add(10 * time.Second); pool.Stats().WaitCount == waiting; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					return fmt.Errorf("the save never queued for the writer")
				}
			}
			time.Sleep(hold)
			return nil
		})
	}()
	<-in
	ok, err := db.SaveAnswerIfNewer(ctx, &AttemptAnswer{AttemptID: at.ID, QuestionID: "q1", Answer: []byte(`{}`), Seq: 1}, now)
	if err != nil || !ok {
		t.Fatalf("save behind the transaction: %v %v", ok, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := db.CreateLoginSession(ctx, &LoginSession{TokenHash: "h", UserID: at.UserID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got := w.snapshot()
	if len(got) != 3 {
		t.Fatalf("%d waits observed for a transaction, an autosave and a session, want 3: %v", len(got), got)
	}
	if got[1] < hold {
		t.Errorf("the autosave queued behind a transaction held %v after it queued reported a wait of %v", hold, got[1])
	}
	// Relative, not absolute: a free write may be descheduled on a busy
	// machine, but not for as long as the queued one waited.
	if got[0] >= got[1] || got[2] >= got[1] {
		t.Errorf("writes with the writer free reported waits of %v and %v, the queued one %v", got[0], got[2], got[1])
	}
}

// TestWriterWait_PostgreSQL: writes on PostgreSQL's pool report their wait too.
func TestWriterWait_PostgreSQL(t *testing.T) {
	db := openTestPostgres(t)
	now := time.Now().UTC()
	at := newTestAttempt(t, db, now)
	var w waits
	db.ObserveWriterWait(w.observe)
	if _, err := db.SaveAnswerIfNewer(context.Background(), &AttemptAnswer{AttemptID: at.ID, QuestionID: "q1", Answer: []byte(`{}`), Seq: 1}, now); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(context.Background(), func(q Q) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(w.snapshot()); n != 2 {
		t.Errorf("%d waits observed, want 2", n)
	}
}
