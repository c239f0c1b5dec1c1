package attempt

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// Benchmarks of the quiz start, the 09:00 burst's request, on the shipped
// module 1 quiz (15 questions) and a real SQLite file, beside a floor measured
// in the same run: one write transaction inserting a row of the same size. The
// ratio start / floor is what BENCHMARKS.md tracks; cpu-ns/op is the CPU a
// start costs (all of it is this process's), B/op what it allocates.

// startWorld is a session of the shipped crypto-crime course with n enrolled
// officers, created straight in the store (no password to hash).
type startWorld struct {
	db       *store.DB
	svc      *Service
	session  int64
	officers []*auth.Actor
}

func newStartWorld(b testing.TB, dsn string, n int) *startWorld {
	b.Helper()
	ctx := context.Background()
	db := testfixture.Open(b, dsn)
	lib := testfixture.Courses(b)
	w := &startWorld{db: db, svc: NewService(db, lib, schedule.Access{}, nil, slog.New(slog.DiscardHandler))}
	ag := &store.Agency{Name: "Bench", Country: "FR"}
	if err := db.CreateAgency(ctx, ag); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	err := db.Tx(ctx, func(q store.Q) error {
		ts := &store.TrainingSession{CourseID: "crypto-crime", Date: now.Format("2006-01-02"), StartTime: "00:00", EndTime: "23:59", Timezone: "UTC",
			StartsAt: now.Add(-time.Hour), EndsAt: now.Add(8 * time.Hour), Capacity: n, Status: "in_progress", CheckinSecret: []byte("0123456789abcdef"), CreatedBy: 1}
		if err := q.CreateSession(ts); err != nil {
			return err
		}
		w.session = ts.ID
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		u := &store.User{Email: fmt.Sprintf("o%d@bench.example", i), Name: fmt.Sprintf("Officer %d", i), Role: string(auth.RoleOfficer), AgencyID: &ag.ID}
		if err := db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.CreateEnrollment(&store.Enrollment{SessionID: w.session, UserID: u.ID, Status: "enrolled"})
		}); err != nil {
			b.Fatal(err)
		}
		w.officers = append(w.officers, &auth.Actor{UserID: u.ID, Role: auth.RoleOfficer, AgencyID: &ag.ID, Name: u.Name, Email: u.Email})
	}
	return w
}

// BenchmarkStart: each operation is a new officer starting the quiz and
// getting the attempt's view back (what POST …/attempts answers), from as many
// goroutines as a burst has requests in flight.
func BenchmarkStart(b *testing.B) {
	w := newStartWorld(b, testfixture.SQLite(b), b.N)
	var next atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	defer testfixture.CPUPerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			o := w.officers[next.Add(1)-1]
			v, created, err := w.svc.Start(context.Background(), o, w.session, "01-blockchain")
			if err != nil || !created {
				b.Fatalf("start: %v (created %v)", err, created)
			}
			if _, err := json.Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFloor_StartInsert is the floor for a start: one write transaction
// inserting an attempt row with a snapshot of the same size, from the same
// number of goroutines, and nothing else.
func BenchmarkFloor_StartInsert(b *testing.B) {
	w := newStartWorld(b, testfixture.SQLite(b), b.N+1)
	ctx := context.Background()
	// One real start gives the row to copy, snapshot included.
	if _, _, err := w.svc.Start(ctx, w.officers[b.N], w.session, "01-blockchain"); err != nil {
		b.Fatal(err)
	}
	rows, err := w.db.Read(ctx).Attempts(w.session, "01-blockchain", &w.officers[b.N].UserID)
	if err != nil || len(rows) != 1 {
		b.Fatalf("template attempt: %v", err)
	}
	tmpl := rows[0]
	var next atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	defer testfixture.CPUPerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			at := tmpl
			at.ID, at.UserID = 0, w.officers[next.Add(1)-1].UserID
			if err := w.db.Tx(ctx, func(q store.Q) error { return q.CreateAttempt(&at) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSnapshotCache measures the memory an open attempt holds in the
// save cache (cached-B/attempt: ids, kinds and choice ids, decoded from the
// row as after a restart) beside what its whole decoded snapshot would hold
// (snapshot-B/attempt: prompts, choices' text, keys, explanations), the
// 27 KB-per-attempt growth of issue 23. b.N attempts are started first.
func BenchmarkSnapshotCache(b *testing.B) {
	ctx := context.Background()
	w := newStartWorld(b, testfixture.SQLite(b), b.N)
	ids := make([]int64, b.N)
	for i, o := range w.officers {
		v, _, err := w.svc.Start(ctx, o, w.session, "01-blockchain")
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = v.ID
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	w.svc.snapshots.Purge()
	b.ResetTimer()
	before := heap()
	for _, id := range ids {
		if _, _, err := w.svc.questions(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	cached := heap()
	b.StopTimer()
	full := make([][]quiz.Question, 0, b.N)
	for _, id := range ids {
		at, err := w.db.Read(ctx).Attempt(id, false)
		if err != nil {
			b.Fatal(err)
		}
		qs, err := snapshotOf(at)
		if err != nil {
			b.Fatal(err)
		}
		full = append(full, qs)
	}
	after := heap()
	runtime.KeepAlive(full)
	if w.svc.snapshots.Len() != b.N {
		b.Fatalf("%d cached, want %d", w.svc.snapshots.Len(), b.N)
	}
	b.ReportMetric(float64(cached-before)/float64(b.N), "cached-B/attempt")
	b.ReportMetric(float64(after-cached)/float64(b.N), "snapshot-B/attempt")
}
