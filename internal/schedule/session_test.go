package schedule

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestSession_Visibility: admins and trainers see the whole programme;
// coordinators and officers the sessions open to their agency and any they are
// enrolled in; a session the actor may not see is not found, one they see but do
// not run is forbidden to manage.
func TestSession_Visibility(t *testing.T) {
	w := newWorld(t)
	open := w.session(10, nil)
	onlyA := w.session(10, func(in *SessionInput) { in.AgencyIDs = &[]int64{w.agencyA} })
	// An officer of B enrolled while the session was open to all keeps seeing it
	// once it is narrowed to agency A.
	enrolledB := w.officer(w.agencyB, "Enrolled B")
	narrowed := w.session(10, nil)
	w.enroll(narrowed.ID, enrolledB)
	if _, err := w.svc.UpdateSession(w.ctx, w.trainer, narrowed.ID, SessionInput{AgencyIDs: &[]int64{w.agencyA}}); err != nil {
		t.Fatal(err)
	}

	const (
		runs    = "runs"    // sees and manages
		sees    = "sees"    // sees, may not manage: forbidden
		notSeen = "notSeen" // not found either way
	)
	for _, c := range []struct {
		name                  string
		actor                 *auth.Actor
		open, onlyA, narrowed string
	}{
		{"Admin", w.admin, runs, runs, runs},
		{"TrainerOnTheSession", w.trainer, runs, runs, runs},
		{"TrainerOffTheSession", w.otherTrainer, sees, sees, sees},
		{"CoordinatorOfTheAgency", w.coordA, sees, sees, sees},
		{"CoordinatorOfAnotherAgency", w.coordB, sees, notSeen, notSeen},
		{"OfficerOfTheAgency", w.officerA, sees, sees, sees},
		{"OfficerOfAnotherAgency", w.officerB, sees, notSeen, notSeen},
		{"OfficerEnrolledBefore", enrolledB, sees, notSeen, sees},
	} {
		t.Run(c.name, func(t *testing.T) {
			var listed []int64
			list, err := w.svc.Sessions(w.ctx, c.actor, SessionQuery{})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range list {
				listed = append(listed, v.ID)
			}
			for _, s := range []struct {
				id   int64
				want string
			}{{open.ID, c.open}, {onlyA.ID, c.onlyA}, {narrowed.ID, c.narrowed}} {
				_, err := w.svc.Session(w.ctx, c.actor, s.id)
				_, code := w.svc.CurrentCode(w.ctx, c.actor, s.id) // a manager's read
				switch s.want {
				case runs:
					if err != nil || code != nil {
						t.Errorf("session %d: read %v, manage %v; want both", s.id, err, code)
					}
				case sees:
					if err != nil {
						t.Errorf("session %d: read %v", s.id, err)
					}
					wantCode(t, code, apperr.CodeForbidden, "managing a session one sees")
				case notSeen:
					wantCode(t, err, apperr.CodeNotFound, "reading a session one may not see")
					wantCode(t, code, apperr.CodeNotFound, "managing a session one may not see")
				}
				if slices.Contains(listed, s.id) != (s.want != notSeen) {
					t.Errorf("session %d listed: %v, want %s", s.id, slices.Contains(listed, s.id), s.want)
				}
			}
		})
	}
	t.Run("Anonymous", func(t *testing.T) {
		_, err := w.svc.Session(w.ctx, nil, open.ID)
		wantCode(t, err, apperr.CodeUnauthorized, "anonymous read")
		_, err = w.svc.Sessions(w.ctx, nil, SessionQuery{})
		wantCode(t, err, apperr.CodeUnauthorized, "anonymous list")
	})
	t.Run("UnknownID", func(t *testing.T) {
		_, err := w.svc.Session(w.ctx, w.admin, 999999)
		wantCode(t, err, apperr.CodeNotFound, "an unknown session")
	})
}

