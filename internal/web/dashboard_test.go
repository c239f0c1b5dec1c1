package web

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// On the day, the dashboard puts the day's session first: an officer opens it
// to check in and take the quizzes, the trainer to run it; before the day, and
// for those not in it, there is no "Today".
func TestDashboard_TodaysSessionFirst(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	quizzes := fmt.Sprintf(`href="/sessions/%d/quizzes"`, qw.sessionID)
	today := func(who credentials) string {
		t.Helper()
		_, body := getWith(t, ts.browser(t, who), ts.URL+"/")
		if !strings.Contains(body, `id="today"`) {
			return ""
		}
		return body
	}
	if body := today(qw.world.officerA); body != "" {
		t.Errorf("a week before the session, the dashboard shows Today")
	}
	qw.at(time.Hour)
	if body := today(qw.world.officerA); !strings.Contains(body, quizzes) || !strings.Contains(body, "check in") || strings.Contains(body, "/attendance") {
		t.Errorf("the officer's dashboard on the day lacks the session's check-in and quizzes")
	}
	if body := today(qw.world.trainer); !strings.Contains(body, quizzes) || !strings.Contains(body, fmt.Sprintf(`href="/sessions/%d/attendance"`, qw.sessionID)) {
		t.Errorf("the trainer's dashboard on the day lacks the session's attendance and quizzes")
	}
	for _, who := range []credentials{qw.world.coordA, qw.world.admin, ts.user(t, "officer", &qw.agencyA.ID, "Not Enrolled")} {
		if body := today(who); body != "" {
			t.Errorf("%s sees Today for a session that is not theirs", who.Email)
		}
	}
	// A cancelled session is not today's.
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", qw.sessionID), map[string]string{"reason": "venue closed"}); res.StatusCode != 200 {
		t.Fatalf("cancel: %d %s", res.StatusCode, body)
	}
	if body := today(qw.world.officerA); body != "" {
		t.Errorf("a cancelled session shows as Today")
	}
}
