package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// User is anyone who signs in. Coordinators and officers belong to one agency.
type User struct {
	ID            int64  `gorm:"primaryKey"`
	Email         string // stored lower-case: unique regardless of case
	Name          string // exactly as printed on a certificate, any script
	GivenName     string
	FamilyName    string
	LatinName     string
	Role          string
	AgencyID      *int64
	PasswordHash  string
	CalendarToken *string
	// A second factor (admins, trainers): the TOTP secret, sealed by auth with
	// the data directory's secrets key (plain only in rows written before that,
	// until the next start seals them), when it was confirmed (nil: not
	// enabled), and the last time step used, so a code works once.
	TOTPSecret    string     `gorm:"column:totp_secret"`
	TOTPEnabledAt *time.Time `gorm:"column:totp_enabled_at"`
	TOTPLastStep  int64      `gorm:"column:totp_last_step"`
	// PrivacyAcceptedAt is when the user accepted the privacy notice (activation).
	PrivacyAcceptedAt *time.Time
	// Language is what the user reads: their browser's at activation, or what
	// they chose since (pages and e-mails); "" until known. LanguageChosen
	// tells the two apart: a choice beats a cookie and the browser's
	// Accept-Language, a language only observed at activation does not
	// (i18n.Catalog.LanguageOf).
	Language       string `gorm:"size:35;not null;default:''"`
	LanguageChosen bool   `gorm:"not null;default:false"`
	// ErasedAt is when the user's personal data was erased (privacy.Eraser):
	// the row stays, nameless, so what refers to it keeps counting.
	ErasedAt  *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateUser inserts a user; ErrDuplicate if the e-mail address is taken.
func (db *DB) CreateUser(ctx context.Context, u *User) error {
	if err := db.write(ctx, func(g *gorm.DB) error { return g.Create(u).Error }); err != nil {
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

// UsersByIDs loads users by id.
func (q Q) UsersByIDs(ids []int64) ([]User, error) {
	var out []User
	if len(ids) == 0 {
		return out, nil
	}
	if err := q.g.Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	return out, nil
}

// UsersByEmails loads the users with these normalised addresses.
func (q Q) UsersByEmails(emails []string) ([]User, error) {
	var out []User
	for start := 0; start < len(emails); start += 500 { // stay under SQLite's variable limit
		end := min(start+500, len(emails))
		var part []User
		if err := q.g.Where("email IN ?", emails[start:end]).Find(&part).Error; err != nil {
			return nil, fmt.Errorf("load users by e-mail: %w", err)
		}
		out = append(out, part...)
	}
	return out, nil
}

// CreateUsers inserts many users at once (a roster import).
func (q Q) CreateUsers(users []User) error {
	if len(users) == 0 {
		return nil
	}
	if err := q.g.CreateInBatches(&users, 200).Error; err != nil {
		return fmt.Errorf("create users: %w", translate(err))
	}
	return nil
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

// SetUserLanguage records the language a user reads, the first time it is known;
// a language already recorded is kept (a borrowed laptop does not change it).
func (q Q) SetUserLanguage(userID int64, lang string) error {
	if err := q.g.Model(&User{}).Where("id = ? AND language = ''", userID).UpdateColumn("language", lang).Error; err != nil {
		return fmt.Errorf("set user %d language: %w", userID, err)
	}
	return nil
}

// ChooseUserLanguage saves the language a user chose, replacing the one
// recorded; ErrNotFound if there is no such user.
func (q Q) ChooseUserLanguage(userID int64, lang string) error {
	res := q.g.Model(&User{}).Where("id = ?", userID).UpdateColumns(map[string]any{"language": lang, "language_chosen": true})
	if res.Error != nil {
		return fmt.Errorf("choose user %d language: %w", userID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("choose user %d language: %w", userID, ErrNotFound)
	}
	return nil
}

// UserLanguage returns the language recorded for a user ("" when unknown) and
// whether the user chose it.
func (q Q) UserLanguage(userID int64) (lang string, chosen bool, err error) {
	var row struct {
		Language       string
		LanguageChosen bool
	}
	if err := q.g.Model(&User{}).Where("id = ?", userID).Select("language", "language_chosen").Take(&row).Error; err != nil {
		return "", false, fmt.Errorf("load user %d language: %w", userID, translate(err))
	}
	return row.Language, row.LanguageChosen, nil
}

// SetCalendarToken stores a user's calendar feed token.
func (q Q) SetCalendarToken(userID int64, token string) error {
	if err := q.g.Model(&User{}).Where("id = ?", userID).Update("calendar_token", token).Error; err != nil {
		return fmt.Errorf("set calendar token: %w", err)
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

// UserByCalendarToken finds the owner of a calendar feed.
func (q Q) UserByCalendarToken(token string) (*User, error) {
	var u User
	if err := q.g.Where("calendar_token = ?", token).Take(&u).Error; err != nil {
		return nil, fmt.Errorf("load user by calendar token: %w", translate(err))
	}
	return &u, nil
}
