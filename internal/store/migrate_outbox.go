package store

import (
	"time"

	"gorm.io/gorm"
)

// The frozen models of migration "20261125-08-outbox". They live at package level,
// not inside the migration function like the others, because the table is named
// "outbox" (not GORM's "outbox_messages") and only a named type can say so with a
// TableName method that the attachments' foreign key then follows.
type outboxV08 struct {
	ID            int64     `gorm:"primaryKey"`
	Kind          string    `gorm:"size:30;not null"`
	UserID        *int64    `gorm:"index:idx_outbox_user"` // no foreign key: the record outlives its user
	SessionID     *int64    `gorm:"index:idx_outbox_session"`
	ToAddress     string    `gorm:"size:254;not null"`
	ToName        string    `gorm:"size:200;not null;default:''"`
	Language      string    `gorm:"size:35;not null;default:''"`
	Subject       string    `gorm:"size:998;not null"`
	TextBody      string    `gorm:"not null"`
	HTMLBody      string    `gorm:"not null"`
	Status        string    `gorm:"size:10;not null;index:idx_outbox_due,priority:1"`
	Attempts      int       `gorm:"not null;default:0"`
	NextAttemptAt time.Time `gorm:"not null;index:idx_outbox_due,priority:2"`
	LastError     string    `gorm:"not null;default:''"`
	CreatedAt     time.Time `gorm:"not null"`
	SentAt        *time.Time
}

func (outboxV08) TableName() string { return "outbox" }

type outboxAttachmentV08 struct {
	ID          int64      `gorm:"primaryKey"`
	MessageID   int64      `gorm:"not null;index:idx_outbox_attachments_message"`
	Message     *outboxV08 `gorm:"foreignKey:MessageID;constraint:OnDelete:CASCADE"`
	Name        string     `gorm:"size:200;not null"`
	ContentType string     `gorm:"size:200;not null"`
	Data        []byte     `gorm:"not null"`
}

func (outboxAttachmentV08) TableName() string { return "outbox_attachments" }

// migrateOutbox creates the e-mail outbox, and gives users the language their
// e-mail is written in (” until known).
func migrateOutbox(tx *gorm.DB) error {
	type User struct {
		ID       int64
		Language string `gorm:"size:35;not null;default:''"`
	}
	if err := tx.AutoMigrate(&User{}); err != nil {
		return err
	}
	return tx.AutoMigrate(&outboxV08{}, &outboxAttachmentV08{})
}

func rollbackOutbox(tx *gorm.DB) error {
	if err := tx.Migrator().DropTable("outbox_attachments", "outbox"); err != nil {
		return err
	}
	return tx.Migrator().DropColumn("users", "language")
}
