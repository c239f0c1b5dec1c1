package web

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// netRelay is a loopback TCP relay between the browser and a test server: a
// real network cut for browser tests. DevTools' offline emulation is not one:
// it lifts when the tab navigates (a reload would pass through), and
// navigator.onLine follows it, whereas a phone on venue Wi-Fi without a route
// still believes it is online. While cut, the relay resets every open
// connection and every new one, so requests fail at once (no hanging) and
// navigator.onLine stays true.
type netRelay struct {
	t      *testing.T
	ln     net.Listener
	target string // host:port of the server

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

// startRelay listens on a fresh loopback port and forwards to base (an
// http://host:port URL); it is closed when the test ends. Browse r.URL().
func startRelay(t *testing.T, base string) *netRelay {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("relay target %q: %v", base, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &netRelay{t: t, ln: ln, target: u.Host, conns: map[net.Conn]struct{}{}}
	go r.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		r.Cut() // ends the copying goroutines
	})
	return r
}

// URL is the relay's base URL, the one the browser should use.
func (r *netRelay) URL() string { return "http://" + r.ln.Addr().String() }

// Cut switches the network off: open connections are reset, new ones too.
func (r *netRelay) Cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cut = true
	for c := range r.conns {
		reset(c)
	}
	clear(r.conns)
}

// Restore switches the network back on.
func (r *netRelay) Restore() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cut = false
}

// reset closes a connection with an RST rather than a FIN, as a dead route
// looks to the browser: the request fails, it is not an empty answer.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

func (r *netRelay) accept() {
	for {
		client, err := r.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.t.Errorf("relay accept: %v", err)
			}
			return
		}
		go r.forward(client)
	}
}

// forward copies one connection both ways until either side ends or the relay
// is cut.
func (r *netRelay) forward(client net.Conn) {
	r.mu.Lock()
	if r.cut {
		r.mu.Unlock()
		reset(client)
		return
	}
	r.mu.Unlock()
	server, err := net.Dial("tcp", r.target)
	if err != nil {
		reset(client)
		return
	}
	r.mu.Lock()
	if r.cut { // cut while dialling
		r.mu.Unlock()
		reset(client)
		reset(server)
		return
	}
	r.conns[client], r.conns[server] = struct{}{}, struct{}{}
	r.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src) // ends with either side; the cut is the point
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	r.mu.Lock()
	delete(r.conns, client)
	delete(r.conns, server)
	r.mu.Unlock()
	_ = client.Close()
	_ = server.Close()
}

// TestRelay_CutAndRestore: the relay passes requests, fails them while cut,
// and passes them again once restored.
func TestRelay_CutAndRestore(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	r := startRelay(t, srv.URL)
	get := func() error {
		res, err := http.Get(r.URL())
		if err != nil {
			return err
		}
		defer res.Body.Close()
		_, err = io.ReadAll(res.Body)
		return err
	}
	if err := get(); err != nil {
		t.Fatalf("through the relay: %v", err)
	}
	r.Cut()
	if err := get(); err == nil {
		t.Fatal("a request passed the cut relay")
	}
	r.Restore()
	if err := get(); err != nil {
		t.Fatalf("after restoring: %v", err)
	}
}
