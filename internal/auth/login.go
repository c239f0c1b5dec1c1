package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
)

// Session kinds and lifetimes. A browser session lasts a training day; an API
// token a week (loadgen, scripts, integrations).
const (
	KindBrowser     = string(store.LoginBrowser)
	KindAPI         = string(store.LoginAPI)
	browserLifetime = 12 * time.Hour
	apiLifetime     = 7 * 24 * time.Hour
)

// Login throttling (DESIGN.md): a whole room behind one venue NAT must not be
// locked out by one officer's typos, so the tight limit is per account *and*
// client; looser limits per account and per client catch spraying.
const (
	throttleWindow     = 15 * time.Minute
	maxFailuresPair    = 10
	maxFailuresAccount = 50
	maxFailuresClient  = 300
)

// Credentials is a login attempt.
type Credentials struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	TOTP      string `json:"totp"` // the authenticator's code (or a recovery code), for accounts with a second factor
	ClientIP  string `json:"-"`
	UserAgent string `json:"-"`
	Kind      string `json:"-"`
	Device    string `json:"-"` // the browser's device cookie (device.go), if any
	// Keep: the person says this browser is their own device, so the idle
	// timeout (for shared and borrowed devices) does not end the session
	// before its lifetime, the training day. Browser sign-ins only.
	Keep bool `json:"-"`
}

// Login checks credentials and opens a session, returning its token (shown to the
// client once; only its hash is stored).
func (s *Service) Login(ctx context.Context, c Credentials) (string, *User, error) {
	email := NormalizeEmail(c.Email)
	now := s.now()
	u, err := s.db.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	if wait := queueWait(); wait > maxHashWait {
		// Refused before anything is written for it: the queue would refuse it
		// after maxHashWait anyway. Come back when it should be shorter.
		return "", nil, s.refuseBusy(c.ClientIP, busyRetryAfter(wait), "queue_wait", wait.Round(time.Second))
	}
	attempt, err := s.beginAttempt(ctx, email, c.ClientIP, s.device(u, c.Device), now)
	if err != nil {
		return "", nil, err
	}
	hash := dummyHash
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, err := s.passwordMatches(ctx, hash, c.Password, c.ClientIP)
	if err != nil {
		return "", nil, s.endAttempt(ctx, attempt, false, err)
	}
	if !ok || u == nil || u.PasswordHash == "" {
		s.log.Info("login failed", "client", c.ClientIP)
		return "", nil, s.endAttempt(ctx, attempt, true, apperr.Unauthorized("err.login.wrong"))
	}
	if u.TOTPEnabledAt != nil {
		if c.TOTP == "" && c.Kind == KindBrowser {
			if err := s.endAttempt(ctx, attempt, false, nil); err != nil {
				return "", nil, err
			}
			pending, err := s.pendingSecondStep(ctx, u, now)
			if err != nil {
				return "", nil, err
			}
			return "", nil, &SecondStepNeeded{Token: pending}
		}
		if err := s.checkSecondFactor(ctx, u, c.TOTP); err != nil {
			wrong := wrongCode(err)
			if wrong {
				s.log.Warn("second factor failed", "user_id", u.ID, "kind", c.Kind, "client", c.ClientIP)
			}
			return "", nil, s.endAttempt(ctx, attempt, wrong, err)
		}
	}
	if err := s.endAttempt(ctx, attempt, false, nil); err != nil {
		return "", nil, err
	}
	token, err := s.openSession(ctx, u, c, now)
	if err != nil {
		return "", nil, err
	}
	s.log.Info("login", "user_id", u.ID, "kind", c.Kind, "client", c.ClientIP)
	return token, signedIn(u), nil
}

// beginAttempt counts a sign-in attempt (a password or a second-factor code)
// against the limits before its credential is checked: it writes the attempt
// as a pending failure first, then counts, so attempts sent at once see each
// other and no more than a limit's worth are checked. Past a limit the attempt
// is withdrawn and the answer is 429. With a valid device cookie for the
// account (device, its nonce), the device's own failures stand in for the
// account's limits (device.go). The caller ends the attempt with endAttempt.
func (s *Service) beginAttempt(ctx context.Context, email, ip, device string, now time.Time) (int64, error) {
	since := now.Add(-throttleWindow)
	id, err := s.db.ReserveLoginAttempt(ctx, store.LoginFailure{Email: email, ClientIP: ip, Device: device, At: now}, since)
	if err != nil {
		return 0, err
	}
	if err := s.throttle(ctx, email, ip, device, now); err != nil {
		return 0, s.endAttempt(ctx, id, false, err)
	}
	return id, nil
}

