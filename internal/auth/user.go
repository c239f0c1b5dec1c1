package auth

import (
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// User is an account as the rest of Lectern sees it, and as the API writes it.
// The stored row (store.User) stays inside auth with what only auth may read:
// the password hash, the TOTP secret and its last step, the calendar token.
type User struct {
	ID         int64  `json:"id"`
	Email      string `json:"email"`
	Name       string `json:"name"` // exactly as printed on a certificate, any script
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	LatinName  string `json:"latin_name,omitempty"`
	Role       string `json:"role"`
	AgencyID   *int64 `json:"agency_id"`
	// TOTPEnabledAt is when a second factor was confirmed (nil: none).
	TOTPEnabledAt *time.Time `json:"totp_enabled_at,omitempty"`
	// PrivacyAcceptedAt is when the user accepted the privacy notice (activation).
	PrivacyAcceptedAt *time.Time `json:"privacy_accepted_at,omitempty"`
	// Language is what the user reads pages and e-mails in ("" until known);
	// LanguageChosen, whether they chose it rather than it being their
	// browser's at activation (i18n.Reader).
	Language       string    `json:"language,omitempty"`
	LanguageChosen bool      `json:"language_chosen"`
	CreatedAt      time.Time `json:"created_at"`
	// ErasedAt is when the user's personal data was erased (privacy.Eraser):
	// names empty, e-mail a placeholder; pages call them "Erased user".
	ErasedAt *time.Time `json:"erased_at,omitempty"`

	// passwordEpoch names the password of a user who has just signed in with
	// it, for their device cookie (NewDevice); empty on every other User.
	passwordEpoch string
}

// Agency is a police or government body whose officers attend courses.
type Agency struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Country   string    `json:"country"` // ISO 3166-1 alpha-2
	CreatedAt time.Time `json:"created_at"`
}

// UserOf is the account of a stored row, without its secrets. Domain packages
// that read users in their own transactions (schedule's roster) hand them to
// the policy and to web through it.
func UserOf(u *store.User) *User {
	return &User{ID: u.ID, Email: u.Email, Name: u.Name, GivenName: u.GivenName, FamilyName: u.FamilyName,
		LatinName: u.LatinName, Role: u.Role, AgencyID: u.AgencyID, TOTPEnabledAt: u.TOTPEnabledAt,
		PrivacyAcceptedAt: u.PrivacyAcceptedAt, Language: u.Language, LanguageChosen: u.LanguageChosen, CreatedAt: u.CreatedAt,
		ErasedAt: u.ErasedAt}
}

// UsersOf is UserOf for a list.
func UsersOf(rows []store.User) []User { return listOf(rows, UserOf) }

func agencyOf(a *store.Agency) *Agency {
	return &Agency{ID: a.ID, Name: a.Name, Country: a.Country, CreatedAt: a.CreatedAt}
}

// listOf converts rows one by one; nil stays nil, so a listing encodes as before.
func listOf[R, T any](rows []R, one func(*R) *T) []T {
	if rows == nil {
		return nil
	}
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = *one(&rows[i])
	}
	return out
}
