package store

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestNotify_PostgreSQL: a notification sent on one handle reaches a Listen
// on another handle of the same database (two processes); a notification
// queued in a transaction arrives only when it commits; and a listener whose
// connection the server kills reconnects, says so with ListenAll, and hears
// what is sent afterwards.
func TestNotify_PostgreSQL(t *testing.T) {
	a, b := openTestPostgres(t), openTestPostgres(t)
	// Channels carry a tag of the schema (both handles share one here): a
	// name of its own keeps other tests' notifications out of this one.
	channel := fmt.Sprintf("lectern_test_%d", time.Now().UnixNano())
	got := make(chan string, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Listen(ctx, channel, func(p string) { got <- p }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen returned %v after its context ended, want nil", err)
		}
	})
	expect := func(want string) {
		t.Helper()
		select {
		case p := <-got:
			if p != want {
				t.Fatalf("got payload %q, want %q", p, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no payload %q within 10 s", want)
		}
	}
	expect(ListenAll) // listening

	if err := a.Notify(context.Background(), channel, "token:1"); err != nil {
		t.Fatal(err)
	}
	expect("token:1")

	errRollback := fmt.Errorf("roll back")
	if err := a.Tx(context.Background(), func(q Q) error {
		if err := q.Notify(channel, "rolled back"); err != nil {
			return err
		}
		return errRollback
	}); err != errRollback {
		t.Fatalf("Tx = %v", err)
	}
	if err := a.Tx(context.Background(), func(q Q) error { return q.Notify(channel, "committed") }); err != nil {
		t.Fatal(err)
	}
	expect("committed") // and not "rolled back" before it

	// Kill the listener's connection, as a database restart or failover would.
	var killed int64
	if err := a.W.Raw("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = ?",
		`LISTEN "`+b.channel(channel)+`"`).Scan(&killed).Error; err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening connections, want 1", killed)
	}
	expect(ListenAll) // reconnected: whatever was missed must be dropped
	if err := a.Notify(context.Background(), channel, "after reconnect"); err != nil {
		t.Fatal(err)
	}
	expect("after reconnect")
}