// throttle refuses an attempt past the limits. The counts per device, per
// account and client, and per account include the attempt itself and others in
// flight; the count per client is of settled failures only (store.LoginFailures).
func (s *Service) throttle(ctx context.Context, email, ip, device string, now time.Time) error {
	since := now.Add(-throttleWindow)
	pair, account, client, err := s.db.LoginFailures(ctx, email, ip, since)
	if err != nil {
		return err
	}
	var dev store.FailureCount
	if device != "" {
		if dev, err = s.db.DeviceFailures(ctx, device, since); err != nil {
			return err
		}
	}
	var hit store.FailureCount
	switch {
	case device != "" && dev.N > maxFailuresPair:
		hit = dev
	case device == "" && pair.N > maxFailuresPair:
		hit = pair
	case device == "" && account.N > maxFailuresAccount:
		hit = account
	case client.N >= maxFailuresClient:
		hit = client
	default:
		return nil
	}
	retry := hit.Oldest.Add(throttleWindow).Sub(now)
	if retry < time.Second {
		retry = time.Second
	}
	s.log.Warn("login throttled", "client", ip, "device", device != "", "failures_pair", pair.N, "failures_account", account.N,
		"failures_client", client.N, "failures_device", dev.N)
	return apperr.TooMany(retry, "err.login.throttled")
}

// endAttempt ends an attempt begun by beginAttempt and returns err: one whose
// credential was wrong stays a failure; one that was right, or was not checked
// (throttled, the server busy, the client gone), is withdrawn. The write
// outlives the request (else a client that left would leave a pending row
// counting against the account); a failed write replaces err.
func (s *Service) endAttempt(ctx context.Context, id int64, wrong bool, err error) error {
	end := s.db.ForgetLoginAttempt
	if wrong {
		end = s.db.SettleLoginFailure
	}
	if werr := end(context.WithoutCancel(ctx), id); werr != nil {
		return werr
	}
	return err
}

// wrongCode reports whether a second-factor check failed on the code itself
// (wrong, already used, or unreadable here) rather than on a missing code or
// the database.
func wrongCode(err error) bool {
	de, ok := apperr.As(err)
	return ok && de.Code == apperr.CodeUnauthorized && !errors.Is(err, ErrSecondFactorRequired)
}

// A sign-in refused because every hash slot stayed busy is asked to come back
// after busyRetry; the sign-in page counts it down and resends by itself.
const (
	busyRetry = 5 * time.Second
	msgBusy   = "err.login.busy"
)

// busyRetryAfter is when a sign-in refused at a queue of wait should come back:
// once the queue is about half of what it may be, spread over a further half of
// wait so that a hall refused in the same second does not return in the same
// second; at least busyRetry, at most maxBusyRetry.
func busyRetryAfter(wait time.Duration) time.Duration {
	d := wait - maxHashWait/2 + mrand.N(wait/2+1)
	return min(max(d, busyRetry), maxBusyRetry)
}

// maxBusyRetry caps the wait a busy refusal asks for (the sign-in page counts it
// down in front of the person).
const maxBusyRetry = time.Minute

// IsBusy reports a sign-in refused only because the server was busy hashing
// other people's passwords (429): unlike a throttled one, nothing is wrong with
// it, and resending it after its Retry-After is what a client should do.
func IsBusy(err error) bool {
	de, ok := apperr.As(err)
	return ok && de.Code == apperr.CodeTooMany && de.ID == msgBusy
}

// refuseBusy is the one busy refusal, whether refused up front (Login) or after
// waiting for a slot (passwordMatches): logged, and 429 err.login.busy with
// retry as its Retry-After.
func (s *Service) refuseBusy(ip string, retry time.Duration, logKV ...any) error {
	s.log.Warn("login refused: password hashing queue full", append([]any{"client", ip}, logKV...)...)
	return apperr.TooMany(retry, "err.login.busy")
}

