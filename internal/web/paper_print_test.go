package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
)

// Sheets printed at 08:00 are read back as printed, even when the trainer
// adds a choice before entering them at 16:00; printing the same version
// number again with other questions or choices is refused (the sheets already
// out would read wrong); every print is in the session's history.
func TestPaperSheets_ReadBackAsPrinted(t *testing.T) {
	ts, quizFile := editableQuizServer(t)
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	officerB := qw.idOf(t, qw.world.officerB)
	pdf := func(version int, key bool) string {
		p := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/paper.pdf?version=%d", qw.sessionID, version)
		if key {
			p += "&key=1"
		}
		return p
	}
	for _, key := range []bool{false, true} {
		if res, _ := ts.api(t, qw.trainerTok, "GET", pdf(2, key), nil); res.StatusCode != 200 {
			t.Fatalf("print version 2 (key %v): %d", key, res.StatusCode)
		}
	}
	// The right marks for version 2 as printed.
	printedCourse, probs := course.Load(os.DirFS(filepath.Dir(filepath.Dir(quizFile))), "secret", "secret")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	marks := map[string]string{}
	for i, q := range quiz.PaperVersion(printedCourse.Module("01-m").Quiz, 2) {
		n := strconv.Itoa(i + 1)
		switch q.ID {
		case "pick":
			for j, c := range q.Choices {
				if c.Correct {
					marks[n] = quiz.Letter(j)
				}
			}
		case "type":
			marks[n] = "SHORT-ANSWER-2b8"
		case "count":
			marks[n] = "4242"
		}
	}

	// Before the sheets come back, the trainer adds a choice.
	src, err := os.ReadFile(quizFile)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "- [ ] WRONG-CHOICE-a41\n", "- [ ] WRONG-CHOICE-a41\n- [ ] ANOTHER-WRONG-CHOICE\n", 1)
	if edited == string(src) {
		t.Fatal("fixture changed")
	}
	os.WriteFile(quizFile, []byte(edited), 0o644)
	if err := ts.Library.Reload(); err != nil {
		t.Fatal(err)
	}
	// The entry page lays version 2 out as printed: two letters for "pick".
	page := fmt.Sprintf("%s/sessions/%d/quizzes/01-m/paper/%d?version=", ts.URL, qw.sessionID, officerB)
	trainer := ts.browser(t, qw.world.trainer)
	if _, html := getWith(t, trainer, page+"2"); !strings.Contains(html, "one letter, A–B") || strings.Contains(html, "one letter, A–C") {
		t.Errorf("the entry page does not lay version 2 out as printed")
	}
	if _, html := getWith(t, trainer, page+"3"); !strings.Contains(html, "one letter, A–C") {
		t.Errorf("the entry page does not lay an unprinted version out as the quiz is now")
	}
	res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/paper", qw.sessionID),
		map[string]any{"user_id": officerB, "reason": "no phones in room B", "sheet": map[string]any{"version": 2, "answers": marks}})
	if res.StatusCode != 200 || !strings.Contains(body, `"percent":100`) {
		t.Fatalf("the sheet as printed (%v): %d %s", marks, res.StatusCode, body)
	}

	// Version 2 cannot be printed again with the new choice; another number can.
	if res, body := ts.api(t, qw.trainerTok, "GET", pdf(2, false), nil); res.StatusCode != 409 || !strings.Contains(body, "1 is free") {
		t.Errorf("printing version 2 again with other choices: %d %s", res.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", ts.URL+pdf(2, true), nil)
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	if res, err := trainer.Do(req); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
		if res.StatusCode != 409 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("the refusal in the browser: %d %s, want an HTML page", res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if res, _ := ts.api(t, qw.trainerTok, "GET", pdf(3, false), nil); res.StatusCode != 200 {
		t.Errorf("printing version 3: %d", res.StatusCode)
	}
	events, _ := ts.DB.Read(context.Background()).SessionAuditEvents(qw.sessionID, []string{"quiz.paper_print"})
	if len(events) != 3 || events[0].ActorID == nil || !strings.Contains(events[1].After, `"key":true`) {
		t.Errorf("print records: %+v", events)
	}
}
