package attempt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// Late answers. An officer's phone may lose the network in the last seconds:
// the page keeps the answers given in time (with the time the page stated,
// by its clock synced to the server's) and sends them when it can. One that
// arrives after the attempt's deadline — or after the trainer closed the quiz or
// the day — but was given before it is kept beside the attempt as a late
// answer: it does not count until a trainer accepts it (or, within the quiz's
// grace, while the attempt is still open), so nothing is lost and nobody
// extends their own time.

// Save statuses, in SavedAnswer.Status.
const (
	StatusSaved = "saved" // stored and counted
	StatusLate  = "late"  // kept as a late answer: waits for the trainer
)

// Late answer states, in LateAnswer.State.
const (
	lateWaiting  = "waiting"  // for a trainer
	lateAccepted = "accepted" // by a trainer
	lateGrace    = "grace"    // counted by itself, within the quiz's grace
)

// clockSkew is how far before the attempt's start a stated time may lie (the
// page's clock is synced to the server's within about a second).
const clockSkew = 5 * time.Second

// LateAnswer is a late answer as its owner and the session's trainers see it.
type LateAnswer struct {
	QuestionID string      `json:"question_id"`
	Number     int         `json:"number"` // the question's place in the attempt, from 1
	Answer     quiz.Answer `json:"answer"`
	Seq        int64       `json:"seq"`
	AnsweredAt time.Time   `json:"answered_at"` // as the officer's page stated it
	ArrivedAt  time.Time   `json:"arrived_at"`
	// LateSeconds is how long after the attempt's cut-off (its deadline, or the
	// close that ended it) the answer arrived.
	LateSeconds int    `json:"late_seconds"`
	State       string `json:"state"` // waiting | accepted | grace
}

// graceEnd is when an attempt stops taking answers stated before its deadline
// as counted ones: its deadline plus the quiz's grace. The deadline sweep
// finalises it only then.
func graceEnd(deadline time.Time, graceSeconds int) time.Time {
	return deadline.Add(time.Duration(graceSeconds) * time.Second)
}

// cutoff is the moment after which an attempt took no answer: its deadline,
// or the close of the quiz or day that submitted it if that came first. ok is
// false when a late answer cannot be kept at all: the officer submitted it, or
// it was entered from paper.
func cutoff(finalised store.Finalised, finalisedAt *time.Time, deadline time.Time) (time.Time, bool) {
	switch finalised {
	case "", byDeadline:
		return deadline, true
	case byClosing, bySessionClose:
		if finalisedAt != nil && finalisedAt.Before(deadline) {
			return *finalisedAt, true
		}
		return deadline, true
	}
	return time.Time{}, false
}

