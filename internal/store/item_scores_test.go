package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// testUnscoredAttempts: the backfill lists only finalised attempts that have
// saved answers and no item scores. One whose answers are gone (retention) or
// that was entered as a total only would score 0 on every question.
func testUnscoredAttempts(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	mine := map[int64]bool{} // the PostgreSQL test database holds other tests' attempts
	attempt := func(finalised Finalised, answers bool, scored bool) int64 {
		t.Helper()
		at := newTestAttempt(t, db, now)
		mine[at.ID] = true
		err := db.Tx(ctx, func(q Q) error {
			at.Finalised = finalised
			if err := q.SaveAttempt(at); err != nil {
				return err
			}
			if answers {
				if err := q.SaveAnswer(&AttemptAnswer{AttemptID: at.ID, QuestionID: "q1", Answer: []byte(`{}`), Seq: 1, Revision: 1, SavedAt: now}); err != nil {
					return err
				}
			}
			if scored {
				return q.SetItemScores(at.ID, map[string]float64{"q1": 1})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return at.ID
	}
	want := []int64{attempt(FinalisedSubmitted, true, false), attempt(FinalisedPaper, true, false)}
	attempt(FinalisedSubmitted, false, false)  // answers removed by retention
	attempt(FinalisedPaperScore, false, false) // a total entered from paper
	attempt(FinalisedPaperScore, true, false)  // even with answers left from before
	attempt("", true, false)                   // still open
	attempt(FinalisedSubmitted, true, true)    // already scored
	got, err := db.Read(ctx).UnscoredAttempts(want[0]-1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 0, len(got))
	for _, a := range got {
		if mine[a.ID] {
			ids = append(ids, a.ID)
		}
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("unscored attempts %v, want %v", ids, want)
	}
}

func TestUnscoredAttempts_SQLite(t *testing.T)     { testUnscoredAttempts(t, openTest(t)) }
func TestUnscoredAttempts_PostgreSQL(t *testing.T) { testUnscoredAttempts(t, openTestPostgres(t)) }
