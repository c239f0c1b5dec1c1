package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TokenPurpose is what a one-time token is for.
type TokenPurpose string

const (
	TokenInvite     TokenPurpose = "invite"
	TokenSlip       TokenPurpose = "slip" // an invitation printed on a sign-in slip
	TokenReset      TokenPurpose = "reset"
	TokenSecondStep TokenPurpose = "second_step" // a password already checked, waiting for the code
)

// OneTimeToken lets one person do one thing once: activate an invited account or
// reset a password. Only the token's hash is stored.
type OneTimeToken struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	Purpose   TokenPurpose
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
func (q Q) RetireTokens(userID int64, at time.Time, purposes ...TokenPurpose) error {
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

// TakeTokenTry takes one of a token's max tries, if it is unused and has one
// left, and returns how many are taken now (this one included). Taken before
// the code is checked, so codes sent at once cannot check more than max.
func (q Q) TakeTokenTry(id int64, max int) (int, bool, error) {
	res := q.g.Model(&OneTimeToken{}).Where("id = ? AND used_at IS NULL AND failures < ?", id, max).
		Update("failures", gorm.Expr("failures + 1"))
	if res.Error != nil {
		return 0, false, fmt.Errorf("take a try of token %d: %w", id, res.Error)
	}
	if res.RowsAffected != 1 {
		return 0, false, nil
	}
	var t OneTimeToken
	if err := q.g.Select("failures").Where("id = ?", id).Take(&t).Error; err != nil {
		return 0, false, fmt.Errorf("read tries of token %d: %w", id, translate(err))
	}
	return t.Failures, true, nil
}

// GiveBackTokenTry returns a try that checked nothing (the attempt was
// throttled first).
func (q Q) GiveBackTokenTry(id int64) error {
	if err := q.g.Model(&OneTimeToken{}).Where("id = ? AND failures > 0", id).Update("failures", gorm.Expr("failures - 1")).Error; err != nil {
		return fmt.Errorf("give back a try of token %d: %w", id, err)
	}
	return nil
}
