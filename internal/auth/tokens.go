package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
)

// One-time token purposes and how long each stays usable.
const (
	PurposeInvite  = string(store.TokenInvite)
	PurposeSlip    = string(store.TokenSlip) // an invitation printed on a sign-in slip; it lives beside the e-mailed one
	PurposeReset   = string(store.TokenReset)
	InviteLifetime = 14 * 24 * time.Hour
	ResetLifetime  = time.Hour
)

// Mailer writes onboarding e-mails into the outbox, inside the transaction that
// issues the token: the token and its message commit together or not at all.
type Mailer interface {
	Invitation(q store.Q, u *store.User, link string, expires time.Time) error
	PasswordReset(q store.Q, u *store.User, link string, expires time.Time) error
}

// Invitation is an issued invitation: the link (and the same token as a code to
// type) reaches the officer by e-mail or on a printed slip.
type Invitation struct {
	UserID    int64     `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Link      string    `json:"link"`
	Code      string    `json:"code"` // the token grouped by four, for typing from paper
	ExpiresAt time.Time `json:"expires_at"`
}

// newOneTimeToken returns 16 base32 characters (80 random bits): unguessable at the
// rate the activation pages allow, and short enough to type from a printed slip.
func newOneTimeToken() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("one-time token: %w", err)
	}
	return base32.StdEncoding.EncodeToString(b), nil
}

// NormalizeToken accepts a token as typed from paper: any case, with spaces or
// dashes, and the digits people write for the letters base32 uses instead
// (0 for O, 1 for I, 8 for B).
func NormalizeToken(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '2' && r <= '7':
			return r
		case r == '0':
			return 'O'
		case r == '1':
			return 'I'
		case r == '8':
			return 'B'
		}
		return -1
	}, s)
}

// GroupCode writes a token as XXXX-XXXX-XXXX-XXXX.
func GroupCode(token string) string {
	var parts []string
	for len(token) > 4 {
		parts = append(parts, token[:4])
		token = token[4:]
	}
	return strings.Join(append(parts, token), "-")
}

func hashOneTimeToken(token string) string {
	sum := sha256.Sum256([]byte("lectern-one-time-token:" + token))
	return hex.EncodeToString(sum[:])
}

// Invite issues an invitation to accounts that have no password yet (admins: any;
// coordinators: their agency's officers) and, with sendMail, queues the e-mail.
// Re-inviting retires the older invitation. Accounts already active are skipped:
// they sign in, or reset their password.
func (s *Service) Invite(ctx context.Context, a *Actor, userIDs []int64, sendMail bool) ([]Invitation, error) {
	if a == nil {
		return nil, apperr.Unauthorized("err.auth.sign_in_first")
	}
	if a.Role != RoleAdmin && a.Role != RoleCoordinator {
		return nil, apperr.Forbidden("err.invite.forbidden")
	}
	var out []Invitation
	now := s.now()
	err := s.db.Tx(ctx, func(q store.Q) error {
		users, err := q.UsersByIDs(userIDs)
		if err != nil {
			return err
		}
		if len(users) != len(dedupe(userIDs)) {
			return apperr.NotFound("user")
		}
		for i := range users {
			u := &users[i]
			if v := UserOf(u); !a.CanSeeUser(v) || (a.Role == RoleCoordinator && !a.CanActForUser(v)) {
				return apperr.NotFound("user")
			}
			if u.ErasedAt != nil {
				return apperr.Conflict("err.user.erased")
			}
			if u.PasswordHash != "" {
				continue
			}
			inv, err := s.issueInvitation(q, a, u, now, sendMail, PurposeInvite)
			if err != nil {
				return err
			}
			out = append(out, *inv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("invitations issued", "count", len(out), "by", a.UserID, "mailed", sendMail)
	return out, nil
}

// InviteAsSystem invites accounts created without a password by a roster import
// or the API, inside the caller's transaction.
func (s *Service) InviteAsSystem(q store.Q, by *Actor, u *store.User) error {
	_, err := s.issueInvitation(q, by, u, s.now(), true, PurposeInvite)
	return err
}

// issueInvitation creates an invitation token (purpose invite, or slip for a
// printed one: reprinting retires the older slip but not the e-mailed link).
func (s *Service) issueInvitation(q store.Q, a *Actor, u *store.User, now time.Time, sendMail bool, purpose string) (*Invitation, error) {
	token, err := newOneTimeToken()
	if err != nil {
		return nil, err
	}
	t := &store.OneTimeToken{UserID: u.ID, Purpose: store.TokenPurpose(purpose), TokenHash: hashOneTimeToken(token), CreatedAt: now, ExpiresAt: now.Add(InviteLifetime)}
	if a != nil && a.UserID != 0 {
		t.CreatedBy = &a.UserID
	}
	if err := q.CreateToken(t); err != nil {
		return nil, err
	}
	inv := &Invitation{UserID: u.ID, Email: u.Email, Name: u.Name, Link: s.link("/activate/" + token), Code: GroupCode(token), ExpiresAt: t.ExpiresAt}
	if sendMail && s.Mailer != nil {
		if err := s.Mailer.Invitation(q, u, inv.Link, inv.ExpiresAt); err != nil {
			return nil, err
		}
	}
	how := "printed"
	if sendMail {
		how = "e-mail"
	}
	return inv, audit(q, now, t.CreatedBy, "user.invite", u.ID, map[string]any{"expires_at": t.ExpiresAt, "delivery": how})
}

func (s *Service) link(path string) string { return strings.TrimRight(s.BaseURL, "/") + path }

func dedupe(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func audit(q store.Q, at time.Time, actor *int64, action string, userID int64, after map[string]any) error {
	data, err := json.Marshal(after)
	if err != nil {
		return err
	}
	return q.Audit(&store.AuditEvent{At: at, ActorID: actor, Action: action, UserID: &userID, After: string(data)})
}

// Token errors the pages explain to the person holding the link.
var (
	ErrTokenUnknown = apperr.NotFound("link")
	ErrTokenUsed    = apperr.Conflict("err.token.used")
	ErrTokenExpired = apperr.Conflict("err.token.expired")
)

// CheckToken tells a page whose link it is before the form is filled in.
func (s *Service) CheckToken(ctx context.Context, token, purpose string) (*User, error) {
	var u *store.User
	err := s.db.Tx(ctx, func(q store.Q) error {
		_, user, err := s.validToken(q, token, purpose)
		u = user
		return err
	})
	if err != nil {
		return nil, err
	}
	return UserOf(u), nil
}

func (s *Service) validToken(q store.Q, token, purpose string) (*store.OneTimeToken, *store.User, error) {
	token = NormalizeToken(token)
	if len(token) != 16 {
		return nil, nil, ErrTokenUnknown
	}
	t, err := q.Token(hashOneTimeToken(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.Purpose != store.TokenPurpose(purpose) && !(purpose == PurposeInvite && t.Purpose == store.TokenSlip)) {
		return nil, nil, ErrTokenUnknown
	} else if err != nil {
		return nil, nil, err
	}
	switch {
	case t.UsedAt != nil:
		return nil, nil, ErrTokenUsed
	case !s.now().Before(t.ExpiresAt):
		return nil, nil, ErrTokenExpired
	}
	users, err := q.UsersByIDs([]int64{t.UserID})
	if err != nil || len(users) != 1 {
		return nil, nil, ErrTokenUnknown
	}
	if purpose == PurposeInvite && users[0].PasswordHash != "" {
		return nil, nil, ErrTokenUsed // activated meanwhile, through another link
	}
	return t, &users[0], nil
}

// Activate sets the invited officer's password and records the privacy notice's
// acceptance, then signs them in (the returned session token).
func (s *Service) Activate(ctx context.Context, token, password string, acceptPrivacy bool, c Credentials) (string, *User, error) {
	var f apperr.Fields
	checkPasswordRules(&f, "password", password)
	if !acceptPrivacy {
		f.Add("accept_privacy", "err.privacy.accept")
	}
	if err := f.Err(); err != nil {
		return "", nil, err
	}
	return s.useToken(ctx, token, PurposeInvite, password, c)
}

// ResetPassword sets a new password from a reset link, signs the user out
// everywhere else, replaces their calendar feed link, and signs them in here.
// With a second factor, the mailbox alone is not enough: nothing changes until
// the code (a *SecondStepNeeded error; SecondStep sets the password).
func (s *Service) ResetPassword(ctx context.Context, token, password string, c Credentials) (string, *User, error) {
	var f apperr.Fields
	checkPasswordRules(&f, "password", password)
	if err := f.Err(); err != nil {
		return "", nil, err
	}
	return s.useToken(ctx, token, PurposeReset, password, c)
}

func (s *Service) useToken(ctx context.Context, token, purpose, password string, c Credentials) (string, *User, error) {
	// Hash before the transaction: argon2id is slow and the writer is shared.
	hash, err := HashPassword(password)
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	var user *store.User
	var pending string // the second step a reset waits for
	err = s.db.Tx(ctx, func(q store.Q) error {
		t, u, err := s.validToken(q, token, purpose)
		if err != nil {
			return err
		}
		if ok, err := q.UseToken(t.ID, now); err != nil {
			return err
		} else if !ok {
			return ErrTokenUsed
		}
		user = u
		switch {
		case purpose == PurposeReset && u.TOTPEnabledAt != nil:
			// The mailbox is one factor: the new password waits with the
			// pending second step, and is set only with the code.
			pending, err = issueSecondStep(q, u, hash, now)
			if err != nil {
				return err
			}
			return audit(q, now, &u.ID, "user.reset_link_used", u.ID, map[string]any{"client": c.ClientIP, "waiting_for": "second factor"})
		case purpose == PurposeReset:
			return applyReset(q, u.ID, hash, c, now)
		}
		// The e-mailed link and the printed slip: one activation ends both.
		if err := q.RetireTokens(u.ID, now, store.TokenInvite, store.TokenSlip); err != nil {
			return err
		}
		if err := q.SetPassword(u.ID, hash, &now); err != nil {
			return err
		}
		return audit(q, now, &u.ID, "user.activate", u.ID, map[string]any{"client": c.ClientIP})
	})
	if err != nil {
		return "", nil, err
	}
	s.log.Info("one-time token used", "purpose", purpose, "user_id", user.ID, "client", c.ClientIP)
	if pending != "" {
		return "", UserOf(user), &SecondStepNeeded{Token: pending}
	}
	s.ForgetUser(user.ID)
	session, err := s.openSession(ctx, user, c, now)
	if err != nil {
		return "", nil, err
	}
	return session, UserOf(user), nil
}

// applyReset sets the new password of a reset, signs the user out everywhere,
// and replaces the calendar feed link: whoever took over the account may have
// signed in, or copied the link.
func applyReset(q store.Q, userID int64, hash string, c Credentials, now time.Time) error {
	if err := q.SetPassword(userID, hash, nil); err != nil {
		return err
	}
	if err := q.DeleteLoginSessions(userID); err != nil {
		return err
	}
	if err := q.ClearCalendarToken(userID); err != nil {
		return err
	}
	return audit(q, now, &userID, "user.reset", userID, map[string]any{"client": c.ClientIP})
}

// RequestReset queues a reset link for an active account. The caller answers the
// same way whether or not the address exists, so addresses cannot be probed.
func (s *Service) RequestReset(ctx context.Context, email, clientIP string) error {
	email = NormalizeEmail(email)
	now := s.now()
	u, err := s.db.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.PasswordHash == "") {
		// Unknown, or invited but never activated (their invitation is the way in).
		// Still one write transaction, like the real thing, so the answer's timing
		// says little about whether the address exists.
		s.log.Info("password reset requested for no active account", "client", clientIP)
		after, _ := json.Marshal(map[string]any{"client": clientIP, "active_account": false})
		return s.db.Tx(ctx, func(q store.Q) error {
			return q.Audit(&store.AuditEvent{At: now, Action: "user.reset_request", After: string(after)})
		})
	} else if err != nil {
		return err
	}
	token, err := newOneTimeToken()
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		t := &store.OneTimeToken{UserID: u.ID, Purpose: store.TokenReset, TokenHash: hashOneTimeToken(token), CreatedAt: now, ExpiresAt: now.Add(ResetLifetime)}
		if err := q.CreateToken(t); err != nil {
			return err
		}
		if s.Mailer != nil {
			if err := s.Mailer.PasswordReset(q, u, s.link("/reset/"+token), t.ExpiresAt); err != nil {
				return err
			}
		}
		return audit(q, now, nil, "user.reset_request", u.ID, map[string]any{"client": clientIP})
	})
	if err != nil {
		return err
	}
	s.log.Info("password reset link queued", "user_id", u.ID, "client", clientIP)
	return nil
}

// InviteForSlips issues fresh invitations, without e-mail, to the accounts among
// users that have no password yet, for printed sign-in slips. The caller has
// already checked the actor may print the session's slips (schedule.SlipRoster);
// printing again retires the links of the earlier print-out.
func (s *Service) InviteForSlips(ctx context.Context, a *Actor, people []User) (map[int64]Invitation, error) {
	ids := make([]int64, len(people))
	for i, u := range people {
		ids[i] = u.ID
	}
	out := map[int64]Invitation{}
	now := s.now()
	err := s.db.Tx(ctx, func(q store.Q) error {
		// Whether an account has a password yet is auth's to read, in the
		// transaction that invites it.
		users, err := q.UsersByIDs(ids)
		if err != nil {
			return fmt.Errorf("load %d slip holders: %w", len(ids), err)
		}
		for i := range users {
			if users[i].PasswordHash != "" || users[i].ErasedAt != nil {
				continue
			}
			inv, err := s.issueInvitation(q, a, &users[i], now, false, PurposeSlip)
			if err != nil {
				return err
			}
			out[users[i].ID] = *inv
		}
		return nil
	})
	return out, err
}
