package schedule

import (
	"slices"
	"testing"

	"github.com/lectern-platform/lectern/internal/auth"
)

// TestToday_InTheSessionsOwnZone: at 23:30 UTC on 10 December, "today" is the
// 10th in Los Angeles, the 11th in Auckland and in Paris (00:30 there).
func TestToday_InTheSessionsOwnZone(t *testing.T) {
	w := newWorld(t)
	at := func(zone, date string) func(*SessionInput) {
		return func(in *SessionInput) { in.Timezone, in.Date = ptr(zone), ptr(date) }
	}
	// Starts (UTC): LA 10th 17:00, Auckland 11th 09:00 = 10th 20:00, Paris 11th 08:00.
	la := w.session(5, at("America/Los_Angeles", "2026-12-10"))
	auckland := w.session(5, at("Pacific/Auckland", "2026-12-11"))
	parisTomorrow := w.session(5, at("Europe/Paris", "2026-12-11"))
	parisToday := w.session(5, at("Europe/Paris", "2026-12-10"))        // yesterday there already
	aucklandToday := w.session(5, at("Pacific/Auckland", "2026-12-10")) // yesterday there
	cancelled := w.session(5, at("Europe/Paris", "2026-12-11"))
	full := w.session(1, at("Europe/Paris", "2026-12-11"))
	notEnrolled := w.session(5, at("Europe/Paris", "2026-12-11")) // open to the agency

	o := w.officerA
	for _, s := range []*Session{la, auckland, parisTomorrow, parisToday, aucklandToday, cancelled} {
		w.enroll(s.ID, o)
	}
	w.enroll(full.ID, w.officerB)
	w.enroll(full.ID, o) // waitlisted
	if _, err := w.svc.CancelSession(w.ctx, w.trainer, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	w.closeSession(la.ID) // closed today: its certificates are there

	w.setClock(utc(23, 30, 0))
	ids := func(a *auth.Actor) []int64 {
		t.Helper()
		list, err := w.svc.Today(w.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, v := range list {
			out = append(out, v.ID)
		}
		return out
	}
	t.Run("Officer", func(t *testing.T) {
		if got, want := ids(o), []int64{la.ID, auckland.ID, parisTomorrow.ID}; !slices.Equal(got, want) {
			t.Errorf("officer's today %v, want %v (earliest first)", got, want)
		}
	})
	t.Run("Trainer", func(t *testing.T) {
		want := []int64{la.ID, auckland.ID, parisTomorrow.ID, full.ID, notEnrolled.ID}
		if got := ids(w.trainer); !slices.Equal(got, want) {
			t.Errorf("trainer's today %v, want %v", got, want)
		}
		if got := ids(w.otherTrainer); len(got) != 0 {
			t.Errorf("a trainer of no session has %v today", got)
		}
	})
	t.Run("OtherRolesHaveNoDay", func(t *testing.T) {
		for _, a := range []*auth.Actor{w.admin, w.coordA, nil} {
			if got := ids(a); len(got) != 0 {
				t.Errorf("%v has %v today", a, got)
			}
		}
	})
}
