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

// Sampling rates of the mutex and block profiles while the metrics listener is
// on: one contention event in mutexFraction, and blocking sampled once per
// blockRate nanoseconds blocked. Low enough to leave on during a load test
// (their cost did not show in the autosave benchmark), high enough that a
// minute of a burst shows where requests queue.
const (
	mutexFraction = 20
	blockRate     = int(100 * time.Microsecond)
)

// serveMetrics serves GET /metrics and the Go profiler (net/http/pprof under
// /debug/pprof/), and nothing else, on a listener of its own (--metrics-addr):
// for a Prometheus or an operator that reaches the host but not through the
// public reverse proxy. With the listener on, the mutex and block profiles
// are switched on as well (mutexFraction, blockRate), so that a contention
// profile can be taken without a restart. The returned stop shuts it down;
// with addr empty it does nothing and no profile rate is changed.
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
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	runtime.SetMutexProfileFraction(mutexFraction)
	runtime.SetBlockProfileRate(blockRate)
	// The write timeout leaves room for a 60-second CPU profile or trace
	// (?seconds=60).
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error("metrics listener", "err", err)
		}
	}()
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		log.Warn("metrics are served without a token on a non-loopback address: keep the port off the public network", "addr", ln.Addr().String())
	}
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		runtime.SetMutexProfileFraction(0)
		runtime.SetBlockProfileRate(0)
	}, nil
}
