package store

import (
	"strings"
	"testing"
	"time"
)

// TestMigrateCredentialStatus_PlacesExistingCertificates: certificates issued
// before the migration get distinct places in list 1, and those whose holder
// is not erased a salt and the digest of their address with it; the erased
// holder's none.
func TestMigrateCredentialStatus_PlacesExistingCertificates(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := rollbackStatusListIndexes(db.W); err != nil { // they name its columns: SQLite would not drop them
		t.Fatal(err)
	}
	if err := rollbackCredentialStatus(db.W); err != nil {
		t.Fatal(err)
	}
	err := db.Tx(ctx, func(q Q) error {
		erased := at
		if err := q.CreateUsers([]User{
			{ID: 1, Email: "Trainer@Example.org", Name: "Anna Schmidt", Role: "trainer", CreatedAt: at, UpdatedAt: at},
			{ID: 2, Email: "gone@example.org", Name: "", Role: "officer", CreatedAt: at, UpdatedAt: at, ErasedAt: &erased},
			{ID: 3, Email: "jeanne@example.org", Name: "Jeanne", Role: "officer", CreatedAt: at, UpdatedAt: at},
		}); err != nil {
			return err
		}
		if err := q.CreateSession(&TrainingSession{ID: 7, CourseID: "c", Date: "2026-12-01", StartTime: "09:00", EndTime: "17:00", Timezone: "UTC",
			StartsAt: at, EndsAt: at, Venue: "Hall", City: "Paris", Country: "FR", Capacity: 9, Status: "closed", CheckinSecret: []byte("x"),
			CreatedBy: 1, CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
		for i, user := range []int64{1, 3, 2} {
			if err := q.g.Table("certificates").Create(map[string]any{"serial": string(rune('A'+i)) + "SERIAL", "session_id": 7, "user_id": user,
				"holder_name": "H", "course_id": "c", "course_title": "C", "course_hash": "h", "session_date": "2026-12-01", "city": "Paris",
				"country": "FR", "issued_at": at, "status": "valid", "payload": []byte("{}"), "signature": "s"}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateCredentialStatus(db.W); err != nil {
		t.Fatal(err)
	}
	var rows []Certificate
	if err := db.R.Order("serial").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d certificates", len(rows))
	}
	seen := map[int]bool{}
	for _, c := range rows {
		if c.StatusList != 1 || c.StatusIndex < 0 || c.StatusIndex >= StatusListSize || seen[c.StatusIndex] {
			t.Errorf("%s placed at %d/%d", c.Serial, c.StatusList, c.StatusIndex)
		}
		seen[c.StatusIndex] = true
		email := map[int64]string{1: "trainer@example.org", 3: "Jeanne@Example.org "}[c.UserID]
		live := email != ""
		if live != (c.HolderIdentityHash != "" && c.HolderIdentityHash == EmailIdentityHash(email, c.HolderIdentitySalt)) ||
			live != (len(c.HolderIdentitySalt) == 32) {
			t.Errorf("%s (user %d): salt %q, hash %q", c.Serial, c.UserID, c.HolderIdentitySalt, c.HolderIdentityHash)
		}
	}
	if rows[0].HolderIdentitySalt == rows[1].HolderIdentitySalt {
		t.Error("two certificates share a salt")
	}
}

// TestStatusListState_SearchesIndexes: each query of a status list's stamp
// (asked by every verifier of every credential) searches an index, with
// the list number bound as the application binds it: no scan of the
// certificates, no sort (review F14).
func TestStatusListState_SearchesIndexes(t *testing.T) {
	db := openTest(t)
	for _, tc := range []struct {
		sql  string
		args []any
	}{
		{statusListFirstSQL, []any{1}},
		{statusListRevokedSQL, []any{1, CertificateRevoked}},
		{statusListLatestSQL, []any{1, CertificateRevoked}},
	} {
		var plan []struct{ Detail string }
		if err := db.R.Raw("EXPLAIN QUERY PLAN "+tc.sql, tc.args...).Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		for _, step := range plan {
			if strings.HasPrefix(step.Detail, "SCAN") || strings.Contains(step.Detail, "TEMP B-TREE") || !strings.Contains(step.Detail, "INDEX") {
				t.Errorf("%s: %q, want a search of an index", tc.sql, step.Detail)
			}
		}
		if len(plan) == 0 {
			t.Errorf("%s: no plan", tc.sql)
		}
	}
}
