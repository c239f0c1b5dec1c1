package schedule

import (
	"errors"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// Access is the one rule that decides what an actor may do with a training
// session, for every session-scoped route of every domain package: schedule
// uses it directly, attempt and certify through a one-method interface of
// their own (the domain packages schedule, attempt and certify never import
// one another; internal/app wires them).
//
// DESIGN: "Another agency's resource, or one the actor cannot see, answers
// 404; one the actor can see but not change answers 403." In the order the
// rule applies it:
//
//   - nobody signed in: unauthorized (401);
//   - no such session, or one the actor cannot see — admins and trainers see
//     every session; coordinators and officers those open to their agency
//     (open to none named: open to all) and any they are enrolled in —:
//     not found (404), exactly as if it did not exist;
//   - a session the actor can see, with an action their role does not have,
//     or auth.ActSessionManage on a session they do not run (admins run every
//     session, trainers those they are on): forbidden (403).
//
// Visibility is decided before the role, so a session the actor can see
// never answers 404 and one they cannot see never answers 403, whichever
// route asks. What a visible session's routes then narrow further (a
// coordinator's own agency, a trainer's own sessions for enrolments) is the
// route's own rule, answered 403 as well.
type Access struct{}

// Session loads a session for act (auth.ActSessionRead to see it,
// auth.ActSessionManage to run it, or a role's action such as auth.ActCheckin)
// under the rule above; lock takes a row lock for a write transaction.
func (Access) Session(q store.Q, a *auth.Actor, id int64, act auth.Action, lock bool) (*store.TrainingSession, error) {
	if err := auth.Authorize(a, auth.ActSessionRead); err != nil { // every role may see some session
		return nil, err
	}
	ts, err := q.Session(id, lock)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("session")
	} else if err != nil {
		return nil, err
	}
	enrolled := false
	if !a.CanSeeSession(ts.AgencyIDs(), false) {
		if _, err := q.EnrollmentRow(id, a.UserID); err == nil {
			enrolled = true
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if !a.CanSeeSession(ts.AgencyIDs(), enrolled) {
		return nil, apperr.NotFound("session")
	}
	if err := auth.Authorize(a, act); err != nil {
		return nil, err
	}
	if act == auth.ActSessionManage && !a.CanManageSession(ts.TrainerIDs()) {
		return nil, apperr.Forbidden("err.session.trainers_only")
	}
	return ts, nil
}

// Visible loads a session the actor may see (see Access).
func Visible(q store.Q, a *auth.Actor, id int64, lock bool) (*store.TrainingSession, error) {
	return Access{}.Session(q, a, id, auth.ActSessionRead, lock)
}

// Managed loads a session the actor runs (see Access).
func Managed(q store.Q, a *auth.Actor, id int64, lock bool) (*store.TrainingSession, error) {
	return Access{}.Session(q, a, id, auth.ActSessionManage, lock)
}
