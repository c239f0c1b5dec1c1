package schedule

import (
	"context"
	"errors"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// EnrollmentInput enrols one officer.
type EnrollmentInput struct {
	UserID           int64 `json:"user_id"`
	ExtraTimePercent *int  `json:"extra_time_percent"`
}

// Enrollment is an officer's place in a session.
type Enrollment struct {
	UserID           int64  `json:"user_id"`
	Name             string `json:"name"`
	Email            string `json:"email"`
	AgencyID         *int64 `json:"agency_id"`
	Status           string `json:"status"`
	Position         *int   `json:"position"` // on the waitlist; null when enrolled
	ExtraTimePercent int    `json:"extra_time_percent"`
}

func enrollmentView(q store.Q, e *store.Enrollment) (*Enrollment, error) {
	v := &Enrollment{UserID: e.UserID, Status: string(e.Status), ExtraTimePercent: e.ExtraTimePercent}
	if e.User != nil {
		v.Name, v.Email, v.AgencyID = e.User.Name, e.User.Email, e.User.AgencyID
	}
	if e.Status == store.Waitlisted {
		pos, err := q.WaitlistPosition(e)
		if err != nil {
			return nil, err
		}
		v.Position = &pos
	}
	return v, nil
}

// targetUser loads the officer an actor acts for; anyone they may not act for is
// reported as not found, whatever the reason.
func targetUser(q store.Q, a *auth.Actor, userID int64) (*store.User, error) {
	users, err := q.UsersByIDs([]int64{userID})
	if err != nil {
		return nil, err
	}
	if len(users) == 0 || !a.CanActForUser(auth.UserOf(&users[0])) {
		return nil, apperr.NotFound("user")
	}
	return &users[0], nil
}

// Enroll gives an officer a seat, or a place on the waitlist when the session is
// full. The count and the insert happen in one write transaction, so capacity is
// never exceeded however many requests race for the last seat.
func (s *Service) Enroll(ctx context.Context, a *auth.Actor, sessionID int64, in EnrollmentInput) (out *Enrollment, created bool, err error) {
	if !a.Can(auth.ActEnrollOthers) && !a.Can(auth.ActEnrollSelf) {
		return nil, false, auth.Authorize(a, auth.ActEnrollOthers)
	}
	if in.ExtraTimePercent != nil && (*in.ExtraTimePercent < 0 || *in.ExtraTimePercent > 300) {
		return nil, false, apperr.Invalid("extra_time_percent", "err.enrollment.extra_time_range")
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		ts, err := Visible(q, a, sessionID, true)
		if err != nil {
			return err
		}
		if in.ExtraTimePercent != nil && *in.ExtraTimePercent > 0 && !a.Can(auth.ActEnrollOthers) {
			return apperr.Forbidden("err.enrollment.extra_time_forbidden")
		}
		if a.Role == auth.RoleTrainer && !a.CanManageSession(ts.TrainerIDs()) {
			return apperr.Forbidden("err.enrollment.trainers_enrol")
		}
		u, err := targetUser(q, a, in.UserID)
		if err != nil {
			return err
		}
		if u.Role != string(auth.RoleOfficer) {
			return apperr.Invalid("user_id", "err.enrollment.officers_only")
		}
		if !(&auth.Actor{Role: auth.RoleOfficer, AgencyID: u.AgencyID}).CanSeeSession(ts.AgencyIDs(), false) {
			return apperr.Invalid("user_id", "err.enrollment.agency_not_open")
		}
		out, created, err = s.enrollIn(q, a, ts, u, in.ExtraTimePercent)
		return err
	})
	return out, created, err
}

