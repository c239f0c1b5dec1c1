package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CertificateCredential is a certificate's signed Open Badges credential,
// kept because signing costs an RDF canonicalization: the next download, ZIP
// or PDF sends the same bytes without signing again, in every process.
// CacheKey says what it was made from (certify's credential key: the content
// signed, the base URL, the signing key); a row whose key differs from the
// caller's is a miss. Revocation and erasure delete it.
type CertificateCredential struct {
	Serial     string    `gorm:"primaryKey;size:32"`
	CacheKey   string    `gorm:"size:64;not null"`
	Credential []byte    `gorm:"not null"`
	CachedAt   time.Time `gorm:"not null;index"`
}

// CachedCertificateCredential returns the credential kept for serial if it
// was made from key; nil when there is none or it is stale.
func (q Q) CachedCertificateCredential(serial, key string) ([]byte, error) {
	var row CertificateCredential
	err := q.g.Where("serial = ? AND cache_key = ?", serial, key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cached credential of certificate %s: %w", serial, err)
	}
	return row.Credential, nil
}

// CacheCertificateCredential keeps credential as serial's, made from key,
// under the same guard as CacheCertificatePDF: only while the certificate is
// valid and holds the name it was made with, its holder not erased, so a
// revocation or an erasure committed meanwhile leaves nothing behind. It
// reports whether it was kept.
func (q Q) CacheCertificateCredential(serial, key, holder string, credential []byte, at time.Time) (bool, error) {
	lock := ""
	if q.postgres {
		lock = " FOR SHARE"
	}
	res := q.g.Exec(`INSERT INTO certificate_credentials (serial, cache_key, credential, cached_at)
		SELECT c.serial, ?, ?, ? FROM certificates c JOIN users u ON u.id = c.user_id
		WHERE c.serial = ? AND c.status = ? AND c.erased_at IS NULL AND c.holder_name = ? AND u.erased_at IS NULL`+lock+`
		ON CONFLICT (serial) DO UPDATE SET cache_key = excluded.cache_key, credential = excluded.credential, cached_at = excluded.cached_at`,
		key, credential, at, serial, CertificateValid, holder)
	if res.Error != nil {
		return false, fmt.Errorf("cache credential of certificate %s: %w", serial, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// TrimCertificateCredentials keeps the keep most recently made credentials
// (see TrimCertificatePDFs).
func (q Q) TrimCertificateCredentials(keep int) (int64, error) {
	if keep < 1 {
		return 0, fmt.Errorf("trim cached credentials: keep %d, want at least 1", keep)
	}
	res := q.g.Exec(`DELETE FROM certificate_credentials WHERE cached_at < (
		SELECT cached_at FROM certificate_credentials ORDER BY cached_at DESC LIMIT 1 OFFSET ?)`, keep-1)
	if res.Error != nil {
		return 0, fmt.Errorf("trim cached credentials: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// DropCertificateCredential forgets serial's signed credential (revoked:
// it is not handed out again).
func (q Q) DropCertificateCredential(serial string) error {
	if err := q.g.Where("serial = ?", serial).Delete(&CertificateCredential{}).Error; err != nil {
		return fmt.Errorf("drop cached credential of certificate %s: %w", serial, err)
	}
	return nil
}

// LockStatusLists makes the caller's transaction the only one placing new
// certificates in the status lists until it ends: on PostgreSQL a
// transaction-scoped advisory lock (another process's close waits, then
// sees these places taken); SQLite's transactions hold its one writer
// already.
func (q Q) LockStatusLists() error {
	if !q.postgres {
		return nil
	}
	if err := q.g.Exec("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':status-lists'))").Error; err != nil {
		return fmt.Errorf("lock status lists: %w", err)
	}
	return nil
}

// OpenStatusList is the status list new certificates go into, and the
// places already taken in it: the highest list, or a new one once that is
// half full (random places stay cheap to find, and the list keeps its herd).
// Call it under LockStatusLists.
func (q Q) OpenStatusList() (int, map[int]bool, error) {
	var top struct {
		List int
		N    int
	}
	if err := q.g.Raw(`SELECT status_list AS list, COUNT(*) AS n FROM certificates WHERE status_list > 0
		GROUP BY status_list ORDER BY status_list DESC LIMIT 1`).Scan(&top).Error; err != nil {
		return 0, nil, fmt.Errorf("open status list: %w", err)
	}
	if top.List == 0 {
		return 1, map[int]bool{}, nil
	}
	if top.N >= StatusListSize/2 {
		return top.List + 1, map[int]bool{}, nil
	}
	var taken []int
	if err := q.g.Model(&Certificate{}).Where("status_list = ?", top.List).Pluck("status_index", &taken).Error; err != nil {
		return 0, nil, fmt.Errorf("open status list %d: %w", top.List, err)
	}
	used := make(map[int]bool, len(taken))
	for _, i := range taken {
		used[i] = true
	}
	return top.List, used, nil
}

// StatusListStamp is what a status list's content depends on: when it
// changed last. Revocations are never undone, so the count of revoked
// certificates and the latest revocation name every state the list had.
type StatusListStamp struct {
	// Certificates is 0 for a list no certificate is in, else 1.
	Certificates int64
	Revoked      int64
	// Since is the latest revocation in the list, else when its first
	// certificate was issued.
	Since time.Time
	// Issued is when the list's first certificate was issued: the list's
	// validFrom, the same in every state of it (review F11: a validFrom of
	// the latest revocation is "in the future" for a verifier whose clock
	// is a little behind, which then refuses every credential of the list).
	Issued time.Time
}

// The queries of StatusListState, each answered from an index
// (migration 20261210-cfix-status-list-indexes) in O(log n + revoked),
// whatever the size of the list: every verifier of every credential
// fetches its list, and anyone may ask for it in a loop (review F14: the
// COUNT over the list scanned the whole table, ≈ 70 ms of CPU a query with
// 200,000 certificates). TestStatusListState_SearchesIndexes reads their
// plans.
const (
	statusListFirstSQL   = `SELECT issued_at FROM certificates WHERE status_list = ? ORDER BY issued_at LIMIT 1`
	statusListRevokedSQL = `SELECT COUNT(*) FROM certificates WHERE status_list = ? AND status = ?`
	statusListLatestSQL  = `SELECT revoked_at FROM certificates WHERE status_list = ? AND status = ? AND revoked_at IS NOT NULL ORDER BY revoked_at DESC LIMIT 1`
)

// StatusListState reads list n's stamp; Certificates is 0 for a list that
// does not exist, else 1 (that it has any is all a stamp needs: the list's
// content is its revoked places).
func (q Q) StatusListState(n int) (StatusListStamp, error) {
	var first []Certificate
	if err := q.g.Raw(statusListFirstSQL, n).Scan(&first).Error; err != nil {
		return StatusListStamp{}, fmt.Errorf("status list %d: %w", n, err)
	}
	if len(first) == 0 {
		return StatusListStamp{}, nil
	}
	st := StatusListStamp{Certificates: 1, Since: first[0].IssuedAt.UTC(), Issued: first[0].IssuedAt.UTC()}
	if err := q.g.Raw(statusListRevokedSQL, n, CertificateRevoked).Scan(&st.Revoked).Error; err != nil {
		return st, fmt.Errorf("status list %d: %w", n, err)
	}
	if st.Revoked == 0 {
		return st, nil
	}
	// Read as a row, through the driver's time parsing (MAX of a time
	// column comes back as text on SQLite).
	var last []Certificate
	if err := q.g.Raw(statusListLatestSQL, n, CertificateRevoked).Scan(&last).Error; err != nil {
		return st, fmt.Errorf("status list %d: %w", n, err)
	}
	if len(last) == 1 && last[0].RevokedAt != nil {
		st.Since = last[0].RevokedAt.UTC()
	}
	return st, nil
}

// RevokedInStatusList lists the places of list n's revoked certificates.
func (q Q) RevokedInStatusList(n int) ([]int, error) {
	var out []int
	if err := q.g.Model(&Certificate{}).Where("status_list = ? AND status = ?", n, CertificateRevoked).Pluck("status_index", &out).Error; err != nil {
		return nil, fmt.Errorf("status list %d: %w", n, err)
	}
	return out, nil
}
