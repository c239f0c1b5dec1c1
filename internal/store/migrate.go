package store

import (
	"context"
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
	{
		ID: "20261125-03-sessions",
		Migrate: func(tx *gorm.DB) error {
			type TrainingSession struct {
				ID            int64     `gorm:"primaryKey"`
				CourseID      string    `gorm:"size:100;not null;index"`
				Date          string    `gorm:"size:10;not null;index"`
				StartTime     string    `gorm:"size:5;not null"`
				EndTime       string    `gorm:"size:5;not null"`
				Timezone      string    `gorm:"size:64;not null"`
				StartsAt      time.Time `gorm:"not null;index"`
				EndsAt        time.Time `gorm:"not null"`
				Venue         string    `gorm:"size:200;not null"`
				City          string    `gorm:"size:100;not null"`
				Country       string    `gorm:"size:2;not null"`
				Capacity      int       `gorm:"not null"`
				Status        string    `gorm:"size:20;not null;index"`
				CheckinSecret []byte    `gorm:"not null"`
				Sequence      int       `gorm:"not null;default:0"`
				CreatedBy     int64     `gorm:"not null"`
				CreatedAt     time.Time `gorm:"not null"`
				UpdatedAt     time.Time `gorm:"not null"`
			}
			type User struct{ ID int64 }
			type Agency struct{ ID int64 }
			type SessionTrainer struct {
				SessionID int64            `gorm:"primaryKey"`
				UserID    int64            `gorm:"primaryKey;index"`
				Session   *TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
				User      *User            `gorm:"constraint:OnDelete:CASCADE"`
			}
			type SessionAgency struct {
				SessionID int64            `gorm:"primaryKey"`
				AgencyID  int64            `gorm:"primaryKey;index"`
				Session   *TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
				Agency    *Agency          `gorm:"constraint:OnDelete:CASCADE"`
			}
			type Enrollment struct {
				ID               int64            `gorm:"primaryKey"`
				SessionID        int64            `gorm:"not null;uniqueIndex:idx_enrollment_session_user,priority:1;index:idx_enrollment_session_status,priority:1"`
				UserID           int64            `gorm:"not null;uniqueIndex:idx_enrollment_session_user,priority:2;index"`
				Status           string           `gorm:"size:20;not null;index:idx_enrollment_session_status,priority:2"`
				ExtraTimePercent int              `gorm:"not null;default:0"`
				CreatedAt        time.Time        `gorm:"not null"`
				UpdatedAt        time.Time        `gorm:"not null"`
				Session          *TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
				User             *User            `gorm:"constraint:OnDelete:CASCADE"`
			}
			type Attendance struct {
				SessionID int64            `gorm:"primaryKey"`
				UserID    int64            `gorm:"primaryKey;index"`
				Status    string           `gorm:"size:20;not null"`
				Source    string           `gorm:"size:20;not null"`
				MarkedBy  int64            `gorm:"not null"`
				MarkedAt  time.Time        `gorm:"not null"`
				Session   *TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
				User      *User            `gorm:"constraint:OnDelete:CASCADE"`
			}
			type AuditEvent struct {
				ID        int64     `gorm:"primaryKey"`
				At        time.Time `gorm:"not null;index"`
				ActorID   *int64    `gorm:"index"`
				Action    string    `gorm:"size:50;not null;index"`
				SessionID *int64    `gorm:"index"`
				UserID    *int64    `gorm:"index"`
				Before    string    `gorm:"type:text;not null;default:''"`
				After     string    `gorm:"type:text;not null;default:''"`
			}
			type CheckinFailure struct {
				ID        int64     `gorm:"primaryKey"`
				SessionID int64     `gorm:"not null;index:idx_checkin_failures,priority:1"`
				UserID    int64     `gorm:"not null;index:idx_checkin_failures,priority:2"`
				At        time.Time `gorm:"not null;index:idx_checkin_failures,priority:3"`
			}
			if err := tx.AutoMigrate(&TrainingSession{}, &SessionTrainer{}, &SessionAgency{}, &Enrollment{}, &Attendance{}, &AuditEvent{}, &CheckinFailure{}); err != nil {
				return err
			}
			type UserCalendar struct {
				CalendarToken *string `gorm:"size:64;uniqueIndex"`
			}
			return tx.Table("users").AutoMigrate(&UserCalendar{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("checkin_failures", "audit_events", "attendances", "enrollments", "session_agencies", "session_trainers", "training_sessions")
		},
	},
	{
		ID: "20261125-04-attempts",
		Migrate: func(tx *gorm.DB) error {
			type TrainingSession struct{ ID int64 }
			type User struct{ ID int64 }
			type Attempt struct {
				ID          int64            `gorm:"primaryKey"`
				SessionID   int64            `gorm:"not null;index:idx_attempts_owner,priority:1"`
				QuizID      string           `gorm:"size:100;not null;index:idx_attempts_owner,priority:2"`
				UserID      int64            `gorm:"not null;index:idx_attempts_owner,priority:3;index"`
				Number      int              `gorm:"not null"`
				ContentHash string           `gorm:"size:64;not null"`
				CourseHash  string           `gorm:"size:64;not null"`
				Questions   []byte           `gorm:"not null"`
				PassMark    int              `gorm:"not null"`
				Review      string           `gorm:"size:20;not null"`
				StartedAt   time.Time        `gorm:"not null"`
				Deadline    time.Time        `gorm:"not null"`
				Finalised   string           `gorm:"size:20;not null;default:'';index:idx_attempts_open,priority:1"`
				FinalisedAt *time.Time       `gorm:"index:idx_attempts_open,priority:2"`
				Score       float64          `gorm:"not null;default:0"`
				MaxScore    float64          `gorm:"not null;default:0"`
				Percent     float64          `gorm:"not null;default:0"`
				Passed      bool             `gorm:"not null;default:false"`
				Session     *TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
				User        *User            `gorm:"constraint:OnDelete:CASCADE"`
			}
			type AttemptAnswer struct {
				AttemptID  int64     `gorm:"primaryKey"`
				QuestionID string    `gorm:"primaryKey;size:100"`
				Answer     []byte    `gorm:"not null"`
				Seq        int64     `gorm:"not null"`
				Revision   int       `gorm:"not null"`
				SavedAt    time.Time `gorm:"not null"`
				Attempt    *Attempt  `gorm:"constraint:OnDelete:CASCADE"`
			}
			return tx.AutoMigrate(&Attempt{}, &AttemptAnswer{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("attempt_answers", "attempts") },
	},
	{
		ID: "20261125-05-certificates",
		Migrate: func(tx *gorm.DB) error {
			type TrainingSession struct{ ID int64 }
			type User struct{ ID int64 }
			type Certificate struct {
				Serial           string    `gorm:"primaryKey;size:32"`
				SessionID        int64     `gorm:"not null;uniqueIndex:idx_certificates_session_user,priority:1"`
				UserID           int64     `gorm:"not null;uniqueIndex:idx_certificates_session_user,priority:2;index"`
				AgencyID         *int64    `gorm:"index"`
				HolderName       string    `gorm:"size:200;not null"`
				LatinName        string    `gorm:"size:200;not null;default:''"`
				AgencyName       string    `gorm:"size:200;not null;default:''"`
				CourseID         string    `gorm:"size:100;not null"`
				CourseTitle      string    `gorm:"size:300;not null"`
				CourseHash       string    `gorm:"size:64;not null"`
				SessionDate      string    `gorm:"size:10;not null"`
				City             string    `gorm:"size:100;not null"`
				Country          string    `gorm:"size:2;not null"`
				IssuedAt         time.Time `gorm:"not null"`
				ExpiresAt        *time.Time
				Status           string `gorm:"size:20;not null"`
				RevokedAt        *time.Time
				RevocationReason string           `gorm:"size:500;not null;default:''"`
				Payload          []byte           `gorm:"not null"`
				Signature        string           `gorm:"size:200;not null"`
				Session          *TrainingSession `gorm:"constraint:OnDelete:RESTRICT"`
				User             *User            `gorm:"constraint:OnDelete:RESTRICT"`
			}
			return tx.AutoMigrate(&Certificate{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("certificates") },
	},
	{
		// What the PDF prints beyond the signed payload, frozen at issue like the rest.
		ID: "20261125-06-certificate-print",
		Migrate: func(tx *gorm.DB) error {
			type Certificate struct {
				Title     string `gorm:"size:300;not null;default:''"`
				Programme string `gorm:"size:300;not null;default:''"`
				Minutes   int    `gorm:"not null;default:0"`
				Trainers  string `gorm:"size:1000;not null;default:''"`
			}
			return tx.AutoMigrate(&Certificate{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, col := range []string{"title", "programme", "minutes", "trainers"} {
				if err := tx.Migrator().DropColumn("certificates", col); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		// One-time tokens (invitations, password resets) and the privacy notice.
		ID: "20261125-07-tokens",
		Migrate: func(tx *gorm.DB) error {
			type User struct {
				ID                int64
				PrivacyAcceptedAt *time.Time
			}
			type OneTimeToken struct {
				ID        int64     `gorm:"primaryKey"`
				UserID    int64     `gorm:"not null;index"`
				Purpose   string    `gorm:"size:20;not null"`
				TokenHash string    `gorm:"size:64;not null;uniqueIndex"`
				CreatedAt time.Time `gorm:"not null"`
				ExpiresAt time.Time `gorm:"not null"`
				UsedAt    *time.Time
				CreatedBy *int64
				User      *User `gorm:"constraint:OnDelete:CASCADE"`
			}
			if err := tx.AutoMigrate(&User{}); err != nil {
				return err
			}
			return tx.AutoMigrate(&OneTimeToken{})
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropTable("one_time_tokens"); err != nil {
				return err
			}
			return tx.Migrator().DropColumn("users", "privacy_accepted_at")
		},
	},
	{
		// The e-mail outbox, and the language each user reads (migrate_outbox.go).
		ID:       "20261125-08-outbox",
		Migrate:  migrateOutbox,
		Rollback: rollbackOutbox,
	},
	{
		// A second factor for admins and trainers: TOTP and single-use recovery codes.
		ID: "20261125-09-totp",
		Migrate: func(tx *gorm.DB) error {
			type User struct {
				ID            int64
				TOTPSecret    string     `gorm:"column:totp_secret;size:64;not null;default:''"`
				TOTPEnabledAt *time.Time `gorm:"column:totp_enabled_at"`
				TOTPLastStep  int64      `gorm:"column:totp_last_step;not null;default:0"`
			}
			type RecoveryCode struct {
				ID       int64  `gorm:"primaryKey"`
				UserID   int64  `gorm:"not null;index"`
				CodeHash string `gorm:"size:64;not null"`
				UsedAt   *time.Time
				User     *User `gorm:"constraint:OnDelete:CASCADE"`
			}
			if err := tx.AutoMigrate(&User{}); err != nil {
				return err
			}
			return tx.AutoMigrate(&RecoveryCode{})
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropTable("recovery_codes"); err != nil {
				return err
			}
			for _, col := range []string{"totp_secret", "totp_enabled_at", "totp_last_step"} {
				if err := tx.Migrator().DropColumn("users", col); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		// Trainers open and close each quiz of a session (closed: no start, no answer).
		ID: "20261125-10-session-quizzes",
		Migrate: func(tx *gorm.DB) error {
			type TrainingSession struct{ ID int64 }
			type SessionQuiz struct {
				SessionID int64            `gorm:"primaryKey"`
				QuizID    string           `gorm:"primaryKey;size:100"`
				Closed    bool             `gorm:"not null;default:false"`
				ChangedAt time.Time        `gorm:"not null"`
				ChangedBy int64            `gorm:"not null"`
				Session   *TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
			}
			return tx.AutoMigrate(&SessionQuiz{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("session_quizzes") },
	},
	{
		// Per-officer exceptions: extra attempts granted by a trainer.
		ID: "20261125-11-attempt-exceptions",
		Migrate: func(tx *gorm.DB) error {
			type TrainingSession struct{ ID int64 }
			type User struct{ ID int64 }
			type AttemptException struct {
				SessionID     int64            `gorm:"primaryKey"`
				UserID        int64            `gorm:"primaryKey"`
				QuizID        string           `gorm:"primaryKey;size:100"`
				ExtraAttempts int              `gorm:"not null;default:0"`
				Session       *TrainingSession `gorm:"constraint:OnDelete:CASCADE"`
				User          *User            `gorm:"constraint:OnDelete:CASCADE"`
			}
			return tx.AutoMigrate(&AttemptException{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("attempt_exceptions") },
	},
	{
		// Paper results: attempts a trainer entered from a paper sheet.
		ID: "20261125-12-paper-results",
		Migrate: func(tx *gorm.DB) error {
			type Attempt struct {
				ID        int64
				EnteredBy *int64
			}
			return tx.AutoMigrate(&Attempt{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn("attempts", "entered_by") },
	},
	{
		// TOTP secrets are stored sealed ("v1:" + base64 of nonce, ciphertext and
		// tag: 83 characters for a 32-character secret), past the 64 the column
		// had. SQLite does not enforce a varchar's length, and rebuilding its
		// table to change one is not worth it; PostgreSQL does.
		ID: "20261125-13-totp-sealed",
		Migrate: func(tx *gorm.DB) error {
			if tx.Dialector.Name() != "postgres" {
				return nil
			}
			return tx.Exec("ALTER TABLE users ALTER COLUMN totp_secret TYPE varchar(255)").Error
		},
		Rollback: func(tx *gorm.DB) error {
			if tx.Dialector.Name() != "postgres" {
				return nil
			}
			return tx.Exec("ALTER TABLE users ALTER COLUMN totp_secret TYPE varchar(64)").Error
		},
	},
	{
		// Throttling of the second sign-in step and of device cookies (signin.go).
		ID:       "20261126-signin-throttle",
		Migrate:  migrateSigninThrottle,
		Rollback: rollbackSigninThrottle,
	},
	{
		// Late answers (late_answer.go): answers given before an attempt's
		// deadline that reached the server after it, kept for a trainer; and the
		// quiz's grace, pinned on the attempt like its pass mark.
		ID: "20261127-late-answers",
		Migrate: func(tx *gorm.DB) error {
			type Attempt struct {
				ID           int64
				GraceSeconds int `gorm:"not null;default:0"`
			}
			type LateAnswer struct {
				AttemptID  int64      `gorm:"primaryKey"`
				QuestionID string     `gorm:"primaryKey;size:100"`
				Answer     []byte     `gorm:"not null"`
				Seq        int64      `gorm:"not null"`
				AnsweredAt time.Time  `gorm:"not null"`
				ArrivedAt  time.Time  `gorm:"not null"`
				AcceptedAt *time.Time ``
				AcceptedBy *int64     ``
				Attempt    *Attempt   `gorm:"constraint:OnDelete:CASCADE"`
			}
			return tx.AutoMigrate(&Attempt{}, &LateAnswer{})
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropTable("late_answers"); err != nil {
				return err
			}
			return tx.Migrator().DropColumn("attempts", "grace_seconds")
		},
	},
	{
		// Sign-in attempts counted before they are checked, and a reset's new
		// password held until its second step (signin.go).
		ID:       "20261128-signin-reservations",
		Migrate:  migrateSigninReservations,
		Rollback: rollbackSigninReservations,
	},
	{
		// The language an attempt was taken in (a quiz translation's tag).
		// Earlier rows keep "", read as the course's language: the course's
		// language lives in its files, not in the database.
		ID: "20261206-coursetr-attempt-language",
		Migrate: func(tx *gorm.DB) error {
			type Attempt struct {
				Language string `gorm:"size:35;not null;default:''"`
			}
			if err := tx.Migrator().AddColumn(&Attempt{}, "Language"); err != nil {
				return fmt.Errorf("add attempts.language: %w", err)
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn("attempts", "language") },
	},
	{
		// Certificates worded in the course's certificate language(s) (issue
		// 21): the languages, and the title and course title in each, as issued.
		ID: "20261206-docs-certificate-wording",
		Migrate: func(tx *gorm.DB) error {
			type Certificate struct {
				Wording []byte
			}
			if err := tx.Migrator().AddColumn(&Certificate{}, "Wording"); err != nil {
				return fmt.Errorf("add certificates.wording: %w", err)
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn("certificates", "wording") },
	},
	{
		// A language the user chose (selector, API) apart from one only observed
		// at activation (their browser's first): the choice beats a cookie and
		// Accept-Language, the observation does not. Those who changed their
		// language before have a user.language audit event: that was a choice.
		ID: "20261206-fixes-language-chosen",
		Migrate: func(tx *gorm.DB) error {
			type User struct {
				LanguageChosen bool `gorm:"not null;default:false"`
			}
			if err := tx.Migrator().AddColumn(&User{}, "LanguageChosen"); err != nil {
				return fmt.Errorf("add users.language_chosen: %w", err)
			}
			if err := tx.Exec("UPDATE users SET language_chosen = ? WHERE id IN (SELECT user_id FROM audit_events WHERE action = 'user.language')", true).Error; err != nil {
				return fmt.Errorf("mark chosen languages: %w", err)
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn("users", "language_chosen") },
	},
	{
		// Erasure (GDPR Art 17, privacy.Eraser): when a user's personal data
		// was erased, and when a certificate's holder name was (its signed
		// payload goes with it, so the service can no longer confirm the
		// name on a copy).
		ID: "20261207-erase-certificates",
		Migrate: func(tx *gorm.DB) error {
			type User struct {
				ErasedAt *time.Time
			}
			type Certificate struct {
				ErasedAt *time.Time
			}
			if err := tx.Migrator().AddColumn(&User{}, "ErasedAt"); err != nil {
				return fmt.Errorf("add users.erased_at: %w", err)
			}
			if err := tx.Migrator().AddColumn(&Certificate{}, "ErasedAt"); err != nil {
				return fmt.Errorf("add certificates.erased_at: %w", err)
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropColumn("certificates", "erased_at"); err != nil {
				return err
			}
			return tx.Migrator().DropColumn("users", "erased_at")
		},
	},
	{
		ID:       "20261207-jobs-runs",
		Migrate:  migrateJobRuns,
		Rollback: rollbackJobRuns,
	},
	{
		ID:       "20261207-recert-reminders",
		Migrate:  migrateRecertReminders,
		Rollback: rollbackRecertReminders,
	},
	{
		// Certificates by session date and by course, for the reports'
		// filters (migrate_reports.go).
		ID:       "20261207-rep-indexes",
		Migrate:  migrateReportIndexes,
		Rollback: rollbackReportIndexes,
	},
	{
		// Each finalised attempt's share of each question's points, so the
		// programme report averages facility in SQL (migrate_reports.go).
		ID:       "20261207-rep-item-scores",
		Migrate:  migrateItemScores,
		Rollback: rollbackItemScores,
	},
	{
		// Per-address limits shared by processes on one database (rate_limits.go).
		ID:       "20261208-d1-rate-windows",
		Migrate:  migrateRateWindows,
		Rollback: rollbackRateWindows,
	},
	{
		// Certificates' rendered PDFs, shared by every process
		// (certificate_pdfs.go).
		ID:       "20261208-f-certificate-pdfs",
		Migrate:  migrateCertificatePDFs,
		Rollback: rollbackCertificatePDFs,
	},
	{
		// The shared windows skip PostgreSQL's WAL (rate_limits.go).
		ID:       "20261208-state1-rate-windows-unlogged",
		Migrate:  migrateRateWindowsUnlogged,
		Rollback: rollbackRateWindowsUnlogged,
	},
	{
		// A browser session on a device its owner chose to keep is not
		// ended by the idle timeout (auth.Credentials.Keep).
		ID:       "20261209-signin-kept-sessions",
		Migrate:  migrateKeptSessions,
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn("login_sessions", "kept") },
	},
	{
		// The course version every process serves (course_current.go).
		ID:       "20261209-state2-current-courses",
		Migrate:  migrateCurrentCourses,
		Rollback: rollbackCurrentCourses,
	},
	{
		// Open Badges credentials: each certificate's place in the revocation
		// status lists, its holder's hashed identity, and the signed
		// credentials kept (migrate_credentials.go).
		ID:       "20261210-b-credential-status",
		Migrate:  migrateCredentialStatus,
		Rollback: rollbackCredentialStatus,
	},
	{
		// A status list's stamp read from indexes, not a scan of the
		// certificates (StatusListState).
		ID:       "20261210-cfix-status-list-indexes",
		Migrate:  migrateStatusListIndexes,
		Rollback: rollbackStatusListIndexes,
	},
}

// migrationLock is the PostgreSQL advisory lock key held while migrating.
const migrationLock = 0x6c656374 // "lect"

func migrate(db *gorm.DB) error {
	run := func(g *gorm.DB) error {
		if err := gormigrate.New(g, gormigrate.DefaultOptions, migrations).Migrate(); err != nil {
			return fmt.Errorf("migrate database: %w", err)
		}
		return nil
	}
	if db.Dialector.Name() != "postgres" {
		return run(db)
	}
	// Several processes starting at once against one PostgreSQL database (a
	// scaled-out deployment, or test packages run in parallel) would each insert
	// the same migration ids: one migrates under the lock while the others wait
	// for it, then find the schema current. The lock is held by a connection of
	// its own; the migrations run through the pool as they always have (on one
	// connection, pgx's statement cache trips over a table a migration altered).
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("migrate database: take the migration lock: %w", err)
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", migrationLock) // also released when the connection closes
	return run(db)
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
