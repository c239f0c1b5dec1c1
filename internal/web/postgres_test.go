package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// postgresDSN is a database of the test's own on the PostgreSQL server that
// LECTERN_TEST_POSTGRES_URL names (see testfixture.PostgresDSN).
func postgresDSN(t testing.TB) string { return testfixture.PostgresDSN(t) }

// Two trainers entering the same officer's sheet at once (the room's two
// marking tables) must leave one paper attempt: with several processes on
// PostgreSQL, nothing but the database orders them.
func TestPaperResults_ConcurrentEntries_PostgreSQL(t *testing.T) {
	ts := startServerOn(t, bothCourses(t), Config{}, postgresDSN(t))
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	officerB := qw.idOf(t, qw.world.officerB)
	paper := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/paper", qw.sessionID)
	const n = 16
	status := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, body := ts.api(t, qw.trainerTok, "POST", paper, map[string]any{"user_id": officerB, "score": i % 4, "reason": "sheet from room B"})
			status <- fmt.Sprintf("%d %s", res.StatusCode, body)
		}()
	}
	wg.Wait()
	close(status)
	for s := range status {
		if !strings.HasPrefix(s, "200 ") {
			t.Errorf("paper entry: %s", s)
		}
	}
	ats, err := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &officerB)
	if err != nil {
		t.Fatal(err)
	}
	if len(ats) != 1 || ats[0].EnteredBy == nil || ats[0].Number != 1 {
		t.Errorf("%d concurrent entries of one sheet left %s", n, attemptNumbers(ats))
	}
}

// An officer's double tap on Start (two tabs, a retry) opens one attempt, on
// PostgreSQL too.
func TestAttempts_ConcurrentStarts_PostgreSQL(t *testing.T) {
	ts := startServerOn(t, bothCourses(t), Config{}, postgresDSN(t))
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	start := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID)
	const n = 16
	status := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, body := ts.api(t, qw.officerA, "POST", start, nil)
			status <- fmt.Sprintf("%d %s", res.StatusCode, body)
		}()
	}
	wg.Wait()
	close(status)
	for s := range status {
		if !strings.HasPrefix(s, "200 ") && !strings.HasPrefix(s, "201 ") {
			t.Errorf("start: %.200s", s)
		}
	}
	ats, err := ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &qw.officerAID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ats) != 1 {
		t.Errorf("%d concurrent starts left %s", n, attemptNumbers(ats))
	}
}

func attemptNumbers(ats []store.Attempt) string {
	var out []string
	for _, at := range ats {
		out = append(out, fmt.Sprintf("attempt %d number %d (%s)", at.ID, at.Number, at.Finalised))
	}
	return fmt.Sprintf("%d attempts: %s", len(ats), strings.Join(out, ", "))
}

// The trainer's page of a quiz's officers reads the grants and the exceptions'
// audit events with queries of its own; on PostgreSQL too.
func TestQuizOfficersPage_PostgreSQL(t *testing.T) {
	ts := startServerOn(t, bothCourses(t), Config{}, postgresDSN(t))
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	officerB := qw.idOf(t, qw.world.officerB)
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/exceptions", qw.sessionID),
		map[string]any{"user_id": officerB, "extra_attempts": 2, "reason": "GRANT-REASON-pg"}); res.StatusCode != 200 {
		t.Fatalf("grant: %d %s", res.StatusCode, body)
	}
	res, page := getWith(t, ts.browser(t, qw.world.trainer), fmt.Sprintf("%s/sessions/%d/quizzes/01-m/officers", ts.URL, qw.sessionID))
	if res.StatusCode != 200 || !strings.Contains(page, "GRANT-REASON-pg") || !strings.Contains(page, "0 of 3") {
		t.Errorf("officers page: %d, reason shown %v, 3 attempts allowed shown %v", res.StatusCode, strings.Contains(page, "GRANT-REASON-pg"), strings.Contains(page, "0 of 3"))
	}
	res, page = getWith(t, ts.browser(t, qw.world.trainer), fmt.Sprintf("%s/sessions/%d/audit", ts.URL, qw.sessionID))
	if res.StatusCode != 200 || !strings.Contains(page, "GRANT-REASON-pg") {
		t.Errorf("session history: %d, reason shown %v", res.StatusCode, strings.Contains(page, "GRANT-REASON-pg"))
	}
}

// Two trainers granting the same officer one more attempt at once grant two:
// on PostgreSQL the read-then-write of the grant total is ordered by the
// enrolment's lock.
func TestGrants_Concurrent_PostgreSQL(t *testing.T) {
	ts := startServerOn(t, bothCourses(t), Config{}, postgresDSN(t))
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	grant := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/exceptions", qw.sessionID)
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, body := ts.api(t, qw.trainerTok, "POST", grant, map[string]any{"user_id": qw.officerAID, "extra_attempts": 1, "reason": "phone died"}); res.StatusCode != 200 {
				t.Errorf("grant: %d %s", res.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	if got, err := ts.DB.Read(context.Background()).ExtraAttempts(qw.sessionID, qw.officerAID, "01-m"); err != nil || got != n {
		t.Errorf("%d grants of one attempt at once left %d extra attempts (%v)", n, got, err)
	}
}
