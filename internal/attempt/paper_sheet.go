package attempt

import (
	"context"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
)

// PaperSlot is one printed question of a paper version as the trainer enters
// what is marked on it: its number and the kind of mark it takes. It carries
// neither the prompt nor the key, so the entry page can be on a screen the
// room sees.
type PaperSlot struct {
	Number     int         `json:"number"`
	Kind       course.Kind `json:"kind"`
	LastLetter string      `json:"last_letter,omitempty"` // choice questions: A to this
	Points     int         `json:"points"`
}

// PaperSlots lays out printed version v of a session's quiz for entering a sheet
// (its trainers and admins). Versions order questions differently, so the kind
// of mark a number takes depends on the version.
func (s *Service) PaperSlots(ctx context.Context, a *auth.Actor, sessionID int64, quizID string, version int) ([]PaperSlot, error) {
	ts, _, qz, err := s.managedQuiz(ctx, a, sessionID, quizID)
	if err != nil {
		return nil, err
	}
	if err := checkPaperVersion(version); err != nil {
		return nil, err
	}
	questions, err := s.printedQuestions(ctx, ts, quizID, qz, version)
	if err != nil {
		return nil, err
	}
	out := make([]PaperSlot, len(questions))
	for i, q := range questions {
		out[i] = PaperSlot{Number: i + 1, Kind: q.Kind, Points: q.Points}
		if len(q.Choices) > 0 {
			out[i].LastLetter = quiz.Letter(len(q.Choices) - 1)
		}
	}
	return out, nil
}

// checkPaperVersion refuses a version number no sheet can carry.
func checkPaperVersion(v int) error {
	if v < 1 || v > quiz.MaxPaperVersion {
		return apperr.Invalid("sheet.version", "the version printed on the sheet, 1 to %d", quiz.MaxPaperVersion)
	}
	return nil
}
