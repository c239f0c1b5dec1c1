package schedule

import (
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

// mark records an officer's attendance as w.trainer.
func (w *world) mark(sessionID int64, officer *auth.Actor, status string) {
	w.t.Helper()
	if _, err := w.svc.MarkAttendance(w.ctx, w.trainer, sessionID, officer.UserID, status); err != nil {
		w.t.Fatalf("mark %d %s: %v", officer.UserID, status, err)
	}
}

func TestAttendance_Mark(t *testing.T) {
	w := newWorld(t)
	s := w.session(1, func(in *SessionInput) { in.AgencyIDs = &[]int64{w.agencyA} })
	w.enroll(s.ID, w.officerA)
	waiting := w.officer(w.agencyA, "Waiting")
	w.enroll(s.ID, waiting)
	w.setClock(utc(9, 0, 0))

	t.Run("TheSessionsTrainersAndAdminsMark", func(t *testing.T) {
		for _, status := range []string{"present", "late", "absent", "excused"} {
			row, err := w.svc.MarkAttendance(w.ctx, w.trainer, s.ID, w.officerA.UserID, status)
			if err != nil || row.Status != status || row.Source != "trainer" || row.Name != "Officer A" {
				t.Errorf("mark %s: %+v, %v", status, row, err)
			}
		}
		if row, err := w.svc.MarkAttendance(w.ctx, w.admin, s.ID, w.officerA.UserID, "present"); err != nil || row.Status != "present" {
			t.Errorf("admin marks: %+v, %v", row, err)
		}
		_, err := w.svc.MarkAttendance(w.ctx, w.trainer, s.ID, w.officerA.UserID, "asleep")
		wantCode(t, err, apperr.CodeInvalid, "an unknown status")
	})
	t.Run("EveryoneElseIsRefused", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			actor *auth.Actor
			code  apperr.Code
		}{
			{"TrainerOfOtherSessions", w.otherTrainer, apperr.CodeForbidden},
			{"Coordinator", w.coordA, apperr.CodeForbidden},
			{"CoordinatorOfAnotherAgency", w.coordB, apperr.CodeNotFound},
			{"Officer", w.officerA, apperr.CodeForbidden},
			{"OfficerOfAnotherAgency", w.officerB, apperr.CodeNotFound},
			{"Anonymous", nil, apperr.CodeUnauthorized},
		} {
			_, err := w.svc.MarkAttendance(w.ctx, c.actor, s.ID, w.officerA.UserID, "absent")
			wantCode(t, err, c.code, c.name)
		}
	})
	t.Run("OnlyEnrolledOfficers", func(t *testing.T) {
		_, err := w.svc.MarkAttendance(w.ctx, w.trainer, s.ID, waiting.UserID, "present")
		wantCode(t, err, apperr.CodeNotFound, "a waitlisted officer")
		_, err = w.svc.MarkAttendance(w.ctx, w.trainer, s.ID, w.officerB.UserID, "present")
		wantCode(t, err, apperr.CodeNotFound, "an officer not enrolled")
	})
	t.Run("OnlyChangesAreAudited", func(t *testing.T) {
		before := w.auditActions(s.ID)["attendance.trainer"]
		w.mark(s.ID, w.officerA, "present") // already present
		if n := w.auditActions(s.ID)["attendance.trainer"]; n != before {
			t.Errorf("marking the same status again was audited (%d → %d)", before, n)
		}
		w.mark(s.ID, w.officerA, "excused")
		if n := w.auditActions(s.ID)["attendance.trainer"]; n != before+1 {
			t.Errorf("a correction was not audited (%d → %d)", before, n)
		}
	})
	t.Run("TheSheetIsScoped", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			actor *auth.Actor
			want  int
		}{{"Trainer", w.trainer, 1}, {"CoordinatorA", w.coordA, 1}, {"OfficerA", w.officerA, 1}, {"Waitlisted", waiting, 0}} {
			rows, err := w.svc.Attendance(w.ctx, c.actor, s.ID)
			if err != nil || len(rows) != c.want {
				t.Errorf("%s: %d rows (%v), want %d", c.name, len(rows), err, c.want)
			}
		}
		_, err := w.svc.Attendance(w.ctx, w.coordB, s.ID)
		wantCode(t, err, apperr.CodeNotFound, "coordinator of an agency the session is not open to")
	})
	t.Run("NotOnACancelledSession", func(t *testing.T) {
		if _, err := w.svc.CancelSession(w.ctx, w.trainer, s.ID); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.MarkAttendance(w.ctx, w.trainer, s.ID, w.officerA.UserID, "absent")
		wantCode(t, err, apperr.CodeConflict, "marking a cancelled session")
	})
}

func TestAttendance_UnmarkedUntilMarked(t *testing.T) {
	w := newWorld(t)
	s := w.session(5, nil)
	w.enroll(s.ID, w.officerA)
	w.enroll(s.ID, w.officerB)
	w.mark(s.ID, w.officerB, "late")
	rows, err := w.svc.Attendance(w.ctx, w.trainer, s.ID)
	if err != nil || len(rows) != 2 {
		t.Fatalf("sheet: %v, %v", rows, err)
	}
	got := map[int64]string{rows[0].UserID: rows[0].Status, rows[1].UserID: rows[1].Status}
	if got[w.officerA.UserID] != "unmarked" || got[w.officerB.UserID] != "late" {
		t.Errorf("sheet statuses %v", got)
	}
	// Coordinator B sees only agency B's officer.
	rows, err = w.svc.Attendance(w.ctx, w.coordB, s.ID)
	if err != nil || len(rows) != 1 || rows[0].UserID != w.officerB.UserID {
		t.Errorf("coordinator B's sheet: %+v, %v", rows, err)
	}
}
