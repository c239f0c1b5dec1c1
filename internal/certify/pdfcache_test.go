package certify

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// cachedExport stores the n certificates of exportOf (their session, holders
// and rows) in a real database and returns a service on it.
func cachedExport(t testing.TB, dsn string, n int) (*Service, *Export, *store.DB) {
	t.Helper()
	signer := testSigner(t)
	ex := exportOf(t, signer, n)
	db := testfixture.Open(t, dsn)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err := db.Tx(t.Context(), func(q store.Q) error {
		users := []store.User{{ID: 1, Email: "trainer@example.org", Name: "Anna Schmidt", Role: "trainer", CreatedAt: at, UpdatedAt: at}}
		for i := range ex.certs {
			u := ex.people[ex.certs[i].UserID]
			u.Email, u.Role, u.CreatedAt, u.UpdatedAt = fmt.Sprintf("officer%d@example.org", u.ID), "officer", at, at
			users = append(users, u)
		}
		if err := q.CreateUsers(users); err != nil {
			return err
		}
		if err := q.CreateSession(&store.TrainingSession{ID: 42, CourseID: "crypto-101", Date: "2026-12-03", StartTime: "09:00", EndTime: "17:00",
			Timezone: "Europe/Paris", StartsAt: at, EndsAt: at, Venue: "Hall", City: "Paris", Country: "FR", Capacity: n, Status: "closed",
			CheckinSecret: []byte("x"), CreatedBy: 1, CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
		for i := range ex.certs {
			// Placed in a status list as it is written, like an issued one.
			if err := q.CreateCertificate(&ex.certs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := exportService(signer)
	s.db, s.log = db, slog.New(slog.DiscardHandler)
	return s, ex, db
}

// zipOf writes the export's ZIP and returns its PDFs by file name.
func zipOf(t testing.TB, s *Service, ex *Export) map[string][]byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.WriteZIP(t.Context(), &buf, ex, nil, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

func countPDFs(t testing.TB, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.R.Raw("SELECT COUNT(*) FROM certificate_pdfs").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A ZIP renders each certificate once: the second comes from the cache,
// byte for byte the same; a different base URL (another key) renders again;
// a revoked or erased certificate, or one whose printed name changed, is
// not kept.
func TestPDFCache_ZIPRendersOnce(t *testing.T) {
	for _, dsn := range map[string]string{"sqlite": testfixture.SQLite(t), "postgres": testfixture.PostgresDSN(t)} {
		const n = 8
		s, ex, db := cachedExport(t, dsn, n)
		cold := zipOf(t, s, ex)
		if got := countPDFs(t, db); got != n {
			t.Fatalf("%d PDFs cached after a ZIP of %d", got, n)
		}
		// Mark one cached PDF: the next ZIP sends what the cache holds.
		first := ex.fileName(&ex.certs[0])
		marked := append(bytes.Clone(cold[first]), "%cached\n"...)
		if err := db.W.Exec("UPDATE certificate_pdfs SET pdf = ? WHERE serial = ?", marked, ex.certs[0].Serial).Error; err != nil {
			t.Fatal(err)
		}
		warm := zipOf(t, s, ex)
		for name, doc := range cold {
			want := doc
			if name == first {
				want = marked
			}
			if !bytes.Equal(warm[name], want) {
				t.Errorf("%s: the second ZIP's PDF differs from the first's (cache not used)", name)
			}
		}
		// Another base URL is another PDF (its QR code): rendered, and kept
		// in place of the old one.
		s.BaseURL = "https://certificates.example.org"
		other := zipOf(t, s, ex)
		if bytes.Equal(other[first], marked) || bytes.Equal(other[first], cold[first]) {
			t.Errorf("a new base URL sent the PDF cached for the old one")
		}
		if got := countPDFs(t, db); got != n {
			t.Errorf("%d PDFs cached after a new base URL, want %d (one per certificate)", got, n)
		}
		// The database refuses to keep what it must not.
		c := &ex.certs[1]
		for _, change := range []struct{ what, do, undo string }{
			{"revoked", "UPDATE certificates SET status = 'revoked' WHERE serial = ?", "UPDATE certificates SET status = 'valid' WHERE serial = ?"},
			{"erased", "UPDATE certificates SET erased_at = CURRENT_TIMESTAMP WHERE serial = ?", "UPDATE certificates SET erased_at = NULL WHERE serial = ?"},
			{"holder erased", "UPDATE users SET erased_at = CURRENT_TIMESTAMP WHERE id = (SELECT user_id FROM certificates WHERE serial = ?)",
				"UPDATE users SET erased_at = NULL WHERE id = (SELECT user_id FROM certificates WHERE serial = ?)"},
			{"renamed", "UPDATE certificates SET holder_name = 'Someone Else' WHERE serial = ?", ""},
		} {
			if err := db.W.Exec("DELETE FROM certificate_pdfs").Error; err != nil {
				t.Fatal(err)
			}
			if err := db.W.Exec(change.do, c.Serial).Error; err != nil {
				t.Fatal(err)
			}
			err := db.Tx(t.Context(), func(q store.Q) error {
				kept, err := q.CacheCertificatePDF(c.Serial, "k", c.HolderName, c.LatinName, []byte("%PDF"), time.Now())
				if err == nil && kept {
					err = fmt.Errorf("kept")
				}
				return err
			})
			if err != nil || countPDFs(t, db) != 0 {
				t.Errorf("%s: %v, %d cached", change.what, err, countPDFs(t, db))
			}
			if change.undo == "" {
				break // the last: renamed stays renamed
			}
			if err := db.W.Exec(change.undo, c.Serial).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The cache keeps the most recent renders: a trim to k leaves the k newest.
func TestPDFCache_TrimKeepsTheNewest(t *testing.T) {
	const n = 6
	s, ex, db := cachedExport(t, testfixture.SQLite(t), n)
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { at = at.Add(time.Minute); return at }
	for i := range ex.certs { // one at a time: each its own time
		if _, err := s.renderCached(t.Context(), &ex.certs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := countPDFs(t, db); got != n {
		t.Fatalf("%d cached, want %d", got, n)
	}
	err := db.Tx(t.Context(), func(q store.Q) error {
		_, err := q.TrimCertificatePDFs(2)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	if err := db.R.Raw("SELECT serial FROM certificate_pdfs ORDER BY serial").Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{ex.certs[n-2].Serial, ex.certs[n-1].Serial}; fmt.Sprint(kept) != fmt.Sprint(want) {
		t.Errorf("kept %v, want the two newest %v", kept, want)
	}
}

// A cold ZIP keeps its renders keepBatch to a write transaction, not one
// each (review 23, finding 6: on SQLite each waits for the writer autosaves
// queue for), and keeps every one of them.
func TestPDFCache_ZIPKeepsRendersInBatches(t *testing.T) {
	const n = 101
	s, ex, db := cachedExport(t, testfixture.SQLite(t), n)
	zipOf(t, s, ex)
	if got := s.cacheWrites.Load(); got != 3 {
		t.Errorf("%d write transactions kept %d renders, want 3 (50 to a transaction)", got, n)
	}
	if got := countPDFs(t, db); got != n {
		t.Errorf("%d PDFs cached after a ZIP of %d", got, n)
	}
	if got := s.Rendered(); got != n {
		t.Errorf("%d rendered, want %d", got, n)
	}
}

// The render key's layout digest is the same each time it is computed, and
// changes with a catalogue's wording (here the English "certify" line):
// nothing to bump by hand, no version control information needed.
func TestLayoutDigest_FollowsTheCatalogue(t *testing.T) {
	before, err := computeLayoutDigest()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := computeLayoutDigest(); err != nil || again != before {
		t.Fatalf("the digest changed between two computations (%v): renders are not deterministic", err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.AddMessages("documents.en.json", []byte(`{"documents.certificate.certify": "This is hereby to certify that"}`)); err != nil {
		t.Fatal(err)
	}
	documents = func() (*i18n.Catalog, error) { return cat, nil }
	t.Cleanup(func() { documents = i18n.Default })
	after, err := computeLayoutDigest()
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Error("a changed catalogue wording left the layout digest (and so the render key) as it was")
	}
}
