package store

import (
	"fmt"

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

// Migration "20261209-signin-kept-sessions": a browser session remembers that
// its owner chose to keep the device, so that the idle timeout does not send
// them back to the password (one more argon2id hash, often at the afternoon
// quiz's start, when the whole hall comes back at once).
func migrateKeptSessions(tx *gorm.DB) error {
	type LoginSession struct {
		Kept bool `gorm:"not null;default:false"`
	}
	if err := tx.Migrator().AddColumn(&LoginSession{}, "Kept"); err != nil {
		return fmt.Errorf("add login_sessions.kept: %w", err)
	}
	return nil
}
