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

// RegradeRow is one submitted attempt before and after a regrade.
type RegradeRow struct {
	AttemptID int64       `json:"attempt_id"`
	UserID    int64       `json:"user_id"`
	Name      string      `json:"name"`
	Before    quiz.Result `json:"before"`
	After     quiz.Result `json:"after"`
	// Change is "now_passes", "now_fails", "score" (same verdict, other score) or "".
	Change string `json:"change"`
}

// Regrade is a preview (or the applied result) of scoring a quiz's submitted
// attempts in a session again, against the quiz as it is now in the course.
type Regrade struct {
	Quiz        string       `json:"quiz"`
	ContentHash string       `json:"content_hash"` // the version applied; confirm with it
	Applied     bool         `json:"applied"`
	Rows        []RegradeRow `json:"rows"`
	NowPass     int          `json:"now_pass"`
	NowFail     int          `json:"now_fail"`
	Changed     int          `json:"changed"`
}

// RegradeQuiz recomputes the scores of a session's submitted attempts at a quiz
// from their stored answers, with the answer keys, points and dropped questions
// of the quiz's current version (a trainer fixed the Markdown). Without confirm
// it only previews. To apply, the caller passes the content hash the preview
// showed: if the course changed since, nothing is applied (409), so what was
// previewed is exactly what is applied. Applying stores the new key in each
// attempt (the officer's review shows it) and audits every change.
func (s *Service) RegradeQuiz(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, confirmHash string) (*Regrade, error) {
	_, _, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	out := &Regrade{Quiz: quizID, ContentHash: qz.Hash}
	if confirmHash != "" && confirmHash != qz.Hash {
		return nil, apperr.Conflict("the quiz changed since the preview; preview the regrade again")
	}
	apply := confirmHash != ""
	var regraded []int64
	run := func(q store.Q) error {
		attempts, err := q.Attempts(sessionID, quizID, nil)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		var ids []int64
		for _, at := range attempts {
			ids = append(ids, at.UserID)
		}
		if users, err := q.UsersByIDs(ids); err == nil {
			for _, u := range users {
				names[u.ID] = u.Name
			}
		}
		for i := range attempts {
			at := &attempts[i]
			if at.Finalised == "" || at.Finalised == byPaperScore {
				continue // still open (scored with the current key when it ends), or only a score on paper
			}
			qs, plain, err := scoredAnswers(q, at)
			if err != nil {
				return err
			}
			rekeyed := quiz.Rekey(qs, qz)
			row := RegradeRow{AttemptID: at.ID, UserID: at.UserID, Name: names[at.UserID],
				Before: quiz.Result{Score: at.Score, MaxScore: at.MaxScore, Percent: at.Percent, Passed: at.Passed},
				After:  quiz.Total(rekeyed, plain, at.PassMark)}
			switch {
			case !row.Before.Passed && row.After.Passed:
				row.Change = "now_passes"
				out.NowPass++
			case row.Before.Passed && !row.After.Passed:
				row.Change = "now_fails"
				out.NowFail++
			case row.Before != row.After:
				row.Change = "score"
			}
			if row.Change != "" {
				out.Changed++
			}
			out.Rows = append(out.Rows, row)
			if !apply {
				continue
			}
			data, err := json.Marshal(rekeyed)
			if err != nil {
				return fmt.Errorf("encode regraded questions: %w", err)
			}
			at.Questions, at.ContentHash = data, qz.Hash
			at.Score, at.MaxScore, at.Percent, at.Passed = row.After.Score, row.After.MaxScore, row.After.Percent, row.After.Passed
			if err := q.SaveAttempt(at); err != nil {
				return err
			}
			regraded = append(regraded, at.ID)
			if row.Change == "" {
				continue
			}
			if err := s.auditException(q, a, "attempt.regrade", sessionID, at.UserID,
				map[string]any{"attempt": at.ID, "quiz": quizID, "score": row.Before.Score, "percent": row.Before.Percent, "passed": row.Before.Passed},
				map[string]any{"attempt": at.ID, "quiz": quizID, "score": row.After.Score, "percent": row.After.Percent, "passed": row.After.Passed, "content_hash": qz.Hash}); err != nil {
				return err
			}
		}
		if !apply {
			return nil
		}
		summary, err := json.Marshal(map[string]any{"quiz": quizID, "content_hash": qz.Hash, "attempts": len(out.Rows),
			"changed": out.Changed, "now_pass": out.NowPass, "now_fail": out.NowFail})
		if err != nil {
			return err
		}
		actor := a.UserID
		return q.Audit(&store.AuditEvent{At: s.Now(), ActorID: &actor, Action: "quiz.regrade", SessionID: &sessionID, After: string(summary)})
	}
	if apply {
		err = s.db.Tx(ctx, run)
	} else {
		err = run(s.db.Read(ctx))
	}
	if err != nil {
		return nil, err
	}
	for _, id := range regraded {
		s.snapshots.Remove(id) // reviews read a submitted attempt from its row; this frees the stale entry
	}
	out.Applied = apply
	if apply {
		s.log.Info("quiz regraded", "session_id", sessionID, "quiz", quizID, "attempts", len(out.Rows), "changed", out.Changed, "by", a.UserID)
	}
	return out, nil
}
