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

// Migration "20261128-signin-reservations": failed sign-ins are written before
// the credential is checked, as pending (so attempts in flight count), and a
// pending second step can carry the password hash a reset sets once its code is
// given.
func migrateSigninReservations(tx *gorm.DB) error {
	type LoginFailure struct {
		Pending bool `gorm:"not null;default:false"`
	}
	type OneTimeToken struct {
		PasswordHash string `gorm:"size:200;not null;default:''"`
	}
	if err := tx.Migrator().AddColumn(&LoginFailure{}, "Pending"); err != nil {
		return fmt.Errorf("add login_failures.pending: %w", err)
	}
	if err := tx.Migrator().AddColumn(&OneTimeToken{}, "PasswordHash"); err != nil {
		return fmt.Errorf("add one_time_tokens.password_hash: %w", err)
	}
	return nil
}

func rollbackSigninReservations(tx *gorm.DB) error {
	if err := tx.Migrator().DropColumn("login_failures", "pending"); err != nil {
		return err
	}
	return tx.Migrator().DropColumn("one_time_tokens", "password_hash")
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

// ClearCalendarToken forgets a user's calendar feed token: the old feed link
// stops working and the next one shown is new.
func (q Q) ClearCalendarToken(userID int64) error {
	if err := q.g.Model(&User{}).Where("id = ?", userID).Update("calendar_token", nil).Error; err != nil {
		return fmt.Errorf("clear calendar token of user %d: %w", userID, err)
	}
	return nil
}
