package store

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Migrations are versioned with gormigrate: each has a fixed id, runs once, and is
// recorded in the "migrations" table, so a database always says which schema it
// has. New tables and columns get a new migration; a released migration never
// changes. Each migration declares its own copy of the models it creates, so later
// edits to the live models cannot change what an old migration did.
var migrations = []*gormigrate.Migration{
	{
		ID: "20261125-01-course-versions",
		Migrate: func(tx *gorm.DB) error {
			type CourseVersion struct {
				Hash      string `gorm:"primaryKey;size:64"`
				CourseID  string `gorm:"size:100;index;not null"`
				Files     []byte `gorm:"not null"`
				CreatedAt int64  `gorm:"not null"`
			}
			return tx.AutoMigrate(&CourseVersion{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("course_versions") },
	},
}

func migrate(db *gorm.DB) error {
	m := gormigrate.New(db, gormigrate.DefaultOptions, migrations)
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// SchemaVersion returns the id of the last migration applied.
func (db *DB) SchemaVersion() (string, error) {
	var id string
	err := db.R.Raw("SELECT id FROM migrations ORDER BY id DESC LIMIT 1").Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("read schema version: %w", err)
	}
	return id, nil
}
