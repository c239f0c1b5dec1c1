package attempt

import (
	"context"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// PaperQuiz is what a printed version of a session's quiz carries: the session,
// the course and quiz, and the questions in that version's order and lettering
// (quiz.PaperVersion, the order EnterPaper reads a sheet back with), answer
// keys included: the printer leaves them off the officers' copy.
type PaperQuiz struct {
	Session   *store.TrainingSession
	Course    *course.Course
	Quiz      *course.Quiz
	Version   int
	Questions []quiz.Question
}

// PaperQuiz returns printed version v (1 … quiz.MaxPaperVersion) of a session's
// quiz, for its trainers and admins only: it holds the answer key. Printing is
// recorded (who, which version, the officers' sheet or the key, and the layout
// its sheets are read back with); a version already printed with another
// layout is refused.
func (s *Service) PaperQuiz(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, version int, key bool) (*PaperQuiz, error) {
	ts, c, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	// Checked after who may print, so an officer learns nothing from a bad version.
	if version < 1 || version > quiz.MaxPaperVersion {
		return nil, apperr.Invalid("version", "a whole number from 1 to %d", quiz.MaxPaperVersion)
	}
	questions := quiz.PaperVersion(qz, version)
	if err := s.recordPrint(ctx, a.UserID, ts, c, quizID, qz, version, key, questions); err != nil {
		return nil, err
	}
	s.log.Info("paper quiz printed", "session_id", sessionID, "quiz", quizID, "version", version, "key", key, "by", a.UserID)
	return &PaperQuiz{Session: ts, Course: c, Quiz: qz, Version: version, Questions: questions}, nil
}
