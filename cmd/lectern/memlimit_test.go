package main

import (
	"log/slog"
	"runtime/debug"
	"testing"
)

// TestSetMemoryLimit: serve sets its soft memory limit unless the operator's
// GOMEMLIMIT is there, which the runtime has applied and which stays.
func TestSetMemoryLimit(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(was) })
	log := slog.New(slog.DiscardHandler)

	debug.SetMemoryLimit(1 << 40)
	setMemoryLimit(func(string) string { return "2GiB" }, log)
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("with GOMEMLIMIT set, the limit became %d", got)
	}
	setMemoryLimit(func(string) string { return "" }, log)
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("without GOMEMLIMIT, the limit is %d, want %d", got, defaultMemoryLimit)
	}
}
