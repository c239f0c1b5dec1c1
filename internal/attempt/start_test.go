package attempt

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestStart_ViewIsWhatGetReads: a start answers the new attempt's view from
// what it has in hand, without reading it back; that view must be the one a
// Get reads from the database (server time apart), on either database.
func TestStart_ViewIsWhatGetReads(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testStartViewIsWhatGetReads(t, testfixture.SQLite(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { testStartViewIsWhatGetReads(t, testfixture.PostgresDSN(t)) })
}

func testStartViewIsWhatGetReads(t *testing.T, dsn string) {
	ctx := context.Background()
	w := newStartWorld(t, dsn, 2)
	for i, lang := range []string{"", "fr"} {
		o := w.officers[i]
		started, created, err := w.svc.StartIn(ctx, o, w.session, "01-blockchain", lang, false)
		if err != nil || !created {
			t.Fatalf("start (%q): %v, created %v", lang, err, created)
		}
		got, err := w.svc.Get(ctx, o, started.ID)
		if err != nil {
			t.Fatal(err)
		}
		again, created, err := w.svc.StartIn(ctx, o, w.session, "01-blockchain", lang, false)
		if err != nil || created {
			t.Fatalf("second start (%q): %v, created %v", lang, err, created)
		}
		if len(started.Questions) != 15 || started.QuizTitle == "" {
			t.Fatalf("start view (%q): %d questions, title %q", lang, len(started.Questions), started.QuizTitle)
		}
		for _, v := range []*View{started, got, again} {
			v.ServerTime = started.ServerTime
		}
		a, _ := json.Marshal(started)
		b, _ := json.Marshal(got)
		c, _ := json.Marshal(again)
		if string(a) != string(b) || string(a) != string(c) {
			t.Errorf("start (%q) answered\n%s\nGet reads\n%s\nthe second start\n%s", lang, a, b, c)
		}
	}
}
