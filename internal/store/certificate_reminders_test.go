package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestDueCertificates: each holder's latest certificate of a course, valid,
// expiring in the window; filtered by course, holder's agency and holder. On
// SQLite and PostgreSQL (times compared in SQL on both).
func TestDueCertificates(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *DB{"SQLite": openTest, "PostgreSQL": openTestPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			// A shared PostgreSQL database may hold other tests' rows: this
			// run's course and serials are its own.
			tag := fmt.Sprintf("%d", time.Now().UnixNano())
			course := "due-" + tag
			now := time.Date(2028, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
			ag := &Agency{Name: "A " + tag, Country: "FR", CreatedAt: now}
			other := &Agency{Name: "B " + tag, Country: "DE", CreatedAt: now}
			for _, a := range []*Agency{ag, other} {
				if err := db.CreateAgency(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			user := func(n string, agency *Agency) int64 {
				u := &User{Email: n + "-" + tag + "@example.org", Name: n, Role: "officer", AgencyID: &agency.ID, CreatedAt: now, UpdatedAt: now}
				if err := db.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				return u.ID
			}
			seq := 0
			cert := func(userID int64, courseID string, issued, expires time.Time, status CertificateStatus) string {
				seq++
				ts := &TrainingSession{CourseID: courseID, Date: "2025-01-01", StartTime: "09:00", EndTime: "17:00", Timezone: "UTC",
					StartsAt: issued, EndsAt: issued, Venue: "v", City: "c", Country: "FR", Capacity: 1, Status: SessionClosed,
					CheckinSecret: []byte("s"), CreatedBy: userID, CreatedAt: now, UpdatedAt: now}
				c := &Certificate{Serial: fmt.Sprintf("D%s%02d", tag[len(tag)-12:], seq), UserID: userID, CourseID: courseID, CourseTitle: "T",
					CourseHash: "h", HolderName: "n", SessionDate: "2025-01-01", City: "c", Country: "FR", IssuedAt: issued, ExpiresAt: &expires,
					Status: status, Payload: []byte("{}"), Signature: "s"}
				err := db.Tx(ctx, func(q Q) error {
					if err := q.CreateSession(ts); err != nil {
						return err
					}
					c.SessionID = ts.ID
					return q.CreateCertificate(c)
				})
				if err != nil {
					t.Fatal(err)
				}
				return c.Serial
			}
			day := 24 * time.Hour
			old := now.Add(-3 * 365 * day)
			expiring := cert(user("expiring", ag), course, old, now.Add(40*day), CertificateValid)
			expired := cert(user("expired", ag), course, old, now.Add(-10*day), CertificateValid)
			cert(user("later", ag), course, old, now.Add(200*day), CertificateValid)
			cert(user("revoked", ag), course, old, now.Add(40*day), CertificateRevoked)
			renewed := user("renewed", ag)
			cert(renewed, course, old, now.Add(20*day), CertificateValid)
			cert(renewed, course, now.Add(-30*day), now.Add(1000*day), CertificateValid)
			revokedNewer := user("revoked-newer", ag) // a revoked newer one does not supersede
			stands := cert(revokedNewer, course, old, now.Add(30*day), CertificateValid)
			cert(revokedNewer, course, now.Add(-30*day), now.Add(1000*day), CertificateRevoked)
			otherCourse := cert(user("other-course", ag), "other-"+tag, old, now.Add(40*day), CertificateValid)
			foreignID := user("foreign", other)
			foreign := cert(foreignID, course, old, now.Add(50*day), CertificateValid)

			serials := func(f DueFilter) []string {
				t.Helper()
				list, err := db.Read(ctx).DueCertificates(f)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, c := range list {
					if c.CourseID == course || c.CourseID == "other-"+tag {
						out = append(out, c.Serial)
					}
				}
				return out
			}
			window := now.Add(90 * day)
			for what, tc := range map[string]struct {
				f    DueFilter
				want []string
			}{
				"Expiring":         {DueFilter{After: now, Until: window, CourseID: course}, []string{stands, expiring, foreign}},
				"AndExpired":       {DueFilter{Until: window, CourseID: course}, []string{expired, stands, expiring, foreign}},
				"EveryCourse":      {DueFilter{After: now, Until: window}, []string{stands, expiring, otherCourse, foreign}},
				"Agency":           {DueFilter{Until: window, CourseID: course, AgencyID: &ag.ID}, []string{expired, stands, expiring}},
				"Holder":           {DueFilter{Until: window, UserID: &foreignID}, []string{foreign}},
				"OutsideTheWindow": {DueFilter{After: now, Until: now.Add(5 * day), CourseID: course}, nil},
			} {
				got := serials(tc.f)
				if !slices.Equal(got, tc.want) { // soonest expiry first, then by serial
					t.Errorf("%s: %v, want %v", what, got, tc.want)
				}
			}
		})
	}
}