// passwordMatches checks a password against a hash; a full hashing queue is
// "too many requests", not a wrong password.
func (s *Service) passwordMatches(ctx context.Context, hash, password, ip string) (bool, error) {
	var ok bool
	var err error
	if refuse := s.refuseHash.Load(); refuse != nil && (*refuse)() {
		err = errHashBusy
	} else {
		ok, err = checkPassword(ctx, hash, password)
	}
	if errors.Is(err, errHashBusy) {
		return false, s.refuseBusy(ip, busyRetry)
	} else if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return ok, nil
}

func (s *Service) openSession(ctx context.Context, u *store.User, c Credentials, now time.Time) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	kind, life := store.LoginBrowser, browserLifetime
	if c.Kind == KindAPI {
		kind, life = store.LoginAPI, apiLifetime
	}
	ua := c.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	sess := &store.LoginSession{TokenHash: hashToken(token), UserID: u.ID, Kind: kind, ClientIP: c.ClientIP,
		UserAgent: ua, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(life), Kept: c.Keep && kind == store.LoginBrowser}
	if err := s.db.CreateLoginSession(ctx, sess); err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate returns the actor behind a session token, or nil when the token is
// unknown, expired or revoked. Every request of a room of officers autosaving
// passes here, so a looked-up session is remembered for authCacheTTL from the
// moment it was read, however often it is used meanwhile; a sign-out on this
// process forgets it at once, on other processes sharing the database when the
// announcement reaches them (evict.go), and at the latest authCacheTTL after
// they read it.
func (s *Service) Authenticate(ctx context.Context, token string) (*Actor, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	key := hashToken(token)
	now := s.now()
	gen := s.evictions.Load()
	c, ok := s.authCache.Get(key)
	fresh := !ok || !now.Before(c.validUntil)
	if fresh {
		sess, err := s.db.LoginSession(ctx, key, now)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		actor := ActorFor(UserOf(sess.User))
		actor.Kept = sess.Kept
		// Valid until the session's own end or authCacheTTL after this read,
		// whichever comes first; never extended by use (the LRU's own TTL
		// slides on every Add, so it cannot be the bound).
		c = cachedActor{actor: actor, validUntil: now.Add(authCacheTTL), kind: string(sess.Kind), lastSeen: sess.LastSeenAt}
		if sess.ExpiresAt.Before(c.validUntil) {
			c.validUntil = sess.ExpiresAt
		}
	}
	// A kept session (the owner's own device) lasts its lifetime, the training
	// day, however long the owner is away: an officer back from lunch at the
	// afternoon quiz does not need another password hash at its busiest moment.
	if s.IdleTimeout > 0 && c.kind == KindBrowser && !c.actor.Kept {
		if now.Sub(c.lastSeen) > s.IdleTimeout {
			// Left signed in on a shared or borrowed device: the session ends.
			if err := s.db.DeleteLoginSession(ctx, key); err != nil {
				return nil, err
			}
			s.forgetSession(ctx, key)
			s.log.Info("idle session ended", "user_id", c.actor.UserID, "idle", now.Sub(c.lastSeen).Round(time.Second))
			return nil, nil
		}
		// Activity is recorded at most once a minute: a room autosaving must not
		// turn every request into a write.
		if now.Sub(c.lastSeen) > touchInterval {
			if err := s.db.TouchLoginSession(ctx, key, now); err != nil {
				return nil, err
			}
			c.lastSeen = now
			fresh = true // re-cached with its validUntil unchanged
		}
	}
	// An eviction since this lookup began (a sign-out here or on another
	// process) may be of what was just read: leave it to the next lookup. A
	// plain hit changes nothing and is not re-added.
	if fresh && s.evictions.Load() == gen {
		s.authCache.Add(key, c)
	}
	return c.actor, nil
}

// authCacheTTL bounds how long a revoked token may still work on another
// server process sharing the database when the eviction it is told of
// (evict.go) does not reach it: its listener is reconnecting, or the
// announcement could not be sent.
const authCacheTTL = 10 * time.Second

type cachedActor struct {
	actor *Actor
	// validUntil is when the session was read from the database plus
	// authCacheTTL (or the session's end, if sooner): past it the entry is a
	// miss, however often it was used.
	validUntil time.Time
	kind       string
	lastSeen   time.Time // as stored; at most touchInterval behind the real last request
}

// touchInterval is how stale a session's recorded last activity may get.
const touchInterval = time.Minute

// Logout revokes a session token; revoking an unknown token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	key := hashToken(token)
	if err := s.db.DeleteLoginSession(ctx, key); err != nil {
		return err
	}
	s.forgetSession(ctx, key)
	return nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
