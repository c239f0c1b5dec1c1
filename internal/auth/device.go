package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// Device cookies (OWASP's "slow down online guessing" scheme): a browser that
// signed in to an account gets a cookie naming that account, sealed with the
// data directory's secrets key. Presented with that account's e-mail address,
// it exempts the browser from the account's limits — the one per account from
// anywhere, and the one per account and client address, which a guesser in the
// same room shares — so nobody can lock a trainer out for the day by typing
// wrong passwords. The browser has a limit of its own instead (maxFailuresPair
// failures per cookie), and the limit per client address still applies. The
// cookie also carries its account's password epoch: a password change (a reset
// after a takeover) ends the exemption of every browser signed in before it.
const DeviceLifetime = 90 * 24 * time.Hour

func deviceContext(email string) string { return "lectern-device:" + email }

// passwordEpoch names the password a user has now without revealing anything
// of it (the cookie is sealed as well): each new password has a new salt, so
// a new epoch.
func passwordEpoch(passwordHash string) string {
	sum := sha256.Sum256([]byte("lectern-device-epoch:" + passwordHash))
	return hex.EncodeToString(sum[:8])
}

// signedIn is the user who has just signed in as u, as the caller sees them,
// with the epoch of the password they signed in with for NewDevice.
func signedIn(u *store.User) *User {
	v := UserOf(u)
	v.passwordEpoch = passwordEpoch(u.PasswordHash)
	return v
}

// NewDevice returns a device cookie's value for u, as Login or SecondStep
// returned it (empty when the service has no secrets key to seal it with).
func (s *Service) NewDevice(u *User) (string, error) {
	if s.Secrets == nil {
		return "", nil
	}
	if u.passwordEpoch == "" { // a cookie without it would never be accepted
		return "", fmt.Errorf("device cookie for user %d: not a user who just signed in", u.ID)
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("device cookie: %w", err)
	}
	plain := strings.Join([]string{hex.EncodeToString(nonce), strconv.FormatInt(s.now().Unix(), 10), u.passwordEpoch}, "|")
	v, err := s.Secrets.Seal(plain, deviceContext(NormalizeEmail(u.Email)))
	if err != nil {
		return "", fmt.Errorf("device cookie for user %d: %w", u.ID, err)
	}
	return v, nil
}

// device returns the nonce of a valid, unexpired device cookie for u, or ""
// for none (no such account, no cookie, altered, another account's, too old,
// from before the password changed).
func (s *Service) device(u *store.User, cookie string) string {
	if u == nil || cookie == "" || s.Secrets == nil || len(cookie) > 200 {
		return ""
	}
	plain, err := s.Secrets.Open(cookie, deviceContext(NormalizeEmail(u.Email)))
	if err != nil {
		return ""
	}
	parts := strings.Split(plain, "|")
	if len(parts) != 3 || subtle.ConstantTimeCompare([]byte(parts[2]), []byte(passwordEpoch(u.PasswordHash))) != 1 {
		return ""
	}
	at, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || s.now().Sub(time.Unix(at, 0)) > DeviceLifetime {
		return ""
	}
	return parts[0]
}
