package schedule

import (
	"context"
	"slices"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/store"
)

// DueOfficer is an officer due for recertification in a session's course:
// their latest certificate of it expires within certify.ExpiringWindow, or
// has expired, and they have no newer one.
type DueOfficer struct {
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	AgencyID  *int64    `json:"agency_id"`
	Serial    string    `json:"serial"` // their latest certificate of the course
	ExpiresAt time.Time `json:"expires_at"`
	Status    string    `json:"status"` // expiring or expired (certify.Status)
}

// RecertOffer is the result of offering a session to the officers due.
type RecertOffer struct {
	Enrolled   int           `json:"enrolled"`
	Waitlisted int           `json:"waitlisted"`
	Officers   []*Enrollment `json:"enrollments"` // the new enrolments, in the order made
}

var errOfferStarted = apperr.Conflict("err.recert.session_started")

// DueForSession lists the officers the actor may enrol in the session who are
// due for recertification in its course and not in it yet (enrolled or
// waitlisted): admins and the session's trainers see every agency open to the
// session, a coordinator their agency's officers. The session must be
// scheduled and not started.
func (s *Service) DueForSession(ctx context.Context, a *auth.Actor, sessionID int64) ([]DueOfficer, error) {
	q := s.db.Read(ctx)
	ts, err := s.offerable(q, a, sessionID, false)
	if err != nil {
		return nil, err
	}
	return s.dueFor(q, a, ts)
}

// OfferRecertification enrols in the session the officers DueForSession lists
// — of them, only those in userIDs when it is not nil (the ones a confirmation
// showed) — one by one through the enrolment rule: a seat while there are
// seats, the waitlist past them, each audited and e-mailed as any enrolment.
// It is one transaction holding the session's lock, so a concurrent enrolment
// cannot overfill it; a second offer finds them enrolled and enrols no one.
func (s *Service) OfferRecertification(ctx context.Context, a *auth.Actor, sessionID int64, userIDs []int64) (*RecertOffer, error) {
	out := &RecertOffer{Officers: []*Enrollment{}}
	err := s.db.Tx(ctx, func(q store.Q) error {
		ts, err := s.offerable(q, a, sessionID, true)
		if err != nil {
			return err
		}
		due, err := s.dueFor(q, a, ts)
		if err != nil {
			return err
		}
		for _, d := range due {
			if userIDs != nil && !slices.Contains(userIDs, d.UserID) {
				continue
			}
			u, err := targetUser(q, a, d.UserID)
			if err != nil {
				return err
			}
			e, created, err := s.enrollIn(q, a, ts, u, nil)
			if err != nil || !created {
				return err
			}
			if e.Status == string(store.Enrolled) {
				out.Enrolled++
			} else {
				out.Waitlisted++
			}
			out.Officers = append(out.Officers, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// offerable loads a session the actor may offer: one they can see, enrol
// others in (admins, its own trainers, coordinators), scheduled and not
// started.
func (s *Service) offerable(q store.Q, a *auth.Actor, sessionID int64, lock bool) (*store.TrainingSession, error) {
	ts, err := Visible(q, a, sessionID, lock)
	if err != nil {
		return nil, err
	}
	if err := auth.Authorize(a, auth.ActEnrollOthers); err != nil {
		return nil, err
	}
	if a.Role == auth.RoleTrainer && !a.CanManageSession(ts.TrainerIDs()) {
		return nil, apperr.Forbidden("err.enrollment.trainers_enrol")
	}
	if ts.Status.Ended() {
		return nil, ErrEnded(ts.Status)
	}
	if !s.Now().Before(ts.StartsAt) {
		return nil, errOfferStarted
	}
	return ts, nil
}

// dueFor lists the officers due in ts's course whom a may enrol in it and
// who are not in it yet, soonest expiry first.
func (s *Service) dueFor(q store.Q, a *auth.Actor, ts *store.TrainingSession) ([]DueOfficer, error) {
	now := s.Now()
	f := store.DueFilter{Until: now.Add(certify.ExpiringWindow), CourseID: ts.CourseID}
	if a.Role == auth.RoleCoordinator {
		f.AgencyID = a.AgencyScope()
	}
	certs, err := q.DueCertificates(f)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return []DueOfficer{}, nil
	}
	ids := make([]int64, len(certs))
	for i, c := range certs {
		ids[i] = c.UserID
	}
	users, err := q.UsersByIDs(ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*store.User, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	in, err := q.Enrollments(ts.ID, nil)
	if err != nil {
		return nil, err
	}
	already := make(map[int64]bool, len(in))
	for _, e := range in {
		already[e.UserID] = true
	}
	out := []DueOfficer{}
	for _, c := range certs {
		u := byID[c.UserID]
		if u == nil || already[u.ID] || u.Role != string(auth.RoleOfficer) || !a.CanActForUser(auth.UserOf(u)) ||
			!(&auth.Actor{Role: auth.RoleOfficer, AgencyID: u.AgencyID}).CanSeeSession(ts.AgencyIDs(), false) {
			continue
		}
		already[u.ID] = true // one line per officer, whatever else they hold
		out = append(out, DueOfficer{UserID: u.ID, Name: u.Name, AgencyID: u.AgencyID, Serial: c.Serial,
			ExpiresAt: c.ExpiresAt.UTC(), Status: certify.Status(c.Status, c.ExpiresAt, now)})
	}
	return out, nil
}
