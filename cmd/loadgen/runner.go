package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"sync"
	"time"
)

// runner holds one run's settings and shared client.
type runner struct {
	cfg      config
	log      io.Writer
	runID    string // makes accounts unique, so a server can be loaded twice
	password string // every officer's (and the trainer's) password
	client   *client
	server   *lectern // nil when --base-url names someone else's server
}

func newRunner(cfg config, log io.Writer) (*runner, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("run id: %w", err)
	}
	id := hex.EncodeToString(b)
	return &runner{cfg: cfg, log: log, runID: id[:8], password: "loadgen-" + id + "-pw"}, nil
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// run does setup, the timed phases and the read-back, and returns the figures
// even when it has to stop early (the error says why).
func (r *runner) run(parent context.Context) (*result, error) {
	ctx, cancel := context.WithTimeoutCause(parent, r.cfg.MaxDuration,
		fmt.Errorf("--max-duration %s reached", r.cfg.MaxDuration))
	defer cancel()

	res := &result{cfg: r.cfg, began: time.Now()}
	if r.cfg.BaseURL == "" {
		stopServer, err := r.startServer(ctx)
		if err != nil {
			return nil, err
		}
		defer func() {
			r.logf("stopping lectern (SIGTERM)")
			res.serverRSSKiB, res.serverRSSErr = r.server.peakRSS()
			res.serverClean = stopServer()
			res.serverLog = r.server.logs // its reader has finished: the process is gone
		}()
	}
	r.client = newClient(r.cfg.BaseURL, r.cfg.Officers, r.cfg.RequestTimeout, defaultRetry(r.cfg.GiveUp))
	defer r.client.close()

	r.logf("setup: %d officers against %s (run %s, seed %d)", r.cfg.Officers, r.cfg.BaseURL, r.runID, r.cfg.Seed)
	setupStart := time.Now()
	fx, err := r.setup(ctx)
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	res.setup = time.Since(setupStart)
	res.quiz = fx.quiz
	r.logf("setup done in %s: session %d, quiz %s (%d questions, time limit %ds)",
		res.setup.Round(time.Millisecond), fx.sessionID, fx.quiz.ID, fx.quiz.Questions, fx.quiz.TimeLimitSeconds)
	r.warnIfTooLong(fx.quiz)
	r.markRSS(res, "setup")

	rng := mrand.New(mrand.NewPCG(r.cfg.Seed, 0))
	for _, o := range fx.officers {
		o.rng = mrand.New(mrand.NewPCG(r.cfg.Seed, uint64(o.idx)+1))
		o.loginAt = uniform(rng, r.cfg.LoginWindow)
		o.startAt = uniform(rng, r.cfg.StartWindow)
	}
	if r.server != nil {
		r.server.logs.setTiming(true)
	}
	runErr := r.timed(ctx, fx, res)
	r.markRSS(res, "quiz")
	if runErr == nil {
		runErr = r.readBack(ctx, fx)
	}
	if r.server != nil {
		r.server.logs.setTiming(false)
	}
	res.officers = fx.officers
	res.samples = r.client.rec.all()
	if ctx.Err() != nil {
		res.aborted = context.Cause(ctx).Error()
	}
	return res, runErr
}

// markRSS notes the server's high-water RSS at the end of a phase.
func (r *runner) markRSS(res *result, phase string) {
	if r.server == nil {
		return
	}
	if kib, err := r.server.peakRSS(); err == nil {
		res.rssMarks = append(res.rssMarks, fmt.Sprintf("after %s %.1f MiB", phase, float64(kib)/1024))
	}
}

// startServer builds (unless given) and starts a private lectern; the returned
// func stops it.
func (r *runner) startServer(ctx context.Context) (func() bool, error) {
	tmp, err := os.MkdirTemp("", "lectern-loadgen-")
	if err != nil {
		return nil, err
	}
	bin := r.cfg.LecternBin
	if bin == "" {
		r.logf("building ./cmd/lectern")
		if bin, err = buildLectern(ctx, tmp); err != nil {
			os.RemoveAll(tmp)
			return nil, err
		}
	}
	if r.cfg.AdminEmail == "" || r.cfg.AdminPassword == "" {
		r.cfg.AdminEmail, r.cfg.AdminPassword = "admin@loadgen.example", "loadgen-admin-"+r.password
	}
	srv, err := startLectern(ctx, bin, tmp+"/data", r.cfg.AdminEmail, r.cfg.AdminPassword)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	r.server = srv
	r.cfg.BaseURL = "http://" + srv.addr
	if _, err := checkLoopback(r.cfg.BaseURL); err != nil { // the server chose its address; still check
		srv.stop()
		os.RemoveAll(tmp)
		return nil, err
	}
	r.logf("lectern serving on %s (pid %d, data %s)", srv.addr, srv.cmd.Process.Pid, tmp+"/data")
	return func() bool {
		clean := srv.stop()
		os.RemoveAll(tmp)
		return clean
	}, nil
}

