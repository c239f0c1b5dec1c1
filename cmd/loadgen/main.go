// Command loadgen simulates a room (or a conference hall) of officers taking a quiz
// against a Lectern server, to show that everyone pressing "Start quiz" in the same
// second stays fast and that no acknowledged answer is lost.
//
// Without --base-url it builds and starts its own `lectern serve` on a loopback port
// with a fresh data directory, and reports the server's peak memory at the end.
// It prints a human summary on stderr and one JSON line on stdout, and exits 1 if
// any request failed or any acknowledged answer was not stored. Like a browser,
// it resends a sign-in refused as busy (429 err.login.busy, after its
// Retry-After), or a request lost to a failed connection or a proxy's
// 502/503/504, and counts it as failed only after --give-up (5 minutes); the
// summary and the JSON line count those resends per phase and kind. Any other
// 429 (a lock-out, a limit) and a timeout are errors at once. Connection and
// 5xx resends are expected only behind a proxy failing over a
// killed process: without --expect-failover any of them fails the run, since
// against one process each is a failure the resend would otherwise hide.
//
//	go run ./cmd/loadgen --officers 50 --think 1s --start-window 3s
//	go run ./cmd/loadgen --officers 1000 --think 3s --start-window 10s
//	go run ./cmd/loadgen --base-url http://127.0.0.1:8080 --admin-email … --admin-password …
//
// Signing in costs the server one argon2id hash (about 35 ms of CPU here, NumCPU
// at a time), so a login window much shorter than officers × 35 ms ÷ cores
// measures the login queue; the quiz start burst is measured after every login
// has been answered either way.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// config is every setting, from flags (and the two admin variables).
type config struct {
	BaseURL          string
	AdminEmail       string
	AdminPassword    string
	LecternBin       string
	Officers         int
	StartWindow      time.Duration
	LoginWindow      time.Duration
	Think            time.Duration
	Jitter           float64 // fraction of Think, 0–1
	Quiz             string  // empty: the session's first quiz
	Questions        int     // answer only the first this many questions of the attempt, then submit; 0: all
	Course           string
	MaxDuration      time.Duration
	ConcurrencySetup int
	RequestTimeout   time.Duration
	GiveUp           time.Duration // a call still failing (busy 429, no connection, 502–504) after this long is an error
	ExpectFailover   bool          // connection and 5xx resends are expected (a proxy failing over); else they fail the run
	Seed             uint64
	SamplesCSV       string // optional: every request, for plotting
}

