package store

import (
	"fmt"
	"time"
)

type Attendance struct {
	SessionID int64 `gorm:"primaryKey"`
	UserID    int64 `gorm:"primaryKey"`
	Status    string
	Source    string // trainer | checkin
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
