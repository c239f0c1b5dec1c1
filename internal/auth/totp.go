package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

// A second factor for the accounts that can change a day's record (admins and
// trainers): a TOTP authenticator app, with ten single-use recovery codes.
const (
	totpPeriod        = 30
	recoveryCodeCount = 10
	PurposeSecondStep = string(store.TokenSecondStep) // a password already checked, waiting for the code
	secondStepLife    = 5 * time.Minute
	// maxSecondStepFailures wrong codes end a pending sign-in: the password
	// step (and its throttle) comes first again.
	maxSecondStepFailures = 5
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// ErrSecondFactorRequired: the password was right; now the authenticator's code.
var ErrSecondFactorRequired = apperr.Unauthorized("err.totp.enter_code").WithField("totp", "err.field.required")

func mayUseTOTP(a *Actor) bool { return a != nil && (a.Role == RoleAdmin || a.Role == RoleTrainer) }

// MayUseTOTP reports whether the actor may set up a second factor (the
// account page links to it only then).
func (a *Actor) MayUseTOTP() bool { return mayUseTOTP(a) }

// TOTPStatus says whether the actor has a second factor and how many recovery
// codes are left.
func (s *Service) TOTPStatus(ctx context.Context, a *Actor) (enabled bool, pending bool, codesLeft int64, err error) {
	if !mayUseTOTP(a) {
		return false, false, 0, apperr.Forbidden("err.totp.admins_trainers")
	}
	u, err := s.db.User(ctx, a.UserID)
	if err != nil {
		return false, false, 0, err
	}
	if u.TOTPEnabledAt == nil {
		return false, u.TOTPSecret != "", 0, nil
	}
	n, err := s.db.RecoveryCodesLeft(ctx, a.UserID)
	return true, false, n, err
}

// StartTOTP creates a new secret, pending until a code from it is confirmed, and
// returns it with the otpauth:// URL for the authenticator's QR code. It asks
// for the password again (c.Password).
func (s *Service) StartTOTP(ctx context.Context, a *Actor, c Credentials) (secret, url string, err error) {
	if enabled, _, _, err := s.TOTPStatus(ctx, a); err != nil {
		return "", "", err
	} else if enabled {
		return "", "", apperr.Conflict("err.totp.already_set_up")
	}
	if s.Secrets == nil {
		return "", "", errNoSecretsKey
	}
	if err := s.reauthenticate(ctx, a.UserID, c); err != nil {
		return "", "", err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Lectern", AccountName: a.Email, Period: totpPeriod})
	if err != nil {
		return "", "", fmt.Errorf("generate second factor: %w", err)
	}
	sealed, err := s.Secrets.Seal(key.Secret(), totpContext(a.UserID))
	if err != nil {
		return "", "", fmt.Errorf("seal second factor of user %d: %w", a.UserID, err)
	}
	if err := s.db.SetTOTP(ctx, a.UserID, sealed, nil, nil); err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// ConfirmTOTP turns the pending secret on with a first code from the app and
// returns the recovery codes, shown this once.
func (s *Service) ConfirmTOTP(ctx context.Context, a *Actor, code string) ([]string, error) {
	if !mayUseTOTP(a) {
		return nil, apperr.Forbidden("err.totp.admins_trainers")
	}
	u, err := s.db.User(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	if u.TOTPSecret == "" || u.TOTPEnabledAt != nil {
		return nil, apperr.Conflict("err.totp.setup_first")
	}
	now := s.now()
	secret, err := s.openTOTP(u)
	if err != nil {
		return nil, err
	}
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		return nil, apperr.Invalid("code", "err.totp.setup_mismatch")
	}
	codes, hashes, err := newRecoveryCodes(u.ID)
	if err != nil {
		return nil, err
	}
	// The confirming code is spent like a sign-in's: it cannot sign in after.
	if err := s.db.EnableTOTP(ctx, u.ID, u.TOTPSecret, now, step, hashes); err != nil {
		return nil, err
	}
	s.ForgetUser(u.ID)
	err = s.db.Tx(ctx, func(q store.Q) error { return audit(q, now, &a.UserID, "user.totp_enable", u.ID, map[string]any{}) })
	return codes, err
}

// DisableTOTP turns the second factor off: by its owner (with the password and a
// current code or a recovery code: c.Password, c.TOTP), or by an admin (with the
// admin's own password) for someone who lost both.
func (s *Service) DisableTOTP(ctx context.Context, a *Actor, userID int64, c Credentials) error {
	if a == nil {
		return apperr.Unauthorized("err.auth.sign_in_first")
	}
	if a.UserID != userID && a.Role != RoleAdmin {
		return apperr.NotFound("user")
	}
	u, err := s.db.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.NotFound("user")
	} else if err != nil {
		return err
	}
	switch {
	case a.UserID == userID && u.TOTPEnabledAt != nil:
		if err := s.reauthenticate(ctx, userID, c); err != nil {
			return err
		}
		if err := s.checkSecondFactor(ctx, u, c.TOTP); err != nil {
			return err
		}
	case a.UserID != userID:
		// An admin's token or left-open browser alone must not be enough to strip
		// someone's second factor: the admin confirms with their own password.
		if err := s.reauthenticate(ctx, a.UserID, c); err != nil {
			return err
		}
	}
	if err := s.db.SetTOTP(ctx, userID, "", nil, nil); err != nil {
		return err
	}
	now := s.now()
	return s.db.Tx(ctx, func(q store.Q) error { return audit(q, now, &a.UserID, "user.totp_disable", userID, map[string]any{}) })
}

// checkSecondFactor accepts a current TOTP code (each time step once) or an unused
// recovery code, and spends it.
func (s *Service) checkSecondFactor(ctx context.Context, u *store.User, code string) error {
	now := s.now()
	return s.db.Tx(ctx, func(q store.Q) error { return s.spendSecondFactor(q, u, code, now) })
}

// spendSecondFactor is checkSecondFactor inside the caller's transaction, so a
// code is spent only with what it was given for. A secret that does not open
// (another secrets key, an altered row) fails closed: no TOTP code is
// accepted, a recovery code still is.
func (s *Service) spendSecondFactor(q store.Q, u *store.User, code string, now time.Time) error {
	code = strings.TrimSpace(code)
	wrong := apperr.Unauthorized("err.totp.wrong").WithField("totp", "err.totp.field_wrong")
	if code == "" {
		return ErrSecondFactorRequired
	}
	secret, openErr := s.openTOTP(u)
	if step, ok := matchTOTP(secret, code, now); openErr == nil && ok {
		fresh, err := q.UseTOTPStep(u.ID, step)
		if err != nil {
			return err
		}
		if !fresh {
			return apperr.Unauthorized("err.totp.reused").WithField("totp", "err.totp.field_reused")
		}
		return nil
	}
	if len(normalizeRecovery(code)) == 10 {
		ok, err := q.UseRecoveryCode(u.ID, hashRecovery(u.ID, code), now)
		if err != nil {
			return err
		}
		if ok {
			s.log.Warn("recovery code used", "user_id", u.ID)
			return nil
		}
	}
	if openErr != nil {
		return errSecondFactorUnreadable
	}
	return wrong
}

// errNoSecretsKey: the service was built without the data directory's secrets
// key (a wiring mistake, not the user's).
var errNoSecretsKey = errors.New("no secrets key: second factors cannot be set up or checked")

// errSecondFactorUnreadable answers a code when the stored secret does not
// open: the code may be right, but cannot be checked here.
var errSecondFactorUnreadable = apperr.Unauthorized("err.totp.unreadable").WithField("totp", "err.totp.field_unreadable")

// totpContext binds a sealed secret to its user's row: copied into another
// user's row, it does not open.
func totpContext(userID int64) string { return fmt.Sprintf("lectern-totp:%d", userID) }

// openTOTP returns a user's TOTP secret. One that does not open is logged with
// the user's id (never the value) and returned as an error, so no caller can
// check a code against it.
func (s *Service) openTOTP(u *store.User) (string, error) {
	if s.Secrets == nil {
		s.log.Error("second factor cannot be checked", "user_id", u.ID, "err", errNoSecretsKey)
		return "", errNoSecretsKey
	}
	secret, err := s.Secrets.Open(u.TOTPSecret, totpContext(u.ID))
	if err != nil {
		s.log.Error("second factor cannot be checked: its secret does not open with this data directory's secrets key",
			"user_id", u.ID, "key_id", s.Secrets.ID, "err", err)
		return "", fmt.Errorf("second factor of user %d: %w", u.ID, err)
	}
	return secret, nil
}

// SealTOTPSecrets runs at start: it seals the plain TOTP secrets of rows
// written before secrets were sealed (so everyone's authenticator app keeps
// working across the upgrade), in one transaction, leaving sealed ones as they
// are. It returns how many it sealed and the users whose sealed secret does
// not open with this key (logged: another process's key, or a database
// restored without its key).
func (s *Service) SealTOTPSecrets(ctx context.Context) (sealed int, unreadable []int64, err error) {
	if s.Secrets == nil {
		return 0, nil, errNoSecretsKey
	}
	sealed, err = s.db.RewriteTOTPSecrets(ctx, func(userID int64, stored string) (string, bool, error) {
		if secrets.IsSealed(stored) {
			if _, err := s.Secrets.Open(stored, totpContext(userID)); err != nil {
				unreadable = append(unreadable, userID)
			}
			return "", false, nil
		}
		v, err := s.Secrets.Seal(stored, totpContext(userID))
		if err != nil {
			return "", false, fmt.Errorf("seal second factor of user %d: %w", userID, err)
		}
		return v, true, nil
	})
	if err != nil {
		return 0, nil, err
	}
	if len(unreadable) > 0 {
		s.log.Error("second factors that do not open with this data directory's secrets key: these users can sign in only with a recovery code until an admin turns theirs off; every process must share one "+secrets.KeyFileName,
			"user_ids", unreadable, "key_id", s.Secrets.ID)
	}
	return sealed, unreadable, nil
}

// matchTOTP checks a six-digit code against the steps around now (one step of
// clock drift either way) and returns the step it matched.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 || secret == "" {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for _, st := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

func newRecoveryCodes(userID int64) (codes, hashes []string, err error) {
	for i := 0; i < recoveryCodeCount; i++ {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("recovery code: %w", err)
		}
		raw := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
		codes = append(codes, raw[:5]+"-"+raw[5:])
		hashes = append(hashes, hashRecovery(userID, raw))
	}
	return codes, hashes, nil
}

func normalizeRecovery(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}

func hashRecovery(userID int64, code string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("lectern-recovery:%d:%s", userID, normalizeRecovery(code))))
	return hex.EncodeToString(sum[:])
}

