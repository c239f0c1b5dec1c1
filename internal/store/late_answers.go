package store

import (
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// LateAnswer is an answer the officer gave before the attempt's deadline (by
// the client's stated time, AnsweredAt) that reached the server after it
// (ArrivedAt). It does not count until accepted: by a trainer (AcceptedBy), or
// by the quiz's grace (AcceptedAt set, AcceptedBy nil). One per question: a
// later save with a higher Seq replaces it.
type LateAnswer struct {
	AttemptID  int64  `gorm:"primaryKey"`
	QuestionID string `gorm:"primaryKey"`
	Answer     []byte // JSON quiz.Answer
	Seq        int64
	AnsweredAt time.Time
	ArrivedAt  time.Time
	AcceptedAt *time.Time
	AcceptedBy *int64
}

// LateAnswer returns the late answer to one question, or ErrNotFound.
func (q Q) LateAnswer(attemptID int64, questionID string) (*LateAnswer, error) {
	var a LateAnswer
	if err := q.g.Where("attempt_id = ? AND question_id = ?", attemptID, questionID).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("load late answer: %w", translate(err))
	}
	return &a, nil
}

// SaveLateAnswer writes a late answer (insert, or replace the question's).
func (q Q) SaveLateAnswer(a *LateAnswer) error {
	err := q.g.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "attempt_id"}, {Name: "question_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"answer", "seq", "answered_at", "arrived_at", "accepted_at", "accepted_by"}),
	}).Create(a).Error
	if err != nil {
		return fmt.Errorf("save late answer: %w", translate(err))
	}
	return nil
}

// LateAnswers lists the late answers of one attempt, or (attemptID 0) of every
// attempt at a session's quiz, oldest arrival first.
func (q Q) LateAnswers(attemptID, sessionID int64, quizID string) ([]LateAnswer, error) {
	g := q.g.Order("arrived_at, question_id")
	if attemptID != 0 {
		g = g.Where("attempt_id = ?", attemptID)
	} else {
		g = g.Where("attempt_id IN (SELECT id FROM attempts WHERE session_id = ? AND quiz_id = ?)", sessionID, quizID)
	}
	var out []LateAnswer
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list late answers: %w", err)
	}
	return out, nil
}
