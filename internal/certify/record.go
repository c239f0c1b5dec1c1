package certify

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

// StatusDue is the record's filter for the certificates that make their
// holder due for recertification (RecordEntry.Due); it is not a status a
// certificate has.
const StatusDue = "due"

// recordStatuses are the record's status filter values, in the order a page
// offers them.
var recordStatuses = []string{string(store.CertificateValid), StatusExpiring, string(store.CertificateExpired), string(store.CertificateRevoked), StatusDue}

// RecordStatuses is recordStatuses for a page's filter.
func RecordStatuses() []string { return slices.Clone(recordStatuses) }

// RecordFilter narrows an agency's record; zero fields do not filter.
type RecordFilter struct {
	Course string // a course id
	Status string // one of RecordStatuses
	// Lang is the reader's language: officers are listed in the order it
	// sorts names (i18n.Compare).
	Lang string
}

// Record is an agency's record (GET /api/v1/agencies/{id}/record): every
// officer of the agency, including those without any certificate, with every
// certificate of the agency they hold, across sessions and years.
type Record struct {
	AgencyID int64  `json:"agency_id"`
	Agency   string `json:"agency"`
	Country  string `json:"country"`
	// Courses are every course the agency holds certificates of, unfiltered,
	// by title: what the course filter offers.
	Courses  []RecordCourse  `json:"courses"`
	Officers []RecordOfficer `json:"officers"`
	// Valid counts the certificates the agency's ZIP holds (valid and
	// expiring, their holders' names not erased), unfiltered.
	Valid int `json:"valid"`
}

// RecordCourse is a course of the record's filter.
type RecordCourse struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// RecordOfficer is one officer's line of the record.
type RecordOfficer struct {
	UserID    int64  `json:"user_id"`
	Name      string `json:"name"`
	LatinName string `json:"latin_name,omitempty"`
	// Erased: the officer's personal data was erased (privacy.Eraser): the
	// name is empty, the certificates stay as the policy left them.
	Erased bool `json:"erased,omitempty"`
	// Due: at least one of the officer's courses is due for recertification.
	Due          bool          `json:"due"`
	Certificates []RecordEntry `json:"certificates"`
}

// RecordEntry is a certificate in the record, newest session first.
type RecordEntry struct {
	Certificate
	// Due marks the certificate that makes its holder due for
	// recertification in its course (see markDue).
	Due bool `json:"due"`
}

// Record returns an agency's record for its coordinators and the admins
// (auth.AgencyFor decides: another agency is not found, other roles are
// forbidden).
func (s *Service) Record(ctx context.Context, a *auth.Actor, agencyID int64, f RecordFilter) (*Record, error) {
	if f.Status != "" && !slices.Contains(recordStatuses, f.Status) {
		return nil, apperr.Invalid("status", "err.record.status_unknown")
	}
	q := s.db.Read(ctx)
	ag, err := auth.AgencyFor(q, a, agencyID, auth.ActAgencyRecord)
	if err != nil {
		return nil, err
	}
	officers, err := s.db.Users(ctx, store.UserFilter{AgencyID: &agencyID, Role: string(auth.RoleOfficer)})
	if err != nil {
		return nil, fmt.Errorf("record of agency %d: %w", agencyID, err)
	}
	rows, err := q.Certificates(store.CertificateFilter{AgencyID: &agencyID})
	if err != nil {
		return nil, fmt.Errorf("record of agency %d: %w", agencyID, err)
	}
	rec := &Record{AgencyID: ag.ID, Agency: ag.Name, Country: ag.Country, Courses: []RecordCourse{}, Officers: []RecordOfficer{}}
	byUser := map[int64]*RecordOfficer{}
	var order []int64
	add := func(id int64, name, latin string) *RecordOfficer {
		o, ok := byUser[id]
		if !ok {
			o = &RecordOfficer{UserID: id, Name: name, LatinName: latin, Certificates: []RecordEntry{}}
			byUser[id] = o
			order = append(order, id)
		}
		return o
	}
	for _, u := range officers {
		add(u.ID, u.Name, u.LatinName).Erased = u.ErasedAt != nil
	}
	courses := map[string]string{}
	for i := range rows {
		// A holder who has left the agency (or changed role) since keeps
		// their line: these certificates are the agency's record.
		o := add(rows[i].UserID, rows[i].HolderName, rows[i].LatinName)
		o.Certificates = append(o.Certificates, RecordEntry{Certificate: s.memberView(&rows[i])})
		courses[rows[i].CourseID] = rows[i].CourseTitle
	}
	for id, title := range courses {
		rec.Courses = append(rec.Courses, RecordCourse{ID: id, Title: title})
	}
	slices.SortFunc(rec.Courses, func(x, y RecordCourse) int { return cmp.Or(cmp.Compare(x.Title, y.Title), cmp.Compare(x.ID, y.ID)) })

	filtered := f.Course != "" || f.Status != ""
	for _, id := range order {
		o := byUser[id]
		markDue(o)
		for _, e := range o.Certificates {
			if inAgencyZIP(e.Status) && e.ErasedAt == nil {
				rec.Valid++
			}
		}
		if filtered {
			o.Certificates = slices.DeleteFunc(o.Certificates, func(e RecordEntry) bool { return !f.keeps(e) })
			if len(o.Certificates) == 0 {
				continue
			}
		}
		rec.Officers = append(rec.Officers, *o)
	}
	compare := i18n.Compare(f.Lang)
	slices.SortFunc(rec.Officers, func(x, y RecordOfficer) int { // the erased, nameless, last
		return cmp.Or(boolOrder(x.Erased, y.Erased), compare(x.Name, y.Name), cmp.Compare(x.UserID, y.UserID))
	})
	return rec, nil
}

// boolOrder puts false before true.
func boolOrder(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return 1
	}
	return -1
}

// keeps reports whether a certificate passes the filter.
func (f RecordFilter) keeps(e RecordEntry) bool {
	if f.Course != "" && e.CourseID != f.Course {
		return false
	}
	switch f.Status {
	case "":
		return true
	case StatusDue:
		return e.Due
	}
	return e.Status == f.Status
}

// markDue sorts an officer's certificates newest session first and marks, in
// each course, the latest one not revoked as due when no certificate of the
// course reads valid any more — it expires within ExpiringWindow or has
// expired, and no newer valid one exists. A revoked certificate was withdrawn,
// not outlived: it makes nobody due; nor does one whose holder's data was
// erased (recertification skips them too).
func markDue(o *RecordOfficer) {
	slices.SortStableFunc(o.Certificates, func(x, y RecordEntry) int {
		return cmp.Or(cmp.Compare(y.SessionDate, x.SessionDate), y.IssuedAt.Compare(x.IssuedAt), cmp.Compare(x.CourseTitle, y.CourseTitle))
	})
	latest := map[string]int{} // course → index of its latest certificate not revoked
	current := map[string]bool{}
	for i, e := range o.Certificates {
		if e.ErasedAt != nil { // its holder's data was erased: nobody to recertify
			continue
		}
		switch e.Status {
		case string(store.CertificateRevoked):
			continue
		case string(store.CertificateValid):
			current[e.CourseID] = true
		}
		if _, ok := latest[e.CourseID]; !ok {
			latest[e.CourseID] = i
		}
	}
	for course, i := range latest {
		if !current[course] {
			o.Certificates[i].Due = true
			o.Due = true
		}
	}
}

// inAgencyZIP reports whether a certificate with this status (as the record
// reads it) goes in the agency's ZIP: valid ones, those expiring included.
func inAgencyZIP(status string) bool {
	return status == string(store.CertificateValid) || status == StatusExpiring
}
