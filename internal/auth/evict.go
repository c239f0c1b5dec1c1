package auth

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// Several processes sharing one PostgreSQL database each keep an auth cache
// (Authenticate). Whatever one evicts — a sign-out, a revoked API token, a
// user whose password, second factor or language changed, an erased account —
// it also announces on store.ChannelAuth after the change is committed, and
// every process's FollowEvictions evicts the same, so the token stops working
// everywhere at once. If the announcement is lost (a listener reconnecting;
// it then drops its whole cache) or cannot be sent, authCacheTTL still bounds
// how long another process may accept it. With SQLite there is one process
// and nothing to announce.
//
// Payloads: "s:" + a session's token hash, "u:" + a user id, or
// store.ListenAll (drop everything).

// forgetSession evicts one session here and on every other process.
func (s *Service) forgetSession(ctx context.Context, tokenHash string) {
	s.evictSession(tokenHash)
	s.announce(ctx, "s:"+tokenHash)
}

// ForgetUser drops a user's cached sessions (after a password change signs
// them out everywhere, a second factor or language change, or an erasure),
// here and on every other process. Call it after the change is committed.
func (s *Service) ForgetUser(userID int64) {
	s.evictUser(userID)
	s.announce(context.Background(), "u:"+strconv.FormatInt(userID, 10))
}

// announce tells the other processes; failing that, the TTL bounds what they
// keep, so it is logged rather than failing what already happened.
func (s *Service) announce(ctx context.Context, payload string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.db.Notify(ctx, store.ChannelAuth, payload); err != nil {
		s.log.Warn("auth cache eviction not announced to other processes; they forget it within the cache's lifetime",
			"err", err, "bound", authCacheTTL)
	}
}

// FollowEvictions applies the evictions other processes announce until ctx
// ends (`lectern serve` runs it; with SQLite it returns at once).
func (s *Service) FollowEvictions(ctx context.Context) error {
	return s.db.Listen(ctx, store.ChannelAuth, s.applyEviction)
}

func (s *Service) applyEviction(payload string) {
	if hash, ok := strings.CutPrefix(payload, "s:"); ok {
		s.evictSession(hash)
		return
	}
	if id, ok := strings.CutPrefix(payload, "u:"); ok {
		if userID, err := strconv.ParseInt(id, 10, 64); err == nil {
			s.evictUser(userID)
			return
		}
	}
	if payload != store.ListenAll {
		s.log.Warn("auth cache eviction not understood: dropping the whole cache", "payload", payload)
	}
	s.evictions.Add(1)
	s.authCache.Purge()
}

func (s *Service) evictSession(tokenHash string) {
	s.evictions.Add(1)
	s.authCache.Remove(tokenHash)
}

func (s *Service) evictUser(userID int64) {
	s.evictions.Add(1)
	for _, key := range s.authCache.Keys() {
		if c, ok := s.authCache.Peek(key); ok && c.actor.UserID == userID {
			s.authCache.Remove(key)
		}
	}
}
