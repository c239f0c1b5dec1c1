package store

import (
	"context"
	"fmt"
	"time"
)

// Agency is a police or government body whose officers attend courses.
type Agency struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Name      string    `json:"name"`
	Country   string    `json:"country"` // ISO 3166-1 alpha-2
	CreatedAt time.Time `json:"created_at"`
}

// User is anyone who signs in. Coordinators and officers belong to one agency.
type User struct {
	ID            int64   `gorm:"primaryKey" json:"id"`
	Email         string  `json:"email"` // stored lower-case: unique regardless of case
	Name          string  `json:"name"`  // exactly as printed on a certificate, any script
	GivenName     string  `json:"given_name,omitempty"`
	FamilyName    string  `json:"family_name,omitempty"`
	LatinName     string  `json:"latin_name,omitempty"`
	Role          string  `json:"role"`
	AgencyID      *int64  `json:"agency_id"`
	PasswordHash  string  `json:"-"`
	CalendarToken *string `json:"-"`
	// A second factor (admins, trainers): the TOTP secret, sealed by auth with
	// the data directory's secrets key (plain only in rows written before that,
	// until the next start seals them), when it was confirmed (nil: not
	// enabled), and the last time step used, so a code works once.
	TOTPSecret    string     `gorm:"column:totp_secret" json:"-"`
	TOTPEnabledAt *time.Time `gorm:"column:totp_enabled_at" json:"totp_enabled_at,omitempty"`
	TOTPLastStep  int64      `gorm:"column:totp_last_step" json:"-"`
	// PrivacyAcceptedAt is when the user accepted the privacy notice (activation).
	PrivacyAcceptedAt *time.Time `json:"privacy_accepted_at,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"-"`
}

// CreateAgency inserts a new agency.
func (db *DB) CreateAgency(ctx context.Context, a *Agency) error {
	if err := db.W.WithContext(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("create agency %q: %w", a.Name, translate(err))
	}
	return nil
}

// Agency returns one agency.
func (db *DB) Agency(ctx context.Context, id int64) (*Agency, error) {
	var a Agency
	if err := db.R.WithContext(ctx).Take(&a, id).Error; err != nil {
		return nil, fmt.Errorf("load agency %d: %w", id, translate(err))
	}
	return &a, nil
}

// Agencies lists agencies by name; only is an optional restriction to one id.
func (db *DB) Agencies(ctx context.Context, only *int64) ([]Agency, error) {
	q := db.R.WithContext(ctx).Order("name, id")
	if only != nil {
		q = q.Where("id = ?", *only)
	}
	var out []Agency
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	return out, nil
}

// CreateUser inserts a user; ErrDuplicate if the e-mail address is taken.
func (db *DB) CreateUser(ctx context.Context, u *User) error {
	if err := db.W.WithContext(ctx).Create(u).Error; err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, translate(err))
	}
	return nil
}

// User returns one user.
func (db *DB) User(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := db.R.WithContext(ctx).Take(&u, id).Error; err != nil {
		return nil, fmt.Errorf("load user %d: %w", id, translate(err))
	}
	return &u, nil
}

// UserByEmail returns the user with a normalised (lower-case) address.
func (db *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := db.R.WithContext(ctx).Where("email = ?", email).Take(&u).Error; err != nil {
		return nil, fmt.Errorf("load user by e-mail: %w", translate(err))
	}
	return &u, nil
}

// UserFilter restricts a user listing; zero fields do not filter.
type UserFilter struct {
	AgencyID *int64
	Role     string
	ID       *int64
}

// Users lists users by name.
func (db *DB) Users(ctx context.Context, f UserFilter) ([]User, error) {
	q := db.R.WithContext(ctx).Order("name, id")
	if f.AgencyID != nil {
		q = q.Where("agency_id = ?", *f.AgencyID)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.ID != nil {
		q = q.Where("id = ?", *f.ID)
	}
	var out []User
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// CountUsers counts the users with a role.
func (db *DB) CountUsers(ctx context.Context, role string) (int64, error) {
	var n int64
	if err := db.R.WithContext(ctx).Model(&User{}).Where("role = ?", role).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count %s users: %w", role, err)
	}
	return n, nil
}