func TestSession_CancelAndClose(t *testing.T) {
	w := newWorld(t)

	t.Run("Cancel", func(t *testing.T) {
		s := w.session(1, nil)
		w.enroll(s.ID, w.officerA)
		w.enroll(s.ID, w.officerB) // waitlisted
		for _, a := range []*auth.Actor{w.otherTrainer, w.coordA, w.officerA} {
			_, err := w.svc.CancelSession(w.ctx, a, s.ID)
			wantCode(t, err, apperr.CodeForbidden, "cancelling as "+string(a.Role)+" off the session")
		}
		v, err := w.svc.CancelSession(w.ctx, w.trainer, s.ID)
		if err != nil || v.Status != StatusCancelled || v.Sequence != s.Sequence+1 {
			t.Fatalf("cancel: %+v, %v", v, err)
		}
		again, err := w.svc.CancelSession(w.ctx, w.trainer, s.ID)
		if err != nil || again.Status != StatusCancelled || again.Sequence != v.Sequence {
			t.Errorf("cancelling twice: %+v, %v", again, err)
		}
		if n := w.auditActions(s.ID)["session.cancel"]; n != 1 {
			t.Errorf("%d cancellations audited", n)
		}
		_, err = w.svc.UpdateSession(w.ctx, w.trainer, s.ID, SessionInput{Capacity: ptr(5)})
		wantCode(t, err, apperr.CodeConflict, "changing a cancelled session")
		_, _, err = w.svc.Enroll(w.ctx, w.trainer, s.ID, EnrollmentInput{UserID: w.officer(w.agencyA, "Late Comer").UserID})
		wantCode(t, err, apperr.CodeConflict, "enrolling in a cancelled session")
		_, err = w.svc.CurrentCode(w.ctx, w.trainer, s.ID)
		wantCode(t, err, apperr.CodeConflict, "a check-in code for a cancelled session")
		w.setClock(utc(9, 0, 0))
		_, err = w.svc.CheckIn(w.ctx, w.officerA, s.ID, "123456")
		wantCode(t, err, apperr.CodeConflict, "checking in to a cancelled session")
		w.setClock(worldStart)
		// Officers may still leave a cancelled session; its waitlist stays put.
		if err := w.svc.Unenroll(w.ctx, w.trainer, s.ID, w.officerA.UserID); err != nil {
			t.Fatal(err)
		}
		if got := w.statuses(s.ID); len(got) != 1 || got[w.officerB.UserID] != "waitlisted 1" {
			t.Errorf("after leaving a cancelled session: %v", got)
		}
	})
	t.Run("Closed", func(t *testing.T) {
		s := w.session(5, nil)
		w.enroll(s.ID, w.officerA)
		w.closeSession(s.ID)
		_, err := w.svc.CancelSession(w.ctx, w.trainer, s.ID)
		wantCode(t, err, apperr.CodeConflict, "cancelling a closed session")
		_, err = w.svc.UpdateSession(w.ctx, w.trainer, s.ID, SessionInput{Venue: ptr("Salle 2")})
		wantCode(t, err, apperr.CodeConflict, "changing a closed session")
		_, _, err = w.svc.Enroll(w.ctx, w.trainer, s.ID, EnrollmentInput{UserID: w.officerB.UserID})
		wantCode(t, err, apperr.CodeConflict, "enrolling in a closed session")
		wantCode(t, w.svc.Unenroll(w.ctx, w.trainer, s.ID, w.officerA.UserID), apperr.CodeConflict, "leaving a closed session")
		_, err = w.svc.CurrentCode(w.ctx, w.trainer, s.ID)
		wantCode(t, err, apperr.CodeConflict, "a check-in code for a closed session")
		// The trainer can still correct the sheet of a closed day.
		if _, err := w.svc.MarkAttendance(w.ctx, w.trainer, s.ID, w.officerA.UserID, "excused"); err != nil {
			t.Errorf("marking a closed session: %v", err)
		}
		if v, err := w.svc.Session(w.ctx, w.officerA, s.ID); err != nil || v.Status != StatusClosed || v.Enrolled != 1 {
			t.Errorf("closed session: %+v, %v", v, err)
		}
	})
	t.Run("InProgressBetweenStartAndEnd", func(t *testing.T) {
		s := w.session(5, nil)
		for _, c := range []struct {
			at   time.Time
			want string
		}{{utc(7, 59, 59), StatusScheduled}, {utc(8, 0, 0), StatusInProgress}, {utc(15, 59, 59), StatusInProgress}, {utc(16, 0, 0), StatusScheduled}} {
			w.setClock(c.at)
			v, err := w.svc.Session(w.ctx, w.trainer, s.ID)
			if err != nil || v.Status != c.want {
				t.Errorf("at %s: %+v, %v; want %s", c.at.Format(time.TimeOnly), v, err, c.want)
			}
			list, err := w.svc.Sessions(w.ctx, w.trainer, SessionQuery{Status: StatusInProgress})
			if err != nil || (len(list) == 1) != (c.want == StatusInProgress) {
				t.Errorf("at %s, %d in progress (%v)", c.at.Format(time.TimeOnly), len(list), err)
			}
		}
		w.setClock(worldStart)
	})
}

