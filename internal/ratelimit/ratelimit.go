// Package ratelimit counts requests per key in the database, so that the
// processes sharing one PostgreSQL database share one allowance: a client
// behind a load balancer gets the limit once, not once per process.
//
// The windows are fixed: Limit requests per key in each Window, counted by
// one upsert per request that returns the count. A client can send up to
// twice Limit across the boundary of two windows; the per-address limits
// this serves (web's public token and verify routes) only need to stop a
// client that keeps going.
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// The per-address limit of web's public routes that anyone may call many
// times (one-time-token links and forms, certificate verification): a room
// behind one venue NAT — sixty officers activating accounts in the morning,
// or scanning their certificates at the end of the day — fits in it; a client
// that keeps going past 10 a second is refused.
const (
	AddressLimit  = 120
	AddressWindow = 12 * time.Second
)

// Limiter is a fixed-window limit shared through the database.
type Limiter struct {
	db     *store.DB
	limit  int
	window time.Duration
	// Now is the clock (tests move it).
	Now func() time.Time
	// Pepper, when set, keys the digest of what is counted (an HMAC): the
	// keys hold client addresses, and a plain hash of an IPv4 address is
	// undone by trying all 2^32. Every process sharing the database must use
	// the same (internal/app derives it from secrets.key, which they share).
	Pepper []byte
	// cleaned is when this process last deleted old windows (Unix seconds).
	cleaned atomic.Int64
}

// New returns a limiter of limit requests per key in each window.
func New(db *store.DB, limit int, window time.Duration) *Limiter {
	return &Limiter{db: db, limit: limit, window: window, Now: time.Now}
}

// Allow counts a request of key (a limit's name and a client address) and
// reports whether it is within the limit; when it is not, retryAfter is how
// long until the window ends.
func (l *Limiter) Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error) {
	now := l.Now()
	w := int64(l.window / time.Second)
	start := now.Unix() / w * w
	if err := l.clean(ctx, now, start-w); err != nil {
		return false, 0, err
	}
	// The address is personal data: the row holds a keyed digest of it, and
	// lives a window or two.
	hits, err := l.db.HitRateWindow(ctx, l.digest(key), start)
	if err != nil {
		return false, 0, err
	}
	if hits <= l.limit {
		return true, 0, nil
	}
	// Whole seconds, rounded up: Retry-After has no fractions, and a client
	// told 0 would come straight back.
	wait := time.Unix(start+w, 0).Sub(now)
	return false, max(time.Second, (wait + time.Second - 1).Truncate(time.Second)), nil
}

// digest is what a key is stored as: an HMAC with Pepper, or without one a
// plain SHA-256 (pseudonymous only), 16 bytes in hex.
func (l *Limiter) digest(key string) string {
	var sum []byte
	if l.Pepper != nil {
		m := hmac.New(sha256.New, l.Pepper)
		m.Write([]byte(key))
		sum = m.Sum(nil)
	} else {
		s := sha256.Sum256([]byte(key))
		sum = s[:]
	}
	return hex.EncodeToString(sum[:16])
}

// clean deletes windows that started before before, at most once a window per
// process (with several processes, each does; deleting nothing is cheap).
func (l *Limiter) clean(ctx context.Context, now time.Time, before int64) error {
	last := l.cleaned.Load()
	if now.Unix()-last < int64(l.window/time.Second) || !l.cleaned.CompareAndSwap(last, now.Unix()) {
		return nil
	}
	_, err := l.db.DeleteRateWindowsBefore(ctx, before)
	return err
}
