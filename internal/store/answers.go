package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

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

// Answer returns the saved answer to one question, or ErrNotFound.
func (q Q) Answer(attemptID int64, questionID string) (*AttemptAnswer, error) {
	var a AttemptAnswer
	if err := q.g.Where("attempt_id = ? AND question_id = ?", attemptID, questionID).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("load answer: %w", translate(err))
	}
	return &a, nil
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
	err = db.write(ctx, func(g *gorm.DB) error {
		return g.Raw(`INSERT INTO attempt_answers (attempt_id, question_id, answer, seq, revision, saved_at)
SELECT ?, ?, ?, ?, 1, ? FROM attempts WHERE id = ? AND finalised = '' AND deadline > ?`+lock+`
ON CONFLICT (attempt_id, question_id) DO UPDATE SET answer = excluded.answer, seq = excluded.seq,
  revision = attempt_answers.revision + 1, saved_at = excluded.saved_at
WHERE excluded.seq > attempt_answers.seq
RETURNING seq, revision`, a.AttemptID, a.QuestionID, a.Answer, a.Seq, now, a.AttemptID, now).Scan(&out).Error
	})
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
