package schedule

import (
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

// utc is a time on the session day, 2026-12-10 (Paris is UTC+1 then).
func utc(hour, min, sec int) time.Time { return time.Date(2026, 12, 10, hour, min, sec, 0, time.UTC) }

// TestCheckIn_Windows walks the session day, 09:00–17:00 in Paris (08:00–16:00
// UTC): the room opens an hour before the start, an officer is late after
// start + 15 min, and it shuts at the end.
func TestCheckIn_Windows(t *testing.T) {
	w := newWorld(t)
	s := w.session(50, nil)
	code := func() string {
		t.Helper()
		c, err := w.svc.CurrentCode(w.ctx, w.trainer, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Code
	}
	enrolled := func(name string) *auth.Actor {
		o := w.officer(w.agencyA, name)
		w.enroll(s.ID, o)
		return o
	}

	for _, c := range []struct {
		name   string
		at     time.Time
		status string // "" when refused
	}{
		{"BeforeTheRoomOpens", utc(6, 59, 59), ""},
		{"AsTheRoomOpens", utc(7, 0, 0), "present"},
		{"AtTheStart", utc(8, 0, 0), "present"},
		{"FifteenMinutesIn", utc(8, 15, 0), "present"},
		{"AfterFifteenMinutes", utc(8, 15, 1), "late"},
		{"LastSecond", utc(15, 59, 59), "late"},
		{"AtTheEnd", utc(16, 0, 0), ""},
		{"TheNextDay", utc(32, 0, 0), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := enrolled(c.name)
			w.setClock(c.at)
			row, err := w.svc.CheckIn(w.ctx, o, s.ID, code())
			if c.status == "" {
				wantCode(t, err, apperr.CodeConflict, "check-in at "+c.at.Format(time.TimeOnly))
				return
			}
			if err != nil || row.Status != c.status || row.Source != "checkin" {
				t.Errorf("check-in at %s: %+v, %v; want %s", c.at.Format(time.TimeOnly), row, err, c.status)
			}
		})
	}

	t.Run("Codes", func(t *testing.T) {
		o := enrolled("Code Typist")
		w.setClock(utc(7, 30, 10))
		first := code()
		w.setClock(utc(7, 30, 40))
		if code() == first {
			t.Fatal("the code did not rotate after 30 s")
		}
		_, err := w.svc.CheckIn(w.ctx, o, s.ID, "not a code")
		wantCode(t, err, apperr.CodeInvalid, "a wrong code")
		w.setClock(utc(7, 31, 0)) // two slots on: the first code has expired
		_, err = w.svc.CheckIn(w.ctx, o, s.ID, first)
		wantCode(t, err, apperr.CodeInvalid, "an expired code")
		w.setClock(utc(7, 30, 59)) // the previous slot's code is still taken
		row, err := w.svc.CheckIn(w.ctx, o, s.ID, " "+first[:3]+" "+first[3:]+" ")
		if err != nil || row.Status != "present" {
			t.Fatalf("the previous code, typed with spaces: %+v, %v", row, err)
		}
		// Checking in again keeps the first time, even once late.
		w.setClock(utc(9, 0, 0))
		again, err := w.svc.CheckIn(w.ctx, o, s.ID, code())
		if err != nil || again.Status != "present" || again.MarkedAt != row.MarkedAt {
			t.Errorf("second check-in: %+v, %v; first %+v", again, err, row)
		}
	})

	t.Run("TenWrongCodesLockTheOfficerOut", func(t *testing.T) {
		o := enrolled("Guesser")
		w.setClock(utc(9, 0, 0))
		for range maxCheckinErrors {
			_, err := w.svc.CheckIn(w.ctx, o, s.ID, "000000x")
			wantCode(t, err, apperr.CodeInvalid, "a wrong code")
		}
		_, err := w.svc.CheckIn(w.ctx, o, s.ID, code())
		wantCode(t, err, apperr.CodeTooMany, "the right code after ten wrong ones")
		// The count is per officer: the one beside them is not locked out.
		if _, err := w.svc.CheckIn(w.ctx, enrolled("Neighbour"), s.ID, code()); err != nil {
			t.Errorf("another officer: %v", err)
		}
		// Wrong codes count for checkinErrWindow, the first instant included.
		w.setClock(utc(9, 0, 0).Add(checkinErrWindow))
		_, err = w.svc.CheckIn(w.ctx, o, s.ID, code())
		wantCode(t, err, apperr.CodeTooMany, "the right code as the window ends")
		w.setClock(utc(9, 0, 1).Add(checkinErrWindow))
		if _, err := w.svc.CheckIn(w.ctx, o, s.ID, code()); err != nil {
			t.Errorf("after the window of wrong codes: %v", err)
		}
	})

	t.Run("OnlyEnrolledOfficers", func(t *testing.T) {
		w.setClock(utc(9, 0, 0))
		_, err := w.svc.CheckIn(w.ctx, w.officer(w.agencyA, "Stranger"), s.ID, code())
		wantCode(t, err, apperr.CodeNotFound, "an officer not enrolled")
		full := w.session(1, nil)
		w.enroll(full.ID, w.officerA)
		waiting := w.officer(w.agencyA, "Waiting")
		w.enroll(full.ID, waiting)
		c, err := w.svc.CurrentCode(w.ctx, w.trainer, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.CheckIn(w.ctx, waiting, full.ID, c.Code)
		wantCode(t, err, apperr.CodeNotFound, "a waitlisted officer")
		_, err = w.svc.CheckIn(w.ctx, w.trainer, s.ID, code())
		wantCode(t, err, apperr.CodeForbidden, "a trainer checking in")
	})

	t.Run("TheCodeIsTheRoomsToShow", func(t *testing.T) {
		_, err := w.svc.CurrentCode(w.ctx, w.otherTrainer, s.ID)
		wantCode(t, err, apperr.CodeForbidden, "another session's trainer")
		_, err = w.svc.CurrentCode(w.ctx, w.officerA, s.ID)
		wantCode(t, err, apperr.CodeForbidden, "an officer")
		if _, err := w.svc.CurrentCode(w.ctx, w.admin, s.ID); err != nil {
			t.Errorf("admin: %v", err)
		}
		c, err := w.svc.CurrentCode(w.ctx, w.trainer, s.ID)
		if err != nil || len(c.Code) != 6 || !c.ExpiresAt.After(w.svc.Now()) || c.ExpiresAt.Sub(w.svc.Now()) > CodeRotation {
			t.Errorf("code %+v at %v, %v", c, w.svc.Now(), err)
		}
	})
}
