package certify

import (
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestCredential_ActivityDates: a credential's activityStartDate and
// activityEndDate are RFC 3339 date-times (OB 3.0's DateTime) whether the
// session's times are known or not: with its row, its start and end in its
// zone (UTC when its zone is not known); without them (no database), the
// whole session day in UTC (review F4).
func TestCredential_ActivityDates(t *testing.T) {
	s, ex, db := cachedExport(t, testfixture.SQLite(t), 1)
	c := &ex.certs[0]
	dates := func() (string, string) {
		t.Helper()
		cred, err := s.unsignedCredential(t.Context(), c, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{cred.CredentialSubject.ActivityStartDate, cred.CredentialSubject.ActivityEndDate} {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				t.Errorf("activity date %q is not an RFC 3339 date-time: %v", v, err)
			}
		}
		return cred.CredentialSubject.ActivityStartDate, cred.CredentialSubject.ActivityEndDate
	}
	if start, end := dates(); start != "2026-12-01T10:00:00+01:00" || end != "2026-12-01T10:00:00+01:00" {
		t.Errorf("with the session: %s – %s, want its times in Paris", start, end)
	}
	// A session's row cannot go while a certificate names it (RESTRICT), but
	// its zone may be one this Go does not know: then its times in UTC.
	if err := db.W.Exec("UPDATE training_sessions SET timezone = 'Nowhere/Unknown' WHERE id = ?", c.SessionID).Error; err != nil {
		t.Fatal(err)
	}
	if start, end := dates(); start != "2026-12-01T09:00:00Z" || end != "2026-12-01T09:00:00Z" {
		t.Errorf("zone unknown: %s – %s, want its times in UTC", start, end)
	}
	// Without a database (a tool, a test), the whole session day in UTC.
	want := [2]string{"2026-12-03T00:00:00Z", "2026-12-03T23:59:59Z"}
	s.db = nil
	if start, end := dates(); [2]string{start, end} != want {
		t.Errorf("no database: %s – %s, want the session day %v", start, end, want)
	}
}

// TestMemo_ReadsOncePerExport: within one ZIP or pre-render (one memo), a
// session's times and a course version are read once, by the first of its
// certificates: the rest get the same answer without a read, even when the
// row has changed since (review F12).
func TestMemo_ReadsOncePerExport(t *testing.T) {
	s, ex, db := cachedExport(t, testfixture.SQLite(t), 2)
	m := newMemo()
	first, err := m.activity(t.Context(), s, &ex.certs[0])
	if err != nil {
		t.Fatal(err)
	}
	// The session's times change after the first read: the memo's
	// answer stays the first's.
	if err := db.W.Exec("UPDATE training_sessions SET timezone = 'UTC' WHERE id = ?", ex.certs[0].SessionID).Error; err != nil {
		t.Fatal(err)
	}
	again, err := m.activity(t.Context(), s, &ex.certs[1])
	if err != nil || again != first {
		t.Errorf("second certificate of the session: %v (%v), want the first's %v without a read", again, err, first)
	}
	unmemoized, err := (*memo)(nil).activity(t.Context(), s, &ex.certs[1])
	if err != nil || unmemoized == first {
		t.Errorf("without a memo: %v (%v), want a read finding the row changed", unmemoized, err)
	}
	// A version not known is remembered as such too.
	if v := m.courseVersion(t.Context(), s, &ex.certs[0]); v != nil {
		t.Fatalf("course version %v, want none known", v)
	}
	if _, ok := m.versions[[2]string{ex.certs[1].CourseID, ex.certs[1].CourseHash}]; !ok {
		t.Error("an unknown course version is not remembered: every certificate would look it up again")
	}
}
