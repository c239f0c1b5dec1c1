package schedule

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// statuses maps each officer on a session's list (as the admin sees it) to their
// status and, when waitlisted, position.
func (w *world) statuses(sessionID int64) map[int64]string {
	w.t.Helper()
	list, err := w.svc.Enrollments(w.ctx, w.admin, sessionID)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[int64]string{}
	for _, e := range list {
		out[e.UserID] = e.Status
		if e.Position != nil {
			out[e.UserID] = fmt.Sprintf("%s %d", e.Status, *e.Position)
		}
	}
	return out
}

func TestEnrollment_WaitlistPromotion(t *testing.T) {
	w := newWorld(t)
	s := w.session(1, nil)
	a1, a2 := w.officerA, w.officer(w.agencyA, "Officer A2")

	e, created, err := w.svc.Enroll(w.ctx, w.coordA, s.ID, EnrollmentInput{UserID: a1.UserID, ExtraTimePercent: ptr(25)})
	if err != nil || !created || e.Status != Enrolled || e.Position != nil || e.ExtraTimePercent != 25 {
		t.Fatalf("coordinator enrols their officer: %+v, created %v, %v", e, created, err)
	}
	// Full: the officer enrolling themself goes onto the waitlist, first.
	e, created, err = w.svc.Enroll(w.ctx, w.officerB, s.ID, EnrollmentInput{UserID: w.officerB.UserID})
	if err != nil || !created || e.Status != Waitlisted || e.Position == nil || *e.Position != 1 {
		t.Fatalf("self-enrolment into a full session: %+v, created %v, %v", e, created, err)
	}
	w.enroll(s.ID, a2)

	t.Run("EnrollingTwiceAnswersTheExistingPlace", func(t *testing.T) {
		e, created, err := w.svc.Enroll(w.ctx, w.officerB, s.ID, EnrollmentInput{UserID: w.officerB.UserID})
		if err != nil || created || e.Status != Waitlisted || *e.Position != 1 {
			t.Errorf("second enrolment: %+v, created %v, %v", e, created, err)
		}
	})
	t.Run("OfficersCannotGrantThemselvesExtraTime", func(t *testing.T) {
		_, _, err := w.svc.Enroll(w.ctx, w.officerB, s.ID, EnrollmentInput{UserID: w.officerB.UserID, ExtraTimePercent: ptr(50)})
		wantCode(t, err, apperr.CodeForbidden, "officer granting extra time")
	})
	t.Run("NobodyActsForAnotherAgencysOfficer", func(t *testing.T) {
		_, _, err := w.svc.Enroll(w.ctx, w.coordB, s.ID, EnrollmentInput{UserID: a1.UserID})
		wantCode(t, err, apperr.CodeNotFound, "coordinator B enrolling officer A")
		wantCode(t, w.svc.Unenroll(w.ctx, w.coordB, s.ID, a1.UserID), apperr.CodeNotFound, "coordinator B unenrolling officer A")
		_, _, err = w.svc.Enroll(w.ctx, w.officerB, s.ID, EnrollmentInput{UserID: a1.UserID})
		wantCode(t, err, apperr.CodeNotFound, "officer B enrolling officer A")
	})
	if got, want := w.statuses(s.ID), map[int64]string{a1.UserID: "enrolled", w.officerB.UserID: "waitlisted 1", a2.UserID: "waitlisted 2"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("before the cancellation: %v, want %v", got, want)
	}

	t.Run("AFreedSeatGoesToTheHeadOfTheWaitlist", func(t *testing.T) {
		if err := w.svc.Unenroll(w.ctx, w.coordA, s.ID, a1.UserID); err != nil {
			t.Fatal(err)
		}
		if got, want := w.statuses(s.ID), map[int64]string{w.officerB.UserID: "enrolled", a2.UserID: "waitlisted 1"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after the cancellation: %v, want %v", got, want)
		}
		if n := w.auditActions(s.ID); n["enrollment.delete"] != 1 || n["enrollment.promote"] != 1 {
			t.Errorf("audit: %v", n)
		}
	})
	t.Run("LeavingTheWaitlistPromotesNobody", func(t *testing.T) {
		w.enroll(s.ID, a1) // back, behind a2
		if err := w.svc.Unenroll(w.ctx, w.trainer, s.ID, a2.UserID); err != nil {
			t.Fatal(err)
		}
		if got, want := w.statuses(s.ID), map[int64]string{w.officerB.UserID: "enrolled", a1.UserID: "waitlisted 1"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after a waitlisted officer left: %v, want %v", got, want)
		}
	})
	t.Run("RaisingTheCapacityPromotesInOrder", func(t *testing.T) {
		a3 := w.officer(w.agencyA, "Officer A3")
		a4 := w.officer(w.agencyA, "Officer A4")
		w.enroll(s.ID, a3)
		w.enroll(s.ID, a4)
		v, err := w.svc.UpdateSession(w.ctx, w.trainer, s.ID, SessionInput{Capacity: ptr(3)})
		if err != nil || v.Enrolled != 3 || v.Waitlisted != 1 {
			t.Fatalf("raise capacity: %+v, %v", v, err)
		}
		want := map[int64]string{w.officerB.UserID: "enrolled", a1.UserID: "enrolled", a3.UserID: "enrolled", a4.UserID: "waitlisted 1"}
		if got := w.statuses(s.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after raising the capacity: %v, want %v", got, want)
		}
		_, err = w.svc.UpdateSession(w.ctx, w.trainer, s.ID, SessionInput{Capacity: ptr(2)})
		wantCode(t, err, apperr.CodeInvalid, "lowering the capacity below those enrolled")
		if got := w.statuses(s.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("a refused change changed the list: %v", got)
		}
	})
	t.Run("ListsAreScoped", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			actor *auth.Actor
			want  int
		}{{"Admin", w.admin, 4}, {"Trainer", w.otherTrainer, 4}, {"CoordinatorA", w.coordA, 3}, {"CoordinatorB", w.coordB, 1}, {"Officer", w.officerB, 1}} {
			list, err := w.svc.Enrollments(w.ctx, c.actor, s.ID)
			if err != nil || len(list) != c.want {
				t.Errorf("%s sees %d enrolments (%v), want %d", c.name, len(list), err, c.want)
			}
			for _, e := range list {
				if c.actor.AgencyID != nil && (e.AgencyID == nil || *e.AgencyID != *c.actor.AgencyID) {
					t.Errorf("%s sees officer %d of another agency", c.name, e.UserID)
				}
			}
		}
	})
}

