package main

import (
	"log/slog"
	"runtime/debug"
)

// defaultMemoryLimit is the Go runtime's soft memory limit for `serve` when
// the operator sets no GOMEMLIMIT. Each sign-in's argon2id hash allocates
// 19 MiB and drops it 35 ms later; with GOGC's pacing alone, a sign-in burst on
// busy cores (the collector starved of CPU while hashing continues) let the heap
// run far past its live size: 1,944 MiB peak RSS for 1,500 sign-ins at load 20
// (BENCHMARKS.md, "Load: 10,000 officers on one process"). Near the limit the
// collector runs sooner instead. Live data stays well below it (≈ 100 MiB at
// 10,000 officers with a quiz open: the heap profile), so the collector is not
// pinned to it; an installation that holds more sets GOMEMLIMIT itself (or
// GOMEMLIMIT=off).
const defaultMemoryLimit = 320 << 20

// setMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is set (the
// runtime has then applied it already).
func setMemoryLimit(getenv func(string) string, log *slog.Logger) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	log.Info("Go memory limit", "bytes", defaultMemoryLimit, "override", "GOMEMLIMIT")
}
