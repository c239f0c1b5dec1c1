package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/jobs"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// clock is a test's server clock, shared by every runner of a test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *clock { return &clock{now: time.Date(2027, 5, 10, 9, 30, 0, 0, time.UTC)} }

// twoApps is two processes' Apps over the database dsn names: each opens it
// itself, as two `lectern serve` do.
func twoApps(t *testing.T, dsn string, c *clock) [2]*app.App {
	t.Helper()
	var apps [2]*app.App
	for i := range apps {
		a, err := app.New(testfixture.Open(t, dsn), nil, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		a.Jobs.Now = c.Now
		apps[i] = a
	}
	return apps
}

func TestRunner_OncePerDayAcrossProcesses(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{"SQLite": testfixture.SQLite, "PostgreSQL": testfixture.PostgresDSN} {
		t.Run(name, func(t *testing.T) {
			c := newClock()
			apps := twoApps(t, dsn(t), c)
			var runs atomic.Int32
			for _, a := range apps {
				a.Jobs.Daily("count", func(ctx context.Context, day time.Time) error {
					runs.Add(1)
					time.Sleep(20 * time.Millisecond) // overlap the other process's calls
					return nil
				})
			}
			ctx := context.Background()
			race := func() (ran int32) {
				var wg sync.WaitGroup
				var n atomic.Int32
				for i := range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						ok, err := apps[i%2].Jobs.RunNow(ctx, "count")
						if err != nil {
							t.Error(err)
						}
						if ok {
							n.Add(1)
						}
					}()
				}
				wg.Wait()
				return n.Load()
			}
			if ran := race(); ran != 1 || runs.Load() != 1 {
				t.Fatalf("eight concurrent calls from two processes: %d reported running it, it ran %d times; want once", ran, runs.Load())
			}
			c.Add(14 * time.Hour) // still the same UTC day
			apps[0].Jobs.RunDue(ctx)
			apps[1].Jobs.RunDue(ctx)
			if runs.Load() != 1 {
				t.Fatalf("later ticks the same UTC day ran it again: %d runs", runs.Load())
			}
			c.Add(1 * time.Hour) // 00:30 the next day
			if ran := race(); ran != 1 || runs.Load() != 2 {
				t.Fatalf("the next day: %d reported running it, %d runs in all; want one more", ran, runs.Load())
			}
		})
	}
}

func TestRunner_FailedRunIsRetried(t *testing.T) {
	c := newClock()
	apps := twoApps(t, testfixture.SQLite(t), c)
	ctx := context.Background()
	var calls atomic.Int32
	fail := errors.New("mail server away")
	for _, a := range apps {
		a.Jobs.Daily("flaky", func(ctx context.Context, day time.Time) error {
			if want := time.Date(2027, 5, 10, 0, 0, 0, 0, time.UTC); !day.Equal(want) {
				t.Errorf("day = %v, want %v", day, want)
			}
			if calls.Add(1) == 1 {
				return fail
			}
			return nil
		})
	}
	ran, err := apps[0].Jobs.RunNow(ctx, "flaky")
	if !ran || !errors.Is(err, fail) {
		t.Fatalf("first run: ran %v, err %v; want it ran and failed with %v", ran, err, fail)
	}
	// The other process's next tick retries the released run.
	c.Add(jobs.Interval)
	apps[1].Jobs.RunDue(ctx)
	if calls.Load() != 2 {
		t.Fatalf("a tick after the failure did not retry: %d calls", calls.Load())
	}
	apps[0].Jobs.RunDue(ctx)
	if calls.Load() != 2 {
		t.Fatalf("a tick after the successful retry ran it again: %d calls", calls.Load())
	}
}

func TestRunner_PanicReleasesTheClaim(t *testing.T) {
	c := newClock()
	apps := twoApps(t, testfixture.SQLite(t), c)
	var calls atomic.Int32
	apps[0].Jobs.Daily("p", func(ctx context.Context, day time.Time) error {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return nil
	})
	ctx := context.Background()
	if ran, err := apps[0].Jobs.RunNow(ctx, "p"); !ran || err == nil {
		t.Fatalf("a panicking job: ran %v, err %v; want its error", ran, err)
	}
	if ran, err := apps[0].Jobs.RunNow(ctx, "p"); !ran || err != nil || calls.Load() != 2 {
		t.Fatalf("after a panic the job was not run again: ran %v, err %v, calls %d", ran, err, calls.Load())
	}
}

