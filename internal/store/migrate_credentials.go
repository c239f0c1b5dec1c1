package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"gorm.io/gorm"
)

// StatusListSize is how many entries one revocation status list has: the
// W3C Bitstring Status List's minimum (131,072, vc.MinStatusListBits), so
// that a list says nothing about how many certificates there are. certify
// checks the two agree.
const StatusListSize = 131072

// Migration "20261210-b-credential-status": where each certificate sits in
// the revocation status lists of its Open Badges credential (issue 24), and
// the salted digest of its holder's e-mail address the credential names them
// by. List 0 is no list: a certificate written there (a bulk insert of a
// test's) has no place. Existing certificates get a random free place and, when their holder is
// not erased, a random salt and the digest of their present address
// (certificates issued from now on get a salt derived from the secrets key
// and their serial: certify.identitySalt).
func migrateCredentialStatus(tx *gorm.DB) error {
	type Certificate struct {
		StatusList         int    `gorm:"not null;default:0"`
		StatusIndex        int    `gorm:"not null;default:0"`
		HolderIdentitySalt string `gorm:"size:64;not null;default:''"`
		HolderIdentityHash string `gorm:"size:80;not null;default:''"`
	}
	for _, col := range []string{"StatusList", "StatusIndex", "HolderIdentitySalt", "HolderIdentityHash"} {
		if err := tx.Migrator().AddColumn(&Certificate{}, col); err != nil {
			return fmt.Errorf("add certificates.%s: %w", col, err)
		}
	}
	var rows []struct {
		Serial  string
		Email   string
		Erased  bool
		CertErs bool
	}
	if err := tx.Raw(`SELECT c.serial, u.email, u.erased_at IS NOT NULL AS erased, c.erased_at IS NOT NULL AS cert_ers
		FROM certificates c LEFT JOIN users u ON u.id = c.user_id ORDER BY c.issued_at, c.serial`).Scan(&rows).Error; err != nil {
		return fmt.Errorf("list certificates: %w", err)
	}
	list, used := 1, map[int]bool{}
	for _, r := range rows {
		if len(used) >= StatusListSize/2 {
			list, used = list+1, map[int]bool{}
		}
		index, err := FreeStatusIndex(used)
		if err != nil {
			return err
		}
		used[index] = true
		salt, hash := "", ""
		if !r.Erased && !r.CertErs && r.Email != "" {
			b := make([]byte, 16)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			salt = hex.EncodeToString(b)
			hash = EmailIdentityHash(r.Email, salt)
		}
		if err := tx.Exec("UPDATE certificates SET status_list = ?, status_index = ?, holder_identity_salt = ?, holder_identity_hash = ? WHERE serial = ?",
			list, index, salt, hash, r.Serial).Error; err != nil {
			return fmt.Errorf("place certificate %s: %w", r.Serial, err)
		}
	}
	if err := tx.Exec("CREATE UNIQUE INDEX idx_certificates_status ON certificates (status_list, status_index) WHERE status_list > 0").Error; err != nil {
		return fmt.Errorf("status index: %w", err)
	}
	type CertificateCredential struct {
		Serial     string    `gorm:"primaryKey;size:32"`
		CacheKey   string    `gorm:"size:64;not null"`
		Credential []byte    `gorm:"not null"`
		CachedAt   time.Time `gorm:"not null;index"`
	}
	return tx.AutoMigrate(&CertificateCredential{})
}

func rollbackCredentialStatus(tx *gorm.DB) error {
	if err := tx.Migrator().DropTable("certificate_credentials"); err != nil {
		return err
	}
	if err := tx.Exec("DROP INDEX IF EXISTS idx_certificates_status").Error; err != nil {
		return err
	}
	for _, col := range []string{"status_list", "status_index", "holder_identity_salt", "holder_identity_hash"} {
		// Plain SQL: gorm's SQLite migrator cannot drop a column by name
		// without the model (SQLite 3.35 and PostgreSQL both can).
		if err := tx.Exec("ALTER TABLE certificates DROP COLUMN " + col).Error; err != nil {
			return fmt.Errorf("drop certificates.%s: %w", col, err)
		}
	}
	return nil
}

// Migration "20261210-cfix-status-list-indexes": plain indexes (a partial
// one is not used with a bound list number) for StatusListState's queries:
// the revoked of a list by revocation time, and a list's first issue.
var statusListIndexes = map[string]string{
	"idx_certificates_list_revoked": "certificates (status_list, status, revoked_at)",
	"idx_certificates_list_issued":  "certificates (status_list, issued_at)",
}

func migrateStatusListIndexes(tx *gorm.DB) error {
	for name, on := range statusListIndexes {
		if err := tx.Exec("CREATE INDEX IF NOT EXISTS " + name + " ON " + on).Error; err != nil {
			return fmt.Errorf("index %s: %w", name, err)
		}
	}
	return nil
}

func rollbackStatusListIndexes(tx *gorm.DB) error {
	for name := range statusListIndexes {
		if err := tx.Exec("DROP INDEX IF EXISTS " + name).Error; err != nil {
			return fmt.Errorf("index %s: %w", name, err)
		}
	}
	return nil
}

// EmailIdentityHash is Open Badges 3.0's hashed identity of an e-mail
// address: "sha256$" and the hex SHA-256 of the address (lower case, as a
// verifier who knows it would write it) followed by the salt.
func EmailIdentityHash(email, salt string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email)) + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// FreeStatusIndex picks a random place of a status list that used does not
// hold: random, so a certificate's place says nothing of when it was issued
// or of its neighbours (the list's "herd privacy"). used holds at most half
// the list (a new list opens then), so a few draws find one.
func FreeStatusIndex(used map[int]bool) (int, error) {
	if len(used) >= StatusListSize {
		return 0, fmt.Errorf("status list full")
	}
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(StatusListSize))
		if err != nil {
			return 0, fmt.Errorf("status index: %w", err)
		}
		if i := int(n.Int64()); !used[i] {
			return i, nil
		}
	}
}
