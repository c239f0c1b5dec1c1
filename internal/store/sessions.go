package store

import (
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// TrainingSession is one day of one course at one venue.
type TrainingSession struct {
	ID            int64
	CourseID      string
	Date          string // YYYY-MM-DD in the session's time zone
	StartTime     string // HH:MM
	EndTime       string
	Timezone      string // IANA name
	StartsAt      time.Time
	EndsAt        time.Time
	Venue         string
	City          string
	Country       string
	Capacity      int
	Status        SessionStatus
	CheckinSecret []byte
	Sequence      int
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Trainers      []SessionTrainer `gorm:"foreignKey:SessionID"`
	Agencies      []SessionAgency  `gorm:"foreignKey:SessionID"`
}

// SessionStatus is a session's stored status. "In progress" is never stored:
// a scheduled session is in progress between its start and end (schedule's
// view says so).
type SessionStatus string

const (
	SessionScheduled SessionStatus = "scheduled"
	SessionClosed    SessionStatus = "closed"
	SessionCancelled SessionStatus = "cancelled"
	// SessionInProgress is never stored: a scheduled session is in progress
	// between its start and end, as schedule's view of it says.
	SessionInProgress SessionStatus = "in_progress"
)

// Ended reports a session that takes no more changes: cancelled, or closed at
// the end of its day. Every rule that refuses a change to an ended session
// asks here; each keeps its own error.
func (s SessionStatus) Ended() bool { return s == SessionClosed || s == SessionCancelled }

type SessionTrainer struct {
	SessionID int64 `gorm:"primaryKey"`
	UserID    int64 `gorm:"primaryKey"`
}

// SessionAgency lists the agencies a session is open to; none means every agency.
type SessionAgency struct {
	SessionID int64 `gorm:"primaryKey"`
	AgencyID  int64 `gorm:"primaryKey"`
}

// TrainerIDs are the users who run the session (see auth.Actor.CanManageSession).
func (s *TrainingSession) TrainerIDs() []int64 {
	ids := make([]int64, 0, len(s.Trainers))
	for _, t := range s.Trainers {
		ids = append(ids, t.UserID)
	}
	return ids
}

// AgencyIDs are the agencies the session is open to, none meaning every agency
// (see auth.Actor.CanSeeSession).
func (s *TrainingSession) AgencyIDs() []int64 {
	ids := make([]int64, 0, len(s.Agencies))
	for _, a := range s.Agencies {
		ids = append(ids, a.AgencyID)
	}
	return ids
}

// CreateSession inserts a session with its trainers and agencies.
func (q Q) CreateSession(s *TrainingSession) error {
	if err := q.g.Create(s).Error; err != nil {
		return fmt.Errorf("create session: %w", translate(err))
	}
	return nil
}

// Session loads one session with its trainers and agencies. lock takes a row lock
// on PostgreSQL (SQLite's transactions are already exclusive).
func (q Q) Session(id int64, lock bool) (*TrainingSession, error) {
	var s TrainingSession
	g := q.g.Preload("Trainers").Preload("Agencies")
	if lock && q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Take(&s, id).Error; err != nil {
		return nil, fmt.Errorf("load session %d: %w", id, translate(err))
	}
	return &s, nil
}

// SessionStatusForShare reads a session's status, share-locking its row on
// PostgreSQL: writes that must not cross a close (starting an attempt) wait for
// the close's update lock, and the close waits for them, while they do not
// wait for each other.
func (q Q) SessionStatusForShare(id int64) (SessionStatus, error) {
	var row struct{ Status SessionStatus }
	g := q.g.Model(&TrainingSession{}).Select("status").Where("id = ?", id)
	if q.postgres {
		g = g.Clauses(clause.Locking{Strength: "SHARE"})
	}
	if err := g.Take(&row).Error; err != nil {
		return "", fmt.Errorf("load session %d status: %w", id, translate(err))
	}
	return row.Status, nil
}

// SessionFilter restricts a session listing; zero fields do not filter.
type SessionFilter struct {
	CourseID        string
	From, To        string // dates, inclusive
	Status          SessionStatus
	TrainerID       *int64
	VisibleToAgency *int64 // open to this agency (or to all)
	EnrolledUser    *int64 // OR: this user is enrolled (with VisibleToAgency)
}

// Sessions lists sessions by start.
func (q Q) Sessions(f SessionFilter) ([]TrainingSession, error) {
	g := q.g.Model(&TrainingSession{}).Preload("Trainers").Preload("Agencies").Order("starts_at, id")
	if f.CourseID != "" {
		g = g.Where("course_id = ?", f.CourseID)
	}
	if f.From != "" {
		g = g.Where("date >= ?", f.From)
	}
	if f.To != "" {
		g = g.Where("date <= ?", f.To)
	}
	if f.Status != "" {
		g = g.Where("status = ?", f.Status)
	}
	if f.TrainerID != nil {
		g = g.Where("id IN (SELECT session_id FROM session_trainers WHERE user_id = ?)", *f.TrainerID)
	}
	if f.VisibleToAgency != nil {
		open := "(NOT EXISTS (SELECT 1 FROM session_agencies sa WHERE sa.session_id = training_sessions.id) OR id IN (SELECT session_id FROM session_agencies WHERE agency_id = ?))"
		if f.EnrolledUser != nil {
			g = g.Where("("+open+" OR id IN (SELECT session_id FROM enrollments WHERE user_id = ?))", *f.VisibleToAgency, *f.EnrolledUser)
		} else {
			g = g.Where(open, *f.VisibleToAgency)
		}
	}
	var out []TrainingSession
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// UpdateSession saves a session's own fields and replaces its trainers and agencies.
func (q Q) UpdateSession(s *TrainingSession) error {
	if err := q.g.Omit("Trainers", "Agencies").Save(s).Error; err != nil {
		return fmt.Errorf("update session %d: %w", s.ID, translate(err))
	}
	if err := q.g.Where("session_id = ?", s.ID).Delete(&SessionTrainer{}).Error; err != nil {
		return fmt.Errorf("update session trainers: %w", err)
	}
	if err := q.g.Where("session_id = ?", s.ID).Delete(&SessionAgency{}).Error; err != nil {
		return fmt.Errorf("update session agencies: %w", err)
	}
	for i := range s.Trainers {
		s.Trainers[i].SessionID = s.ID
	}
	for i := range s.Agencies {
		s.Agencies[i].SessionID = s.ID
	}
	if len(s.Trainers) > 0 {
		if err := q.g.Create(&s.Trainers).Error; err != nil {
			return fmt.Errorf("update session trainers: %w", err)
		}
	}
	if len(s.Agencies) > 0 {
		if err := q.g.Create(&s.Agencies).Error; err != nil {
			return fmt.Errorf("update session agencies: %w", err)
		}
	}
	return nil
}

// SetSessionStatus changes a session's status (closing it).
func (q Q) SetSessionStatus(id int64, status SessionStatus) error {
	if err := q.g.Model(&TrainingSession{}).Where("id = ?", id).Update("status", status).Error; err != nil {
		return fmt.Errorf("set session %d status: %w", id, err)
	}
	return nil
}
