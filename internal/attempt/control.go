package attempt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
)

// errQuizClosed: the trainer closed the quiz; it cannot be started or answered.
var errQuizClosed = apperr.Conflict("err.quiz.closed")

// errSessionClosed: the trainer closed the day; its open attempts were
// submitted with what they had saved, and nothing more is taken.
var errSessionClosed = apperr.Conflict("err.attempt.session_closed")

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
	if _, _, _, err := s.managedQuiz(ctx, a, sessionID, quizID); err != nil {
		return nil, err
	}
	out := &QuizState{Quiz: quizID, Status: "open"}
	if closed {
		out.Status = "closed"
	}
	now := s.Now()
	var finalised map[string]int // by reason
	err := s.db.Tx(ctx, func(q store.Q) error {
		was, err := q.QuizClosed(sessionID, quizID)
		if err != nil {
			return err
		}
		if err := q.SetQuizClosed(&store.SessionQuiz{SessionID: sessionID, QuizID: quizID, Closed: closed, ChangedAt: now, ChangedBy: a.UserID}); err != nil {
			return err
		}
		if closed {
			if finalised, err = s.submitOpen(q, sessionID, quizID, byClosing, now); err != nil {
				return err
			}
			out.Finalised = total(finalised)
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
	s.CountFinalised(finalised)
	s.log.Info("quiz "+out.Status, "session_id", sessionID, "quiz", quizID, "by", a.UserID, "attempts_submitted", out.Finalised)
	return out, nil
}

// SubmitOpenIn submits every attempt of a session still open with what it
// saved, inside q's transaction: the session's close, so that no answer
// arrives after the day's decision (and its review), and a close that rolls
// back leaves the attempts as they were. It reports how many it finalised,
// by reason, for CountFinalised once that transaction has committed.
func (s *Service) SubmitOpenIn(q store.Q, sessionID int64) (map[string]int, error) {
	finalised, err := s.submitOpen(q, sessionID, "", bySessionClose, s.Now())
	if err != nil {
		return nil, fmt.Errorf("submit open attempts of session %d: %w", sessionID, err)
	}
	return finalised, nil
}

// CountFinalised counts, in the metrics, attempts finalised by a committed
// transaction, by reason.
func (s *Service) CountFinalised(byReason map[string]int) {
	if s.Metrics == nil {
		return
	}
	for reason, n := range byReason {
		for range n {
			s.Metrics.AttemptFinalised(reason)
		}
	}
}

func total(byReason map[string]int) int {
	n := 0
	for _, k := range byReason {
		n += k
	}
	return n
}

// submitOpen finalises the open attempts of a session (of one quiz unless
// quizID is empty) with what they saved: for reason (closing the quiz, or the
// day), or by their deadline if it has passed. It reports how many, by reason.
func (s *Service) submitOpen(q store.Q, sessionID int64, quizID string, reason store.Finalised, now time.Time) (map[string]int, error) {
	open, err := q.Attempts(sessionID, quizID, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for i := range open {
		if open[i].Finalised != "" {
			continue
		}
		at, err := q.Attempt(open[i].ID, true)
		if err != nil {
			return nil, err
		}
		if at.Finalised != "" {
			continue
		}
		why := reason
		if !now.Before(at.Deadline) {
			why = byDeadline
		}
		if err := s.finalise(q, at, why, now); err != nil {
			return nil, err
		}
		out[string(why)]++
	}
	return out, nil
}

// Exception is what a trainer grants one officer, with the reason: more attempts
// at a quiz, more time on an open attempt, or a submitted attempt reopened.
type Exception struct {
	Reason        string `json:"reason"`
	ExtraAttempts int    `json:"extra_attempts,omitempty"` // GrantAttempts
	Minutes       int    `json:"minutes,omitempty"`        // Extend, Reopen: from now (Reopen) or the deadline (Extend)
	// SessionID and QuizID, when set (a page's path names them), must be the
	// attempt's: a form cannot act on an attempt of another session or quiz.
	SessionID int64  `json:"-"`
	QuizID    string `json:"-"`
}

func (e Exception) check(needMinutes bool) error {
	var f apperr.Fields
	if r := strings.TrimSpace(e.Reason); r == "" || utf8.RuneCountInString(r) > 500 {
		f.Add("reason", "err.exception.reason")
	}
	if needMinutes && (e.Minutes < 1 || e.Minutes > 24*60) {
		f.Add("minutes", "err.exception.minutes")
	}
	return f.Err()
}

// GrantAttempts gives one officer extra attempts at a session's quiz.
func (s *Service) GrantAttempts(ctx context.Context, a *auth.Actor, sessionID, userID int64, quizID string, ex Exception) (int, error) {
	if err := ex.check(false); err != nil {
		return 0, err
	}
	if ex.ExtraAttempts < 1 || ex.ExtraAttempts > 10 {
		return 0, apperr.Invalid("extra_attempts", "err.exception.extra_attempts")
	}
	if _, _, _, err := s.managedQuiz(ctx, a, sessionID, quizID); err != nil {
		return 0, err
	}
	total := 0
	err := s.db.Tx(ctx, func(q store.Q) error {
		// Locked like a start: two grants at once both count (AddExtraAttempts
		// reads, then writes).
		e, err := q.EnrollmentForUpdate(sessionID, userID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && e.Status != store.Enrolled) {
			return apperr.NotFound("enrolment")
		} else if err != nil {
			return err
		}
		n, err := q.AddExtraAttempts(sessionID, userID, quizID, ex.ExtraAttempts)
		if err != nil {
			return err
		}
		total = n
		return s.auditException(q, a, "attempt.grant", sessionID, userID, map[string]any{"quiz": quizID, "extra_attempts": total - ex.ExtraAttempts},
			map[string]any{"quiz": quizID, "extra_attempts": total, "reason": ex.Reason})
	})
	return total, err
}

// Extend moves an open attempt's deadline later by ex.Minutes.
func (s *Service) Extend(ctx context.Context, a *auth.Actor, attemptID int64, ex Exception) (*View, error) {
	return s.changeAttempt(ctx, a, attemptID, ex, "attempt.extend", func(at *store.Attempt, now time.Time) error {
		if at.Finalised != "" || !now.Before(at.Deadline) {
			return apperr.Conflict("err.attempt.not_open")
		}
		at.Deadline = at.Deadline.Add(time.Duration(ex.Minutes) * time.Minute)
		return nil
	})
}

// Reopen turns a submitted attempt back into an open one for ex.Minutes from
// now, keeping its saved answers (a phone died mid-quiz).
func (s *Service) Reopen(ctx context.Context, a *auth.Actor, attemptID int64, ex Exception) (*View, error) {
	return s.changeAttempt(ctx, a, attemptID, ex, "attempt.reopen", func(at *store.Attempt, now time.Time) error {
		if at.Finalised == "" && now.Before(at.Deadline) {
			return apperr.Conflict("err.attempt.still_open")
		}
		if at.EnteredBy != nil {
			return apperr.Conflict("err.attempt.from_paper")
		}
		at.Finalised, at.FinalisedAt = "", nil
		at.Deadline = now.Add(time.Duration(ex.Minutes) * time.Minute)
		return nil
	})
}

func (s *Service) changeAttempt(ctx context.Context, a *auth.Actor, attemptID int64, ex Exception, action string, change func(*store.Attempt, time.Time) error) (*View, error) {
	if err := ex.check(true); err != nil {
		return nil, err
	}
	now := s.Now()
	var owner int64
	err := s.db.Tx(ctx, func(q store.Q) error {
		at, ts, err := s.managedAttempt(q, a, attemptID, ex)
		if err != nil {
			return err
		}
		if ts.Status.Ended() {
			return schedule.ErrEnded(ts.Status)
		}
		if closed, err := q.QuizClosed(ts.ID, at.QuizID); err != nil {
			return err
		} else if closed {
			return errQuizClosed
		}
		before := map[string]any{"attempt": at.ID, "quiz": at.QuizID, "deadline": at.Deadline.UTC(), "finalised": at.Finalised}
		if err := change(at, now); err != nil {
			return err
		}
		if err := q.SaveAttempt(at); err != nil {
			return err
		}
		owner = at.UserID
		after := map[string]any{"attempt": at.ID, "quiz": at.QuizID, "deadline": at.Deadline.UTC(), "finalised": at.Finalised, "reason": ex.Reason}
		return s.auditException(q, a, action, ts.ID, at.UserID, before, after)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info(action, "attempt_id", attemptID, "user_id", owner, "by", a.UserID)
	return s.Get(ctx, a, attemptID)
}

// managedAttempt loads and locks an attempt for a trainer's exception: only
// the attempt of the session and quiz the form's path names, and only for the
// session's trainers and admins. Its owner, who can see it, is forbidden
// (DESIGN: visible but not allowed); anyone else gets not-found from owned.
func (s *Service) managedAttempt(q store.Q, a *auth.Actor, attemptID int64, ex Exception) (*store.Attempt, *store.TrainingSession, error) {
	at, ts, err := s.owned(q, a, attemptID, true, false)
	if err != nil {
		return nil, nil, err
	}
	if ex.SessionID != 0 && (at.SessionID != ex.SessionID || at.QuizID != ex.QuizID) {
		return nil, nil, apperr.NotFound("attempt")
	}
	if !a.CanManageSession(ts.TrainerIDs()) {
		return nil, nil, apperr.Forbidden("err.session.trainers_only")
	}
	return at, ts, nil
}

// managedSession loads a session the actor runs, under the one access rule.
func (s *Service) managedSession(ctx context.Context, a *auth.Actor, sessionID int64) (*store.TrainingSession, error) {
	return s.sessions.Session(s.db.Read(ctx), a, sessionID, auth.ActSessionManage, false)
}

// managedQuiz finds a quiz of a session the actor runs (its trainers and admins):
// the checks every trainer control starts with.
func (s *Service) managedQuiz(ctx context.Context, a *auth.Actor, sessionID int64, quizID string) (*store.TrainingSession, *course.Course, *course.Quiz, error) {
	ts, err := s.managedSession(ctx, a, sessionID)
	if err != nil {
		return nil, nil, nil, err
	}
	c, ok := s.courses.Course(ts.CourseID)
	if !ok {
		return nil, nil, nil, apperr.NotFound("course")
	}
	m := c.Module(quizID)
	if m == nil || m.Quiz == nil {
		return nil, nil, nil, apperr.NotFound("quiz")
	}
	return ts, c, m.Quiz, nil
}

func (s *Service) auditException(q store.Q, a *auth.Actor, action string, sessionID, userID int64, before, after map[string]any) error {
	b, err := json.Marshal(before)
	if err != nil {
		return err
	}
	aft, err := json.Marshal(after)
	if err != nil {
		return err
	}
	actor := a.UserID
	return q.Audit(&store.AuditEvent{At: s.Now(), ActorID: &actor, Action: action, SessionID: &sessionID, UserID: &userID, Before: string(b), After: string(aft)})
}