func TestEnrollment_OnlyOfficersOfAgenciesTheSessionIsOpenTo(t *testing.T) {
	w := newWorld(t)
	onlyA := w.session(5, func(in *SessionInput) { in.AgencyIDs = &[]int64{w.agencyA} })
	_, _, err := w.svc.Enroll(w.ctx, w.trainer, onlyA.ID, EnrollmentInput{UserID: w.officerB.UserID})
	wantCode(t, err, apperr.CodeInvalid, "enrolling agency B's officer in a session open to A")
	_, _, err = w.svc.Enroll(w.ctx, w.trainer, onlyA.ID, EnrollmentInput{UserID: w.coordA.UserID})
	wantCode(t, err, apperr.CodeInvalid, "enrolling a coordinator")
	_, _, err = w.svc.Enroll(w.ctx, w.otherTrainer, onlyA.ID, EnrollmentInput{UserID: w.officerA.UserID})
	wantCode(t, err, apperr.CodeForbidden, "a trainer enrolling into a session they do not run")
	_, _, err = w.svc.Enroll(w.ctx, w.trainer, onlyA.ID, EnrollmentInput{UserID: w.officerA.UserID, ExtraTimePercent: ptr(301)})
	wantCode(t, err, apperr.CodeInvalid, "extra time over 300 %")
	if got := w.statuses(onlyA.ID); len(got) != 0 {
		t.Errorf("refused enrolments left %v", got)
	}
}

