package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"github.com/lectern-platform/lectern/internal/metrics"
)

// Sampling rates of the mutex and block profiles while the profiler is served:
// one contention event in mutexFraction, and blocking sampled once per
// blockRate nanoseconds blocked. Low enough to leave on during a load test
// (their cost did not show in the autosave benchmark), high enough that a
// minute of a burst shows where requests queue.
const (
	mutexFraction = 20
	blockRate     = int(100 * time.Microsecond)
)

// serveMetrics serves GET /metrics on a listener of its own (--metrics-addr):
// for a Prometheus or an operator that reaches the host but not through the
// public reverse proxy. When that listener is on a loopback address, it also
// serves the Go profiler (net/http/pprof under /debug/pprof/) and switches
// the mutex and block profiles on (mutexFraction, blockRate), so a contention
// profile can be taken without a restart. Not on any other address: nothing
// there asks for a token, and a profile or trace costs the server CPU at the
// asker's will (the metrics themselves are only counters). Never
// /debug/pprof/cmdline: the command line may hold the database password
// (--database postgres://user:pass@…). The returned stop shuts it down; with
// addr empty it does nothing and no profile rate is changed.
func serveMetrics(addr string, m *metrics.Metrics, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	profiler := net.ParseIP(host).IsLoopback()
	if profiler {
		// pprof.Index serves the runtime's named profiles (heap, mutex,
		// block, goroutine, …) and answers 404 for any other name, cmdline
		// included, since it is not registered on its own.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		runtime.SetMutexProfileFraction(mutexFraction)
		runtime.SetBlockProfileRate(blockRate)
	} else {
		log.Warn("metrics are served without a token on a non-loopback address: keep the port off the public network; the Go profiler is served only on a loopback metrics address",
			"addr", ln.Addr().String())
	}
	// The write timeout leaves room for a 60-second CPU profile or trace
	// (?seconds=60).
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String(), "profiler", profiler)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if profiler {
			runtime.SetMutexProfileFraction(0)
			runtime.SetBlockProfileRate(0)
		}
	}, nil
}
