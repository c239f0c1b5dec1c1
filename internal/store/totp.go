package store

import (
	"context"
	"fmt"
	"time"
)

// RecoveryCode is one single-use code that stands in for a lost authenticator.
// Only its hash is stored.
type RecoveryCode struct {
	ID       int64 `gorm:"primaryKey"`
	UserID   int64
	CodeHash string
	UsedAt   *time.Time
}

// SetTOTP stores a pending secret (enabledAt nil), confirms it, or clears it
// (secret ""); recovery codes are replaced by codes (none when disabling).
func (db *DB) SetTOTP(ctx context.Context, userID int64, secret string, enabledAt *time.Time, codes []string) error {
	return db.setTOTP(ctx, userID, secret, enabledAt, 0, codes)
}

// EnableTOTP confirms a pending secret like SetTOTP, recording usedStep as the
// last code used: the code that confirmed it cannot sign in after.
func (db *DB) EnableTOTP(ctx context.Context, userID int64, secret string, enabledAt time.Time, usedStep int64, codes []string) error {
	return db.setTOTP(ctx, userID, secret, &enabledAt, usedStep, codes)
}

func (db *DB) setTOTP(ctx context.Context, userID int64, secret string, enabledAt *time.Time, lastStep int64, codes []string) error {
	return db.Tx(ctx, func(q Q) error {
		if err := q.g.Model(&User{}).Where("id = ?", userID).
			Updates(map[string]any{"totp_secret": secret, "totp_enabled_at": enabledAt, "totp_last_step": lastStep}).Error; err != nil {
			return fmt.Errorf("set second factor of user %d: %w", userID, err)
		}
		if err := q.g.Where("user_id = ?", userID).Delete(&RecoveryCode{}).Error; err != nil {
			return fmt.Errorf("clear recovery codes of user %d: %w", userID, err)
		}
		for _, h := range codes {
			if err := q.g.Create(&RecoveryCode{UserID: userID, CodeHash: h}).Error; err != nil {
				return fmt.Errorf("store recovery code: %w", err)
			}
		}
		return nil
	})
}

// UseTOTPStep records that a time step's code was used, only if it is later than
// the last one: a code seen once (or an older one) cannot sign in again.
func (q Q) UseTOTPStep(userID, step int64) (bool, error) {
	res := q.g.Model(&User{}).Where("id = ? AND totp_last_step < ?", userID, step).Update("totp_last_step", step)
	if res.Error != nil {
		return false, fmt.Errorf("use second-factor code: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// UseRecoveryCode spends a recovery code; false when it does not exist or was used.
func (q Q) UseRecoveryCode(userID int64, hash string, at time.Time) (bool, error) {
	res := q.g.Model(&RecoveryCode{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, hash).Update("used_at", at)
	if res.Error != nil {
		return false, fmt.Errorf("use recovery code: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, userID int64) (int64, error) {
	var n int64
	if err := db.R.WithContext(ctx).Model(&RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}

// RewriteTOTPSecrets passes every stored TOTP secret to rewrite, in one
// transaction, and stores what it returns where change is true: auth seals the
// plain secrets of rows written before secrets were sealed. Each update only
// applies if the row still holds the value read, so two processes starting at
// once against one PostgreSQL database cannot seal a secret twice (the second
// finds it changed and leaves it). It returns how many rows changed.
func (db *DB) RewriteTOTPSecrets(ctx context.Context, rewrite func(userID int64, stored string) (updated string, change bool, err error)) (int, error) {
	changed := 0
	err := db.Tx(ctx, func(q Q) error {
		changed = 0
		var rows []struct {
			ID         int64
			TOTPSecret string `gorm:"column:totp_secret"`
		}
		if err := q.g.Model(&User{}).Select("id, totp_secret").Where("totp_secret <> ''").Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("read second-factor secrets: %w", err)
		}
		for _, r := range rows {
			updated, change, err := rewrite(r.ID, r.TOTPSecret)
			if err != nil {
				return err
			}
			if !change {
				continue
			}
			res := q.g.Model(&User{}).Where("id = ? AND totp_secret = ?", r.ID, r.TOTPSecret).Update("totp_secret", updated)
			if res.Error != nil {
				return fmt.Errorf("rewrite second-factor secret of user %d: %w", r.ID, res.Error)
			}
			changed += int(res.RowsAffected)
		}
		return nil
	})
	return changed, err
}
