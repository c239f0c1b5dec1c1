//go:build unix

package auth

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCheckPassword is one sign-in's password check (argon2id with the
// parameters new hashes get): the floor a sign-in burst is measured against
// (BENCHMARKS.md, "Sign-in at 10,000": officers × CPU per check ÷ cores). It
// reports the process's CPU time per check too: on a shared machine the wall
// time moves with the load, the CPU time much less.
func BenchmarkCheckPassword(b *testing.B) {
	hash, err := HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	before := cpuTime(b)
	for b.Loop() {
		if ok, err := checkPassword(context.Background(), hash, "correct horse battery staple"); !ok || err != nil {
			b.Fatalf("check = %v, %v", ok, err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-before)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
