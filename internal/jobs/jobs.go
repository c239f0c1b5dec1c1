// Package jobs runs the programme's daily jobs (certificate reminders,
// retention, …) once per UTC day across every `lectern serve` process sharing
// a database. Each process ticks; on a tick, a job due today is run by the
// process that claims its (name, day) row in job_runs, and by no other. A run
// that fails releases its claim, so a later tick (of any process) retries it;
// one whose process died is taken over once its claim is StaleAfter old; a
// live run renews its claim every HeartbeatEvery so that it never looks dead. Jobs
// should still be idempotent: a run taken over may have done part of its work.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// Interval is how often Run looks for due jobs: a job runs within this long of
// midnight UTC, or of a failure.
const Interval = 10 * time.Minute

// StaleAfter is how long an unfinished run's claim holds, since its last
// heartbeat, before another process may take it over (its process is then
// taken for dead).
const StaleAfter = time.Hour

// HeartbeatEvery is how often a running job renews its claim: well inside
// StaleAfter, so a live run over years of records is never taken for dead.
const HeartbeatEvery = StaleAfter / 6

// ErrClaimLost is a run's error when another process took its claim over
// (this one was taken for dead): the job's context is cancelled, and the run
// must not be recorded as done by this process.
var ErrClaimLost = errors.New("its claim was taken over by another process")

// Func is a daily job's work; day is the UTC midnight of the day it runs for.
type Func func(ctx context.Context, day time.Time) error

type job struct {
	name string
	fn   Func
}

// Runner holds the registered daily jobs and runs them.
type Runner struct {
	db  *store.DB
	log *slog.Logger
	// Now is the clock that decides the day; tests move it.
	Now func() time.Time
	// Heartbeat is how often a running job's claim is renewed (default
	// HeartbeatEvery); tests shorten it.
	Heartbeat time.Duration

	mu   sync.Mutex
	jobs []job
}

// New returns a runner over db with no jobs; now nil is time.Now.
func New(db *store.DB, now func() time.Time, log *slog.Logger) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{db: db, Now: now, log: log}
}

// Daily registers fn to run once a UTC day under name (which identifies it in
// job_runs across processes: keep it stable). Registering a name twice panics:
// it is a wiring mistake.
func (r *Runner) Daily(name string, fn Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.jobs {
		if j.name == name {
			panic("jobs: " + name + " registered twice")
		}
	}
	r.jobs = append(r.jobs, job{name: name, fn: fn})
}

// Names lists the registered jobs, in registration order.
func (r *Runner) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, len(r.jobs))
	for i, j := range r.jobs {
		names[i] = j.name
	}
	return names
}

// Run runs the due jobs now and then every Interval until ctx ends. Failures
// are logged (and retried on a later tick), never returned: one job's error
// must not stop the others or the server.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(Interval)
	defer t.Stop()
	for {
		r.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue runs, one after the other, every registered job not yet run today by
// any process, and logs each failure.
func (r *Runner) RunDue(ctx context.Context) {
	for _, j := range r.snapshot() {
		if ctx.Err() != nil {
			return
		}
		if _, err := r.run(ctx, j); err != nil && ctx.Err() == nil {
			r.log.Error("daily job failed; it will be retried", "job", j.name, "err", err)
		}
	}
}

// RunNow runs the job named name if no process has run it today (the same
// claim as a tick), and reports whether this call ran it. A failed run is
// released, as on a tick, and its error returned.
func (r *Runner) RunNow(ctx context.Context, name string) (ran bool, err error) {
	for _, j := range r.snapshot() {
		if j.name == name {
			return r.run(ctx, j)
		}
	}
	return false, fmt.Errorf("jobs: no job named %q", name)
}

func (r *Runner) snapshot() []job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]job(nil), r.jobs...)
}

func (r *Runner) run(ctx context.Context, j job) (bool, error) {
	now := r.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	key := day.Format(time.DateOnly)
	holder, err := newHolder()
	if err != nil {
		return false, err
	}
	claimed, err := r.db.ClaimJobRun(ctx, j.name, key, holder, now, now.Add(-StaleAfter))
	if err != nil || !claimed {
		return false, err
	}
	r.log.Info("daily job started", "job", j.name, "day", key)
	jobCtx, cancel := context.WithCancelCause(ctx)
	stopBeat := r.heartbeat(jobCtx, cancel, j.name, key, holder)
	err = r.call(jobCtx, j, day)
	stopBeat()
	if cause := context.Cause(jobCtx); errors.Is(cause, ErrClaimLost) {
		// Neither release nor finish: the claim is another process's now.
		return true, fmt.Errorf("daily job %s for %s: %w", j.name, key, cause)
	}
	cancel(nil)
	if err != nil {
		// Released with a context of its own: the run may have failed
		// because ctx ended, and the claim must not then stay for an hour.
		if rerr := r.db.ReleaseJobRun(context.WithoutCancel(ctx), j.name, key, holder); rerr != nil {
			err = fmt.Errorf("%w (and its claim stays until it is stale: %v)", err, rerr)
		}
		return true, fmt.Errorf("daily job %s for %s: %w", j.name, key, err)
	}
	if err := r.db.FinishJobRun(context.WithoutCancel(ctx), j.name, key, holder, r.Now().UTC()); err != nil {
		return true, err
	}
	r.log.Info("daily job done", "job", j.name, "day", key, "took", r.Now().Sub(now).String())
	return true, nil
}

// heartbeat renews holder's claim every r.Heartbeat until the returned stop
// is called (which waits for it to end). If a renewal finds the claim gone,
// it cancels the job's context with ErrClaimLost; a failed renewal (the
// database away for a moment) is logged and tried again on the next beat.
func (r *Runner) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, name, day, holder string) (stop func()) {
	every := r.Heartbeat
	if every <= 0 {
		every = HeartbeatEvery
	}
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			held, err := r.db.RenewJobRun(context.WithoutCancel(ctx), name, day, holder, r.Now().UTC())
			switch {
			case err != nil:
				r.log.Error("daily job: renewing its claim failed; trying again", "job", name, "day", day, "err", err)
			case !held:
				r.log.Error("daily job: its claim was taken over; stopping it", "job", name, "day", day)
				cancel(ErrClaimLost)
				return
			}
		}
	}()
	return func() { close(done); <-ended }
}

// call runs the job, turning a panic into its error so that the claim is
// released and the runner goes on.
func (r *Runner) call(ctx context.Context, j job, day time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.fn(ctx, day)
}

func newHolder() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("job claim id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
