package attempt

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// Paper results: in a room without devices the officer answers on paper and the
// trainer enters the result, either per question (scored like an online attempt,
// and regraded like one) or as a score. One paper result per officer and quiz:
// entering it again replaces it, so it is counted once.
const (
	byPaper      = "paper"       // per-question answers entered by the trainer
	byPaperScore = "paper_score" // only the score was entered
)

// PaperInput is a paper sheet: Answers by question id (choices by choice id), or
// Score (points, out of the quiz's maximum).
type PaperInput struct {
	UserID  int64                `json:"user_id"`
	Answers map[string]SaveInput `json:"answers"`
	Score   *float64             `json:"score"`
	Reason  string               `json:"reason"`
}

// EnterPaper records an officer's paper result for a session's quiz (its trainers
// and admins), marked as entered by the trainer, and returns the result.
func (s *Service) EnterPaper(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, in PaperInput) (*quiz.Result, error) {
	_, c, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	if (in.Score == nil) == (len(in.Answers) == 0) {
		return nil, apperr.Invalid("answers", "give either the answers, question by question, or the score")
	}
	questions := quiz.Snapshot(qz, 0)
	var plain map[string]quiz.Answer
	var result quiz.Result
	reason := byPaper
	if in.Score != nil {
		reason = byPaperScore
		max := quiz.Total(questions, nil, 0).MaxScore
		if *in.Score < 0 || *in.Score > max {
			return nil, apperr.Invalid("score", "between 0 and %g (the quiz's maximum)", max)
		}
		result = quiz.ResultOf(*in.Score, max, qz.PassMark)
	} else {
		plain = map[string]quiz.Answer{}
		for qid, raw := range in.Answers {
			i := -1
			for j := range questions {
				if questions[j].ID == qid {
					i = j
				}
			}
			if i < 0 {
				return nil, apperr.Invalid("answers", "no question %q in this quiz", qid)
			}
			ans, err := validAnswer(questions[i], raw)
			if err != nil {
				return nil, err
			}
			plain[qid] = ans
		}
		result = quiz.Total(questions, plain, qz.PassMark)
	}
	snap, err := json.Marshal(questions)
	if err != nil {
		return nil, fmt.Errorf("encode paper snapshot: %w", err)
	}
	now := s.Now()
	err = s.db.Tx(ctx, func(q store.Q) error {
		if e, err := q.Enrollment(sessionID, in.UserID); err != nil || e.Status != "enrolled" {
			return apperr.NotFound("enrolment")
		}
		previous, err := q.Attempts(sessionID, quizID, &in.UserID)
		if err != nil {
			return err
		}
		var at *store.Attempt
		before := map[string]any{}
		for i := range previous {
			if p := &previous[i]; p.Finalised == byPaper || p.Finalised == byPaperScore {
				at = p
				before = map[string]any{"attempt": p.ID, "score": p.Score, "percent": p.Percent, "passed": p.Passed}
			}
		}
		actor := a.UserID
		if at == nil {
			at = &store.Attempt{SessionID: sessionID, QuizID: quizID, UserID: in.UserID, Number: len(previous) + 1, StartedAt: now, Deadline: now}
		}
		at.ContentHash, at.CourseHash, at.Questions, at.PassMark, at.Review = qz.Hash, c.Hash, snap, qz.PassMark, string(qz.Review)
		at.Finalised, at.FinalisedAt, at.EnteredBy = reason, &now, &actor
		at.Score, at.MaxScore, at.Percent, at.Passed = result.Score, result.MaxScore, result.Percent, result.Passed
		if at.ID == 0 {
			if err := q.CreateAttempt(at); err != nil {
				return err
			}
		} else if err := q.SaveAttempt(at); err != nil {
			return err
		}
		if err := q.DeleteAnswers(at.ID); err != nil {
			return err
		}
		for qid, ans := range plain {
			data, err := json.Marshal(ans)
			if err != nil {
				return err
			}
			if err := q.SaveAnswer(&store.AttemptAnswer{AttemptID: at.ID, QuestionID: qid, Answer: data, Seq: 1, Revision: 1, SavedAt: now}); err != nil {
				return err
			}
		}
		s.snapshots.Remove(at.ID)
		return s.auditException(q, a, "attempt.paper", sessionID, in.UserID, before,
			map[string]any{"attempt": at.ID, "quiz": quizID, "kind": reason, "score": result.Score, "percent": result.Percent, "passed": result.Passed, "reason": in.Reason})
	})
	if err != nil {
		return nil, err
	}
	return &result, nil
}
