package store

import (
	"fmt"
	"time"
)

// Certificate is an issued certificate: what it attests, and the signed payload
// that lets anyone check it offline.
type Certificate struct {
	Serial           string     `gorm:"primaryKey" json:"serial"`
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
	Status           string     `json:"status"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
	Payload          []byte     `json:"-"`
	Signature        string     `json:"-"`
}

func (q Q) CreateCertificate(c *Certificate) error {
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
