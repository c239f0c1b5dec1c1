package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/store"
)

// reportNames are the reports under /api/v1/reports/: the role matrix
// walks each.
var reportNames = []string{"trained", "certified", "attendance", "quizzes", "questions", "certificates"}

// TestReportsAPI_QuestionsAgreeWithAnalysis: the programme report's facility
// of each question, over attempts submitted through the API, is the session's
// item analysis' (same attempts, same definition); attempts whose item scores
// were never stored (finalised before they were kept) count again once
// BackfillItemScores has scored them.
func TestReportsAPI_QuestionsAgreeWithAnalysis(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	a, b := qw.submitTwo(t)

	_, body := ts.api(t, qw.trainerTok, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/analysis", qw.sessionID), nil)
	an := decode[attempt.Analysis](t, body)
	admin := ts.token(t, qw.world.admin)
	questions := func() report.Questions {
		t.Helper()
		res, body := ts.api(t, admin, "GET", "/api/v1/reports/questions?course=secret", nil)
		if res.StatusCode != 200 {
			t.Fatalf("questions report: %d %s", res.StatusCode, body)
		}
		return decode[report.Questions](t, body)
	}
	agree := func(what string, rep report.Questions) {
		t.Helper()
		if len(rep.Questions) != len(an.Items) || len(an.Items) != 3 {
			t.Fatalf("%s: %d questions in the report, %d in the analysis: %+v", what, len(rep.Questions), len(an.Items), rep.Questions)
		}
		for _, it := range an.Items {
			found := false
			for _, q := range rep.Questions {
				if q.Course == "secret" && q.Quiz == "01-m" && q.Question == it.ID {
					found = true
					if math.Round(q.Facility*100)/100 != it.Facility || q.Responses != an.Submitted {
						t.Errorf("%s: question %s: facility %v over %d, analysis %v over %d", what, it.ID, q.Facility, q.Responses, it.Facility, an.Submitted)
					}
				}
			}
			if !found {
				t.Errorf("%s: question %s missing from the report", what, it.ID)
			}
		}
	}
	first := questions()
	agree("after submission", first)
	if first.Questions[0].Facility > first.Questions[len(first.Questions)-1].Facility {
		t.Errorf("not lowest facility first: %+v", first.Questions)
	}

	ctx := context.Background()
	if err := ts.DB.Tx(ctx, func(q store.Q) error {
		for _, id := range []int64{a.ID, b.ID} {
			if err := q.SetItemScores(id, nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := questions(); len(got.Questions) != 0 {
		t.Fatalf("without item scores the report still counts: %+v", got.Questions)
	}
	if n, err := ts.Server.app.Attempts.BackfillItemScores(ctx); err != nil || n != 2 {
		t.Fatalf("backfill: %d, %v", n, err)
	}
	again := questions()
	agree("after the backfill", again)
	if g, w := fmt.Sprint(again.Questions), fmt.Sprint(first.Questions); g != w {
		t.Errorf("backfilled %s, stored when submitted %s", g, w)
	}
	if n, err := ts.Server.app.Attempts.BackfillItemScores(ctx); err != nil || n != 0 {
		t.Errorf("second backfill: %d, %v", n, err)
	}
}

// TestReportsAPI_BadParameter: each bad filter parameter is a 400 whose
// message names it, in the reader's language, and nothing is counted.
func TestReportsAPI_BadParameter(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	admin := ts.token(t, w.admin)
	cases := []struct{ query, param, problem, fr string }{
		{"from=2026-02-30", "from", "err.field.date", "doit être une date"},
		{"to=yesterday", "to", "err.field.date", "doit être une date"},
		{"from=2026-03-01&to=2026-02-01", "from", "err.report.from_after_to", "2026-02-01"},
		{"country=XX", "country", "err.country.unknown", "XX"},
		{"country=UK", "country", "err.country.replaced", "GB"},
		{"country=FRA", "country", "err.country.format", "ISO 3166"},
		{"agency=-3", "agency", "err.field.positive_number", "positif"},
		{"agency=abc", "agency", "err.field.positive_number", "positif"},
	}
	for _, c := range cases {
		for _, name := range reportNames {
			req, _ := http.NewRequest("GET", ts.URL+"/api/v1/reports/"+name+"?"+c.query, nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("Accept-Language", "fr")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Error struct {
					Code, Message string
					MessageID     string `json:"message_id"`
					Args          struct {
						Param   string
						Problem struct{ ID string }
					}
				}
			}
			err = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			e := out.Error
			if err != nil || res.StatusCode != 400 || e.MessageID != "err.report.param" || e.Args.Param != c.param || e.Args.Problem.ID != c.problem ||
				!strings.Contains(e.Message, "« "+c.param+" »") || !strings.Contains(e.Message, c.fr) {
				t.Errorf("%s?%s: %d %+v (%v)", name, c.query, res.StatusCode, e, err)
			}
		}
	}
}
