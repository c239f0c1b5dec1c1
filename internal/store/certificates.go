package store

import (
	"fmt"
	"time"
)

// CertificateStatus is a certificate's standing. Expired is never stored: a
// valid certificate reads as expired past its expiry (certify's view).
type CertificateStatus string

const (
	CertificateValid   CertificateStatus = "valid"
	CertificateRevoked CertificateStatus = "revoked"
	CertificateExpired CertificateStatus = "expired"
)

// Certificate is an issued certificate: what it attests, and the signed payload
// that lets anyone check it offline.
type Certificate struct {
	Serial           string `gorm:"primaryKey"`
	SessionID        int64
	UserID           int64
	AgencyID         *int64
	Title            string // the course's certificate title
	Programme        string // the training programme that issued it
	HolderName       string
	LatinName        string
	AgencyName       string
	CourseID         string
	CourseTitle      string
	CourseHash       string
	SessionDate      string
	City             string
	Country          string
	Minutes          int    // hours of instruction, as minutes
	Trainers         string // the session's trainers, as printed
	IssuedAt         time.Time
	ExpiresAt        *time.Time
	Status           CertificateStatus
	RevokedAt        *time.Time
	RevocationReason string
	Payload          []byte
	Signature        string
	// Wording is what the certificate is printed in, fixed when it is issued:
	// JSON, a list of {"lang", "title", "course"}, one per language (two for
	// the bilingual layout, the first printed above). Empty on certificates
	// issued before issue 21: they print in English, as they always did.
	Wording []byte
	// ErasedAt is when the holder's name was erased from the certificate
	// (privacy.ErasePrintedName): the name and signed payload are gone, so a
	// copy's name can no longer be confirmed here.
	ErasedAt *time.Time
	// StatusList and StatusIndex are the certificate's place in the
	// revocation status lists its Open Badges credential points to (issue
	// 24): list n is served at /credentials/status/n, and the bit at
	// StatusIndex is set once it is revoked.
	StatusList  int
	StatusIndex int
	// HolderIdentitySalt and HolderIdentityHash name the holder in the
	// credential without their e-mail address: the salt, and the SHA-256 of
	// the address (as it was at issue) with it (EmailIdentityHash). Empty when
	// the holder's data was erased, or the address unknown.
	HolderIdentitySalt string
	HolderIdentityHash string
}

// CreateCertificate writes an issued certificate, placing it in the open
// status list when the caller has not (certify places a close's
// certificates itself, reading the list once for all of them).
func (q Q) CreateCertificate(c *Certificate) error {
	if c.StatusList == 0 {
		if err := q.LockStatusLists(); err != nil {
			return err
		}
		list, used, err := q.OpenStatusList()
		if err != nil {
			return err
		}
		if c.StatusIndex, err = FreeStatusIndex(used); err != nil {
			return err
		}
		c.StatusList = list
	}
	if err := q.g.Create(c).Error; err != nil {
		return fmt.Errorf("create certificate %s: %w", c.Serial, translate(err))
	}
	return nil
}

// Certificate loads one certificate by serial.
func (q Q) Certificate(serial string) (*Certificate, error) {
	var c Certificate
	if err := q.g.Where("serial = ?", serial).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("load certificate: %w", translate(err))
	}
	return &c, nil
}

// CertificateFilter restricts a listing; zero fields do not filter.
type CertificateFilter struct {
	SessionID *int64
	AgencyID  *int64
	UserID    *int64
}

func (q Q) Certificates(f CertificateFilter) ([]Certificate, error) {
	g := q.g.Order("session_id, holder_name, serial")
	if f.SessionID != nil {
		g = g.Where("session_id = ?", *f.SessionID)
	}
	if f.AgencyID != nil {
		g = g.Where("agency_id = ?", *f.AgencyID)
	}
	if f.UserID != nil {
		g = g.Where("user_id = ?", *f.UserID)
	}
	var out []Certificate
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	return out, nil
}

func (q Q) SaveCertificate(c *Certificate) error {
	if err := q.g.Save(c).Error; err != nil {
		return fmt.Errorf("save certificate %s: %w", c.Serial, translate(err))
	}
	return nil
}
