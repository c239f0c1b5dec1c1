package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

func TestLimiter_Allow(t *testing.T) {
	for name, dsn := range map[string]func(*testing.T) string{
		"SQLite":     func(t *testing.T) string { return filepath.Join(t.TempDir(), "lectern.db") },
		"PostgreSQL": func(t *testing.T) string { return testfixture.PostgresDSN(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := testfixture.Open(t, dsn(t))
			if db.Dialect == "postgres" {
				var persistence string
				if err := db.W.Raw("SELECT relpersistence FROM pg_class WHERE oid = 'rate_windows'::regclass").Scan(&persistence).Error; err != nil || persistence != "u" {
					t.Errorf("rate_windows persistence %q (%v), want u: unlogged, its writes need no WAL flush", persistence, err)
				}
			}
			l := New(db, 3, 10*time.Second)
			clock := time.Unix(2_000_000_000, 0).Add(500 * time.Millisecond) // 0.5 s into a window of 10 s
			l.Now = func() time.Time { return clock }
			for i := range 3 {
				if ok, _, err := l.Allow(ctx, "verify 192.0.2.1"); err != nil || !ok {
					t.Fatalf("request %d: ok %v, err %v", i+1, ok, err)
				}
			}
			ok, wait, err := l.Allow(ctx, "verify 192.0.2.1")
			if err != nil || ok || wait != 10*time.Second {
				t.Fatalf("4th request: ok %v, wait %v, err %v; want refused, 10 s (9.5 rounded up)", ok, wait, err)
			}
			if ok, _, err := l.Allow(ctx, "verify 192.0.2.2"); err != nil || !ok {
				t.Fatalf("another address: ok %v, err %v", ok, err)
			}
			// The next window starts the count again; the one before it is
			// kept, older ones are deleted.
			clock = clock.Add(10 * time.Second)
			if ok, _, err := l.Allow(ctx, "verify 192.0.2.1"); err != nil || !ok {
				t.Fatalf("next window: ok %v, err %v", ok, err)
			}
			if n := windows(t, db); n != 3 {
				t.Fatalf("%d windows after the second, want 3 (two addresses in the first, one in the second)", n)
			}
			clock = clock.Add(20 * time.Second)
			if ok, _, err := l.Allow(ctx, "verify 192.0.2.1"); err != nil || !ok {
				t.Fatalf("two windows later: ok %v, err %v", ok, err)
			}
			if n := windows(t, db); n != 1 {
				t.Fatalf("%d windows kept, want only the current one", n)
			}
		})
	}
}

func windows(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.W.Raw("SELECT count(*) FROM rate_windows").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLimiter_KeyedDigest: with a pepper the row's key is an HMAC of the
// address, not its plain hash (undone by trying every IPv4 address); two
// limiters with the same pepper (two processes sharing secrets.key) count
// one allowance, one with another pepper counts its own.
func TestLimiter_KeyedDigest(t *testing.T) {
	ctx := context.Background()
	db := testfixture.Open(t, filepath.Join(t.TempDir(), "lectern.db"))
	clock := time.Unix(2_000_000_000, 0)
	limiter := func(pepper string) *Limiter {
		l := New(db, 1, 10*time.Second)
		l.Now, l.Pepper = func() time.Time { return clock }, []byte(pepper)
		return l
	}
	a, b, other := limiter("pepper"), limiter("pepper"), limiter("another")
	if ok, _, err := a.Allow(ctx, "verify 192.0.2.1"); err != nil || !ok {
		t.Fatalf("first: %v %v", ok, err)
	}
	if ok, _, err := b.Allow(ctx, "verify 192.0.2.1"); err != nil || ok {
		t.Errorf("second, on a process with the same pepper: ok %v, err %v; want refused", ok, err)
	}
	if ok, _, err := other.Allow(ctx, "verify 192.0.2.1"); err != nil || !ok {
		t.Errorf("a limiter with another pepper shares the count: ok %v, err %v", ok, err)
	}
	plain := sha256.Sum256([]byte("verify 192.0.2.1"))
	var n int64
	if err := db.W.Raw("SELECT count(*) FROM rate_windows WHERE key = ?", hex.EncodeToString(plain[:16])).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("a row is keyed by the address's plain SHA-256")
	}
}