// saveLate is Save once the attempt no longer takes answers in time: inside
// the save's transaction, with the attempt's row locked. An answer stated
// before the cut-off is kept (counted at once within the grace, else waiting
// for the trainer); anything else is refused as before.
func (s *Service) saveLate(q store.Q, id int64, st *store.AttemptState, questionID string, ans quiz.Answer, data []byte, in SaveInput, now time.Time) (*SavedAnswer, error) {
	refusal := apperr.Conflict("err.late.time_up")
	switch st.Finalised {
	case "", byDeadline:
	case byClosing:
		refusal = errQuizClosed
	case bySessionClose:
		refusal = errSessionClosed
	default:
		return nil, apperr.Conflict("err.attempt.already_submitted")
	}
	end, _ := cutoff(st.Finalised, st.FinalisedAt, st.Deadline)
	if in.AnsweredAt == nil || !in.AnsweredAt.Before(end) {
		return nil, refusal
	}
	if in.AnsweredAt.Before(st.StartedAt.Add(-clockSkew)) {
		// Before the attempt began: a clock that cannot be right.
		return nil, apperr.Conflict("err.late.before_start")
	}
	old, err := q.Answer(id, questionID)
	if errors.Is(err, store.ErrNotFound) {
		old = &store.AttemptAnswer{}
	} else if err != nil {
		return nil, err
	}
	prev, err := q.LateAnswer(id, questionID)
	if errors.Is(err, store.ErrNotFound) {
		prev = &store.LateAnswer{}
	} else if err != nil {
		return nil, err
	}
	seq := max(old.Seq, prev.Seq) + 1
	if in.Seq != nil {
		seq = *in.Seq
	}
	// Stale or repeated: what is stored stands (the counted answer first).
	if old.Revision > 0 && seq <= old.Seq {
		return savedView(*old)
	}
	if prev.Seq > 0 && seq <= prev.Seq {
		return lateView(*prev)
	}
	rec := &store.LateAnswer{AttemptID: id, QuestionID: questionID, Answer: data, Seq: seq, AnsweredAt: in.AnsweredAt.UTC(), ArrivedAt: now}
	if st.Finalised == "" && now.Before(graceEnd(st.Deadline, st.GraceSeconds)) {
		// Within the quiz's grace, on an attempt still open: it counts.
		rec.AcceptedAt = &now
		if err := q.SaveAnswer(&store.AttemptAnswer{AttemptID: id, QuestionID: questionID, Answer: data, Seq: seq, Revision: old.Revision + 1, SavedAt: now}); err != nil {
			return nil, err
		}
		if err := q.SaveLateAnswer(rec); err != nil {
			return nil, err
		}
		return &SavedAnswer{QuestionID: questionID, Answer: ans, Seq: seq, Revision: old.Revision + 1, SavedAt: now, Status: StatusSaved}, nil
	}
	if err := q.SaveLateAnswer(rec); err != nil {
		return nil, err
	}
	s.log.Info("late answer kept", "attempt_id", id, "question", questionID, "answered_at", rec.AnsweredAt, "late", now.Sub(end))
	return lateView(*rec)
}

// lateView is the acknowledgement of a late answer waiting for the trainer.
func lateView(rec store.LateAnswer) (*SavedAnswer, error) {
	var a quiz.Answer
	if err := decodeAnswer(rec.Answer, &a); err != nil {
		return nil, err
	}
	at := rec.AnsweredAt.UTC()
	status := StatusLate
	if rec.AcceptedAt != nil {
		status = StatusSaved
	}
	return &SavedAnswer{QuestionID: rec.QuestionID, Answer: a, Seq: rec.Seq, SavedAt: rec.ArrivedAt.UTC(), AnsweredAt: &at, Status: status}, nil
}