// warnIfTooLong says when the think times cannot fit in the quiz's time limit:
// late answers are refused (409), which would show up as errors.
func (r *runner) warnIfTooLong(q quizOut) {
	n := answered(q.Questions, r.cfg.Questions)
	longest := time.Duration(float64(r.cfg.Think)*(1+r.cfg.Jitter)) * time.Duration(n)
	if q.TimeLimitSeconds > 0 && longest+5*time.Second > time.Duration(q.TimeLimitSeconds)*time.Second {
		r.logf("warning: %d questions × up to %s of thinking may pass the %ds time limit; lower --think",
			n, time.Duration(float64(r.cfg.Think)*(1+r.cfg.Jitter)), q.TimeLimitSeconds)
	}
	expected := r.cfg.LoginWindow + r.cfg.StartWindow + time.Duration(float64(r.cfg.Think)*(1+r.cfg.Jitter))*time.Duration(n)
	if expected > r.cfg.MaxDuration {
		r.logf("warning: the quiz alone may take %s, more than --max-duration %s", expected, r.cfg.MaxDuration)
	}
}

// timed runs the two measured phases. First every officer signs in at a random
// moment of the login window, as a hall does when it sits down; then, once all
// are in, every officer starts the quiz at a random moment of the start window,
// as when the trainer says "start". Keeping the windows apart keeps argon2id's
// deliberately slow hashing out of the start-burst figures. (A server hashes
// roughly NumCPU / 35 ms logins a second here; a login window shorter than
// officers ÷ that rate queues logins, which is what the login phase shows.)
func (r *runner) timed(ctx context.Context, fx *fixture, res *result) error {
	r.logf("login: %d officers over %s", len(fx.officers), r.cfg.LoginWindow)
	res.loginBegan = time.Now()
	err := r.each(ctx, fx.officers, func(ctx context.Context, o *officer) error {
		if err := sleep(ctx, o.loginAt); err != nil {
			return err
		}
		return o.login(ctx, r.client, r.password)
	})
	if ctx.Err() != nil {
		return err
	}
	r.markRSS(res, "logins")
	in := make([]*officer, 0, len(fx.officers))
	for _, o := range fx.officers {
		if o.token != "" {
			in = append(in, o)
		}
	}
	r.logf("quiz: %d officers start %s over %s, think %s ± %.0f%%", len(in), fx.quiz.ID, r.cfg.StartWindow, r.cfg.Think, r.cfg.Jitter*100)
	res.quizBegan = time.Now()
	think := func(rng *mrand.Rand) time.Duration {
		return time.Duration(float64(r.cfg.Think) * (1 + r.cfg.Jitter*(2*rng.Float64()-1)))
	}
	done := make(chan struct{})
	go r.progress(ctx, done, res.quizBegan)
	err2 := r.each(ctx, in, func(ctx context.Context, o *officer) error {
		if err := sleep(ctx, o.startAt); err != nil {
			return err
		}
		return o.takeQuiz(ctx, r.client, fx.sessionID, fx.quiz.ID, r.cfg.Questions, think)
	})
	close(done)
	res.quizEnded = time.Now()
	if ctx.Err() != nil {
		return err2
	}
	return nil // failed requests are counted in the samples, not fatal
}

// each runs fn for every officer at once (each is one person) and waits for all;
// it returns the first error only for the abort case.
func (r *runner) each(ctx context.Context, officers []*officer, fn func(context.Context, *officer) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, o := range officers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx, o); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return first
}

// progress prints a line every 10 s so a long run is visibly alive.
func (r *runner) progress(ctx context.Context, done <-chan struct{}, began time.Time) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			s := r.client.rec.all()
			n, errs := 0, 0
			for _, x := range s {
				if x.phase != phaseLogin && x.phase != phaseReadback {
					n++
					if x.err != "" {
						errs++
					}
				}
			}
			r.logf("quiz: %s in, %d requests, %d errors", time.Since(began).Round(time.Second), n, errs)
		}
	}
}

// readBack reads every attempt as its officer, a few at a time (not timed as load).
func (r *runner) readBack(ctx context.Context, fx *fixture) error {
	var todo []*officer
	for _, o := range fx.officers {
		if o.attemptID != 0 {
			todo = append(todo, o)
		}
	}
	r.logf("read-back: %d attempts", len(todo))
	// A failed read-back is recorded and reported; carry on with the others.
	_ = parallel(ctx, r.cfg.ConcurrencySetup, todo, func(ctx context.Context, o *officer) error {
		_ = o.readBackAttempt(ctx, r.client)
		return nil
	})
	return context.Cause(ctx)
}

// uniform returns a moment in [0, window).
func uniform(rng *mrand.Rand, window time.Duration) time.Duration {
	if window <= 0 {
		return 0
	}
	return time.Duration(rng.Int64N(int64(window)))
}
