package store

import (
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// CertificateReminder records that a reminder of one kind (the days before
// expiry it is for: 90 or 30) about one certificate went to one recipient.
// Its primary key is what makes each reminder go once: the row is inserted in
// the transaction that writes the e-mail to the outbox.
type CertificateReminder struct {
	Serial string `gorm:"primaryKey"`
	Kind   int    `gorm:"primaryKey"`
	UserID int64  `gorm:"primaryKey"`
	SentAt time.Time
}

// ClaimCertificateReminder records the reminder and reports whether it is new:
// false means it was sent already (by this process or another), and must not
// be again. Concurrent claims of one reminder wait on the key: one wins.
func (q Q) ClaimCertificateReminder(serial string, kind int, userID int64, at time.Time) (bool, error) {
	res := q.g.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&CertificateReminder{Serial: serial, Kind: kind, UserID: userID, SentAt: at})
	if res.Error != nil {
		return false, fmt.Errorf("record %d-day reminder of certificate %s for user %d: %w", kind, serial, userID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// DueFilter selects certificates due for recertification: each holder's
// latest certificate of a course (no newer one of the same course that is not
// revoked), valid, expiring after After and by Until, of a holder whose data
// was not erased (nobody to remind or offer a session to). Zero fields of the
// rest do not filter.
type DueFilter struct {
	After, Until time.Time
	CourseID     string
	AgencyID     *int64 // the holder's agency
	UserID       *int64
}

// DueCertificates lists the certificates f selects, soonest expiry first.
func (q Q) DueCertificates(f DueFilter) ([]Certificate, error) {
	g := q.g.Model(&Certificate{}).
		Where("certificates.status = ? AND certificates.expires_at IS NOT NULL AND certificates.expires_at > ? AND certificates.expires_at <= ?",
			CertificateValid, f.After.UTC(), f.Until.UTC()).
		Where(`NOT EXISTS (SELECT 1 FROM certificates newer WHERE newer.user_id = certificates.user_id
			AND newer.course_id = certificates.course_id AND newer.status = ? AND newer.issued_at > certificates.issued_at)`, CertificateValid).
		Where("certificates.erased_at IS NULL AND certificates.user_id NOT IN (SELECT id FROM users WHERE erased_at IS NOT NULL)").
		Order("certificates.expires_at, certificates.serial")
	if f.CourseID != "" {
		g = g.Where("certificates.course_id = ?", f.CourseID)
	}
	if f.AgencyID != nil {
		g = g.Where("certificates.user_id IN (SELECT id FROM users WHERE agency_id = ?)", *f.AgencyID)
	}
	if f.UserID != nil {
		g = g.Where("certificates.user_id = ?", *f.UserID)
	}
	var out []Certificate
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list certificates due for recertification: %w", err)
	}
	return out, nil
}
