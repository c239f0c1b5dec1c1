package store

import (
	"fmt"
	"time"
)

type CheckinFailure struct {
	ID        int64
	SessionID int64
	UserID    int64
	At        time.Time
}

// RecordCheckinFailure remembers a wrong check-in code for rate limiting.
func (q Q) RecordCheckinFailure(sessionID, userID int64, at time.Time) error {
	if err := q.g.Create(&CheckinFailure{SessionID: sessionID, UserID: userID, At: at}).Error; err != nil {
		return fmt.Errorf("record check-in failure: %w", err)
	}
	return nil
}

// CheckinFailures counts an officer's wrong codes for a session since a time.
func (q Q) CheckinFailures(sessionID, userID int64, since time.Time) (int64, error) {
	var n int64
	err := q.g.Model(&CheckinFailure{}).Where("session_id = ? AND user_id = ? AND at >= ?", sessionID, userID, since).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count check-in failures: %w", err)
	}
	return n, nil
}
