package schedule

import (
	"context"
	"errors"
	"slices"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// AttendanceRow is one enrolled officer on the attendance sheet.
type AttendanceRow struct {
	UserID   int64  `json:"user_id"`
	Name     string `json:"name"`
	AgencyID *int64 `json:"agency_id"`
	Status   string `json:"status"` // present | late | absent | excused | unmarked
	Source   string `json:"source,omitempty"`
	MarkedAt string `json:"marked_at,omitempty"`
}

// MarkAttendance records an officer's attendance (the session's trainers and admins).
func (s *Service) MarkAttendance(ctx context.Context, a *auth.Actor, sessionID, userID int64, status string) (*AttendanceRow, error) {
	if !slices.Contains(AttendanceStatuses, status) {
		return nil, apperr.Invalid("status", "err.attendance.status")
	}
	var out *AttendanceRow
	err := s.db.Tx(ctx, func(q store.Q) error {
		ts, err := Managed(q, a, sessionID, true)
		if err != nil {
			return err
		}
		if ts.Status == store.SessionCancelled {
			return apperr.Conflict("err.session.cancelled")
		}
		e, err := q.Enrollment(sessionID, userID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && e.Status != store.Enrolled) {
			return apperr.NotFound("enrolled_officer")
		} else if err != nil {
			return err
		}
		out, err = s.mark(q, a, ts.ID, e, store.AttendanceStatus(status), store.ByTrainer)
		return err
	})
	return out, err
}

// mark writes an attendance status and audits the change.
func (s *Service) mark(q store.Q, a *auth.Actor, sessionID int64, e *store.Enrollment, status store.AttendanceStatus, source store.AttendanceSource) (*AttendanceRow, error) {
	var before any
	if old, err := q.Attendance(sessionID, e.UserID); err == nil {
		if old.Status == status {
			return attendanceRow(e, old), nil
		}
		before = map[string]any{"status": old.Status, "source": old.Source}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	rec := &store.Attendance{SessionID: sessionID, UserID: e.UserID, Status: status, Source: source, MarkedBy: a.UserID, MarkedAt: s.Now()}
	if err := q.SaveAttendance(rec); err != nil {
		return nil, err
	}
	if err := s.audit(q, a, "attendance."+string(source), &sessionID, &e.UserID, before, map[string]any{"status": status, "source": source}); err != nil {
		return nil, err
	}
	return attendanceRow(e, rec), nil
}

// Attended reports an officer who was there, on time or late
// (store.AttendanceStatus.Attended).
func (r *AttendanceRow) Attended() bool { return store.AttendanceStatus(r.Status).Attended() }

func attendanceRow(e *store.Enrollment, rec *store.Attendance) *AttendanceRow {
	row := &AttendanceRow{UserID: e.UserID, Status: string(store.Unmarked)}
	if e.User != nil {
		row.Name, row.AgencyID = e.User.Name, e.User.AgencyID
	}
	if rec != nil {
		row.Status, row.Source, row.MarkedAt = string(rec.Status), string(rec.Source), rec.MarkedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	return row
}

// Attendance lists the sheet within the actor's scope (as Enrollments).
func (s *Service) Attendance(ctx context.Context, a *auth.Actor, sessionID int64) ([]*AttendanceRow, error) {
	q := s.db.Read(ctx)
	if _, err := Visible(q, a, sessionID, false); err != nil {
		return nil, err
	}
	var scope *int64
	switch a.Role {
	case auth.RoleAdmin, auth.RoleTrainer:
	case auth.RoleCoordinator:
		scope = a.AgencyScope()
	default:
		scope = ptr(int64(-1)) // officers: only their own row, below
	}
	var list []store.Enrollment
	var err error
	if a.Role == auth.RoleOfficer {
		if e, err := q.Enrollment(sessionID, a.UserID); err == nil {
			list = []store.Enrollment{*e}
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	} else if list, err = q.Enrollments(sessionID, scope); err != nil {
		return nil, err
	}
	marks, err := q.Attendances(sessionID, nil)
	if err != nil {
		return nil, err
	}
	byUser := map[int64]*store.Attendance{}
	for i := range marks {
		byUser[marks[i].UserID] = &marks[i]
	}
	out := []*AttendanceRow{}
	for i := range list {
		if list[i].Status != store.Enrolled {
			continue
		}
		out = append(out, attendanceRow(&list[i], byUser[list[i].UserID]))
	}
	return out, nil
}
