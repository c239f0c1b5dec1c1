package store

import (
	"fmt"

	"gorm.io/gorm"
)

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

// migrateReportIndexes adds what the programme reports' filters need beyond
// the indexes sessions, enrolments and attempts already have: certificates
// by session date and by course (the certified and certificates reports,
// which read certificates alone; by agency there was one).
func migrateReportIndexes(tx *gorm.DB) error {
	for _, sql := range []string{
		"CREATE INDEX IF NOT EXISTS idx_certificates_session_date ON certificates (session_date)",
		"CREATE INDEX IF NOT EXISTS idx_certificates_course_date ON certificates (course_id, session_date)",
	} {
		if err := tx.Exec(sql).Error; err != nil {
			return fmt.Errorf("report indexes: %w", err)
		}
	}
	return nil
}

func rollbackReportIndexes(tx *gorm.DB) error {
	for _, name := range []string{"idx_certificates_session_date", "idx_certificates_course_date"} {
		if err := tx.Exec("DROP INDEX IF EXISTS " + name).Error; err != nil {
			return err
		}
	}
	return nil
}
