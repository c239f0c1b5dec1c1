package attempt

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// QuizOfficers is one quiz of a session as its trainers run it in the room:
// every enrolled officer with their attempts and the exceptions granted them,
// so that "her phone died" can be answered at a glance.
type QuizOfficers struct {
	Quiz     QuizInfo          `json:"quiz"` // Closed set; Attempts left empty
	MaxScore float64           `json:"max_score"`
	Officers []OfficerAttempts `json:"officers"`
}

// OfficerAttempts is one enrolled officer's standing on the quiz.
type OfficerAttempts struct {
	UserID           int64            `json:"user_id"`
	Name             string           `json:"name"`
	AgencyID         *int64           `json:"agency_id"`
	ExtraTimePercent int              `json:"extra_time_percent"`
	ExtraAttempts    int              `json:"extra_attempts"`   // granted beyond the quiz's limit
	AttemptsAllowed  int              `json:"attempts_allowed"` // the quiz's limit plus those granted
	Attempts         []OfficerAttempt `json:"attempts"`
	Exceptions       []ExceptionNote  `json:"exceptions"` // oldest first
}

// OfficerAttempt is one attempt as the trainer sees it.
type OfficerAttempt struct {
	AttemptInfo
	OnPaper bool `json:"on_paper,omitempty"`
	// LateAnswers arrived after the deadline (or close) though given before
	// it; Waiting of them are not accepted yet (AcceptLateAnswers).
	LateAnswers []LateAnswer `json:"late_answers,omitempty"`
	Waiting     int          `json:"late_waiting,omitempty"`
}

// ExceptionNote is one exception from the audit log: what was done, when, to
// which attempt (0 for a grant of attempts) and why.
type ExceptionNote struct {
	At            time.Time `json:"at"`
	Action        string    `json:"action"` // attempt.grant | attempt.extend | attempt.reopen | attempt.paper | attempt.late_accept
	AttemptNumber int       `json:"attempt_number,omitempty"`
	Reason        string    `json:"reason"`
}

// exceptionActions are the audit actions of a trainer's per-officer exceptions.
var exceptionActions = []string{"attempt.grant", "attempt.extend", "attempt.reopen", "attempt.paper", "attempt.late_accept"}

// AttemptsLeft is how many more attempts the officer may start; every attempt
// counts, a paper one too (as in Start).
func (o OfficerAttempts) AttemptsLeft() int {
	return max(o.AttemptsAllowed-len(o.Attempts), 0)
}

// QuizOfficers lists a session's enrolled officers with their attempts at one
// quiz (the session's trainers and admins), sorted by name.
func (s *Service) QuizOfficers(ctx context.Context, a *auth.Actor, sessionID int64, quizID string) (*QuizOfficers, error) {
	if err := s.FinaliseOverdueIn(ctx, sessionID); err != nil {
		return nil, err
	}
	_, c, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	q := s.db.Read(ctx)
	out := &QuizOfficers{Quiz: quizInfo(c.Module(quizID), ""), MaxScore: quiz.Total(quiz.Snapshot(qz, 0), nil, 0).MaxScore, Officers: []OfficerAttempts{}}
	if out.Quiz.Closed, err = q.QuizClosed(sessionID, quizID); err != nil {
		return nil, err
	}
	enrolments, err := q.Enrollments(sessionID, nil)
	if err != nil {
		return nil, err
	}
	attempts, err := q.Attempts(sessionID, quizID, nil)
	if err != nil {
		return nil, err
	}
	extra, err := q.ExtraAttemptsByUser(sessionID, quizID)
	if err != nil {
		return nil, err
	}
	events, err := q.SessionAuditEvents(sessionID, exceptionActions)
	if err != nil {
		return nil, err
	}
	index := map[int64]int{}
	for _, e := range enrolments {
		if e.Status != store.Enrolled || e.User == nil {
			continue
		}
		index[e.UserID] = len(out.Officers)
		out.Officers = append(out.Officers, OfficerAttempts{UserID: e.UserID, Name: e.User.Name, AgencyID: e.User.AgencyID,
			ExtraTimePercent: e.ExtraTimePercent, ExtraAttempts: extra[e.UserID],
			AttemptsAllowed: qz.Attempts + extra[e.UserID], Attempts: []OfficerAttempt{}, Exceptions: []ExceptionNote{}})
	}
	lates, err := q.LateAnswers(0, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	lateOf := map[int64][]store.LateAnswer{}
	for _, l := range lates {
		lateOf[l.AttemptID] = append(lateOf[l.AttemptID], l)
	}
	number := map[int64]int{} // attempt id → its number, for the notes
	for i := range attempts {
		at := &attempts[i]
		number[at.ID] = at.Number
		j, ok := index[at.UserID]
		if !ok {
			continue
		}
		oa := OfficerAttempt{AttemptInfo: attemptInfo(at, c.Language), OnPaper: at.EnteredBy != nil}
		if recs := lateOf[at.ID]; len(recs) > 0 {
			qs, err := snapshotOf(at)
			if err != nil {
				return nil, err
			}
			if oa.LateAnswers, err = lateAnswers(recs, at, qs); err != nil {
				return nil, err
			}
			oa.Waiting = Waiting(oa.LateAnswers)
		}
		out.Officers[j].Attempts = append(out.Officers[j].Attempts, oa)
	}
	for _, ev := range events {
		var after struct {
			Quiz    string `json:"quiz"`
			Attempt int64  `json:"attempt"`
			Reason  string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(ev.After), &after); err != nil {
			return nil, fmt.Errorf("read audit event %d: %w", ev.ID, err)
		}
		j, ok := index[derefID(ev.UserID)]
		if !ok || after.Quiz != quizID {
			continue
		}
		out.Officers[j].Exceptions = append(out.Officers[j].Exceptions,
			ExceptionNote{At: ev.At.UTC(), Action: ev.Action, AttemptNumber: number[after.Attempt], Reason: after.Reason})
	}
	slices.SortStableFunc(out.Officers, func(x, y OfficerAttempts) int {
		return cmp.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	})
	return out, nil
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
