package store

import (
	"fmt"
	"time"
)

// AttendanceStatus is what a trainer or a check-in recorded of an officer's day.
type AttendanceStatus string

const (
	Present AttendanceStatus = "present"
	Late    AttendanceStatus = "late"
	Absent  AttendanceStatus = "absent"
	Excused AttendanceStatus = "excused"
	// Unmarked is never stored: an officer without an attendance row.
	Unmarked AttendanceStatus = "unmarked"
)

// Attended reports an officer who was there, on time or late: what a
// certificate requires, and what a second check-in keeps.
func (s AttendanceStatus) Attended() bool { return s == Present || s == Late }

// AttendanceSource is who recorded it: a trainer, or the officer checking in.
type AttendanceSource string

const (
	ByTrainer AttendanceSource = "trainer"
	ByCheckin AttendanceSource = "checkin"
)

type Attendance struct {
	SessionID int64 `gorm:"primaryKey"`
	UserID    int64 `gorm:"primaryKey"`
	Status    AttendanceStatus
	Source    AttendanceSource
	MarkedBy  int64
	MarkedAt  time.Time
}

// Attendance returns one officer's attendance, or ErrNotFound if unmarked.
func (q Q) Attendance(sessionID, userID int64) (*Attendance, error) {
	var a Attendance
	if err := q.g.Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("load attendance: %w", translate(err))
	}
	return &a, nil
}

// Attendances lists a session's marks, optionally for one agency's users.
func (q Q) Attendances(sessionID int64, agencyID *int64) ([]Attendance, error) {
	g := q.g.Where("session_id = ?", sessionID)
	if agencyID != nil {
		g = g.Where("user_id IN (SELECT id FROM users WHERE agency_id = ?)", *agencyID)
	}
	var out []Attendance
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list attendance: %w", err)
	}
	return out, nil
}

func (q Q) SaveAttendance(a *Attendance) error {
	if err := q.g.Save(a).Error; err != nil {
		return fmt.Errorf("save attendance: %w", translate(err))
	}
	return nil
}
