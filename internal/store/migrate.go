package store

import (
	"fmt"
	"time"

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
	{
		ID: "20261125-02-accounts",
		Migrate: func(tx *gorm.DB) error {
			type Agency struct {
				ID        int64     `gorm:"primaryKey"`
				Name      string    `gorm:"size:200;not null"`
				Country   string    `gorm:"size:2;not null"`
				CreatedAt time.Time `gorm:"not null"`
			}
			type User struct {
				ID           int64     `gorm:"primaryKey"`
				Email        string    `gorm:"size:254;not null;uniqueIndex"`
				Name         string    `gorm:"size:200;not null"`
				GivenName    string    `gorm:"size:200;not null;default:''"`
				FamilyName   string    `gorm:"size:200;not null;default:''"`
				LatinName    string    `gorm:"size:200;not null;default:''"`
				Role         string    `gorm:"size:20;not null;index"`
				AgencyID     *int64    `gorm:"index"`
				Agency       *Agency   `gorm:"constraint:OnDelete:RESTRICT"`
				PasswordHash string    `gorm:"size:200;not null;default:''"`
				CreatedAt    time.Time `gorm:"not null"`
				UpdatedAt    time.Time `gorm:"not null"`
			}
			type LoginSession struct {
				TokenHash  string    `gorm:"primaryKey;size:64"`
				UserID     int64     `gorm:"not null;index"`
				User       *User     `gorm:"constraint:OnDelete:CASCADE"`
				Kind       string    `gorm:"size:10;not null"`
				ClientIP   string    `gorm:"size:64;not null;default:''"`
				UserAgent  string    `gorm:"size:300;not null;default:''"`
				CreatedAt  time.Time `gorm:"not null"`
				LastSeenAt time.Time `gorm:"not null"`
				ExpiresAt  time.Time `gorm:"not null;index"`
			}
			type LoginFailure struct {
				ID       int64     `gorm:"primaryKey"`
				Email    string    `gorm:"size:254;not null;index:idx_login_failures_email_at,priority:1"`
				ClientIP string    `gorm:"size:64;not null;index:idx_login_failures_ip_at,priority:1"`
				At       time.Time `gorm:"not null;index:idx_login_failures_email_at,priority:2;index:idx_login_failures_ip_at,priority:2"`
			}
			return tx.AutoMigrate(&Agency{}, &User{}, &LoginSession{}, &LoginFailure{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("login_failures", "login_sessions", "users", "agencies")
		},
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
