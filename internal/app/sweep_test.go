package app

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestSweep_OnceAcrossProcesses_PostgreSQL: two Apps (processes) on one
// schema sweep overdue attempts. While one sweeps, the other skips its tick;
// and were both to finalise at once anyway (the lock bypassed), every
// attempt is finalised exactly once.
func TestSweep_OnceAcrossProcesses_PostgreSQL(t *testing.T) {
	ctx := context.Background()
	dsn := testfixture.PostgresDSN(t)
	library := testfixture.Courses(t)
	a, err := New(testfixture.Open(t, dsn), library, Options{BaseURL: "https://lectern.example"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(testfixture.Open(t, dsn), library, Options{BaseURL: "https://lectern.example"})
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := a.Accounts.EnsureAdmin(ctx, "admin@lectern.example", "a long enough admin password")
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.ActorFor(u)
	ag, err := a.Accounts.CreateAgency(ctx, admin, auth.NewAgency{Name: "Agency A", Country: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	dayUTC := time.Now().UTC().AddDate(0, 0, 2).Truncate(24 * time.Hour)
	day := dayUTC.Format("2006-01-02")
	s, err := a.Schedule.CreateSession(ctx, admin, schedule.SessionInput{Course: ptr("crypto-crime"), Date: &day, Start: ptr("09:00"), End: ptr("17:00"),
		Timezone: ptr("UTC"), Venue: ptr("Salle 1"), City: ptr("Lyon"), Country: ptr("FR"), Capacity: ptr(50), TrainerIDs: &[]int64{u.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*App{a, b} {
		svc.Attempts.Now = func() time.Time { return dayUTC.Add(10 * time.Hour) }
	}
	quizzes := []string{"01-blockchain", "02-tracing"}
	const officers = 6
	// startAll enrols that many new officers and starts both quizzes for each.
	startAll := func(prefix string) {
		t.Helper()
		for i := range officers {
			o, err := a.Accounts.CreateUser(ctx, admin, auth.NewUser{Email: fmt.Sprintf("%s%d@lectern.example", prefix, i), Name: fmt.Sprintf("%s %d", prefix, i),
				Role: string(auth.RoleOfficer), AgencyID: &ag.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.Schedule.Enroll(ctx, admin, s.ID, schedule.EnrollmentInput{UserID: o.ID}); err != nil {
				t.Fatal(err)
			}
			for _, q := range quizzes {
				if _, _, err := a.Attempts.Start(ctx, auth.ActorFor(o), s.ID, q); err != nil {
					t.Fatalf("start %s: %v", q, err)
				}
			}
		}
	}
	startAll("officer")
	// An hour later every attempt (15 minutes) is overdue.
	for _, svc := range []*App{a, b} {
		svc.Attempts.Now = func() time.Time { return dayUTC.Add(11 * time.Hour) }
	}
	var countA, countB finalisedCount
	var skipped []bool
	countA.during = func() { // while a sweeps, b's tick
		ran, err := b.Attempts.SweepOnce(ctx)
		if err != nil {
			t.Errorf("b's sweep while a sweeps: %v", err)
		}
		skipped = append(skipped, !ran)
	}
	a.Attempts.Metrics, b.Attempts.Metrics = &countA, &countB
	if ran, err := a.Attempts.SweepOnce(ctx); err != nil || !ran {
		t.Fatalf("a's sweep: ran %v, err %v", ran, err)
	}
	if len(skipped) == 0 || skipped[0] != true {
		t.Errorf("b's sweep during a's: skipped %v, want skipped", skipped)
	}
	if n := countA.n.Load() + countB.n.Load(); n != officers*int64(len(quizzes)) || countB.n.Load() != 0 {
		t.Errorf("finalised %d by a, %d by b; want %d by a alone", countA.n.Load(), countB.n.Load(), officers*len(quizzes))
	}

	// The same again with new attempts, both finalising at once with no
	// lock: still once each.
	countA.during, skipped = nil, nil
	countA.n.Store(0)
	for _, svc := range []*App{a, b} {
		svc.Attempts.Now = func() time.Time { return dayUTC.Add(12 * time.Hour) }
	}
	startAll("late")
	for _, svc := range []*App{a, b} {
		svc.Attempts.Now = func() time.Time { return dayUTC.Add(13 * time.Hour) }
	}
	var wg sync.WaitGroup
	for _, svc := range []*App{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := svc.Attempts.FinaliseOverdue(ctx); err != nil {
				t.Errorf("finalise: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := countA.n.Load() + countB.n.Load(); n != officers*int64(len(quizzes)) {
		t.Errorf("four sweeps at once finalised %d attempts (a %d, b %d), want %d: each once", n, countA.n.Load(), countB.n.Load(), officers*len(quizzes))
	}
}

// finalisedCount counts finalisations (attempt.Metrics), and runs during at
// the first.
type finalisedCount struct {
	n      atomic.Int64
	during func()
	once   sync.Once
}

func (c *finalisedCount) AttemptStarted() {}
func (c *finalisedCount) Autosave(string) {}
func (c *finalisedCount) AttemptFinalised(string) {
	c.n.Add(1)
	if c.during != nil {
		c.once.Do(c.during)
	}
}
