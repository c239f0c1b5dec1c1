package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// testColdBurst is the 09:00 burst on a freshly started server, when no
// statement has been run yet: every writer connection is held by a transaction
// while bare writes queue for one, several of them running the same statement
// for the first time; then the transactions go on with statements of their own
// not run before either. Each transaction and each bare write must finish.
// GORM's prepared-statement cache deadlocked here: the first bare write of a
// statement prepares it on the pool and so waits for a connection, the next
// ones wait for that statement holding the cache's lock, and the transactions
// holding the connections then wait for the lock to prepare theirs.
func testColdBurst(t *testing.T, db *DB) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	now := time.Now().UTC()
	at := newTestAttempt(t, db, now)
	w, err := db.W.DB()
	if err != nil {
		t.Fatal(err)
	}
	held := w.Stats().MaxOpenConnections // SQLite: 1; PostgreSQL: the pool
	unique := fmt.Sprintf("%d", time.Now().UnixNano())

	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	run := func(name string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	in, release := make(chan struct{}), make(chan struct{})
	for i := range held {
		run(fmt.Sprintf("transaction %d", i), func() error {
			return db.Tx(ctx, func(q Q) error {
				if err := q.Audit(&AuditEvent{At: now, Action: "test.burst", UserID: &at.UserID}); err != nil {
					return err
				}
				in <- struct{}{}
				<-release
				if err := q.SetCalendarToken(at.UserID, fmt.Sprintf("cal-%s-%d", unique, i)); err != nil {
					return err
				}
				if err := q.SaveAttendance(&Attendance{SessionID: at.SessionID, UserID: at.UserID, Status: "present", Source: "trainer", MarkedBy: at.UserID, MarkedAt: now}); err != nil {
					return err
				}
				return q.RecordCheckinFailure(at.SessionID, at.UserID, now)
			})
		})
	}
	for range held {
		select {
		case <-in:
		case <-ctx.Done():
			t.Fatal("the transactions did not start")
		}
	}
	for i := range 4 {
		run("CreateLoginSession", func() error {
			return db.CreateLoginSession(ctx, &LoginSession{TokenHash: fmt.Sprintf("burst-%s-%d", unique, i), UserID: at.UserID,
				Kind: "api", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)})
		})
		run("SaveAnswerIfNewer", func() error {
			_, err := db.SaveAnswerIfNewer(ctx, &AttemptAnswer{AttemptID: at.ID, QuestionID: fmt.Sprintf("q%d", i), Answer: []byte(`{}`), Seq: 1}, now)
			return err
		})
		run("TouchLoginSession", func() error { return db.TouchLoginSession(ctx, "burst-none-"+unique, now) })
		run("CreateAgency", func() error {
			return db.CreateAgency(ctx, &Agency{Name: fmt.Sprintf("Burst %s %d", unique, i), Country: "FR"})
		})
	}
	time.Sleep(100 * time.Millisecond) // the bare writes queue up behind the transactions
	close(release)

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		// The context's deadline should have broken a deadlock already; if even
		// that did not, fail rather than hang.
		t.Fatal("the burst is still waiting after 30 s: deadlocked")
	}
	close(errs)
	for err := range errs {
		t.Error(err) // a deadlock shows as context deadline exceeded
	}
}

func TestTx_ColdBurst_SQLite(t *testing.T) { testColdBurst(t, openTest(t)) }

func TestTx_ColdBurst_PostgreSQL(t *testing.T) { testColdBurst(t, openTestPostgres(t)) }
