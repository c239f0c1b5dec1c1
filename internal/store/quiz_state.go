package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SessionQuiz is a trainer's decision about one quiz of one session: closed
// quizzes cannot be started or answered. No row means open.
type SessionQuiz struct {
	SessionID int64  `gorm:"primaryKey"`
	QuizID    string `gorm:"primaryKey"`
	Closed    bool
	ChangedAt time.Time
	ChangedBy int64
}

// QuizClosed reports whether the trainer closed a session's quiz.
func (q Q) QuizClosed(sessionID int64, quizID string) (bool, error) {
	var sq SessionQuiz
	err := q.g.Where("session_id = ? AND quiz_id = ?", sessionID, quizID).Take(&sq).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("load quiz %s state: %w", quizID, err)
	}
	return sq.Closed, nil
}

// ClosedQuizzes lists the quizzes the trainer closed in a session.
func (q Q) ClosedQuizzes(sessionID int64) (map[string]bool, error) {
	var rows []SessionQuiz
	if err := q.g.Where("session_id = ? AND closed", sessionID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load quiz states of session %d: %w", sessionID, err)
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.QuizID] = true
	}
	return out, nil
}

// SetQuizClosed records a trainer's opening or closing of a session's quiz.
func (q Q) SetQuizClosed(sq *SessionQuiz) error {
	err := q.g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "session_id"}, {Name: "quiz_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"closed", "changed_at", "changed_by"})}).Create(sq).Error
	if err != nil {
		return fmt.Errorf("set quiz %s state: %w", sq.QuizID, err)
	}
	return nil
}

// AttemptException grants one officer more attempts at one quiz of a session
// than the quiz allows (a phone died, a fire alarm).
type AttemptException struct {
	SessionID     int64  `gorm:"primaryKey"`
	UserID        int64  `gorm:"primaryKey"`
	QuizID        string `gorm:"primaryKey"`
	ExtraAttempts int
}

// ExtraAttempts is how many attempts beyond the quiz's limit an officer has.
func (q Q) ExtraAttempts(sessionID, userID int64, quizID string) (int, error) {
	var ex AttemptException
	err := q.g.Where("session_id = ? AND user_id = ? AND quiz_id = ?", sessionID, userID, quizID).Take(&ex).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("load attempt exception: %w", err)
	}
	return ex.ExtraAttempts, nil
}

// ExtraAttemptsByUser is, per officer, the attempts granted beyond the limit of
// one quiz of a session (officers without a grant are absent).
func (q Q) ExtraAttemptsByUser(sessionID int64, quizID string) (map[int64]int, error) {
	var rows []AttemptException
	if err := q.g.Where("session_id = ? AND quiz_id = ?", sessionID, quizID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list attempt exceptions of quiz %s: %w", quizID, err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.UserID] = r.ExtraAttempts
	}
	return out, nil
}

// AddExtraAttempts grants n more attempts and returns the new total granted.
func (q Q) AddExtraAttempts(sessionID, userID int64, quizID string, n int) (int, error) {
	had, err := q.ExtraAttempts(sessionID, userID, quizID)
	if err != nil {
		return 0, err
	}
	ex := &AttemptException{SessionID: sessionID, UserID: userID, QuizID: quizID, ExtraAttempts: had + n}
	err = q.g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "session_id"}, {Name: "user_id"}, {Name: "quiz_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"extra_attempts"})}).Create(ex).Error
	if err != nil {
		return 0, fmt.Errorf("grant attempts: %w", err)
	}
	return ex.ExtraAttempts, nil
}
