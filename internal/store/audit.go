package store

import (
	"fmt"
	"time"
)

// AuditEvent records one change: who, when, what, before and after (JSON).
type AuditEvent struct {
	ID        int64
	At        time.Time
	ActorID   *int64
	Action    string
	SessionID *int64
	UserID    *int64
	Before    string
	After     string
}

// Audit appends an event to the audit log.
func (q Q) Audit(ev *AuditEvent) error {
	if err := q.g.Create(ev).Error; err != nil {
		return fmt.Errorf("write audit event %s: %w", ev.Action, err)
	}
	return nil
}

// AuditEvents lists the newest events first, optionally for one session.
func (q Q) AuditEvents(sessionID *int64, limit int) ([]AuditEvent, error) {
	g := q.g.Order("id DESC").Limit(limit)
	if sessionID != nil {
		g = g.Where("session_id = ?", *sessionID)
	}
	var out []AuditEvent
	if err := g.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return out, nil
}

// SessionAuditEvents lists a session's events of the given actions, oldest first.
func (q Q) SessionAuditEvents(sessionID int64, actions []string) ([]AuditEvent, error) {
	var out []AuditEvent
	if err := q.g.Where("session_id = ? AND action IN ?", sessionID, actions).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list audit events of session %d: %w", sessionID, err)
	}
	return out, nil
}
