package store

import (
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// EnrollmentStatus is an officer's place in a session: a seat, or a place on
// its waitlist.
type EnrollmentStatus string

const (
	Enrolled   EnrollmentStatus = "enrolled"
	Waitlisted EnrollmentStatus = "waitlisted"
)

type Enrollment struct {
	ID               int64
	SessionID        int64
	UserID           int64
	Status           EnrollmentStatus
	ExtraTimePercent int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	User             *User
}

// Enrollment returns a user's enrolment in a session.
func (q Q) Enrollment(sessionID, userID int64) (*Enrollment, error) {
	var e Enrollment
	if err := q.g.Preload("User").Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&e).Error; err != nil {
		return nil, fmt.Errorf("load enrollment: %w", translate(err))
	}
	return &e, nil
}

// EnrollmentRow returns a user's enrolment in a session without its user: one
// indexed row, for the checks a quiz start makes (a whole room's in the same
// second) that need only its status and extra time.
func (q Q) EnrollmentRow(sessionID, userID int64) (*Enrollment, error) {
	var e Enrollment
	if err := q.g.Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&e).Error; err != nil {
		return nil, fmt.Errorf("load enrollment: %w", translate(err))
	}
	return &e, nil
}

// EnrollmentForUpdate loads an enrolment (without its user) inside a write transaction, locking
// its row on PostgreSQL (SQLite's transactions are already exclusive): what
// one officer's attempts at a quiz become — a start, a paper sheet entered —
// is decided by one transaction at a time, so two cannot both find none and
// each create attempt 1.
func (q Q) EnrollmentForUpdate(sessionID, userID int64) (*Enrollment, error) {
	var e Enrollment
	g := q.g
	if q.postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := g.Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&e).Error; err != nil {
		return nil, fmt.Errorf("load enrollment: %w", translate(err))
	}
	return &e, nil
}

// Enrollments lists a session's enrolments, enrolled first then the waitlist in
// order; agencyID optionally restricts to one agency's users.
func (q Q) Enrollments(sessionID int64, agencyID *int64) ([]Enrollment, error) {
	g := q.g.Preload("User").Where("session_id = ?", sessionID)
	if agencyID != nil {
		g = g.Where("user_id IN (SELECT id FROM users WHERE agency_id = ?)", *agencyID)
	}
	var out []Enrollment
	if err := g.Order("CASE status WHEN 'enrolled' THEN 0 ELSE 1 END, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	return out, nil
}

// CountEnrollments counts a session's enrolments with a status.
func (q Q) CountEnrollments(sessionID int64, status EnrollmentStatus) (int64, error) {
	var n int64
	if err := q.g.Model(&Enrollment{}).Where("session_id = ? AND status = ?", sessionID, status).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count enrollments: %w", err)
	}
	return n, nil
}

// WaitlistPosition is the 1-based place of an enrolment on its session's waitlist.
func (q Q) WaitlistPosition(e *Enrollment) (int, error) {
	var n int64
	err := q.g.Model(&Enrollment{}).Where("session_id = ? AND status = 'waitlisted' AND id <= ?", e.SessionID, e.ID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("waitlist position: %w", err)
	}
	return int(n), nil
}

// FirstWaitlisted returns the enrolment at the head of the waitlist.
func (q Q) FirstWaitlisted(sessionID int64) (*Enrollment, error) {
	var e Enrollment
	if err := q.g.Where("session_id = ? AND status = 'waitlisted'", sessionID).Order("id").Take(&e).Error; err != nil {
		return nil, fmt.Errorf("first waitlisted: %w", translate(err))
	}
	return &e, nil
}

func (q Q) CreateEnrollment(e *Enrollment) error {
	if err := q.g.Omit("User").Create(e).Error; err != nil {
		return fmt.Errorf("create enrollment: %w", translate(err))
	}
	return nil
}

func (q Q) SaveEnrollment(e *Enrollment) error {
	if err := q.g.Omit("User").Save(e).Error; err != nil {
		return fmt.Errorf("save enrollment: %w", translate(err))
	}
	return nil
}

func (q Q) DeleteEnrollment(e *Enrollment) error {
	if err := q.g.Delete(&Enrollment{}, e.ID).Error; err != nil {
		return fmt.Errorf("delete enrollment: %w", err)
	}
	return nil
}

// EnrolledSessionIDs lists the sessions a user is enrolled or waitlisted in.
func (q Q) EnrolledSessionIDs(userID int64) ([]int64, error) {
	var ids []int64
	if err := q.g.Model(&Enrollment{}).Where("user_id = ?", userID).Pluck("session_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list enrolled sessions: %w", err)
	}
	return ids, nil
}
