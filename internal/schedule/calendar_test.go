package schedule

import (
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
)

// An officer's feed holds the sessions they are enrolled or waitlisted in,
// cancellations included, not every session open to their agency; a replaced
// link stops working.
func TestCalendar_Feed(t *testing.T) {
	w := newWorld(t)
	enrolled := w.session(5, nil)
	cancelled := w.session(5, nil)
	w.session(5, nil) // open to the agency, not enrolled in
	w.enroll(enrolled.ID, w.officerA)
	w.enroll(cancelled.ID, w.officerA)
	if _, err := w.svc.CancelSession(w.ctx, w.trainer, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	token, err := w.svc.CalendarToken(w.ctx, w.officerA)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := w.svc.CalendarToken(w.ctx, w.officerA); err != nil || again != token {
		t.Errorf("the token changed on its second read: %v", err)
	}
	feed, err := w.svc.Feed(w.ctx, token, "https://lectern.example")
	if err != nil {
		t.Fatal(err)
	}
	ics := string(feed)
	if n := strings.Count(ics, "BEGIN:VEVENT"); n != 2 || strings.Count(ics, "STATUS:CANCELLED") != 1 {
		t.Errorf("feed holds %d events:\n%s", n, ics)
	}
	fresh, err := w.svc.NewCalendarToken(w.ctx, w.officerA)
	if err != nil || fresh == token {
		t.Fatalf("new token: %v", err)
	}
	_, err = w.svc.Feed(w.ctx, token, "https://lectern.example")
	wantCode(t, err, apperr.CodeNotFound, "the replaced link")
	_, err = w.svc.Feed(w.ctx, "short", "https://lectern.example")
	wantCode(t, err, apperr.CodeNotFound, "a made-up link")
}
