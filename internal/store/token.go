package store

import (
	"fmt"
	"time"
)

// OneTimeToken lets one person do one thing once: activate an invited account or
// reset a password. Only the token's hash is stored.
type OneTimeToken struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	Purpose   string // "invite" or "reset"
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedBy *int64 // nil: the system (a roster import, a reset request)
	Failures  int    // tries of a pending sign-in's code (TakeTokenTry)
	// PasswordHash is the new password of a reset waiting for its second step:
	// set only when the code is given (the mailbox alone changes nothing).
	PasswordHash string
}

// CreateToken stores a new token and retires the user's older unused tokens for
// the same purpose: only the newest invitation (or reset link) works.
func (q Q) CreateToken(t *OneTimeToken) error {
	if err := q.g.Model(&OneTimeToken{}).Where("user_id = ? AND purpose = ? AND used_at IS NULL", t.UserID, t.Purpose).
		Updates(map[string]any{"used_at": t.CreatedAt, "password_hash": ""}).Error; err != nil {
		return fmt.Errorf("retire older %s tokens of user %d: %w", t.Purpose, t.UserID, err)
	}
	if err := q.g.Create(t).Error; err != nil {
		return fmt.Errorf("create %s token: %w", t.Purpose, translate(err))
	}
	return nil
}

// RetireTokens ends a user's unused tokens of the given purposes.
func (q Q) RetireTokens(userID int64, at time.Time, purposes ...string) error {
	if err := q.g.Model(&OneTimeToken{}).Where("user_id = ? AND purpose IN ? AND used_at IS NULL", userID, purposes).
		Update("used_at", at).Error; err != nil {
		return fmt.Errorf("retire tokens of user %d: %w", userID, err)
	}
	return nil
}

// Token finds a token by hash, used or not (the caller tells them apart).
func (q Q) Token(hash string) (*OneTimeToken, error) {
	var t OneTimeToken
	if err := q.g.Where("token_hash = ?", hash).Take(&t).Error; err != nil {
		return nil, fmt.Errorf("load token: %w", translate(err))
	}
	return &t, nil
}

// UseToken marks a token used, only if nobody used it first; false means it was
// already used (two tabs submitting the same link). A password hash it held is
// no longer needed.
func (q Q) UseToken(id int64, at time.Time) (bool, error) {
	res := q.g.Model(&OneTimeToken{}).Where("id = ? AND used_at IS NULL", id).Updates(map[string]any{"used_at": at, "password_hash": ""})
	if res.Error != nil {
		return false, fmt.Errorf("use token %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// SetPassword stores a new password hash (and the privacy notice's acceptance,
// when given) for a user.
func (q Q) SetPassword(userID int64, hash string, privacyAcceptedAt *time.Time) error {
	fields := map[string]any{"password_hash": hash, "updated_at": time.Now().UTC()}
	if privacyAcceptedAt != nil {
		fields["privacy_accepted_at"] = *privacyAcceptedAt
	}
	if err := q.g.Model(&User{}).Where("id = ?", userID).Updates(fields).Error; err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}

// DeleteLoginSessions signs a user out everywhere (after a password reset).
func (q Q) DeleteLoginSessions(userID int64) error {
	if err := q.g.Where("user_id = ?", userID).Delete(&LoginSession{}).Error; err != nil {
		return fmt.Errorf("sign out user %d: %w", userID, err)
	}
	return nil
}
