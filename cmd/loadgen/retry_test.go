package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fastRetry keeps the real policy's shape with waits short enough for a test.
func fastRetry(giveUp time.Duration) retryPolicy {
	return retryPolicy{giveUp: giveUp, maxWait: 300 * time.Millisecond, minBackoff: time.Millisecond, maxBackoff: 20 * time.Millisecond}
}

// flaky answers the first fails requests with fail, then 200 {"ok":true}.
func flaky(t *testing.T, fails int, fail func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(n.Add(1)) <= fails {
			fail(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func reply(status int, retryAfter string) func(http.ResponseWriter) {
	return replyID(status, retryAfter, "")
}

// replyID answers as the API's error handler does, with messageID as the
// error's message_id.
func replyID(status int, retryAfter, messageID string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"error":{"code":"x","message":"refused","message_id":%q}}`, messageID)
	}
}

// busy is the sign-in refused while the server hashes other passwords.
func busy(retryAfter string) func(http.ResponseWriter) {
	return replyID(http.StatusTooManyRequests, retryAfter, msgBusy)
}

// hangUp closes the connection without an answer (a killed process, a reset).
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestClient_RetriesLikeABrowser(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fail  func(http.ResponseWriter)
		fails int
		kind  retryKind
		least time.Duration // the client must have waited at least this
	}{
		{"busy 429 waits Retry-After", busy("0"), 2, retryBusy, 0},
		{"busy 429 Retry-After capped", busy("3600"), 1, retryBusy, 300 * time.Millisecond},
		{"502 from a proxy", reply(http.StatusBadGateway, ""), 3, retry5xx, 0},
		{"503", reply(http.StatusServiceUnavailable, ""), 1, retry5xx, 0},
		{"504", reply(http.StatusGatewayTimeout, ""), 1, retry5xx, 0},
		{"connection closed before an answer", hangUp, 3, retryConnection, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := flaky(t, tc.fails, tc.fail)
			c := newClient(srv.URL, 1, 5*time.Second, fastRetry(10*time.Second))
			defer c.close()
			var out struct{ OK bool }
			began := time.Now()
			err := c.do(context.Background(), call{phase: phaseLogin, method: "POST", path: "/x", body: map[string]string{"a": "b"},
				want: http.StatusOK, out: &out})
			if err != nil || !out.OK {
				t.Fatalf("do = %v (ok %v), want success after %d failures", err, out.OK, tc.fails)
			}
			if got := int(n.Load()); got != tc.fails+1 {
				t.Errorf("server saw %d requests, want %d", got, tc.fails+1)
			}
			if waited := time.Since(began); waited < tc.least {
				t.Errorf("answered after %s, want at least %s (Retry-After capped)", waited, tc.least)
			}
			s := c.rec.all()
			if len(s) != 1 || s[0].err != "" || s[0].status != http.StatusOK {
				t.Fatalf("samples = %+v, want one successful call", s)
			}
			want := [retryKinds]int{}
			want[tc.kind] = tc.fails
			if s[0].retries != want {
				t.Errorf("retries = %v, want %v", s[0].retries, want)
			}
		})
	}
}

func TestClient_RefusedConnectionIsRetried(t *testing.T) {
	// A port nobody listens on yet; the server comes up once the client has
	// been refused (seen by its dialer, not guessed with a sleep), like a
	// restarted process rejoining.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newClient("http://"+addr, 1, 5*time.Second, fastRetry(10*time.Second))
	defer c.close()
	tr := c.http.Transport.(*http.Transport)
	dial := tr.DialContext
	refused := make(chan struct{})
	var once sync.Once
	tr.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := dial(ctx, network, address)
		if errors.Is(err, syscall.ECONNREFUSED) {
			once.Do(func() { close(refused) })
		}
		return conn, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) })}
	t.Cleanup(func() { srv.Close() })
	go func() {
		<-refused
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return // the port was taken meanwhile: the test fails below with a clear error
		}
		_ = srv.Serve(l)
	}()
	if err := c.do(context.Background(), call{phase: phaseAutosave, method: "PUT", path: "/x", want: http.StatusOK}); err != nil {
		t.Fatalf("do = %v, want success once the server is up", err)
	}
	if s := c.rec.all(); s[0].retries[retryConnection] == 0 {
		t.Errorf("retries = %v, want connection retries", s[0].retries)
	}
}

func TestClient_GivesUp(t *testing.T) {
	srv, n := flaky(t, 1<<30, reply(http.StatusServiceUnavailable, ""))
	c := newClient(srv.URL, 1, 5*time.Second, fastRetry(200*time.Millisecond))
	defer c.close()
	err := c.do(context.Background(), call{phase: phaseSubmit, method: "POST", path: "/x", want: http.StatusOK})
	var gu *gaveUpError
	if !errors.As(err, &gu) {
		t.Fatalf("do = %v, want gave up", err)
	}
	if n.Load() < 3 {
		t.Errorf("server saw %d requests, want several before giving up", n.Load())
	}
	if s := c.rec.all(); !strings.HasPrefix(s[0].err, "gave up after 200ms: HTTP 503") {
		t.Errorf("error kind = %q, want it to say it gave up and why", s[0].err)
	}
}

func TestClient_AnswersAreNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusInternalServerError} {
		srv, n := flaky(t, 1, reply(status, "1"))
		c := newClient(srv.URL, 1, 5*time.Second, fastRetry(10*time.Second))
		err := c.do(context.Background(), call{phase: phaseSubmit, method: "POST", path: "/x", want: http.StatusOK})
		var ae *apiError
		if !errors.As(err, &ae) || ae.status != status || n.Load() != 1 {
			t.Errorf("HTTP %d: do = %v after %d requests, want the error at once", status, err, n.Load())
		}
		c.close()
	}
}

// Only the busy sign-in's 429 is waited out. A lock-out after failed
// passwords, a wrong-code limit or a per-address limit (no message id) is what
// the run must show, at once, as the browser shows it.
func TestClient_OtherRefusalsAreNotResent(t *testing.T) {
	for _, id := range []string{"err.login.throttled", "err.checkin.too_many", ""} {
		srv, n := flaky(t, 1, replyID(http.StatusTooManyRequests, "0", id))
		c := newClient(srv.URL, 1, 5*time.Second, fastRetry(10*time.Second))
		err := c.do(context.Background(), call{phase: phaseLogin, method: "POST", path: "/x", want: http.StatusOK})
		var ae *apiError
		if !errors.As(err, &ae) || ae.status != http.StatusTooManyRequests || ae.messageID != id || n.Load() != 1 {
			t.Errorf("429 %q: do = %v after %d requests, want the refusal at once", id, err, n.Load())
		}
		if s := c.rec.all(); len(s) != 1 || s[0].retries != [retryKinds]int{} || !strings.Contains(s[0].err, "429") {
			t.Errorf("429 %q: samples = %+v, want one failed call and no resend", id, s)
		}
		c.close()
	}
}

// Failures that would come back on every resend are errors at once: an answer
// that is not HTTP, a certificate the client does not trust.
func TestClient_PermanentFailuresAreNotResent(t *testing.T) {
	var n atomic.Int32
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString("NOT-HTTP garbage\r\n\r\n")
		_ = buf.Flush()
		conn.Close()
	}))
	t.Cleanup(garbage.Close)
	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	t.Cleanup(untrusted.Close)
	for _, url := range []string{garbage.URL, untrusted.URL} {
		n.Store(0)
		c := newClient(url, 1, 5*time.Second, fastRetry(10*time.Second))
		err := c.do(context.Background(), call{phase: phaseAutosave, method: "PUT", path: "/x", want: http.StatusOK})
		s := c.rec.all()
		if err == nil || s[0].retries != [retryKinds]int{} || n.Load() > 1 {
			t.Errorf("%s: do = %v, retries %v, %d requests seen; want the failure at once", url, err, s[0].retries, n.Load())
		}
		c.close()
	}
}

// Against one process a connection or 5xx resend is a failure the
// resend hides; only --expect-failover (a proxy failing over a killed process)
// makes them expected. A busy sign-in's resend never fails the run.
func TestResult_FailoverResendsFailTheRun(t *testing.T) {
	for _, tc := range []struct {
		kind     retryKind
		failover bool
		want     bool
	}{
		{retryBusy, false, false},
		{retryConnection, false, true},
		{retry5xx, false, true},
		{retryConnection, true, false},
		{retry5xx, true, false},
	} {
		s := sample{phase: phaseAutosave, latency: time.Millisecond}
		s.retries[tc.kind] = 2
		r := &result{cfg: config{Officers: 0, ExpectFailover: tc.failover}, samples: []sample{s}, began: time.Now()}
		if got := r.failed(); got != tc.want {
			t.Errorf("%s resends, expect failover %v: failed = %v, want %v", retryKindNames[tc.kind], tc.failover, got, tc.want)
		}
		var summary, line strings.Builder
		r.printSummary(&summary)
		if tc.want && !strings.Contains(summary.String(), "verdict: FAILED (0 errors, 0 lost answers, 2 connection/5xx resends") {
			t.Errorf("%s resends: summary does not say why it failed:\n%s", retryKindNames[tc.kind], summary.String())
		}
		if err := r.writeJSON(&line); err != nil {
			t.Fatal(err)
		}
		var j jsonLine
		if err := json.Unmarshal([]byte(line.String()), &j); err != nil {
			t.Fatal(err)
		}
		wantFailover := 2
		if tc.kind == retryBusy {
			wantFailover = 0
		}
		if j.Retries[phaseAutosave][retryKindNames[tc.kind]] != 2 || j.RetriesTotal != 2 || j.FailoverResends != wantFailover || j.ExpectFailover != tc.failover {
			t.Errorf("%s resends: JSON line %s", retryKindNames[tc.kind], line.String())
		}
	}
}

func TestClient_AlsoAccepted(t *testing.T) {
	// A resent start finds the attempt already open: 200 instead of 201.
	srv, _ := flaky(t, 0, nil)
	c := newClient(srv.URL, 1, 5*time.Second, fastRetry(time.Second))
	defer c.close()
	if err := c.do(context.Background(), call{phase: phaseStart, method: "POST", path: "/x", want: http.StatusCreated, also: []int{http.StatusOK}}); err != nil {
		t.Errorf("do = %v, want 200 accepted as well as 201", err)
	}
}

func TestRetryPolicy_Waits(t *testing.T) {
	p := defaultRetry(5 * time.Minute)
	now := time.Now()
	for n := range 10 {
		d := p.backoff(n)
		ceil := min(100*time.Millisecond<<n, 2*time.Second)
		if d < ceil/2 || d > ceil {
			t.Errorf("backoff(%d) = %s, want within [%s, %s]", n, d, ceil/2, ceil)
		}
	}
	for h, want := range map[string]time.Duration{"5": 5 * time.Second, "0": 0, "900": 30 * time.Second,
		now.Add(10 * time.Second).UTC().Format(http.TimeFormat): 10 * time.Second} {
		d := p.afterBusy(h, 0, now)
		// Up to a fifth more, so a hall told the same Retry-After spreads out; a
		// date loses its sub-second part.
		if d < want-time.Second || d > want+want/5 {
			t.Errorf("afterBusy(%q) = %s, want %s to %s", h, d, want, want+want/5)
		}
	}
	if d := p.afterBusy("soon", 0, now); d > 100*time.Millisecond {
		t.Errorf("afterBusy(unreadable) = %s, want the first backoff", d)
	}
}

func TestClient_TimeoutIsNotResent(t *testing.T) {
	// The server is still working on a timed-out request: a second copy would
	// only add to its queue.
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer srv.Close()
	c := newClient(srv.URL, 1, 100*time.Millisecond, fastRetry(10*time.Second))
	defer c.close()
	err := c.do(context.Background(), call{phase: phaseLogin, method: "POST", path: "/x", want: http.StatusOK})
	if err == nil || n.Load() != 1 {
		t.Errorf("do = %v after %d requests, want a timeout error after one", err, n.Load())
	}
	if s := c.rec.all(); s[0].err != "timeout" {
		t.Errorf("error kind = %q, want timeout", s[0].err)
	}
}
