package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
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

// sample is one request as the client saw it.
type sample struct {
	phase   phase
	at      time.Time // when it was sent
	latency time.Duration
	status  int    // 0: no response
	err     string // empty: as expected
}

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

// client sends API requests through one shared http.Client and records them.
type client struct {
	http *http.Client
	base string
	rec  *recorder
}

// newClient sizes one Transport for every officer at once: with fewer idle
// connections per host than officers, the start burst would close and redial
// connections (the default keeps 2), and we would measure TCP handshakes and
// TIME_WAIT churn rather than Lectern.
func newClient(base string, officers int, timeout time.Duration) *client {
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
		base: base,
		rec:  &recorder{},
		http: &http.Client{
			Transport: tr,
			Timeout:   timeout,
			// The API never redirects; following one could leave loopback.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// call is one API request.
type call struct {
	phase  phase
	method string
	path   string
	token  string
	body   any    // JSON-encoded, unless raw is set
	raw    []byte // sent as is with rawType
	rawTyp string
	want   int // expected status
	out    any // decoded from a response with the expected status
	// check, if set, judges a decoded answer (e.g. a stale save must be
	// acknowledged with the stored answer); its error counts as a failed request.
	check func() error
}

// apiError is an answer with an unexpected status.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("HTTP %d", e.status)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.status, e.code, e.msg)
}

// do sends one request, reads the whole answer (the latency includes the body)
// and records it under its phase.
func (c *client) do(ctx context.Context, k call) error {
	var body io.Reader
	ctype := ""
	switch {
	case k.raw != nil:
		body, ctype = bytes.NewReader(k.raw), k.rawTyp
	case k.body != nil:
		b, err := json.Marshal(k.body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", k.method, k.path, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, k.method, c.base+k.path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", k.method, k.path, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	start := time.Now()
	status, err := c.exchange(req, k)
	s := sample{phase: k.phase, at: start, latency: time.Since(start), status: status}
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

func (c *client) exchange(req *http.Request, k call) (int, error) {
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, fmt.Errorf("read answer: %w", err)
	}
	if res.StatusCode != k.want {
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(data, &e) // best effort: the status alone is the error
		return res.StatusCode, &apiError{status: res.StatusCode, code: e.Error.Code, msg: e.Error.Message}
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
	switch {
	case ctx.Err() != nil:
		return "aborted: " + context.Cause(ctx).Error()
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
