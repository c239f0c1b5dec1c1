package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Migration "20261207-jobs-runs": daily jobs (package jobs) run once per UTC
// day across processes; the (name, day) primary key is what makes it once.
func migrateJobRuns(tx *gorm.DB) error {
	type JobRun struct {
		Name       string    `gorm:"primaryKey;size:100"`
		Day        string    `gorm:"primaryKey;size:10"`
		Holder     string    `gorm:"size:64;not null"`
		StartedAt  time.Time `gorm:"not null"`
		FinishedAt *time.Time
	}
	return tx.AutoMigrate(&JobRun{})
}

func rollbackJobRuns(tx *gorm.DB) error { return tx.Migrator().DropTable("job_runs") }

// Migration "20261207-recert-reminders": the recertification reminders sent,
// one row per certificate, kind (90 or 30 days) and recipient, so that each
// goes once across restarts and processes; and an index for finding the
// certificates due (by expiry) and each holder's latest of a course.
func migrateRecertReminders(tx *gorm.DB) error {
	type CertificateReminder struct {
		Serial string    `gorm:"primaryKey;size:32"`
		Kind   int       `gorm:"primaryKey;autoIncrement:false"`
		UserID int64     `gorm:"primaryKey;autoIncrement:false"`
		SentAt time.Time `gorm:"not null"`
	}
	if err := tx.AutoMigrate(&CertificateReminder{}); err != nil {
		return err
	}
	if err := tx.Exec("CREATE INDEX idx_certificates_recert_expiry ON certificates (expires_at)").Error; err != nil {
		return fmt.Errorf("index certificates.expires_at: %w", err)
	}
	if err := tx.Exec("CREATE INDEX idx_certificates_recert_latest ON certificates (user_id, course_id, issued_at)").Error; err != nil {
		return fmt.Errorf("index certificates by holder and course: %w", err)
	}
	return nil
}

func rollbackRecertReminders(tx *gorm.DB) error {
	for _, stmt := range []string{"DROP INDEX idx_certificates_recert_latest", "DROP INDEX idx_certificates_recert_expiry"} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return tx.Migrator().DropTable("certificate_reminders")
}
