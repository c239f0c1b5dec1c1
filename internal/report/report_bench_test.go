//go:build unix

package report_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/report/reporttest"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// BenchmarkReport_100kAttempts times each report over a programme of about
// 100,000 attempts (1,200 officers, 750 sessions of 60 seats over three years), seeded
// once, against a floor measured in the same run: a bare SELECT COUNT(*) over
// attempts. Besides ns/op, each reports cpu-ns/op: the CPU time the process
// spent per report (SQLite runs in it), which a machine shared with other
// work inflates far less than the wall clock. SQLite by default; LECTERN_BENCH_POSTGRES=1 runs it on the
// PostgreSQL of LECTERN_TEST_POSTGRES_URL. BENCHMARKS.md has the figures.
func BenchmarkReport_100kAttempts(b *testing.B) {
	dsn := testfixture.SQLite(b)
	if os.Getenv("LECTERN_BENCH_POSTGRES") != "" {
		dsn = testfixture.PostgresDSN(b)
	}
	db := testfixture.Open(b, dsn)
	plan := reporttest.NewPlan(reporttest.Options{Seed: 100_000, Sessions: 750, OfficersPerAgency: 200, Seats: 60})
	ctx := context.Background()
	start := time.Now()
	if err := plan.Seed(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d attempts, %d seats, %d certificates in %s", len(plan.Attempts), len(plan.Seats), len(plan.Certificates), time.Since(start).Round(time.Millisecond))
	svc := report.NewService(db, reporttest.Library{Shipped: testfixture.Courses(b)})
	svc.Now = func() time.Time { return plan.Now }
	admin := &auth.Actor{UserID: 1, Role: auth.RoleAdmin}
	year := report.Filter{From: "2025-01-01", To: "2025-12-31"}

	b.Run("floor_count_attempts", func(b *testing.B) {
		defer cpuPerOp(b)()
		for b.Loop() {
			if _, err := db.Read(ctx).CountAttempts(); err != nil {
				b.Fatal(err)
			}
		}
	})
	reports := []struct {
		name string
		run  func(report.Filter) error
	}{
		{"trained", func(f report.Filter) error { _, err := svc.Trained(ctx, admin, f); return err }},
		{"certified", func(f report.Filter) error { _, err := svc.Certified(ctx, admin, f); return err }},
		{"attendance", func(f report.Filter) error { _, err := svc.Attendance(ctx, admin, f); return err }},
		{"quizzes", func(f report.Filter) error { _, err := svc.Quizzes(ctx, admin, f); return err }},
		{"questions", func(f report.Filter) error { _, err := svc.Questions(ctx, admin, f); return err }},
		{"certificates", func(f report.Filter) error { _, err := svc.Certificates(ctx, admin, f); return err }},
	}
	for _, r := range reports {
		for _, f := range []struct {
			name string
			f    report.Filter
		}{{"all", report.Filter{}}, {"one_year", year}} {
			b.Run(r.name+"/"+f.name, func(b *testing.B) {
				defer cpuPerOp(b)()
				for b.Loop() {
					if err := r.run(f.f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// cpuPerOp starts counting the process's CPU time; the function it returns
// reports it per op as cpu-ns/op.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime(b)
	return func() { b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op") }
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
