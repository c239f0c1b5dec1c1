package testfixture

import (
	"syscall"
	"testing"
	"time"
)

// CPUPerOp starts counting the process's CPU time (user and system: in an HTTP
// benchmark, the server and its clients, which share the process) and returns
// what reports it per operation as cpu-ns/op. ns/op is wall time divided among
// parallel goroutines and moves with the machine's other work; CPU time is what
// an operation costs. Call the result when the timed part ends.
func CPUPerOp(b *testing.B) func() {
	start := processCPU()
	return func() { b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op") }
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