// TestSession_PastIsJudgedInTheSessionsZone: at 23:30 UTC on 10 December it is
// already the 11th in Auckland and still the 10th in Los Angeles.
func TestSession_PastIsJudgedInTheSessionsZone(t *testing.T) {
	w := newWorld(t)
	w.setClock(utc(23, 30, 0))
	in := func(zone, date string) SessionInput {
		return SessionInput{Course: ptr(testCourse), Date: ptr(date), Start: ptr("09:00"), End: ptr("17:00"),
			Timezone: ptr(zone), Venue: ptr("Hall"), City: ptr("City"), Country: ptr("NZ"), Capacity: ptr(10)}
	}
	_, err := w.svc.CreateSession(w.ctx, w.trainer, in("Pacific/Auckland", "2026-12-10"))
	wantCode(t, err, apperr.CodeInvalid, "yesterday in Auckland")
	for _, c := range [][2]string{{"Pacific/Auckland", "2026-12-11"}, {"America/Los_Angeles", "2026-12-10"}} {
		v, err := w.svc.CreateSession(w.ctx, w.trainer, in(c[0], c[1]))
		if err != nil {
			t.Errorf("%s on %s: %v", c[0], c[1], err)
			continue
		}
		if want := map[string]string{"Pacific/Auckland": "+13:00", "America/Los_Angeles": "-08:00"}[c[0]]; v.UTCOffset != want {
			t.Errorf("%s: offset %s, want %s", c[0], v.UTCOffset, want)
		}
	}
}

// TestSession_UpdateOnItsOwnConnection_PostgreSQL: changing a session's
// trainers and agencies checks them inside the update's transaction, on its
// connection. Read through the pool instead, the check waited for a second
// connection that a burst of updates (here: everything else holding the pool)
// never gives back.
func TestSession_UpdateOnItsOwnConnection_PostgreSQL(t *testing.T) {
	w := newWorldOn(t, testfixture.PostgresDSN(t))
	s := w.session(10, nil)
	testfixture.OneConnectionLeft(t, w.db)
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	out, err := w.svc.UpdateSession(ctx, w.trainer, s.ID, SessionInput{
		TrainerIDs: &[]int64{w.trainer.UserID, w.otherTrainer.UserID}, AgencyIDs: &[]int64{w.agencyA}})
	if err != nil {
		t.Fatalf("update with one connection left: %v", err)
	}
	if !slices.Equal(out.TrainerIDs, []int64{w.trainer.UserID, w.otherTrainer.UserID}) || !slices.Equal(out.AgencyIDs, []int64{w.agencyA}) {
		t.Errorf("trainers %v, agencies %v after the update", out.TrainerIDs, out.AgencyIDs)
	}
	_, err = w.svc.UpdateSession(ctx, w.trainer, s.ID, SessionInput{AgencyIDs: &[]int64{w.agencyA + 1000}})
	wantCode(t, err, apperr.CodeInvalid, "an unknown agency, with one connection left")
}
