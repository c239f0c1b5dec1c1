package auth

import (
	"context"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
)

// A sign-in that would wait longer than maxHashWait for a hash slot is refused
// at once as busy, before its password is hashed or an attempt is written, and
// told to come back when the queue should be shorter; once the queue drains the
// same sign-in goes through.
func TestLogin_RefusedAtOnceWhenTheQueueIsLong(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	const password = "a long enough password"
	if _, err := s.CreateUserAsSystem(ctx, NewUser{Email: "tess@example.org", Name: "Tess Trainer", Role: string(RoleTrainer), Password: password}); err != nil {
		t.Fatal(err)
	}
	// A hall ahead: enough queued hashes for twice maxHashWait at the current
	// average (nothing is really queued, so the old code hashed and let it in).
	ahead := 2 * int64(maxHashWait) * int64(cap(hashSlots)) / hashNanos.Load()
	hashesQueued.Add(ahead)
	_, _, err := s.Login(ctx, Credentials{Email: "tess@example.org", Password: password, Kind: KindAPI})
	hashesQueued.Add(-ahead)
	if !IsBusy(err) {
		t.Fatalf("Login with %d hashes queued = %v; want the busy refusal", ahead, err)
	}
	de, _ := apperr.As(err)
	if de.RetryAfter < busyRetry || de.RetryAfter > maxBusyRetry {
		t.Fatalf("Retry-After %s; want between %s and %s", de.RetryAfter, busyRetry, maxBusyRetry)
	}
	if _, _, err := s.Login(ctx, Credentials{Email: "tess@example.org", Password: password, Kind: KindAPI}); err != nil {
		t.Fatalf("Login with the queue drained = %v; want signed in", err)
	}
}

// Refused sign-ins are spread over when they come back, never sooner than
// busyRetry nor later than maxBusyRetry, and later for a longer queue.
func TestBusyRetryAfter_SpreadAndBounded(t *testing.T) {
	for _, wait := range []time.Duration{maxHashWait + time.Second, 40 * time.Second, 10 * time.Minute} {
		seen := map[time.Duration]bool{}
		lo := maxBusyRetry
		for range 200 {
			d := busyRetryAfter(wait)
			if d < busyRetry || d > maxBusyRetry {
				t.Fatalf("busyRetryAfter(%s) = %s; want within [%s, %s]", wait, d, busyRetry, maxBusyRetry)
			}
			seen[d.Round(time.Second)] = true
			lo = min(lo, d)
		}
		if wait < maxBusyRetry && len(seen) < 3 {
			t.Errorf("busyRetryAfter(%s) gave %d distinct seconds in 200 draws; want them spread", wait, len(seen))
		}
		if wait == 40*time.Second && lo < wait-maxHashWait/2 {
			t.Errorf("busyRetryAfter(40s) as low as %s; want the queue given time to drain", lo)
		}
	}
}

// The queue estimate follows what hashes really take.
func TestQueueWait_FollowsHashTime(t *testing.T) {
	saved := hashNanos.Load()
	t.Cleanup(func() { hashNanos.Store(saved) })
	for range 64 {
		observeHash(80 * time.Millisecond)
	}
	hashesQueued.Add(100)
	got := queueWait()
	hashesQueued.Add(-100)
	want := 100 * 80 * time.Millisecond / time.Duration(cap(hashSlots))
	if got < want*9/10 || got > want*11/10 {
		t.Fatalf("queueWait with 100 queued at 80 ms a hash = %s; want ≈ %s", got, want)
	}
}