// lateAnswers lists an attempt's late answers, numbered by the attempt's
// question order.
func lateAnswers(recs []store.LateAnswer, at *store.Attempt, qs []quiz.Question) ([]LateAnswer, error) {
	end, _ := cutoff(at.Finalised, at.FinalisedAt, at.Deadline)
	out := make([]LateAnswer, 0, len(recs))
	for _, r := range recs {
		var a quiz.Answer
		if err := decodeAnswer(r.Answer, &a); err != nil {
			return nil, err
		}
		l := LateAnswer{QuestionID: r.QuestionID, Answer: a, Seq: r.Seq, AnsweredAt: r.AnsweredAt.UTC(), ArrivedAt: r.ArrivedAt.UTC(),
			LateSeconds: max(int(r.ArrivedAt.Sub(end).Seconds()), 0), State: lateWaiting}
		if i := slices.IndexFunc(qs, func(x quiz.Question) bool { return x.ID == r.QuestionID }); i >= 0 {
			l.Number = i + 1
		}
		switch {
		case r.AcceptedAt != nil && r.AcceptedBy == nil:
			l.State = lateGrace
		case r.AcceptedAt != nil:
			l.State = lateAccepted
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(x, y LateAnswer) int { return x.Number - y.Number })
	return out, nil
}

// Waiting counts the late answers no one has accepted yet.
func Waiting(list []LateAnswer) int {
	n := 0
	for _, l := range list {
		if l.State == lateWaiting {
			n++
		}
	}
	return n
}

// LateWaiting is how many of the attempt's late answers wait for a trainer,
// and LateWaitingNumbers their question numbers ("2, 5"), for its page.
func (v *View) LateWaiting() int { return Waiting(v.LateAnswers) }

func (v *View) LateWaitingNumbers() string {
	var nums []string
	for _, l := range v.LateAnswers {
		if l.State == lateWaiting {
			nums = append(nums, strconv.Itoa(l.Number))
		}
	}
	return strings.Join(nums, ", ")
}

// LateAcceptance is the outcome of accepting an attempt's late answers.
type LateAcceptance struct {
	AttemptID int64       `json:"attempt_id"`
	Number    int         `json:"number"` // the officer's attempt number
	Accepted  int         `json:"accepted"`
	Status    string      `json:"status"` // the attempt's: open | submitted
	Before    quiz.Result `json:"before"`
	After     quiz.Result `json:"after"`
	// Change is "now_passes", "now_fails", "score" or "", as in a regrade.
	Change string `json:"change"`
}

// AcceptLateAnswers counts an attempt's waiting late answers (the session's
// trainers and admins, with a reason) and, if the attempt is submitted,
// scores it again with them, as a regrade does; audited. Each replaces the
// question's saved answer unless that one is newer. With none waiting it
// changes nothing and says so (Accepted 0). It works on a closed session too:
// the session page then shows a certificate no longer deserved, and a second
// close issues one now due.
func (s *Service) AcceptLateAnswers(ctx context.Context, a *auth.Actor, attemptID int64, ex Exception) (*LateAcceptance, error) {
	if err := ex.check(false); err != nil {
		return nil, err
	}
	now := s.Now()
	var out *LateAcceptance
	err := s.db.Tx(ctx, func(q store.Q) error {
		at, ts, err := s.managedAttempt(q, a, attemptID, ex)
		if err != nil {
			return err
		}
		if at.EnteredBy != nil {
			return apperr.Conflict("err.attempt.from_paper")
		}
		out = &LateAcceptance{AttemptID: at.ID, Number: at.Number, Status: "open", Before: resultOf(at)}
		if at.Finalised != "" {
			out.Status = "submitted"
		}
		recs, err := q.LateAnswers(at.ID, 0, "")
		if err != nil {
			return err
		}
		saved, err := q.Answers(at.ID)
		if err != nil {
			return err
		}
		var questions []string
		for i := range recs {
			r := &recs[i]
			if r.AcceptedAt != nil {
				continue
			}
			if old, ok := saved[r.QuestionID]; !ok || r.Seq > old.Seq {
				rec := &store.AttemptAnswer{AttemptID: at.ID, QuestionID: r.QuestionID, Answer: r.Answer, Seq: r.Seq, Revision: old.Revision + 1, SavedAt: now}
				if err := q.SaveAnswer(rec); err != nil {
					return err
				}
			}
			r.AcceptedAt, r.AcceptedBy = &now, &a.UserID
			if err := q.SaveLateAnswer(r); err != nil {
				return err
			}
			questions = append(questions, r.QuestionID)
		}
		out.Accepted = len(questions)
		if out.Accepted == 0 {
			out.After = out.Before
			return nil
		}
		if at.Finalised != "" { // an open attempt is scored when it ends
			if out.After, err = score(q, at); err != nil {
				return err
			}
			if err := q.SaveAttempt(at); err != nil {
				return err
			}
		} else {
			out.After = out.Before
		}
		out.Change = scoreChange(out.Before, out.After)
		return s.auditException(q, a, "attempt.late_accept", ts.ID, at.UserID,
			map[string]any{"attempt": at.ID, "quiz": at.QuizID, "score": out.Before.Score, "percent": out.Before.Percent, "passed": out.Before.Passed},
			map[string]any{"attempt": at.ID, "quiz": at.QuizID, "score": out.After.Score, "percent": out.After.Percent, "passed": out.After.Passed,
				"late_answers": questions, "reason": ex.Reason})
	})
	if err != nil {
		return nil, fmt.Errorf("accept late answers of attempt %d: %w", attemptID, err)
	}
	if out.Accepted > 0 {
		s.log.Info("late answers accepted", "attempt_id", attemptID, "accepted", out.Accepted, "change", out.Change, "by", a.UserID)
	}
	return out, nil
}

func decodeAnswer(data []byte, a *quiz.Answer) error {
	if err := json.Unmarshal(data, a); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
