package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/demo"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/web"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeConfig(args, stderr)
	if err != nil {
		if errors.Is(err, flagHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "lectern serve:", err)
		return 2
	}
	log := newLogger(stderr)
	if err := serve(ctx, cfg, log, stdout); err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if os.Getenv("LECTERN_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	setMemoryLimit(os.Getenv, log)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory %s: %w", cfg.DataDir, err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer db.Close()

	// The demo's check comes before the first admin is made: it tells a blank
	// database from one in use, and may give that admin the demo password.
	var demoState demo.State
	if cfg.Demo {
		if demoState, err = checkDemo(ctx, &cfg, db); err != nil {
			return err
		}
	}
	a, err := serveApp(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	if err := ensureAdmin(ctx, cfg, a, stdout); err != nil {
		return err
	}
	if err := sealSecrets(ctx, a, log); err != nil {
		return err
	}
	webCfg := webConfig(cfg)
	if cfg.Demo {
		if webCfg.Demo, err = startDemo(ctx, cfg, demoState, db, a, log, stdout); err != nil {
			return err
		}
	}
	srv, err := web.New(webCfg, a)
	if err != nil {
		return err
	}
	stopMetrics, err := serveMetrics(cfg.MetricsAddr, a.Metrics, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	go a.Attempts.Sweep(ctx, 30*time.Second) // finalise attempts nobody came back to
	// Sign-outs on other processes sharing a PostgreSQL database end the session here too.
	go func() {
		if err := a.Accounts.FollowEvictions(ctx); err != nil {
			log.Error("follow other processes' sign-outs", "err", err)
		}
	}()
	// Other processes on the same PostgreSQL database: the course versions they
	// publish are served here too, and the attempts they regrade are dropped
	// from this one's cache. With SQLite both return at once.
	go func() {
		if err := a.FollowCourses(ctx); err != nil {
			log.Error("follow other processes' course versions", "err", err)
		}
	}()
	go func() {
		if err := a.Attempts.FollowRegrades(ctx); err != nil {
			log.Error("follow other processes' regrades", "err", err)
		}
	}()
	prerenderDone := make(chan struct{})
	go func() { // certificates issued by a close here are rendered ahead, on one core, so the first ZIP after it comes from the cache
		defer close(prerenderDone)
		if a.Certs != nil {
			a.Certs.Prerender(ctx) // stops with ctx after the render in hand, keeping what it rendered
		}
	}()
	mailDone := make(chan struct{})
	go func() { // delivers the outbox; stops with ctx, after the message in hand
		defer close(mailDone)
		a.Sender.Run(ctx)
	}()
	jobsDone := make(chan struct{})
	go func() { // the daily jobs, once a day across processes; a run cut short by ctx releases its claim
		defer close(jobsDone)
		a.Jobs.Run(ctx)
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	httpServer := srv.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "data", cfg.DataDir)

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("drain requests: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	select {
	case <-mailDone:
	case <-shutdownCtx.Done():
		log.Warn("stopped while an e-mail was being sent; it is retried after its lease")
	}
	select {
	case <-jobsDone:
	case <-shutdownCtx.Done():
		log.Warn("stopped while a daily job was running; another tick runs it once its claim is stale")
	}
	select {
	case <-prerenderDone:
	case <-shutdownCtx.Done():
		log.Warn("stopped while certificates were being rendered ahead; the rest render on first download")
	}
	log.Info("stopped")
	return nil
}

// openLibrary loads the shipped courses, or a trainer's folder (watched for changes).
func openLibrary(ctx context.Context, cfg Config, db *store.DB, log *slog.Logger) (*course.Library, error) {
	var fsys fs.FS = courses.FS
	display := "courses"
	if cfg.CoursesDir != "" {
		abs, err := filepath.Abs(cfg.CoursesDir)
		if err != nil {
			return nil, fmt.Errorf("courses folder %s: %w", cfg.CoursesDir, err)
		}
		if st, err := os.Stat(abs); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("courses folder %s: not a readable directory", cfg.CoursesDir)
		}
		fsys, display = course.DirFS(abs), cfg.CoursesDir
	}
	library := course.NewLibrary(fsys, ".", display, log)
	library.Shared = app.SharedCourses(db) // every process serves the version last read from any folder
	if err := library.Reload(); err != nil {
		return nil, err
	}
	if cfg.CoursesDir != "" {
		if err := library.Watch(ctx, cfg.CoursesDir); err != nil {
			return nil, err
		}
	}
	return library, nil
}

// ensureAdmin creates the first admin on first start, from LECTERN_ADMIN_EMAIL and
// LECTERN_ADMIN_PASSWORD, or with a generated password printed once.
func ensureAdmin(ctx context.Context, cfg Config, a *app.App, stdout io.Writer) error {
	u, generated, err := a.Accounts.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return err
	}
	if u != nil && generated != "" {
		fmt.Fprintf(stdout, "\nFirst start: created the admin account.\n  e-mail:   %s\n  password: %s\nThis password is shown only once; keep it somewhere safe.\n\n", u.Email, generated)
	}
	return nil
}