// TestNotify_SQLite: one process per SQLite file, so there is nobody to
// notify: Notify and Q.Notify do nothing, and Listen returns at once.
func TestNotify_SQLite(t *testing.T) {
	db := openTest(t)
	if err := db.Notify(context.Background(), ChannelAuth, "x"); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(context.Background(), func(q Q) error { return q.Notify(ChannelAuth, "x") }); err != nil {
		t.Fatal(err)
	}
	called := false
	done := make(chan error, 1)
	go func() { done <- db.Listen(context.Background(), ChannelAuth, func(string) { called = true }) }()
	select {
	case err := <-done:
		if err != nil || called {
			t.Fatalf("Listen = %v, called %v; want nil at once, never called", err, called)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Listen on SQLite did not return")
	}
}

// TestExclusively_PostgreSQL: while one handle (process) runs work of a name,
// another skips it; once it is done, the other runs it; a different name, or
// a failed run, does not hold the claim.
func TestExclusively_PostgreSQL(t *testing.T) {
	ctx := context.Background()
	a, b := openTestPostgres(t), openTestPostgres(t)
	name := fmt.Sprintf("test-%d", time.Now().UnixNano())
	ranA, err := a.Exclusively(ctx, name, func() error {
		ranB, err := b.Exclusively(ctx, name, func() error { return nil })
		if err != nil || ranB {
			t.Errorf("b while a runs: ran %v, err %v; want skipped", ranB, err)
		}
		other, err := b.Exclusively(ctx, name+"-other", func() error { return nil })
		if err != nil || !other {
			t.Errorf("another name while a runs: ran %v, err %v; want ran", other, err)
		}
		return nil
	})
	if err != nil || !ranA {
		t.Fatalf("a: ran %v, err %v", ranA, err)
	}
	failed := fmt.Errorf("failed")
	if ran, err := a.Exclusively(ctx, name, func() error { return failed }); !ran || err != failed {
		t.Fatalf("failing run: ran %v, err %v", ran, err)
	}
	if ran, err := b.Exclusively(ctx, name, func() error { return nil }); err != nil || !ran {
		t.Fatalf("b after a: ran %v, err %v; want ran", ran, err)
	}
}

// TestListen_QuietConnectionIsPinged_PostgreSQL: a listening connection that
// goes silent without being closed (a NAT or firewall dropping it, a
// failover without a reset) is noticed by the ping after listenPing of quiet:
// the listener reconnects, says so with ListenAll, and hears what is sent
// afterwards. Without the ping it would wait on the dead connection.
func TestListen_QuietConnectionIsPinged_PostgreSQL(t *testing.T) {
	a, b := openTestPostgres(t), openTestPostgres(t)
	px := newStallingProxy(t, b.dsn)
	b.dsn = px.dsn
	oldPing, oldTimeout := listenPing, listenPingTimeout
	listenPing, listenPingTimeout = 200*time.Millisecond, 500*time.Millisecond
	t.Cleanup(func() { listenPing, listenPingTimeout = oldPing, oldTimeout })

	channel := fmt.Sprintf("lectern_test_%d", time.Now().UnixNano())
	got := make(chan string, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Listen(ctx, channel, func(p string) { got <- p }) }()
	t.Cleanup(func() { cancel(); <-done })
	expect := func(want string, within time.Duration) {
		t.Helper()
		select {
		case p := <-got:
			if p != want {
				t.Fatalf("got payload %q, want %q", p, want)
			}
		case <-time.After(within):
			t.Fatalf("no payload %q within %s", want, within)
		}
	}
	expect(ListenAll, 10*time.Second)
	// Quiet for several pings: a live connection is kept (no reconnect).
	time.Sleep(5 * listenPing)
	if err := a.Notify(context.Background(), channel, "still here"); err != nil {
		t.Fatal(err)
	}
	expect("still here", 10*time.Second)

	px.stall() // the connection stays open, nothing goes through any more
	expect(ListenAll, 10*time.Second)
	if err := a.Notify(context.Background(), channel, "after reconnect"); err != nil {
		t.Fatal(err)
	}
	expect("after reconnect", 10*time.Second)
}

// stallingProxy forwards TCP to PostgreSQL; stall makes every connection open
// so far swallow what it is sent, both ways, without closing it: a half-open
// connection as a dropped NAT entry leaves. Later connections go through.
type stallingProxy struct {
	dsn     string
	mu      sync.Mutex
	stalled []*atomic.Bool
}

func newStallingProxy(t *testing.T, dsn string) *stallingProxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	u.Host = ln.Addr().String()
	p := &stallingProxy{dsn: u.String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			t.Cleanup(func() { c.Close(); s.Close() })
			stalled := &atomic.Bool{}
			p.mu.Lock()
			p.stalled = append(p.stalled, stalled)
			p.mu.Unlock()
			go forward(s, c, stalled)
			go forward(c, s, stalled)
		}
	}()
	return p
}

func (p *stallingProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.stalled {
		s.Store(true)
	}
}

func forward(dst, src net.Conn, stalled *atomic.Bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !stalled.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestNotify_SchemasDoNotHearEachOther_PostgreSQL: notifications are per
// database, installations per schema; a process of another schema on the
// same database does not hear this one's, a process of the same schema does.
func TestNotify_SchemasDoNotHearEachOther_PostgreSQL(t *testing.T) {
	mine, same := openTestPostgres(t), openTestPostgres(t)
	// Another installation on the same database: a schema of its own, as
	// testfixture.PostgresDSN makes (which this package cannot import).
	schema := fmt.Sprintf("lectern_test_%d", time.Now().UnixNano())
	if err := mine.W.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := mine.W.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(mine.dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	other, err := Open(context.Background(), u.String(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	if other.schemaTag == mine.schemaTag {
		t.Fatalf("schemas %q and the default share the tag %s", schema, mine.schemaTag)
	}
	channel := fmt.Sprintf("lectern_test_%d", time.Now().UnixNano())
	listen := func(db *DB) chan string {
		got := make(chan string, 16)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- db.Listen(ctx, channel, func(p string) { got <- p }) }()
		t.Cleanup(func() { cancel(); <-done })
		select {
		case <-got: // ListenAll: listening
		case <-time.After(10 * time.Second):
			t.Fatal("not listening within 10 s")
		}
		return got
	}
	sameGot, otherGot := listen(same), listen(other)
	if err := mine.Notify(context.Background(), channel, "u:1"); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-sameGot:
		if p != "u:1" {
			t.Fatalf("same schema got %q", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the same schema did not hear it")
	}
	if err := other.Notify(context.Background(), channel, "sync"); err != nil { // other's own arrives after any of mine
		t.Fatal(err)
	}
	select {
	case p := <-otherGot:
		if p != "sync" {
			t.Fatalf("another schema heard %q", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("another schema did not hear its own notification")
	}
}
