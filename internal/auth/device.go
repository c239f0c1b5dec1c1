package auth

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Device cookies (OWASP's "slow down online guessing" scheme): a browser that
// signed in to an account gets a cookie naming that account, sealed with the
// data directory's secrets key. Presented with that account's e-mail address,
// it exempts the browser from the account's limits — the one per account from
// anywhere, and the one per account and client address, which a guesser in the
// same room shares — so nobody can lock a trainer out for the day by typing
// wrong passwords. The browser has a limit of its own instead (maxFailuresPair
// failures per cookie), and the limit per client address still applies.
const DeviceLifetime = 90 * 24 * time.Hour

func deviceContext(email string) string { return "lectern-device:" + email }

// NewDevice returns a device cookie's value for u (empty when the service has
// no secrets key to seal it with).
func (s *Service) NewDevice(u *User) (string, error) {
	if s.Secrets == nil {
		return "", nil
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("device cookie: %w", err)
	}
	v, err := s.Secrets.Seal(hex.EncodeToString(nonce)+"|"+strconv.FormatInt(s.now().Unix(), 10), deviceContext(NormalizeEmail(u.Email)))
	if err != nil {
		return "", fmt.Errorf("device cookie for user %d: %w", u.ID, err)
	}
	return v, nil
}

// device returns the nonce of a valid, unexpired device cookie for the account
// at email, or "" for none (absent, altered, another account's, too old).
func (s *Service) device(email, cookie string) string {
	if cookie == "" || s.Secrets == nil || len(cookie) > 200 {
		return ""
	}
	plain, err := s.Secrets.Open(cookie, deviceContext(email))
	if err != nil {
		return ""
	}
	nonce, issued, ok := strings.Cut(plain, "|")
	at, err := strconv.ParseInt(issued, 10, 64)
	if !ok || err != nil || s.now().Sub(time.Unix(at, 0)) > DeviceLifetime {
		return ""
	}
	return nonce
}
