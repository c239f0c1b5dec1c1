// Package metrics owns Lectern's Prometheus metrics: one registry holding the
// HTTP, quiz, certificate, e-mail and database-pool collectors, the methods the
// other packages count through, and the handler that serves them in the
// Prometheus text format.
//
// The registry is this package's own, not the client library's global default,
// so that each server (and each test) counts on its own and nothing registered
// by a dependency leaks into the scrape. Every method is safe on a nil *Metrics,
// which counts nothing: a server started without metrics needs no checks.
//
// Domain packages do not import this one; each declares the one or two methods
// it needs as a small interface (attempt.Metrics, certify.Metrics,
// mail.Metrics), which *Metrics satisfies.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of a request that matched no route, so that
// scanners probing random paths cannot grow the number of series.
const Unmatched = "unmatched"

// Metrics is every collector of one Lectern process.
type Metrics struct {
	reg               *prometheus.Registry
	requests          *prometheus.CounterVec
	durations         *prometheus.HistogramVec
	attemptsStarted   prometheus.Counter
	attemptsFinalised *prometheus.CounterVec
	autosaves         *prometheus.CounterVec
	certificates      prometheus.Counter
	emails            *prometheus.CounterVec
	writerWait        prometheus.Histogram
}

// durationBuckets suit Lectern's requests: an autosave answers in about half a
// millisecond, a page in a few, a certificate ZIP in seconds.
var durationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// waitBuckets start lower: with no queue a write finds the writer free within
// a few microseconds.
var waitBuckets = []float64{.00001, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// New returns the metrics of one process, with the Go runtime and process
// collectors already registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lectern_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lectern_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: durationBuckets,
		}, []string{"route", "method"}),
		attemptsStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lectern_attempts_started_total",
			Help: "Quiz attempts started.",
		}),
		attemptsFinalised: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lectern_attempts_finalised_total",
			Help: `Quiz attempts finalised: reason="submitted" by the officer, "deadline" by the server after the time limit.`,
		}, []string{"reason"}),
		autosaves: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lectern_autosaves_total",
			Help: `Answer saves: result="saved" stored, "stale" acknowledged with the newer stored answer, "refused" after the attempt closed.`,
		}, []string{"result"}),
		certificates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lectern_certificates_issued_total",
			Help: "Certificates issued when sessions were closed.",
		}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lectern_email_attempts_total",
			Help: `Attempts to deliver an e-mail from the outbox: result="sent", "retry" (failed, will be retried) or "failed" (given up).`,
		}, []string{"result"}),
		writerWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "lectern_db_writer_wait_seconds",
			Help:    "Time a write waited for a writer connection (SQLite's single one; a connection of PostgreSQL's pool) before it could run.",
			Buckets: waitBuckets,
		}),
	}
	m.reg.MustRegister(m.requests, m.durations, m.attemptsStarted, m.attemptsFinalised, m.autosaves, m.certificates, m.emails, m.writerWait,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that exist from the start read 0 rather than missing, so rate() and
	// alerts work before the first event.
	for _, r := range []string{"submitted", "deadline"} {
		m.attemptsFinalised.WithLabelValues(r)
	}
	for _, r := range []string{"saved", "stale", "refused"} {
		m.autosaves.WithLabelValues(r)
	}
	for _, r := range []string{"sent", "retry", "failed"} {
		m.emails.WithLabelValues(r)
	}
	return m
}

// Registry is what the handler serves; tests gather from it directly.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// WatchDB exports a connection pool's statistics (open, in use, idle, waits)
// with the label db_name=name.
func (m *Metrics) WatchDB(name string, db *sql.DB) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(collectors.NewDBStatsCollector(db, name))
}

// ObserveRequest counts one answered request. route must be a registered route
// pattern (such as /api/v1/attempts/:id) or Unmatched, never the raw path.
func (m *Metrics) ObserveRequest(route, method string, code int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.durations.WithLabelValues(route, method).Observe(took.Seconds())
}

// AttemptStarted counts a new quiz attempt.
func (m *Metrics) AttemptStarted() {
	if m != nil {
		m.attemptsStarted.Inc()
	}
}

// AttemptFinalised counts an attempt closed for reason ("submitted", "deadline").
func (m *Metrics) AttemptFinalised(reason string) {
	if m != nil {
		m.attemptsFinalised.WithLabelValues(reason).Inc()
	}
}

// Autosave counts one answer save by result ("saved", "stale", "refused").
func (m *Metrics) Autosave(result string) {
	if m != nil {
		m.autosaves.WithLabelValues(result).Inc()
	}
}

// CertificatesIssued counts n certificates issued by one close.
func (m *Metrics) CertificatesIssued(n int) {
	if m != nil && n > 0 {
		m.certificates.Add(float64(n))
	}
}

// EmailAttempt counts one delivery attempt by result ("sent", "retry", "failed").
func (m *Metrics) EmailAttempt(result string) {
	if m != nil {
		m.emails.WithLabelValues(result).Inc()
	}
}

// WriterWait records how long one write waited for a writer connection
// (store.DB.ObserveWriterWait).
func (m *Metrics) WriterWait(d time.Duration) {
	if m != nil {
		m.writerWait.Observe(d.Seconds())
	}
}