// enrollIn gives u a seat in ts, or a place on its waitlist when it is full,
// inside the caller's transaction (which holds the session's lock); an officer
// already in it keeps their place. The caller has checked that a may enrol u.
func (s *Service) enrollIn(q store.Q, a *auth.Actor, ts *store.TrainingSession, u *store.User, extraTime *int) (out *Enrollment, created bool, err error) {
	sessionID := ts.ID
	if existing, err := q.Enrollment(sessionID, u.ID); err == nil {
		out, err = enrollmentView(q, existing)
		return out, false, err
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	if ts.Status.Ended() {
		return nil, false, ErrEnded(ts.Status)
	}
	enrolled, err := q.CountEnrollments(sessionID, store.Enrolled)
	if err != nil {
		return nil, false, err
	}
	e := &store.Enrollment{SessionID: sessionID, UserID: u.ID, Status: store.Enrolled, CreatedAt: s.Now(), UpdatedAt: s.Now()}
	if enrolled >= int64(ts.Capacity) {
		e.Status = store.Waitlisted
	}
	if extraTime != nil {
		e.ExtraTimePercent = *extraTime
	}
	if err := q.CreateEnrollment(e); err != nil {
		return nil, false, err
	}
	if e.Status == store.Enrolled {
		if err := s.mailEnrolled(q, ts, u); err != nil {
			return nil, false, err
		}
	}
	e.User = u
	if out, err = enrollmentView(q, e); err != nil {
		return nil, false, err
	}
	return out, true, s.audit(q, a, "enrollment.create", &sessionID, &u.ID, nil, out)
}

// Unenroll frees a seat and promotes the head of the waitlist in the same
// transaction.
func (s *Service) Unenroll(ctx context.Context, a *auth.Actor, sessionID, userID int64) error {
	return s.db.Tx(ctx, func(q store.Q) error {
		ts, e, err := s.enrollmentToChange(q, a, sessionID, userID, auth.ActSessionRead)
		if err != nil {
			return err
		}
		if ts.Status == store.SessionClosed {
			return apperr.Conflict("err.session.closed")
		}
		before, err := enrollmentView(q, e)
		if err != nil {
			return err
		}
		if err := q.DeleteEnrollment(e); err != nil {
			return err
		}
		if err := s.audit(q, a, "enrollment.delete", &sessionID, &userID, before, nil); err != nil {
			return err
		}
		if e.Status == store.Enrolled && ts.Status != store.SessionCancelled {
			_, err = s.promoteFirst(q, a, ts)
		}
		return err
	})
}

// promoteFirst moves the head of the waitlist to a seat, and tells them.
func (s *Service) promoteFirst(q store.Q, a *auth.Actor, ts *store.TrainingSession) (bool, error) {
	sessionID := ts.ID
	next, err := q.FirstWaitlisted(sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	next.Status, next.UpdatedAt = store.Enrolled, s.Now()
	if err := q.SaveEnrollment(next); err != nil {
		return false, err
	}
	if err := s.mailPromoted(q, ts, next.UserID); err != nil {
		return false, err
	}
	s.log.Info("promoted from waitlist", "session_id", sessionID, "user_id", next.UserID)
	return true, s.audit(q, a, "enrollment.promote", &sessionID, &next.UserID, map[string]any{"status": Waitlisted}, map[string]any{"status": Enrolled})
}

// Enrollments lists a session's enrolments within the actor's scope: everything
// for admins and trainers, the agency's officers for a coordinator, and only
// themself for an officer.
func (s *Service) Enrollments(ctx context.Context, a *auth.Actor, sessionID int64) ([]*Enrollment, error) {
	q := s.db.Read(ctx)
	if _, err := Visible(q, a, sessionID, false); err != nil {
		return nil, err
	}
	var list []store.Enrollment
	var err error
	switch a.Role {
	case auth.RoleAdmin, auth.RoleTrainer:
		list, err = q.Enrollments(sessionID, nil)
	case auth.RoleCoordinator:
		list, err = q.Enrollments(sessionID, a.AgencyScope())
	default:
		var e *store.Enrollment
		if e, err = q.Enrollment(sessionID, a.UserID); err == nil {
			list = []store.Enrollment{*e}
		} else if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]*Enrollment, 0, len(list))
	for i := range list {
		v, err := enrollmentView(q, &list[i])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// SetExtraTime records an officer's accommodation (trainers, admins, coordinators).
func (s *Service) SetExtraTime(ctx context.Context, a *auth.Actor, sessionID, userID int64, percent int) (*Enrollment, error) {
	if percent < 0 || percent > 300 {
		return nil, apperr.Invalid("extra_time_percent", "err.enrollment.extra_time_range")
	}
	var out *Enrollment
	err := s.db.Tx(ctx, func(q store.Q) error {
		_, e, err := s.enrollmentToChange(q, a, sessionID, userID, auth.ActEnrollOthers)
		if err != nil {
			return err
		}
		before := e.ExtraTimePercent
		e.ExtraTimePercent, e.UpdatedAt = percent, s.Now()
		if err := q.SaveEnrollment(e); err != nil {
			return err
		}
		if out, err = enrollmentView(q, e); err != nil {
			return err
		}
		return s.audit(q, a, "enrollment.extra_time", &sessionID, &userID, map[string]int{"extra_time_percent": before}, map[string]int{"extra_time_percent": percent})
	})
	return out, err
}

// enrollmentToChange loads an enrolment the actor may change with act, inside
// the caller's transaction: the session must be visible (and, for a trainer,
// theirs) and the officer one the actor acts for; anything else is not found
// or forbidden.
func (s *Service) enrollmentToChange(q store.Q, a *auth.Actor, sessionID, userID int64, act auth.Action) (*store.TrainingSession, *store.Enrollment, error) {
	ts, err := Access{}.Session(q, a, sessionID, act, true)
	if err != nil {
		return nil, nil, err
	}
	if a.Role == auth.RoleTrainer && !a.CanManageSession(ts.TrainerIDs()) {
		return nil, nil, apperr.Forbidden("err.enrollment.change_forbidden")
	}
	if _, err := targetUser(q, a, userID); err != nil {
		return nil, nil, err
	}
	e, err := q.Enrollment(sessionID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, apperr.NotFound("enrollment")
	} else if err != nil {
		return nil, nil, err
	}
	return ts, e, nil
}