func main() {
	// Ctrl-C and SIGTERM cancel the run like --max-duration does, so the server we
	// started is stopped and the partial figures are still printed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one load test and returns the exit status: 0 clean, 1 errors or
// lost answers (or an aborted run), 2 bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 2
	}
	r, err := newRunner(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 2
	}
	res, err := r.run(ctx)
	if res != nil {
		res.printSummary(stderr)
		if jerr := res.writeJSON(stdout); jerr != nil && err == nil {
			err = jerr
		}
		if cfg.SamplesCSV != "" {
			if cerr := res.writeSamplesCSV(cfg.SamplesCSV); cerr != nil && err == nil {
				err = cerr
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	if res.failed() {
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var jitter string
	fs.StringVar(&c.BaseURL, "base-url", "", "a running Lectern (loopback only); default: build and start one")
	fs.StringVar(&c.AdminEmail, "admin-email", os.Getenv("LECTERN_ADMIN_EMAIL"), "admin e-mail address [LECTERN_ADMIN_EMAIL]")
	fs.StringVar(&c.AdminPassword, "admin-password", os.Getenv("LECTERN_ADMIN_PASSWORD"), "admin password [LECTERN_ADMIN_PASSWORD]")
	fs.StringVar(&c.LecternBin, "lectern-bin", "", "lectern binary to start; default: go build ./cmd/lectern from this module")
	fs.IntVar(&c.Officers, "officers", 100, "number of simulated officers (1–10000)")
	fs.DurationVar(&c.StartWindow, "start-window", 10*time.Second, "quiz starts are spread uniformly over this window")
	fs.DurationVar(&c.LoginWindow, "login-window", 10*time.Second, "logins (all before any start) are spread over this window; default: the larger of --start-window and 60 ms per officer")
	fs.DurationVar(&c.Think, "think", 15*time.Second, "mean think time before each answer")
	fs.StringVar(&jitter, "jitter", "50%", "think time varies by ± this share (e.g. 50% or 0.5)")
	fs.StringVar(&c.Quiz, "quiz", "", "quiz id, e.g. 01-blockchain; default: the session's first quiz")
	fs.IntVar(&c.Questions, "questions", 0, "answer (and save) only the first N questions of each attempt, in the order the attempt shows them, then submit; 0: all. Moodle's measured shape is a 10-question quiz: --questions 10")
	fs.StringVar(&c.Course, "course", "crypto-crime", "course of the session")
	fs.DurationVar(&c.MaxDuration, "max-duration", 10*time.Minute, "hard bound on the whole run; past it, abort cleanly")
	fs.IntVar(&c.ConcurrencySetup, "concurrency-setup", 8, "parallel requests while creating accounts and reading attempts back")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", 60*time.Second, "timeout of one request")
	fs.DurationVar(&c.GiveUp, "give-up", 5*time.Minute, "keep resending a sign-in refused as busy (429, after its Retry-After), or a call lost to a failed connection or a 502/503/504, as a browser would, for this long before counting it as an error")
	fs.BoolVar(&c.ExpectFailover, "expect-failover", false, "behind a proxy whose processes may be killed or restarted: connection and 502–504 resends are expected; without it any such resend fails the run (one process should never need one)")
	fs.StringVar(&c.SamplesCSV, "samples-csv", "", "also write every timed request to this CSV file (phase, sent_ms, latency_ms, status, error, retries)")
	fs.Uint64Var(&c.Seed, "seed", 0, "random seed for think times, start moments and answers; 0: from the clock")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	j, err := parseJitter(jitter)
	if err != nil {
		return c, err
	}
	c.Jitter = j
	loginSet := false
	fs.Visit(func(f *flag.Flag) { loginSet = loginSet || f.Name == "login-window" })
	if !loginSet {
		// A hall signs in as people sit down; the synchronized moment is the
		// quiz start. Sign-in is deliberately slow hashing (argon2id, NumCPU at a
		// time), so by default give each officer 60 ms of the login window.
		c.LoginWindow = max(c.StartWindow, time.Duration(c.Officers)*60*time.Millisecond)
	}
	switch {
	case c.Officers < 1 || c.Officers > 10000:
		// A session holds at most 10,000 seats.
		return c, fmt.Errorf("--officers must be between 1 and 10000")
	case c.StartWindow < 0 || c.LoginWindow < 0 || c.Think < 0:
		return c, fmt.Errorf("--start-window, --login-window and --think cannot be negative")
	case c.MaxDuration <= 0 || c.RequestTimeout <= 0 || c.GiveUp <= 0:
		return c, fmt.Errorf("--max-duration, --request-timeout and --give-up must be positive")
	case c.Questions < 0:
		return c, fmt.Errorf("--questions cannot be negative")
	case c.ConcurrencySetup < 1:
		return c, fmt.Errorf("--concurrency-setup must be at least 1")
	}
	if c.BaseURL != "" {
		base, err := checkLoopback(c.BaseURL)
		if err != nil {
			return c, err
		}
		c.BaseURL = base
		if c.AdminEmail == "" || c.AdminPassword == "" {
			return c, fmt.Errorf("--base-url needs --admin-email and --admin-password (or LECTERN_ADMIN_EMAIL / LECTERN_ADMIN_PASSWORD)")
		}
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	return c, nil
}

// parseJitter reads "50%" or "0.5".
func parseJitter(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, div = t, 100
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f/div < 0 || f/div > 1 {
		return 0, fmt.Errorf("--jitter %q: want a share from 0%% to 100%%", s)
	}
	return f / div, nil
}
