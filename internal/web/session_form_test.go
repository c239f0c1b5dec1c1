package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/schedule"
)

// TestSessions_ListCaps is issue 17's finding 14: a session's trainer_ids and
// agency_ids are capped (422 naming the field and the cap, nothing changed),
// on create and update alike, and repeated ids count once.
func TestSessions_ListCaps(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	trainer := ts.token(t, w.trainer)
	s := w.createSession(t, 30, nil)
	url := fmt.Sprintf("/api/v1/sessions/%d", s.ID)
	ids := func(n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(i + 1)
		}
		return out
	}
	refused := func(what string, res *http.Response, body, field string, limit int) {
		t.Helper()
		e := decode[struct {
			Error struct {
				Details []struct{ Field, Message string }
			}
		}](t, body)
		if res.StatusCode != 422 || len(e.Error.Details) != 1 || e.Error.Details[0].Field != field || !strings.Contains(e.Error.Details[0].Message, fmt.Sprintf("at most %d", limit)) {
			t.Errorf("%s: %d %.300s", what, res.StatusCode, body)
		}
	}
	for _, c := range []struct {
		field string
		limit int
	}{{"trainer_ids", schedule.MaxSessionTrainers}, {"agency_ids", schedule.MaxSessionAgencies}} {
		res, body := ts.api(t, trainer, "PATCH", url, map[string]any{c.field: ids(40000)})
		refused("PATCH 40,000 "+c.field, res, body, c.field, c.limit)
		res, body = ts.api(t, trainer, "PATCH", url, map[string]any{c.field: ids(c.limit + 1)})
		refused(fmt.Sprintf("PATCH %d %s", c.limit+1, c.field), res, body, c.field, c.limit)
		res, body = ts.api(t, trainer, "POST", "/api/v1/sessions", sessionBody(10, map[string]any{c.field: ids(c.limit + 1)}))
		refused(fmt.Sprintf("create with %d %s", c.limit+1, c.field), res, body, c.field, c.limit)
	}
	if _, body := ts.api(t, trainer, "GET", url, nil); decode[schedule.Session](t, body).Sequence != s.Sequence {
		t.Errorf("a refused update changed the session: %s", body)
	}
	// Repeats count once: 60 times the same trainer is one trainer, within the cap.
	trainerID := w.idOf(t, w.trainer)
	repeated := slices.Repeat([]int64{trainerID}, 60)
	agencies := []int64{w.agencyA.ID, w.agencyB.ID, w.agencyA.ID, w.agencyA.ID}
	res, body := ts.api(t, trainer, "PATCH", url, map[string]any{"trainer_ids": repeated, "agency_ids": agencies})
	got := decode[schedule.Session](t, body)
	if res.StatusCode != 200 || !slices.Equal(got.TrainerIDs, []int64{trainerID}) || !slices.Equal(got.AgencyIDs, []int64{w.agencyA.ID, w.agencyB.ID}) {
		t.Errorf("repeated ids: %d %s", res.StatusCode, body)
	}
	res, body = ts.api(t, trainer, "POST", "/api/v1/sessions", sessionBody(10, map[string]any{"trainer_ids": repeated}))
	if res.StatusCode != 201 || !slices.Equal(decode[schedule.Session](t, body).TrainerIDs, []int64{trainerID}) {
		t.Errorf("create with repeated trainer ids: %d %s", res.StatusCode, body)
	}
}
