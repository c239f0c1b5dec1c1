package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Attempt is one officer's go at one quiz in one session, with the questions
// frozen as they were when it started (answer key included: it never leaves the
// server before review).
type Attempt struct {
	ID          int64
	SessionID   int64
	QuizID      string
	UserID      int64
	Number      int
	ContentHash string
	CourseHash  string
	Questions   []byte // JSON []quiz.Question
	PassMark    int
	Review      string
	StartedAt   time.Time
	Deadline    time.Time
	// GraceSeconds is the quiz's grace when the attempt started: answers stated
	// before the deadline that arrive within it still count.
	GraceSeconds int
	Finalised    string // "" while open; "submitted", "deadline", "quiz_closed", "session_closed", "paper" or "paper_score"
	FinalisedAt  *time.Time
	EnteredBy    *int64 // a trainer who entered it from a paper sheet
	Score        float64
	MaxScore     float64
	Percent      float64
	Passed       bool
}

// AttemptAnswer is the latest saved answer to one question. Seq is the client's
// sequence number: a save with a lower one is stale and changes nothing.
type AttemptAnswer struct {
	AttemptID  int64  `gorm:"primaryKey"`
	QuestionID string `gorm:"primaryKey"`
	Answer     []byte // JSON quiz.Answer
	Seq        int64
	Revision   int
	SavedAt    time.Time
}

func (q Q) CreateAttempt(a *Attempt) error {
	if err := q.g.Create(a).Error; err != nil {
		return fmt.Errorf("create attempt: %w", translate(err))
	}
	return nil
}

// Attempt loads one attempt, locking its row on PostgreSQL when asked.
func (q Q) Attempt(id int64, lock bool) (*Attempt, error) {
	var a Attempt
	g := q.g
	if lock && q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Take(&a, id).Error; err != nil {
		return nil, fmt.Errorf("load attempt %d: %w", id, translate(err))
	}
	return &a, nil
}

// Attempts lists attempts in a session, optionally for one quiz and one user.
func (q Q) Attempts(sessionID int64, quizID string, userID *int64) ([]Attempt, error) {
	g := q.g.Where("session_id = ?", sessionID).Order("user_id, quiz_id, number")
	if quizID != "" {
		g = g.Where("quiz_id = ?", quizID)
	}
	if userID != nil {
		g = g.Where("user_id = ?", *userID)
	}
	var out []Attempt
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	return out, nil
}

func (q Q) SaveAttempt(a *Attempt) error {
	if err := q.g.Save(a).Error; err != nil {
		return fmt.Errorf("save attempt %d: %w", a.ID, translate(err))
	}
	return nil
}

// RekeyOpenAttempt replaces the frozen questions of an attempt still open, and
// only if it still is (a submission may have finalised it a moment ago: its
// score then stands as scored, and the row is left alone).
func (q Q) RekeyOpenAttempt(id int64, questions []byte, contentHash string) (bool, error) {
	res := q.g.Model(&Attempt{}).Where("id = ? AND finalised = ''", id).
		Updates(map[string]any{"questions": questions, "content_hash": contentHash})
	if res.Error != nil {
		return false, fmt.Errorf("rekey attempt %d: %w", id, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// OverdueAttempts lists open attempts whose deadline has passed, in one session
// or (sessionID nil) in all.
func (q Q) OverdueAttempts(now time.Time, limit int, sessionID *int64) ([]Attempt, error) {
	var out []Attempt
	g := q.g.Where("finalised = '' AND deadline < ?", now)
	if sessionID != nil {
		g = g.Where("session_id = ?", *sessionID)
	}
	if err := g.Order("deadline").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list overdue attempts: %w", err)
	}
	return out, nil
}

// Answers returns an attempt's saved answers by question id.
func (q Q) Answers(attemptID int64) (map[string]AttemptAnswer, error) {
	var list []AttemptAnswer
	if err := q.g.Where("attempt_id = ?", attemptID).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("load answers of attempt %d: %w", attemptID, err)
	}
	out := make(map[string]AttemptAnswer, len(list))
	for _, a := range list {
		out[a.QuestionID] = a
	}
	return out, nil
}

// SaveAnswer writes an answer in one statement (insert, or update on conflict).
func (q Q) SaveAnswer(a *AttemptAnswer) error {
	err := q.g.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "attempt_id"}, {Name: "question_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"answer", "seq", "revision", "saved_at"}),
	}).Create(a).Error
	if err != nil {
		return fmt.Errorf("save answer: %w", translate(err))
	}
	return nil
}

