package metrics_test

import (
	"database/sql"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/metrics"
)

// *Metrics is what each domain package counts through.
var (
	_ attempt.Metrics = (*metrics.Metrics)(nil)
	_ certify.Metrics = (*metrics.Metrics)(nil)
	_ mail.Metrics    = (*metrics.Metrics)(nil)
)

func TestMetrics_NilCountsNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveRequest("/x", "GET", 200, time.Millisecond)
	m.AttemptStarted()
	m.AttemptFinalised("submitted")
	m.Autosave("saved")
	m.CertificatesIssued(3)
	m.EmailAttempt("sent")
	m.WriterWait(time.Millisecond)
	if err := m.WatchDB("write", &sql.DB{}); err != nil {
		t.Fatal(err)
	}
}

func TestMetrics_Exposition(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("/api/v1/attempts/:id", "GET", 200, 3*time.Millisecond)
	m.ObserveRequest("/api/v1/attempts/:id", "GET", 200, 40*time.Millisecond)
	m.CertificatesIssued(0)
	m.CertificatesIssued(2)
	m.EmailAttempt("retry")
	m.WriterWait(30 * time.Microsecond)
	m.WriterWait(2 * time.Millisecond)

	if n := testutil.CollectAndCount(m.Registry(), "lectern_autosaves_total"); n != 3 {
		t.Errorf("%d autosave series before any save, want saved, stale and refused at 0", n)
	}
	want := `
# HELP lectern_certificates_issued_total Certificates issued when sessions were closed.
# TYPE lectern_certificates_issued_total counter
lectern_certificates_issued_total 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "lectern_certificates_issued_total"); err != nil {
		t.Error(err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, line := range []string{
		`lectern_http_requests_total{code="200",method="GET",route="/api/v1/attempts/:id"} 2`,
		`lectern_http_request_duration_seconds_bucket{method="GET",route="/api/v1/attempts/:id",le="0.005"} 1`,
		`lectern_http_request_duration_seconds_count{method="GET",route="/api/v1/attempts/:id"} 2`,
		`lectern_email_attempts_total{result="retry"} 1`,
		`lectern_email_attempts_total{result="sent"} 0`,
		`go_goroutines `,
		`lectern_db_writer_wait_seconds_bucket{le="5e-05"} 1`,
		`lectern_db_writer_wait_seconds_bucket{le="0.0025"} 2`,
		`lectern_db_writer_wait_seconds_count 2`,
	} {
		if !strings.Contains(string(body), line) {
			t.Errorf("exposition lacks %q", line)
		}
	}
}

// BenchmarkMetrics_ObserveRequest is what every request pays with metrics on,
// plus the one counter an autosave adds.
func BenchmarkMetrics_ObserveRequest(b *testing.B) {
	m := metrics.New()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.ObserveRequest("/api/v1/attempts/:id/answers/:question", "PUT", 200, 400*time.Microsecond)
			m.Autosave("saved")
		}
	})
}
