package schedule

import (
	"context"
	"errors"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// Today lists the actor's sessions of the day — an officer's enrolments, a
// trainer's sessions — judged by the clock in each session's own time zone,
// earliest first: what an officer walking into the room, phone in hand, opens
// first. Cancelled sessions are left out; one closed today stays (its
// certificates are there).
func (s *Service) Today(ctx context.Context, a *auth.Actor) ([]*Session, error) {
	if a == nil || (a.Role != auth.RoleOfficer && a.Role != auth.RoleTrainer) {
		return nil, nil
	}
	now := s.Now()
	const day = "2006-01-02"
	// Session dates are local: a day either side of UTC's covers every zone.
	list, err := s.Sessions(ctx, a, SessionQuery{Mine: true, From: now.AddDate(0, 0, -1).Format(day), To: now.AddDate(0, 0, 1).Format(day)})
	if err != nil {
		return nil, err
	}
	var out []*Session
	q := s.db.Read(ctx)
	for _, v := range list {
		if v.Status == StatusCancelled || v.Date != now.In(v.Location).Format(day) {
			continue
		}
		if a.Role == auth.RoleOfficer {
			// An officer's list holds the sessions open to the agency too.
			e, err := q.Enrollment(v.ID, a.UserID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && e.Status != store.Enrolled) {
				continue
			} else if err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}
