// Package schedule owns the training day: sessions, enrolment with a waitlist,
// roster import, attendance, self check-in with rotating codes, calendars, and the
// audit log of every change to enrolment and attendance.
package schedule

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/store"
)

// Session statuses. "in_progress" is never stored: a scheduled session is in
// progress between its start and end.
const (
	StatusScheduled  = "scheduled"
	StatusInProgress = "in_progress"
	StatusClosed     = "closed"
	StatusCancelled  = "cancelled"
)

// Enrolment statuses.
const (
	Enrolled   = "enrolled"
	Waitlisted = "waitlisted"
)

// Attendance statuses.
var attendanceStatuses = map[string]bool{"present": true, "late": true, "absent": true, "excused": true}

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
}

// NewService returns the scheduling service.
func NewService(db *store.DB, courses Courses, log *slog.Logger, opts Options) *Service {
	return &Service{Options: opts, db: db, courses: courses, log: log, Now: func() time.Time { return time.Now().UTC() }}
}

// audit appends one change to the log inside the caller's transaction.
func (s *Service) audit(q store.Q, a *auth.Actor, action string, sessionID, userID *int64, before, after any) error {
	ev := &store.AuditEvent{At: s.Now(), Action: action, SessionID: sessionID, UserID: userID,
		Before: jsonOrEmpty(before), After: jsonOrEmpty(after)}
	if a != nil {
		id := a.UserID
		ev.ActorID = &id
	}
	return q.Audit(ev)
}

func jsonOrEmpty(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func ptr[T any](v T) *T { return &v }

// AuditEvents lists the newest audit events: all of them for admins; one
// session's for the trainers who run it, so they can read the day's story
// (who changed what, and why) without an admin.
func (s *Service) AuditEvents(ctx context.Context, a *auth.Actor, sessionID *int64, limit int) ([]store.AuditEvent, error) {
	q := s.db.Read(ctx)
	if err := auth.Authorize(a, auth.ActAuditRead); err != nil {
		if sessionID == nil || a == nil {
			return nil, err
		}
		if _, err := Managed(q, a, *sessionID, false); err != nil {
			return nil, err
		}
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return q.AuditEvents(sessionID, limit)
}
