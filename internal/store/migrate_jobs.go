package store

import (
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
