package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// checkLoopback accepts only a base URL on this machine: loadgen sends thousands of
// requests and creates accounts, which must never land on someone else's server.
// It returns the URL without a trailing slash.
func checkLoopback(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("--base-url %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("--base-url %q: want an http:// or https:// URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--base-url %q: want only scheme, host, port and path", raw)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("--base-url %q: only loopback servers (127.0.0.1, ::1, localhost) may be load-tested", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// phase names what a request was for; each is summarised on its own.
type phase string

const (
	phaseSetup    phase = "" // not recorded: setup is not timed
	phaseLogin    phase = "login"
	phaseStart    phase = "start"
	phaseAutosave phase = "autosave"
	phaseSubmit   phase = "submit"
	phaseReadback phase = "readback"
)

// phases lists the recorded phases in the order they happen.
var phases = []phase{phaseLogin, phaseStart, phaseAutosave, phaseSubmit, phaseReadback}

// sample is one call as the client saw it: every send of it, retries and the
// waits between them included, since that is what a person waits.
type sample struct {
	phase   phase
	at      time.Time // when it was first sent
	latency time.Duration
	status  int    // of the last answer; 0: no response
	err     string // empty: as expected
	retries [retryKinds]int
}

// retryKind is why a call was sent again.
type retryKind int

const (
	retryBusy       retryKind = iota // 429 err.login.busy: the server said when to come back
	retryConnection                  // refused, reset, or closed before a whole answer (EOF); not a timeout
	retry5xx                         // 502/503/504: a proxy found no process to answer
	retryKinds
)

var retryKindNames = [retryKinds]string{"429", "connection", "5xx"}

// failover reports a resend kind that only a proxy failing over (a process
// killed or restarted behind nginx) explains. Against one process each is a
// server failure the resend would otherwise hide: a refused or reset
// connection, an overflowing accept queue. So without --expect-failover they
// fail the run (result.failed).
func (k retryKind) failover() bool { return k != retryBusy }

// msgBusy is the message id of the one 429 a browser resends by itself: the
// sign-in refused because the server is busy hashing other passwords (the
// sign-in page counts its Retry-After down and sends again). Every other 429
// is a refusal to be seen, not waited out: err.login.throttled is a lock-out
// after failed passwords, err.checkin.too_many a wrong-code limit, and the
// per-address limits (no message id of their own) guard pages loadgen never
// calls.
const msgBusy = "err.login.busy"

// recorder collects every sample; a mutex is plenty at a few thousand requests a
// second.
type recorder struct {
	mu      sync.Mutex
	samples []sample
}

func (r *recorder) add(s sample) {
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
}

func (r *recorder) all() []sample {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sample(nil), r.samples...)
}

// retryPolicy is how a browser (and our quiz page's journal) treats a refused or
// lost request: it waits and sends it again, and only gives up after a long
// while. A busy sign-in's 429 is waited out for its Retry-After; a failed
// connection or a proxy's 502/503/504 is resent after a short backoff,
// doubling, jittered so a hall does not come back in step. Anything else
// (another 429, a timeout, a TLS failure, an answer that is not HTTP) is an
// error at once.
type retryPolicy struct {
	giveUp     time.Duration // a call still failing after this long is an error
	maxWait    time.Duration // Retry-After is capped at this
	minBackoff time.Duration
	maxBackoff time.Duration
}

func defaultRetry(giveUp time.Duration) retryPolicy {
	return retryPolicy{giveUp: giveUp, maxWait: 30 * time.Second, minBackoff: 100 * time.Millisecond, maxBackoff: 2 * time.Second}
}

// backoff is the wait before resend n (0-based) after a failed connection or a
// 5xx: minBackoff doubling up to maxBackoff, each between half and all of it.
func (p retryPolicy) backoff(n int) time.Duration {
	d := p.minBackoff
	for i := 0; i < n && d < p.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.maxBackoff)
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// afterBusy is the wait a 429 asks for (Retry-After in seconds or as an HTTP
// date), capped, plus up to a fifth more so that everyone told "5 s" at once
// does not come back in the same millisecond; without a usable header, the
// backoff.
func (p retryPolicy) afterBusy(h string, n int, now time.Time) time.Duration {
	var d time.Duration
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && secs >= 0 {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	} else {
		return p.backoff(n)
	}
	d = min(max(d, 0), p.maxWait)
	return d + time.Duration(mrand.Int64N(int64(d/5)+1))
}

// next says whether a failed send (the n-th resend, 0-based) is sent again, why,
// and after how long.
func (p retryPolicy) next(err error, n int) (retryKind, time.Duration, bool) {
	var ae *apiError
	switch {
	case errors.As(err, &ae) && ae.status == http.StatusTooManyRequests && ae.messageID == msgBusy:
		return retryBusy, p.afterBusy(ae.retryAfter, n, time.Now()), true
	case errors.As(err, &ae) && (ae.status == http.StatusBadGateway || ae.status == http.StatusServiceUnavailable || ae.status == http.StatusGatewayTimeout):
		return retry5xx, p.backoff(n), true
	case errors.As(err, &ae):
		return 0, 0, false // the server answered: resending would get the same answer
	case isConnectionError(err):
		return retryConnection, p.backoff(n), true
	}
	return 0, 0, false // e.g. TLS, a malformed answer, one we could not decode
}

// client sends API requests through one shared http.Client and records them.
type client struct {
	http  *http.Client
	base  string
	rec   *recorder
	retry retryPolicy
}

// newClient sizes one Transport for every officer at once: with fewer idle
// connections per host than officers, the start burst would close and redial
// connections (the default keeps 2), and we would measure TCP handshakes and
// TIME_WAIT churn rather than Lectern.
func newClient(base string, officers int, timeout time.Duration, retry retryPolicy) *client {
	tr := &http.Transport{
		Proxy:                 nil, // loopback load never goes through a proxy from the environment
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          officers + 64,
		MaxIdleConnsPerHost:   officers + 64,
		MaxConnsPerHost:       0,
		IdleConnTimeout:       90 * time.Second, // below the server's 120 s, so the client closes first
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &client{
		base:  base,
		rec:   &recorder{},
		retry: retry,
		http: &http.Client{
			Transport: tr,
			Timeout:   timeout,
			// The API never redirects; following one could leave loopback.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// call is one API request. Every call may be sent more than once (see
// retryPolicy), so each must be safe to resend: saves carry their seq (an older
// one arriving later changes nothing), starting returns the attempt already
// open (200 instead of 201: also), submitting again returns the same result,
// and a resent sign-in just signs in again.
type call struct {
	phase  phase
	method string
	path   string
	token  string
	body   any    // JSON-encoded, unless raw is set
	raw    []byte // sent as is with rawType
	rawTyp string
	want   int   // expected status
	also   []int // other statuses that mean the same (e.g. 200 for an attempt already started)
	out    any   // decoded from a response with the expected status
	// check, if set, judges a decoded answer (e.g. a stale save must be
	// acknowledged with the stored answer); its error counts as a failed request.
	check func() error
}

func (k call) expects(status int) bool { return status == k.want || slices.Contains(k.also, status) }

// apiError is an answer with an unexpected status.
type apiError struct {
	status     int
	code       string
	messageID  string // the API error's message_id, e.g. err.login.busy
	msg        string
	retryAfter string // the Retry-After header, if any
}

func (e *apiError) Error() string {
	switch {
	case e.code == "":
		return fmt.Sprintf("HTTP %d", e.status)
	case e.messageID != "":
		return fmt.Sprintf("HTTP %d %s %s: %s", e.status, e.code, e.messageID, e.msg)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.status, e.code, e.msg)
}

// gaveUpError is a call that kept failing for the whole --give-up time.
type gaveUpError struct {
	after time.Duration
	sends int
	last  error
}

func (e *gaveUpError) Error() string {
	return fmt.Sprintf("gave up after %s (%d sends): %v", e.after, e.sends, e.last)
}

func (e *gaveUpError) Unwrap() error { return e.last }

// do sends one request, resending it as retryPolicy says, reads the whole answer
// (the latency includes the body and every wait) and records it under its phase.
func (c *client) do(ctx context.Context, k call) error {
	var payload []byte
	ctype := ""
	switch {
	case k.raw != nil:
		payload, ctype = k.raw, k.rawTyp
	case k.body != nil:
		b, err := json.Marshal(k.body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", k.method, k.path, err)
		}
		payload, ctype = b, "application/json"
	}
	start := time.Now()
	s := sample{phase: k.phase, at: start}
	var err error
	for n := 0; ; n++ {
		s.status, err = c.send(ctx, k, payload, ctype)
		if err == nil || ctx.Err() != nil {
			break
		}
		kind, wait, again := c.retry.next(err, n)
		if !again {
			break
		}
		if time.Since(start)+wait > c.retry.giveUp {
			err = &gaveUpError{after: c.retry.giveUp, sends: n + 1, last: err}
			break
		}
		s.retries[kind]++
		if sleep(ctx, wait) != nil {
			break // aborted: err stays the last failure, errorKind says aborted
		}
	}
	s.latency = time.Since(start)
	if err == nil && k.check != nil {
		err = k.check()
	}
	if err != nil {
		s.err = errorKind(ctx, err)
	}
	if k.phase != phaseSetup {
		c.rec.add(s)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", k.method, k.path, err)
	}
	return nil
}

// isConnectionError reports a request that got no whole HTTP answer for a
// reason that may pass: refused, reset, a broken pipe, or closed before the
// answer ended (EOF). An answer cut short while its body was read is one too:
// the request may or may not have been applied, and every call is safe to
// resend. Not a TLS failure or an answer that is not HTTP: those would fail
// the same way on every resend. Not a timeout either: the server is still
// working on the request, and a browser would go on waiting rather than send a
// second copy — resending timed-out sign-ins doubled the hashing queue in a
// 10,000-officer run (BENCHMARKS.md, "Sign-in at 10,000"); a timeout is an
// error at once.
func isConnectionError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

var errReadAnswer = errors.New("read answer")

// send makes one HTTP exchange of the call.
func (c *client) send(ctx context.Context, k call, payload []byte, ctype string) (int, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, c.base+k.path, body)
	if err != nil {
		return 0, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, fmt.Errorf("%w: %w", errReadAnswer, err)
	}
	if !k.expects(res.StatusCode) {
		var e struct {
			Error struct {
				Code      string `json:"code"`
				Message   string `json:"message"`
				MessageID string `json:"message_id"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e) // best effort: the status alone is the error
		return res.StatusCode, &apiError{status: res.StatusCode, code: e.Error.Code, messageID: e.Error.MessageID,
			msg: e.Error.Message, retryAfter: res.Header.Get("Retry-After")}
	}
	if k.out != nil {
		if err := json.Unmarshal(data, k.out); err != nil {
			return res.StatusCode, fmt.Errorf("decode answer: %w", err)
		}
	}
	return res.StatusCode, nil
}

// errorKind shortens an error to a label that groups well in the summary (ids and
// URLs removed).
func errorKind(ctx context.Context, err error) string {
	var ae *apiError
	var ue *url.Error
	var gu *gaveUpError
	switch {
	case ctx.Err() != nil:
		return "aborted: " + context.Cause(ctx).Error()
	case errors.As(err, &gu):
		return fmt.Sprintf("gave up after %s: %s", gu.after, errorKind(ctx, gu.last))
	case errors.As(err, &ae):
		return ae.Error()
	case errors.As(err, &ue):
		if ue.Timeout() {
			return "timeout"
		}
		return ue.Err.Error()
	}
	return err.Error()
}
