package store

import "gorm.io/gorm"

// migrateItemScores creates item_scores (item_scores.go). Attempts finalised
// before it have none until attempt.Service.BackfillItemScores scores them.
func migrateItemScores(tx *gorm.DB) error {
	type Attempt struct{ ID int64 }
	type ItemScore struct {
		AttemptID  int64    `gorm:"primaryKey"`
		QuestionID string   `gorm:"primaryKey;size:100"`
		Fraction   float64  `gorm:"not null"`
		Attempt    *Attempt `gorm:"constraint:OnDelete:CASCADE"`
	}
	return tx.AutoMigrate(&ItemScore{})
}

func rollbackItemScores(tx *gorm.DB) error { return tx.Migrator().DropTable("item_scores") }
