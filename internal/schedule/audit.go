package schedule

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// AuditEvent is one entry of the audit log as callers read it: who did what,
// to which session and user, with the record before and after (JSON, or empty).
type AuditEvent struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   *int64    `json:"actor_id"`
	Action    string    `json:"action"`
	SessionID *int64    `json:"session_id,omitempty"`
	UserID    *int64    `json:"user_id,omitempty"`
	Before    string    `json:"before,omitempty"`
	After     string    `json:"after,omitempty"`
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

// AuditEvents lists the newest audit events: all of them for admins; one
// session's for the trainers who run it, so they can read the day's story
// (who changed what, and why) without an admin.
func (s *Service) AuditEvents(ctx context.Context, a *auth.Actor, sessionID *int64, limit int) ([]AuditEvent, error) {
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
	rows, err := q.AuditEvents(sessionID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]AuditEvent, len(rows))
	for i, e := range rows {
		out[i] = AuditEvent{ID: e.ID, At: e.At, ActorID: e.ActorID, Action: e.Action, SessionID: e.SessionID,
			UserID: e.UserID, Before: e.Before, After: e.After}
	}
	return out, nil
}
