package store

import (
	"fmt"

	"gorm.io/gorm/clause"
)

// ItemScore is the share of one question's points (0–1) a finalised attempt
// earned, written when the attempt is scored (finalised, regraded, late
// answers accepted, entered from paper). It is what the programme report's
// question facility averages in SQL; it names nobody, so it outlives an
// erased officer's answers (issue 22).
type ItemScore struct {
	AttemptID  int64  `gorm:"primaryKey"`
	QuestionID string `gorm:"primaryKey"`
	Fraction   float64
}

// SetItemScores replaces an attempt's item scores with scores (question id →
// share of its points).
func (q Q) SetItemScores(attemptID int64, scores map[string]float64) error {
	if err := q.g.Where("attempt_id = ?", attemptID).Delete(&ItemScore{}).Error; err != nil {
		return fmt.Errorf("clear item scores of attempt %d: %w", attemptID, err)
	}
	if len(scores) == 0 {
		return nil
	}
	rows := make([]ItemScore, 0, len(scores))
	for id, f := range scores {
		rows = append(rows, ItemScore{AttemptID: attemptID, QuestionID: id, Fraction: f})
	}
	if err := q.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return fmt.Errorf("save item scores of attempt %d: %w", attemptID, translate(err))
	}
	return nil
}

// ItemScores returns an attempt's item scores by question id.
func (q Q) ItemScores(attemptID int64) (map[string]float64, error) {
	var rows []ItemScore
	if err := q.g.Where("attempt_id = ?", attemptID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load item scores of attempt %d: %w", attemptID, err)
	}
	out := make(map[string]float64, len(rows))
	for _, r := range rows {
		out[r.QuestionID] = r.Fraction
	}
	return out, nil
}

// UnscoredAttempts lists finalised attempts after id after that have no item
// scores, by id, at most limit: those finalised before item scores were kept.
// Only attempts with saved answers: scored without any, every question would
// count as wrong in the programme's facility, and an attempt has none when
// retention removed them or when only its total was entered from paper
// (FinalisedPaperScore, never scored per question).
func (q Q) UnscoredAttempts(after int64, limit int) ([]Attempt, error) {
	var out []Attempt
	err := q.g.Where("id > ? AND finalised NOT IN ('', ?) AND NOT EXISTS (SELECT 1 FROM item_scores i WHERE i.attempt_id = attempts.id)"+
		" AND EXISTS (SELECT 1 FROM attempt_answers aa WHERE aa.attempt_id = attempts.id)", after, FinalisedPaperScore).
		Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list attempts without item scores: %w", err)
	}
	return out, nil
}