func TestRunner_StaleClaimIsTakenOver(t *testing.T) {
	c := newClock()
	dsn := testfixture.SQLite(t)
	apps := twoApps(t, dsn, c)
	db := testfixture.Open(t, dsn)
	var calls atomic.Int32
	apps[0].Jobs.Daily("j", func(ctx context.Context, day time.Time) error { calls.Add(1); return nil })
	ctx := context.Background()
	// A process claimed today's run and died without finishing or releasing it.
	now := c.Now()
	if ok, err := db.ClaimJobRun(ctx, "j", now.Format(time.DateOnly), "dead", now, now.Add(-jobs.StaleAfter)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	c.Add(jobs.StaleAfter - time.Minute)
	if ran, err := apps[0].Jobs.RunNow(ctx, "j"); ran || err != nil {
		t.Fatalf("a claim younger than StaleAfter was taken over: ran %v, err %v", ran, err)
	}
	c.Add(2 * time.Minute)
	if ran, err := apps[0].Jobs.RunNow(ctx, "j"); !ran || err != nil || calls.Load() != 1 {
		t.Fatalf("a stale claim was not taken over: ran %v, err %v, calls %d", ran, err, calls.Load())
	}
	// The dead process's late release no longer touches the run.
	if err := db.ReleaseJobRun(ctx, "j", now.Format(time.DateOnly), "dead"); err != nil {
		t.Fatal(err)
	}
	runs, err := db.JobRuns(ctx, "j", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].FinishedAt == nil || runs[0].Holder == "dead" {
		t.Fatalf("job_runs after the takeover: %+v; want one finished run held by the live process", runs)
	}
}

func TestRunner_UnknownJob(t *testing.T) {
	r := jobs.New(testfixture.Open(t, testfixture.SQLite(t)), nil, nil)
	if ran, err := r.RunNow(context.Background(), "nope"); ran || err == nil {
		t.Fatalf("RunNow of an unregistered job: ran %v, err %v; want an error", ran, err)
	}
}

// TestRunner_HeartbeatKeepsALongRun: a run alive past StaleAfter keeps its
// claim (its heartbeat moves it on), so another process does not run the job
// a second time beside it; it then finishes as the one run of the day.
func TestRunner_HeartbeatKeepsALongRun(t *testing.T) {
	c := newClock()
	dsn := testfixture.SQLite(t)
	apps := twoApps(t, dsn, c)
	db := testfixture.Open(t, dsn)
	started, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	for _, a := range apps {
		a.Jobs.Heartbeat = 5 * time.Millisecond
		a.Jobs.Daily("long", func(ctx context.Context, day time.Time) error {
			if calls.Add(1) == 1 {
				close(started)
				<-release
			}
			return nil
		})
	}
	ctx := context.Background()
	type result struct {
		ran bool
		err error
	}
	first := make(chan result, 1)
	go func() {
		ran, err := apps[0].Jobs.RunNow(ctx, "long")
		first <- result{ran, err}
	}()
	<-started
	c.Add(jobs.StaleAfter + time.Minute)
	// Wait for a heartbeat at the moved clock.
	key := c.Now().Format(time.DateOnly)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		runs, err := db.JobRuns(ctx, "long", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Day == key && runs[0].StartedAt.Equal(c.Now()) {
			break
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("no heartbeat moved the claim to %v: %+v", c.Now(), runs)
		}
	}
	if ran, err := apps[1].Jobs.RunNow(ctx, "long"); ran || err != nil {
		close(release)
		t.Fatalf("another process took over a run still alive: ran %v, err %v", ran, err)
	}
	close(release)
	if r := <-first; !r.ran || r.err != nil {
		t.Fatalf("the long run: ran %v, err %v", r.ran, r.err)
	}
	runs, err := db.JobRuns(ctx, "long", 10)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || len(runs) != 1 || runs[0].FinishedAt == nil {
		t.Fatalf("%d calls, runs %+v; want one finished run", calls.Load(), runs)
	}
}

// TestRunner_LostClaimIsAnError: when a run's claim is taken from it (its
// heartbeat was held up past StaleAfter and another process took it over), the
// job's context is cancelled and the run reports the lost claim, instead of
// logging "done" for work another process now owns.
func TestRunner_LostClaimIsAnError(t *testing.T) {
	c := newClock()
	dsn := testfixture.SQLite(t)
	apps := twoApps(t, dsn, c)
	db := testfixture.Open(t, dsn)
	apps[0].Jobs.Heartbeat = 5 * time.Millisecond
	started := make(chan struct{})
	var cancelled atomic.Bool
	apps[0].Jobs.Daily("taken", func(ctx context.Context, day time.Time) error {
		close(started)
		select {
		case <-ctx.Done():
			cancelled.Store(true)
			return ctx.Err()
		case <-time.After(5 * time.Second):
			return nil
		}
	})
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := apps[0].Jobs.RunNow(ctx, "taken")
		done <- err
	}()
	<-started
	// Another process takes the claim over, as ClaimJobRun does with a stale one.
	if err := db.W.Exec("UPDATE job_runs SET holder = 'other' WHERE name = 'taken'").Error; err != nil {
		t.Fatal(err)
	}
	err := <-done
	if err == nil || !cancelled.Load() {
		t.Fatalf("a run whose claim was taken: err %v, job cancelled %v; want an error and the job's context cancelled", err, cancelled.Load())
	}
	runs, rerr := db.JobRuns(ctx, "taken", 1)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if len(runs) != 1 || runs[0].Holder != "other" || runs[0].FinishedAt != nil {
		t.Fatalf("the other process's claim was touched: %+v", runs)
	}
}

// TestFinishJobRun_LostClaim: finishing a run whose claim another process
// holds is an error and leaves that claim alone.
func TestFinishJobRun_LostClaim(t *testing.T) {
	db := testfixture.Open(t, testfixture.SQLite(t))
	ctx := context.Background()
	now := time.Date(2027, 5, 10, 9, 30, 0, 0, time.UTC)
	day := now.Format(time.DateOnly)
	if ok, err := db.ClaimJobRun(ctx, "j", day, "alive", now, now.Add(-jobs.StaleAfter)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := db.FinishJobRun(ctx, "j", day, "lost", now); err == nil {
		t.Fatal("finishing another holder's run: no error")
	}
	if err := db.FinishJobRun(ctx, "j", day, "alive", now); err != nil {
		t.Fatal(err)
	}
}
