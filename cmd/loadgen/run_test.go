package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"
)

// TestRun_SmallRoomAgainstRealServer builds and starts the real lectern, runs a
// tiny quiz, and checks the JSON line and that no goroutine outlives the run.
func TestRun_SmallRoomAgainstRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the lectern binary")
	}
	before := runtime.NumGoroutine()
	got, stdout := runJSON(t, "--officers", "5", "--think", "20ms", "--start-window", "200ms", "--max-duration", "2m", "--seed", "42")
	// 5 officers × (start + at least 15 saves + submit) on the default quiz.
	if got.Officers != 5 || got.Errors != 0 || got.LostAnswers != 0 || got.Requests < 5*17 || got.ServerMaxRSSMB == nil ||
		got.SignedIn != 5 || got.SignedInAllMS == nil || *got.SignedInAllMS <= 0 || got.LoginP50 <= 0 || got.Retries[phaseLogin] == nil {
		t.Errorf("JSON line = %s", stdout)
	}

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // connections' goroutines end asynchronously
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before the run, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestRun_Questions: --questions 3 answers the first three questions of each
// attempt and submits (Moodle's measured shape is a 10-question quiz).
func TestRun_Questions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the lectern binary")
	}
	got, stdout := runJSON(t, "--officers", "5", "--questions", "3", "--think", "20ms", "--start-window", "200ms", "--max-duration", "2m", "--seed", "42")
	// 5 × (start + 3 saves, with at most two more each for a stale resend, + submit).
	if got.Answered != 3 || got.Errors != 0 || got.LostAnswers != 0 || got.Requests < 5*5 || got.Requests > 5*11 {
		t.Errorf("JSON line = %s", stdout)
	}
}

func TestAnswered(t *testing.T) {
	for _, c := range []struct{ n, limit, want int }{{15, 0, 15}, {15, 10, 10}, {15, 15, 15}, {15, 40, 15}, {3, 10, 3}} {
		if got := answered(c.n, c.limit); got != c.want {
			t.Errorf("answered(%d, %d) = %d, want %d", c.n, c.limit, got, c.want)
		}
	}
}

// runJSON runs the load generator with args (starting its own server), which
// must exit 0, and returns its JSON line, decoded and as printed.
func runJSON(t *testing.T, args ...string) (jsonLine, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	var got jsonLine
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not one JSON line: %v\n%s", err, stdout.String())
	}
	return got, stdout.String()
}
