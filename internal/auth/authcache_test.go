package auth

import (
	"context"
	"testing"
	"time"
)

// The auth cache's bound is real: a session read from the database is trusted
// for authCacheTTL from that read, however often it is used meanwhile. Here
// another process ends the session without announcing it (the row deleted
// straight in the database: a lost announcement, a listener reconnecting)
// while this process sees the token every second, as an autosaving officer's
// does; it must stop working within authCacheTTL of the last read.
func TestAuthenticate_CacheBoundIsNotExtendedByUse(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)
	const password = "a long enough password"
	if _, err := s.CreateUserAsSystem(ctx, NewUser{Email: "tess@example.org", Name: "Tess Trainer", Role: string(RoleTrainer), Password: password}); err != nil {
		t.Fatal(err)
	}
	clock := time.Now().UTC()
	s.SetClock(func() time.Time { return clock })
	token, _, err := s.Login(ctx, Credentials{Email: "tess@example.org", Password: password, Kind: KindAPI})
	if err != nil {
		t.Fatal(err)
	}
	// Used every second for a while: each use is a cache hit after the first.
	for range 25 {
		if a, err := s.Authenticate(ctx, token); err != nil || a == nil {
			t.Fatalf("at %s: Authenticate = %v, %v; want the signed-in actor", clock, a, err)
		}
		clock = clock.Add(time.Second)
	}
	// Another process signs the token out; the announcement never arrives.
	if err := db.DeleteLoginSession(ctx, hashToken(token)); err != nil {
		t.Fatal(err)
	}
	deleted := clock
	servedFromCache := false
	for clock.Sub(deleted) <= authCacheTTL {
		a, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if a == nil {
			if !servedFromCache {
				t.Fatal("refused at once: the test did not reach the cache")
			}
			return
		}
		servedFromCache = true
		clock = clock.Add(time.Second)
	}
	t.Fatalf("the deleted session still works %s after its row was deleted, used every second (bound: %s)",
		clock.Sub(deleted), authCacheTTL)
}
