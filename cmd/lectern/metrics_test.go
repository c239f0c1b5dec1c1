package main

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/metrics"
)

var metricsListening = regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)

func fetch(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

// TestServe_Metrics: the real binary serves /metrics on --metrics-addr (and not
// on the public port), or on the public port to the bearer of
// LECTERN_METRICS_TOKEN.
func TestServe_Metrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	const token = "a-long-enough-metrics-token"

	t.Run("SeparateListener", func(t *testing.T) {
		_, url, logs := startBinary(t, bin, "--data", t.TempDir(), "--metrics-addr", "127.0.0.1:0")
		m := metricsListening.FindStringSubmatch(logs.String())
		if m == nil {
			t.Fatalf("no metrics listener in the logs:\n%s", logs)
		}
		metricsURL := "http://" + m[1] + "/metrics"
		for i := 0; i < 3; i++ {
			fetch(t, url+"/healthz", "")
		}
		fetch(t, url+"/courses/crypto-crime", "")
		status, body := fetch(t, metricsURL, "")
		if status != 200 {
			t.Fatalf("scrape: %d %s", status, body)
		}
		for _, want := range []string{
			`lectern_http_requests_total{code="200",method="GET",route="/healthz"} 3`,
			`route="/courses/:course"`,
			`lectern_attempts_started_total 0`,
			`lectern_email_attempts_total{result="sent"} 0`,
			`go_sql_open_connections{db_name="read"}`,
			`go_sql_open_connections{db_name="write"}`,
			`process_resident_memory_bytes`,
			`lectern_db_writer_wait_seconds_count `,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("scrape lacks %s", want)
			}
		}
		if strings.Contains(body, "crypto-crime") {
			t.Error("a raw path in a route label")
		}
		if status, _ := fetch(t, url+"/metrics", ""); status != http.StatusNotFound {
			t.Errorf("public port /metrics without a token configured: %d, want 404", status)
		}
		if strings.Contains(body, "lectern_db_writer_wait_seconds_count 0") {
			t.Error("no write observed waiting for the writer: the first start writes the admin")
		}
		// The profiler is on the metrics listener, with the mutex and block
		// profiles switched on, and not on the public port.
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/mutex?debug=1", "/debug/pprof/block?debug=1", "/debug/pprof/profile?seconds=1"} {
			if status, body := fetch(t, "http://"+m[1]+path, ""); status != 200 || body == "" {
				t.Errorf("metrics listener %s: %d", path, status)
			}
		}
		// Not the command line: it may hold the database password.
		if status, body := fetch(t, "http://"+m[1]+"/debug/pprof/cmdline", ""); status != http.StatusNotFound || strings.Contains(body, "--metrics-addr") {
			t.Errorf("metrics listener /debug/pprof/cmdline: %d %.100q, want 404", status, body)
		}
		if _, body := fetch(t, "http://"+m[1]+"/debug/pprof/mutex?debug=1", ""); !strings.Contains(body, "sampling period=20") {
			t.Errorf("mutex profile off on the metrics listener:\n%.300s", body)
		}
		if status, _ := fetch(t, url+"/debug/pprof/", ""); status != http.StatusNotFound {
			t.Errorf("public port /debug/pprof/: %d, want 404", status)
		}
		if status, _ := fetch(t, "http://"+m[1]+"/healthz", ""); status != http.StatusNotFound {
			t.Errorf("the metrics listener serves /healthz: %d", status)
		}
	})

	t.Run("TokenOnPublicPort", func(t *testing.T) {
		t.Setenv("LECTERN_METRICS_TOKEN", token)
		_, url, logs := startBinary(t, bin, "--data", t.TempDir())
		if metricsListening.MatchString(logs.String()) {
			t.Error("a metrics listener without --metrics-addr")
		}
		if status, _ := fetch(t, url+"/metrics", ""); status != http.StatusUnauthorized {
			t.Errorf("no token: %d", status)
		}
		if status, _ := fetch(t, url+"/metrics", "wrong-"+token); status != http.StatusUnauthorized {
			t.Errorf("wrong token: %d", status)
		}
		if status, body := fetch(t, url+"/metrics", token); status != 200 || !strings.Contains(body, "lectern_http_requests_total") {
			t.Errorf("right token: %d", status)
		}
	})

	t.Run("ShortToken", func(t *testing.T) {
		t.Setenv("LECTERN_METRICS_TOKEN", "short")
		if code, _, stderr := runCmd(t, "serve", "--data", t.TempDir()); code != 2 || !strings.Contains(stderr, "LECTERN_METRICS_TOKEN") {
			t.Errorf("exit %d, %q", code, stderr)
		}
	})
}

// On an address other than loopback the metrics listener serves /metrics and
// not the profiler (no token guards it), and leaves the mutex and block
// profiles off.
func TestServeMetrics_NoProfilerBeyondLoopback(t *testing.T) {
	var logs bytes.Buffer
	before := runtime.SetMutexProfileFraction(-1)
	stop, err := serveMetrics("0.0.0.0:0", metrics.New(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	m := metricsListening.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no metrics listener in the logs:\n%s", logs.String())
	}
	_, port, _ := net.SplitHostPort(m[1])
	base := "http://127.0.0.1:" + port
	if status, _ := fetch(t, base+"/metrics", ""); status != http.StatusOK {
		t.Errorf("/metrics: %d, want 200", status)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/profile?seconds=1", "/debug/pprof/trace?seconds=1", "/debug/pprof/cmdline"} {
		if status, _ := fetch(t, base+path, ""); status != http.StatusNotFound {
			t.Errorf("%s on a non-loopback metrics listener: %d, want 404", path, status)
		}
	}
	if got := runtime.SetMutexProfileFraction(-1); got != before {
		t.Errorf("mutex profile fraction %d, want it left at %d without the profiler", got, before)
	}
	if !strings.Contains(logs.String(), "profiler=false") {
		t.Errorf("the log does not say the profiler is off:\n%s", logs.String())
	}
}