// SecondStep finishes a sign-in whose password was right, with the code: the
// pendingToken came from Login's (or a reset's) SecondStepNeeded answer to a
// browser. The code is throttled like the password (per account and client,
// per account, per client), and a pending sign-in takes
// maxSecondStepFailures codes at most. A reset's new password, held by the
// pending token, is set here, with the sign-out everywhere.
func (s *Service) SecondStep(ctx context.Context, pendingToken, code string, c Credentials) (string, *User, error) {
	now := s.now()
	var user *store.User
	var pending *store.OneTimeToken
	tries := 0
	// One of the pending sign-in's tries is taken before anything is checked,
	// so codes sent at once cannot check more than maxSecondStepFailures.
	err := s.db.Tx(ctx, func(q store.Q) error {
		t, u, err := s.validToken(q, pendingToken, PurposeSecondStep)
		if err != nil {
			return err
		}
		n, ok, err := q.TakeTokenTry(t.ID, maxSecondStepFailures)
		if err != nil {
			return err
		} else if !ok {
			return ErrTokenUsed
		}
		user, pending, tries = u, t, n
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	attempt, err := s.beginAttempt(ctx, NormalizeEmail(user.Email), c.ClientIP, s.device(user, c.Device), now)
	if err != nil {
		return "", nil, s.giveBackTry(ctx, pending.ID, err)
	}
	// The pending sign-in ends with the code spent, or neither happens: a
	// code is never used up by a sign-in that did not take place.
	err = s.db.Tx(ctx, func(q store.Q) error {
		if ok, err := q.UseToken(pending.ID, now); err != nil {
			return err
		} else if !ok {
			return ErrTokenUsed // a newer sign-in replaced this one meanwhile
		}
		if err := s.spendSecondFactor(q, user, code, now); err != nil {
			return err
		}
		if pending.PasswordHash != "" {
			return applyReset(q, user.ID, pending.PasswordHash, c, now)
		}
		return nil
	})
	switch {
	case wrongCode(err):
		s.log.Warn("second factor failed", "user_id", user.ID, "kind", c.Kind, "client", c.ClientIP, "tries", tries)
		if werr := s.endAttempt(ctx, attempt, true, nil); werr != nil {
			return "", nil, werr
		}
		if tries >= maxSecondStepFailures {
			s.log.Warn("pending sign-in cancelled after wrong codes", "user_id", user.ID, "client", c.ClientIP)
			return "", nil, ErrTokenUsed
		}
		return "", nil, err
	case err != nil: // nothing was checked
		return "", nil, s.giveBackTry(ctx, pending.ID, s.endAttempt(ctx, attempt, false, err))
	}
	if err := s.endAttempt(ctx, attempt, false, nil); err != nil {
		return "", nil, err
	}
	if pending.PasswordHash != "" {
		user.PasswordHash = pending.PasswordHash
		s.ForgetUser(user.ID)
		s.log.Info("password reset finished with the second factor", "user_id", user.ID, "client", c.ClientIP)
	}
	token, err := s.openSession(ctx, user, c, now)
	if err != nil {
		return "", nil, err
	}
	return token, signedIn(user), nil
}

// giveBackTry returns a pending sign-in's try that checked no code, and err.
func (s *Service) giveBackTry(ctx context.Context, tokenID int64, err error) error {
	if werr := s.db.Tx(context.WithoutCancel(ctx), func(q store.Q) error { return q.GiveBackTokenTry(tokenID) }); werr != nil {
		return werr
	}
	return err
}

// reauthenticate asks a signed-in user for their password again before a change
// to how they sign in, so a browser left signed in is not enough. Wrong
// passwords count as failed sign-ins: the form cannot be used to guess.
func (s *Service) reauthenticate(ctx context.Context, userID int64, c Credentials) error {
	u, err := s.db.User(ctx, userID)
	if err != nil {
		return err
	}
	if c.Password == "" {
		return apperr.Invalid("password", "err.auth.confirm_password")
	}
	attempt, err := s.beginAttempt(ctx, NormalizeEmail(u.Email), c.ClientIP, s.device(u, c.Device), s.now())
	if err != nil {
		return err
	}
	ok, err := s.passwordMatches(ctx, u.PasswordHash, c.Password, c.ClientIP)
	if err != nil {
		return s.endAttempt(ctx, attempt, false, err)
	}
	if !ok {
		s.log.Warn("re-authentication failed", "user_id", u.ID, "client", c.ClientIP)
		return s.endAttempt(ctx, attempt, true, apperr.Invalid("password", "err.auth.password_wrong"))
	}
	return s.endAttempt(ctx, attempt, false, nil)
}

// SecondStepNeeded answers a browser's right password for an account with a
// second factor: the code form carries Token instead of the password.
type SecondStepNeeded struct{ Token string }

func (e *SecondStepNeeded) Error() string {
	return "the password is right; the second factor's code is needed"
}

// pendingSecondStep issues the short-lived token a browser carries from the
// password form to the code form (the password is not sent twice).
func (s *Service) pendingSecondStep(ctx context.Context, u *store.User, now time.Time) (string, error) {
	var token string
	err := s.db.Tx(ctx, func(q store.Q) error {
		var err error
		token, err = issueSecondStep(q, u, "", now)
		return err
	})
	return token, err
}

// issueSecondStep creates a pending second step for u (retiring an earlier
// one: the newest sign-in wins), holding a reset's new password hash if any.
func issueSecondStep(q store.Q, u *store.User, passwordHash string, now time.Time) (string, error) {
	token, err := newOneTimeToken()
	if err != nil {
		return "", err
	}
	return token, q.CreateToken(&store.OneTimeToken{UserID: u.ID, Purpose: store.TokenSecondStep, TokenHash: hashOneTimeToken(token),
		CreatedAt: now, ExpiresAt: now.Add(secondStepLife), PasswordHash: passwordHash})
}

// UnreadableTOTPSecrets lists the users (of stored: user id → totp_secret, as
// store.TOTPSecretsSQLite reads them) whose sealed secret does not open with
// key; with key nil, every sealed one. Backup and restore use it so a database
// never travels without the key its second factors need.
func UnreadableTOTPSecrets(key *secrets.Key, stored map[int64]string) []int64 {
	var bad []int64
	for id, v := range stored {
		if !secrets.IsSealed(v) {
			continue // plain, from before secrets were sealed: serve seals it at start
		}
		if key == nil {
			bad = append(bad, id)
		} else if _, err := key.Open(v, totpContext(id)); err != nil {
			bad = append(bad, id)
		}
	}
	slices.Sort(bad)
	return bad
}
