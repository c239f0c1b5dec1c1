package attempt

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// errQuizClosed: the trainer closed the quiz; it cannot be started or answered.
var errQuizClosed = apperr.Conflict("the trainer has closed this quiz")

// QuizState is a quiz's state after a trainer opened or closed it.
type QuizState struct {
	Quiz      string `json:"quiz"`
	Status    string `json:"status"`    // "open" or "closed"
	Finalised int    `json:"finalised"` // attempts in progress submitted by the closing
}

// SetQuizClosed opens or closes one quiz of a session (its trainers and admins).
// Closing submits every attempt in progress with what it saved, in the same
// transaction, so no answer arrives after the decision; answers already
// acknowledged are kept. Reopening lets officers start again (within their
// attempt limit). Both are audited.
func (s *Service) SetQuizClosed(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, closed bool) (*QuizState, error) {
	ts, err := s.session(s.db.Read(ctx), a, sessionID)
	if err != nil {
		return nil, err
	}
	if !a.CanManageSession(trainerIDs(ts)) {
		if a.Role == auth.RoleOfficer || a.Role == auth.RoleCoordinator {
			return nil, apperr.NotFound("quiz")
		}
		return nil, apperr.Forbidden("only the session's trainers and admins open and close its quizzes")
	}
	c, ok := s.courses.Course(ts.CourseID)
	if !ok {
		return nil, apperr.NotFound("course")
	}
	if m := c.Module(quizID); m == nil || m.Quiz == nil {
		return nil, apperr.NotFound("quiz")
	}
	out := &QuizState{Quiz: quizID, Status: "open"}
	if closed {
		out.Status = "closed"
	}
	now := s.Now()
	err = s.db.Tx(ctx, func(q store.Q) error {
		was, err := q.QuizClosed(sessionID, quizID)
		if err != nil {
			return err
		}
		if err := q.SetQuizClosed(&store.SessionQuiz{SessionID: sessionID, QuizID: quizID, Closed: closed, ChangedAt: now, ChangedBy: a.UserID}); err != nil {
			return err
		}
		if closed {
			open, err := q.Attempts(sessionID, quizID, nil)
			if err != nil {
				return err
			}
			for i := range open {
				at, err := q.Attempt(open[i].ID, true)
				if err != nil {
					return err
				}
				if at.Finalised != "" {
					continue
				}
				if err := s.finalise(q, at, byClosing, now); err != nil {
					return err
				}
				out.Finalised++
			}
		}
		before, _ := json.Marshal(map[string]any{"quiz": quizID, "closed": was})
		after, _ := json.Marshal(map[string]any{"quiz": quizID, "closed": closed, "attempts_submitted": out.Finalised})
		action := "quiz.open"
		if closed {
			action = "quiz.close"
		}
		actor := a.UserID
		return q.Audit(&store.AuditEvent{At: now, ActorID: &actor, Action: action, SessionID: &sessionID, Before: string(before), After: string(after)})
	})
	if err != nil {
		return nil, fmt.Errorf("set quiz %s of session %d: %w", quizID, sessionID, err)
	}
	if s.Metrics != nil {
		for i := 0; i < out.Finalised; i++ {
			s.Metrics.AttemptFinalised(byClosing)
		}
	}
	s.log.Info("quiz "+out.Status, "session_id", sessionID, "quiz", quizID, "by", a.UserID, "attempts_submitted", out.Finalised)
	return out, nil
}
