package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile_NearestRank(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1 … 100 ms
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one sample is every percentile", ms(7), 50, 7 * time.Millisecond},
		{"one sample p100", ms(7), 100, 7 * time.Millisecond},
		{"p50 of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p50 of five is the middle", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"p95 of 100 is the 95th, not the 96th", hundred, 95, 95 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the maximum", hundred, 100, 100 * time.Millisecond},
		{"p99 of ten is the maximum", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p0 is the minimum", ms(3, 4), 0, 3 * time.Millisecond},
		{"one slow request shows at p99 of 50", append(ms(make([]int, 49)...), time.Second), 99, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(%d samples, %v) = %v, want %v", len(tc.sorted), tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarise_PhasesAndErrors(t *testing.T) {
	s := []sample{
		{phase: phaseLogin, latency: 900 * time.Millisecond},
		{phase: phaseStart, latency: 4 * time.Millisecond},
		{phase: phaseAutosave, latency: 2 * time.Millisecond, err: "HTTP 500"},
		{phase: phaseSubmit, latency: 3 * time.Millisecond},
		{phase: phaseReadback, latency: 50 * time.Millisecond},
	}
	got := summarise(s, quizPhases)
	if got.count != 3 || got.errors != 1 || got.max != 4*time.Millisecond || got.p50 != 3*time.Millisecond {
		t.Errorf("overall = %+v; want 3 requests, 1 error, p50 3ms, max 4ms (login and read-back left out)", got)
	}
	if got := summarise(s, only(phaseLogin)); got.count != 1 || got.p99 != 900*time.Millisecond {
		t.Errorf("login = %+v", got)
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tlectern\nVmPeak:\t 1300000 kB\nVmHWM:\t   130872 kB\nVmRSS:\t  99000 kB\n"
	got, err := parseVmHWM(strings.NewReader(status))
	if err != nil || got != 130872 {
		t.Errorf("parseVmHWM = %d, %v; want 130872", got, err)
	}
	if _, err := parseVmHWM(strings.NewReader("Name:\tx\n")); err == nil {
		t.Error("no VmHWM line: want an error")
	}
}
