package schedule

import (
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
)

// The audit log is the admins'; a session's trainers read that session's.
func TestAudit_WhoReads(t *testing.T) {
	w := newWorld(t)
	s := w.session(5, nil)
	if events, err := w.svc.AuditEvents(w.ctx, w.trainer, &s.ID, 0); err != nil || len(events) != 1 || events[0].Action != "session.create" {
		t.Errorf("the session's trainer: %v, %v", events, err)
	}
	_, err := w.svc.AuditEvents(w.ctx, w.trainer, nil, 0)
	wantCode(t, err, apperr.CodeForbidden, "a trainer reading the whole log")
	_, err = w.svc.AuditEvents(w.ctx, w.otherTrainer, &s.ID, 0)
	wantCode(t, err, apperr.CodeForbidden, "a trainer of other sessions")
	_, err = w.svc.AuditEvents(w.ctx, w.coordA, &s.ID, 0)
	wantCode(t, err, apperr.CodeForbidden, "a coordinator")
	_, err = w.svc.AuditEvents(w.ctx, nil, &s.ID, 0)
	wantCode(t, err, apperr.CodeUnauthorized, "anonymous")
	if _, err := w.svc.AuditEvents(w.ctx, w.admin, nil, 0); err != nil {
		t.Errorf("admin: %v", err)
	}
}
