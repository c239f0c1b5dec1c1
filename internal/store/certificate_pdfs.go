package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CertificatePDF is a certificate's rendered PDF, kept so that the next
// download or ZIP sends the same bytes without rendering them again, in every
// process of a deployment. Key says what it was rendered from (certify's
// render key: the certificate's record, a digest of the layout, fonts and
// catalogues, the base URL, the signing key); a row whose key differs from
// the caller's is a miss. One row per certificate at most.
type CertificatePDF struct {
	Serial    string    `gorm:"primaryKey;size:32"`
	RenderKey string    `gorm:"size:64;not null"`
	PDF       []byte    `gorm:"not null"`
	CachedAt  time.Time `gorm:"not null;index"`
}

// Migration "20261208-f-certificate-pdfs".
func migrateCertificatePDFs(tx *gorm.DB) error {
	type CertificatePDF struct {
		Serial    string    `gorm:"primaryKey;size:32"`
		RenderKey string    `gorm:"size:64;not null"`
		PDF       []byte    `gorm:"not null"`
		CachedAt  time.Time `gorm:"not null;index"`
	}
	return tx.AutoMigrate(&CertificatePDF{})
}

func rollbackCertificatePDFs(tx *gorm.DB) error { return tx.Migrator().DropTable("certificate_pdfs") }

// CachedCertificatePDF returns the PDF kept for serial if it was rendered
// from key; nil when there is none or it is stale.
func (q Q) CachedCertificatePDF(serial, key string) ([]byte, error) {
	var row CertificatePDF
	err := q.g.Where("serial = ? AND render_key = ?", serial, key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cached pdf of certificate %s: %w", serial, err)
	}
	return row.PDF, nil
}

// CacheCertificatePDF keeps pdf as serial's, rendered from key, replacing an
// older render — only while the certificate is still valid and still holds
// the name the PDF prints (holder and Latin name): a revocation or an erasure
// committed while the PDF was being rendered leaves nothing behind. On
// PostgreSQL the certificate's and the holder's rows are share-locked until
// the caller commits, so an erasure under way waits for this row and then
// deletes it (EraseUser), or this statement waits for the erasure and then
// finds nothing to keep. It reports whether the PDF was kept.
func (q Q) CacheCertificatePDF(serial, key, holder, latin string, pdf []byte, at time.Time) (bool, error) {
	lock := ""
	if q.postgres {
		lock = " FOR SHARE"
	}
	// INSERT … SELECT keeps the check and the write one statement; the
	// upsert replaces a render from another key (another layout or base URL).
	res := q.g.Exec(`INSERT INTO certificate_pdfs (serial, render_key, pdf, cached_at)
		SELECT c.serial, ?, ?, ? FROM certificates c JOIN users u ON u.id = c.user_id
		WHERE c.serial = ? AND c.status = ? AND c.erased_at IS NULL AND c.holder_name = ? AND c.latin_name = ? AND u.erased_at IS NULL`+lock+`
		ON CONFLICT (serial) DO UPDATE SET render_key = excluded.render_key, pdf = excluded.pdf, cached_at = excluded.cached_at`,
		key, pdf, at, serial, CertificateValid, holder, latin)
	if res.Error != nil {
		return false, fmt.Errorf("cache pdf of certificate %s: %w", serial, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// DropCertificatePDF forgets serial's rendered PDF (revoked: it is not handed
// out again).
func (q Q) DropCertificatePDF(serial string) error {
	if err := q.g.Where("serial = ?", serial).Delete(&CertificatePDF{}).Error; err != nil {
		return fmt.Errorf("drop cached pdf of certificate %s: %w", serial, err)
	}
	return nil
}

// TrimCertificatePDFs keeps the keep most recently rendered PDFs and deletes
// the rest (the oldest renders first): a render costs tens of milliseconds,
// so the cache only has to hold what is downloaded again and again (a
// session's ZIP, an agency's valid certificates), not every certificate
// ever issued.
func (q Q) TrimCertificatePDFs(keep int) (int64, error) {
	if keep < 1 {
		return 0, fmt.Errorf("trim cached certificate pdfs: keep %d, want at least 1", keep)
	}
	res := q.g.Exec(`DELETE FROM certificate_pdfs WHERE cached_at < (
		SELECT cached_at FROM certificate_pdfs ORDER BY cached_at DESC LIMIT 1 OFFSET ?)`, keep-1)
	if res.Error != nil {
		return 0, fmt.Errorf("trim cached certificate pdfs: %w", res.Error)
	}
	return res.RowsAffected, nil
}
