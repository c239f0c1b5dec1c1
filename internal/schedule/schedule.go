// Package schedule owns the training day: sessions, enrolment with a waitlist,
// roster import, attendance, self check-in with rotating codes, calendars, and the
// audit log of every change to enrolment and attendance.
package schedule

import (
	"log/slog"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/store"
)

// Session statuses as callers see them (Session.Status): store's values, as
// plain strings — no store type reaches the web layer.
const (
	StatusScheduled  = string(store.SessionScheduled)
	StatusInProgress = string(store.SessionInProgress)
	StatusClosed     = string(store.SessionClosed)
	StatusCancelled  = string(store.SessionCancelled)
)

// Enrolment statuses as callers see them (Enrollment.Status).
const (
	Enrolled   = string(store.Enrolled)
	Waitlisted = string(store.Waitlisted)
)

// AttendanceStatuses are the statuses a trainer may mark, in the order the
// attendance sheet offers them.
var AttendanceStatuses = []string{string(store.Present), string(store.Late), string(store.Absent), string(store.Excused)}

// Courses is what scheduling needs of the course library.
type Courses interface {
	Course(id string) (*course.Course, bool)
}

// Service is the scheduling domain.
type Service struct {
	Options
	db      *store.DB
	courses Courses
	log     *slog.Logger
	// Now is the clock; tests replace it to walk through a training day.
	Now func() time.Time
}

// Options are the scheduling service's collaborators, given once to NewService
// (internal/app builds them).
type Options struct {
	// Invite, when set, invites an officer a roster import created (they have no
	// password), inside the import's transaction.
	Invite func(q store.Q, by *auth.Actor, u *store.User) error
	// Mail, when set, writes the e-mails of enrolments, promotions, changes and
	// cancellations to the outbox, inside the same transactions.
	Mail *mail.Mailer
	// Catalog words calendar files (.ics) in their reader's language; nil:
	// the embedded catalogues.
	Catalog *i18n.Catalog
}

// NewService returns the scheduling service.
func NewService(db *store.DB, courses Courses, log *slog.Logger, opts Options) *Service {
	return &Service{Options: opts, db: db, courses: courses, log: log, Now: func() time.Time { return time.Now().UTC() }}
}

func ptr[T any](v T) *T { return &v }