func TestEnrollment_ExtraTime(t *testing.T) {
	w := newWorld(t)
	s := w.session(5, nil)
	w.enroll(s.ID, w.officerA)
	e, err := w.svc.SetExtraTime(w.ctx, w.coordA, s.ID, w.officerA.UserID, 50)
	if err != nil || e.ExtraTimePercent != 50 {
		t.Errorf("coordinator grants extra time: %+v, %v", e, err)
	}
	_, err = w.svc.SetExtraTime(w.ctx, w.coordA, s.ID, w.officerA.UserID, 301)
	wantCode(t, err, apperr.CodeInvalid, "more than 300 %")
	_, err = w.svc.SetExtraTime(w.ctx, w.officerA, s.ID, w.officerA.UserID, 50)
	wantCode(t, err, apperr.CodeForbidden, "an officer granting themself extra time")
	_, err = w.svc.SetExtraTime(w.ctx, w.coordB, s.ID, w.officerA.UserID, 50)
	wantCode(t, err, apperr.CodeNotFound, "another agency's coordinator")
	_, err = w.svc.SetExtraTime(w.ctx, w.otherTrainer, s.ID, w.officerA.UserID, 50)
	wantCode(t, err, apperr.CodeForbidden, "a trainer of other sessions")
	_, err = w.svc.SetExtraTime(w.ctx, w.trainer, s.ID, w.officerB.UserID, 50)
	wantCode(t, err, apperr.CodeNotFound, "an officer not enrolled")
	if n := w.auditActions(s.ID)["enrollment.extra_time"]; n != 1 {
		t.Errorf("%d extra-time changes audited, want 1", n)
	}
}

// TestEnrollment_CapacityRace: many officers enrolling at once into a session
// with one seat left; the count and the insert share one transaction, so exactly
// the capacity is seated and the rest queue in distinct places.
func TestEnrollment_CapacityRace(t *testing.T) { testCapacityRace(t, newWorld(t)) }

func TestEnrollment_CapacityRace_PostgreSQL(t *testing.T) {
	testCapacityRace(t, newWorldOn(t, testfixture.PostgresDSN(t)))
}

func testCapacityRace(t *testing.T, w *world) {
	const capacity, racers = 3, 30
	s := w.session(capacity, nil)
	w.enroll(s.ID, w.officerA)
	w.enroll(s.ID, w.officerB)
	officers := make([]*auth.Actor, racers)
	for i := range officers {
		officers[i] = w.officer(w.agencyA, fmt.Sprintf("Racer %d", i))
	}
	results := make([]*Enrollment, racers)
	var wg sync.WaitGroup
	for i, o := range officers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, created, err := w.svc.Enroll(w.ctx, o, s.ID, EnrollmentInput{UserID: o.UserID})
			if err != nil || !created {
				t.Errorf("racer %d: created %v, %v", i, created, err)
				return
			}
			results[i] = e
		}()
	}
	wg.Wait()
	seated, positions := 0, map[int]bool{}
	for _, e := range results {
		switch {
		case e == nil:
		case e.Status == Enrolled:
			seated++
		case e.Position != nil:
			positions[*e.Position] = true
		}
	}
	if seated != capacity-2 || len(positions) != racers-seated || !positions[1] || !positions[racers-seated] {
		t.Errorf("%d seated for %d seat(s); waitlist places %v", seated, capacity-2, positions)
	}
	v, err := w.svc.Session(w.ctx, w.admin, s.ID)
	if err != nil || v.Enrolled != capacity || v.Waitlisted != racers-1 {
		t.Errorf("session after the race: %+v, %v", v, err)
	}

	t.Run("OneOfficerManyTimes", func(t *testing.T) {
		o := w.officer(w.agencyA, "Double Clicker")
		var created atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, c, err := w.svc.Enroll(w.ctx, o, s.ID, EnrollmentInput{UserID: o.UserID})
				if err != nil {
					t.Error(err)
				}
				if c {
					created.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := created.Load(); n != 1 {
			t.Errorf("ten enrolments of one officer at once created %d places", n)
		}
	})
}
