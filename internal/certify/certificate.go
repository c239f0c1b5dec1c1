package certify

import (
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// Certificate is an issued certificate as its holder, their coordinator and the
// programme's staff see it (GET /api/v1/certificates). The signed payload and
// signature are not part of it: they travel inside the PDF.
type Certificate struct {
	Serial           string     `json:"serial"`
	SessionID        int64      `json:"session_id"`
	UserID           int64      `json:"user_id"`
	AgencyID         *int64     `json:"agency_id"`
	Title            string     `json:"title"`     // the course's certificate title
	Programme        string     `json:"programme"` // the training programme that issued it
	HolderName       string     `json:"holder_name"`
	LatinName        string     `json:"latin_name,omitempty"`
	AgencyName       string     `json:"agency"`
	CourseID         string     `json:"course"`
	CourseTitle      string     `json:"course_title"`
	CourseHash       string     `json:"course_hash"`
	SessionDate      string     `json:"session_date"`
	City             string     `json:"city"`
	Country          string     `json:"country"`
	Minutes          int        `json:"minutes"`  // hours of instruction, as minutes
	Trainers         string     `json:"trainers"` // the session's trainers, as printed
	IssuedAt         time.Time  `json:"issued_at"`
	ExpiresAt        *time.Time `json:"expires_at"`
	Status           string     `json:"status"` // valid, expiring or expired (judged when read: Status), or revoked
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
	// ErasedAt is when the holder's name was erased from it (their data
	// erased on request, privacy.ErasePrintedName): HolderName is then a
	// marker and no PDF is issued.
	ErasedAt *time.Time `json:"erased_at,omitempty"`
}

// ExpiringWindow is how long before its expiry a valid certificate is due for
// recertification: it reads as "expiring" to its holder, their coordinators
// and the programme's staff, and the reminders go out at its start (and again
// 30 days before expiry).
const ExpiringWindow = 90 * 24 * time.Hour

// StatusExpiring is the status of a valid certificate within ExpiringWindow
// of its expiry. It is never stored, and a verifier still reads such a
// certificate as valid (Verify): it is, until it expires.
const StatusExpiring = "expiring"

// Status is how a stored certificate's standing reads at now: revoked as
// stored; expired past its expiry; expiring within ExpiringWindow of it;
// otherwise valid.
func Status(stored store.CertificateStatus, expiresAt *time.Time, now time.Time) string {
	if stored != store.CertificateValid && stored != store.CertificateExpired {
		return string(stored)
	}
	switch {
	case expiresAt == nil:
		return string(store.CertificateValid)
	case !now.Before(*expiresAt):
		return string(store.CertificateExpired)
	case expiresAt.Sub(now) <= ExpiringWindow:
		return StatusExpiring
	}
	return string(store.CertificateValid)
}

// Filter restricts a listing; nil fields do not filter.
type Filter struct {
	SessionID *int64
	AgencyID  *int64
	UserID    *int64
}

func certificateView(c *store.Certificate) Certificate {
	return Certificate{Serial: c.Serial, SessionID: c.SessionID, UserID: c.UserID, AgencyID: c.AgencyID,
		Title: c.Title, Programme: c.Programme, HolderName: c.HolderName, LatinName: c.LatinName,
		AgencyName: c.AgencyName, CourseID: c.CourseID, CourseTitle: c.CourseTitle, CourseHash: c.CourseHash,
		SessionDate: c.SessionDate, City: c.City, Country: c.Country, Minutes: c.Minutes, Trainers: c.Trainers,
		IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, Status: string(c.Status), RevokedAt: c.RevokedAt,
		RevocationReason: c.RevocationReason, ErasedAt: c.ErasedAt}
}

// viewOf is certificateView for callers holding a pointer they return.
func viewOf(c *store.Certificate) *Certificate {
	v := certificateView(c)
	return &v
}