// AttemptState is the part of an attempt that decides whether it still takes
// answers; a save reads only this inside its write transaction.
type AttemptState struct {
	UserID       int64
	Finalised    string
	FinalisedAt  *time.Time
	StartedAt    time.Time
	Deadline     time.Time
	GraceSeconds int
}

// AttemptStateForUpdate reads an attempt's state, locking the row on PostgreSQL.
func (q Q) AttemptStateForUpdate(id int64) (*AttemptState, error) {
	var st AttemptState
	g := q.g.Model(&Attempt{}).Select("user_id, finalised, finalised_at, started_at, deadline, grace_seconds").Where("id = ?", id)
	if q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Take(&st).Error; err != nil {
		return nil, fmt.Errorf("load attempt %d state: %w", id, translate(err))
	}
	return &st, nil
}

// Answer returns the saved answer to one question, or ErrNotFound.
func (q Q) Answer(attemptID int64, questionID string) (*AttemptAnswer, error) {
	var a AttemptAnswer
	if err := q.g.Where("attempt_id = ? AND question_id = ?", attemptID, questionID).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("load answer: %w", translate(err))
	}
	return &a, nil
}

// SaveAnswerIfNewer is the autosave in one statement: it stores the answer only
// while the attempt is open (not finalised, deadline after now) and only if seq
// is above the stored one, incrementing the revision. It reports the stored seq
// and revision when it wrote, and ok=false when it did not (the caller then finds
// out why, on the rare path).
func (db *DB) SaveAnswerIfNewer(ctx context.Context, a *AttemptAnswer, now time.Time) (ok bool, err error) {
	var out []struct {
		Seq      int64
		Revision int
	}
	// On PostgreSQL the attempt row is read FOR SHARE: a save arriving while a
	// submit or a close holds the row (FOR UPDATE, scoring the answers) waits for
	// it and then sees the attempt finalised. Without the lock the save read the
	// old row, was stored and acknowledged after the scorer had read the answers:
	// acknowledged, yet not in the score. SQLite's single writer serialises them.
	lock := ""
	if db.Dialect == "postgres" {
		lock = " FOR SHARE"
	}
	err = db.W.WithContext(ctx).Raw(`INSERT INTO attempt_answers (attempt_id, question_id, answer, seq, revision, saved_at)
SELECT ?, ?, ?, ?, 1, ? FROM attempts WHERE id = ? AND finalised = '' AND deadline > ?`+lock+`
ON CONFLICT (attempt_id, question_id) DO UPDATE SET answer = excluded.answer, seq = excluded.seq,
  revision = attempt_answers.revision + 1, saved_at = excluded.saved_at
WHERE excluded.seq > attempt_answers.seq
RETURNING seq, revision`, a.AttemptID, a.QuestionID, a.Answer, a.Seq, now, a.AttemptID, now).Scan(&out).Error
	if err != nil {
		return false, fmt.Errorf("save answer: %w", translate(err))
	}
	if len(out) == 0 {
		return false, nil
	}
	a.Seq, a.Revision, a.SavedAt = out[0].Seq, out[0].Revision, now
	return true, nil
}

// DeleteAnswers removes an attempt's answers (a paper result entered again).
func (q Q) DeleteAnswers(attemptID int64) error {
	if err := q.g.Where("attempt_id = ?", attemptID).Delete(&AttemptAnswer{}).Error; err != nil {
		return fmt.Errorf("delete answers of attempt %d: %w", attemptID, err)
	}
	return nil
}
