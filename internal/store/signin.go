package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Migration "20261126-signin-throttle": failed sign-ins remember the device
// cookie they came with (a device's own limit), and one-time tokens count wrong
// second-factor codes (a pending sign-in ends after a few).
func migrateSigninThrottle(tx *gorm.DB) error {
	type LoginFailure struct {
		Device string `gorm:"size:64;not null;default:''"`
	}
	type OneTimeToken struct {
		Failures int `gorm:"not null;default:0"`
	}
	if err := tx.Migrator().AddColumn(&LoginFailure{}, "Device"); err != nil {
		return fmt.Errorf("add login_failures.device: %w", err)
	}
	if err := tx.Exec("CREATE INDEX idx_login_failures_device_at ON login_failures (device, at)").Error; err != nil {
		return fmt.Errorf("index login_failures.device: %w", err)
	}
	if err := tx.Migrator().AddColumn(&OneTimeToken{}, "Failures"); err != nil {
		return fmt.Errorf("add one_time_tokens.failures: %w", err)
	}
	return nil
}

func rollbackSigninThrottle(tx *gorm.DB) error {
	if err := tx.Exec("DROP INDEX idx_login_failures_device_at").Error; err != nil {
		return err
	}
	if err := tx.Migrator().DropColumn("login_failures", "device"); err != nil {
		return err
	}
	return tx.Migrator().DropColumn("one_time_tokens", "failures")
}

// DeviceFailures counts recent failed sign-ins that carried one device cookie.
func (db *DB) DeviceFailures(ctx context.Context, device string, since time.Time) (FailureCount, error) {
	return db.failureCount(ctx, since, "device = ?", device)
}

// TokenFailed counts one more wrong attempt against a token and returns the
// count so far.
func (q Q) TokenFailed(id int64) (int, error) {
	if err := q.g.Model(&OneTimeToken{}).Where("id = ?", id).Update("failures", gorm.Expr("failures + 1")).Error; err != nil {
		return 0, fmt.Errorf("count a failure of token %d: %w", id, err)
	}
	var t OneTimeToken
	if err := q.g.Select("failures").Where("id = ?", id).Take(&t).Error; err != nil {
		return 0, fmt.Errorf("read failures of token %d: %w", id, translate(err))
	}
	return t.Failures, nil
}

// ClearCalendarToken forgets a user's calendar feed token: the old feed link
// stops working and the next one shown is new.
func (q Q) ClearCalendarToken(userID int64) error {
	if err := q.g.Model(&User{}).Where("id = ?", userID).Update("calendar_token", nil).Error; err != nil {
		return fmt.Errorf("clear calendar token of user %d: %w", userID, err)
	}
	return nil
}
