package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// LoginFailure is one failed sign-in, kept for the throttling window. It is
// written before the credential is checked, Pending, so that attempts sent at
// once count each other; a wrong credential settles it, a right one removes it.
type LoginFailure struct {
	ID       int64 `gorm:"primaryKey"`
	Email    string
	ClientIP string
	Device   string // the nonce of a valid device cookie the attempt carried, or ""
	At       time.Time
	Pending  bool // the attempt is still being checked
}

// ReserveLoginAttempt writes f, a sign-in attempt about to be checked, as a
// pending failure and returns its id; it forgets failures older than keepSince,
// so the table stays the size of the throttling window.
func (db *DB) ReserveLoginAttempt(ctx context.Context, f LoginFailure, keepSince time.Time) (int64, error) {
	f.Pending = true
	err := db.Tx(ctx, func(q Q) error {
		tx := q.g
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("record login attempt: %w", err)
		}
		if err := tx.Where("at < ?", keepSince).Delete(&LoginFailure{}).Error; err != nil {
			return fmt.Errorf("prune login failures: %w", err)
		}
		return tx.Where("expires_at < ?", f.At).Delete(&LoginSession{}).Error
	})
	return f.ID, err
}

// SettleLoginFailure keeps a reserved attempt as a failure: its credential was
// wrong.
func (db *DB) SettleLoginFailure(ctx context.Context, id int64) error {
	if err := db.write(ctx, func(g *gorm.DB) error {
		return g.Model(&LoginFailure{}).Where("id = ?", id).Update("pending", false).Error
	}); err != nil {
		return fmt.Errorf("record login failure %d: %w", id, err)
	}
	return nil
}

// ForgetLoginAttempt removes a reserved attempt: its credential was right, or
// it was not checked.
func (db *DB) ForgetLoginAttempt(ctx context.Context, id int64) error {
	if err := db.write(ctx, func(g *gorm.DB) error { return g.Where("id = ?", id).Delete(&LoginFailure{}).Error }); err != nil {
		return fmt.Errorf("forget login attempt %d: %w", id, err)
	}
	return nil
}

// FailureCount is how many failures a key has since a time, and when the oldest
// of them happened (to compute Retry-After).
type FailureCount struct {
	N      int64
	Oldest time.Time
}

// LoginFailures counts recent failures for an account from one client, for the
// account from anywhere (both with the attempts still being checked), and from
// the client for any account (settled failures only: a hall behind one address
// signing in at 09:00 has hundreds of attempts in flight, nearly all right).
func (db *DB) LoginFailures(ctx context.Context, email, ip string, since time.Time) (pair, account, client FailureCount, err error) {
	if pair, err = db.failureCount(ctx, since, "email = ? AND client_ip = ?", email, ip); err != nil {
		return
	}
	if account, err = db.failureCount(ctx, since, "email = ?", email); err != nil {
		return
	}
	client, err = db.failureCount(ctx, since, "client_ip = ? AND pending = ?", ip, false)
	return
}

// DeviceFailures counts recent failed sign-ins that carried one device cookie.
func (db *DB) DeviceFailures(ctx context.Context, device string, since time.Time) (FailureCount, error) {
	return db.failureCount(ctx, since, "device = ?", device)
}

func (db *DB) failureCount(ctx context.Context, since time.Time, where string, args ...any) (FailureCount, error) {
	var fc FailureCount
	base := func() *gorm.DB {
		return db.R.WithContext(ctx).Model(&LoginFailure{}).Where("at >= ?", since).Where(where, args...)
	}
	if err := base().Count(&fc.N).Error; err != nil {
		return fc, fmt.Errorf("count login failures: %w", err)
	}
	if fc.N > 0 {
		var oldest LoginFailure
		if err := base().Order("at").Limit(1).Take(&oldest).Error; err != nil {
			return fc, fmt.Errorf("oldest login failure: %w", err)
		}
		fc.Oldest = oldest.At
	}
	return fc, nil
}
