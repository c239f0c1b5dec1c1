package web

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lectern-platform/lectern/internal/attempt"
)

// TestBrowser_QuizEnterAndBlankConfirmation: one question per screen, Enter in
// a text field goes to the next question (or saves on the last), never back;
// Submit with questions blank asks on the page how many, Go back stays, Submit
// submits.
func TestBrowser_QuizEnterAndBlankConfirmation(t *testing.T) {
	qw, b, attemptID, _ := openQuizInBrowser(t)
	_, body := qw.ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), nil)
	v := decode[attempt.View](t, body)
	// A text question past the first screen, so that Previous is there to be pressed.
	at := slices.IndexFunc(v.Questions, func(q attempt.PublicQuestion) bool { return q.ID == "type" })
	if at == 0 {
		at = slices.IndexFunc(v.Questions, func(q attempt.PublicQuestion) bool { return q.ID == "count" })
	}
	field, answer := "in-"+v.Questions[at].ID, map[string]string{"type": "SHORT-ANSWER-2b8", "count": "4242"}[v.Questions[at].ID]
	b.navigate("open the question", chromedp.Navigate(fmt.Sprintf("%s/attempts/%d?view=one&q=%d", tabOrigin(b), attemptID, at)))

	b.navigate("type and press Enter", chromedp.SendKeys(chromedp.ID(field), answer), chromedp.KeyEvent(kb.Enter))
	want := fmt.Sprintf("?view=one&q=%d", min(at+1, len(v.Questions)-1))
	if got := tabRun(b, "read the location", chromedp.Evaluate[string](`location.search`)); got != want {
		t.Errorf("Enter on question %d of %d went to %q, want %q", at+1, len(v.Questions), got, want)
	}
	if got := storedAnswers(t, qw.ts, attemptID)[v.Questions[at].ID]; got.Empty() {
		t.Errorf("the answer sent with Enter is not stored")
	}

	// Submit with two of three blank: the page asks, and nothing is submitted.
	submit := chromedp.Click(chromedp.CSS(`.quiz-actions button[name="action"][value="submit"]`))
	b.do("press Submit", submit)
	b.poll("the page asks", `!document.getElementById("blank-confirm").hidden`)
	text := tabRun(b, "read the question", chromedp.Evaluate[string](`document.getElementById("blank-confirm-text").textContent`))
	if text != "You left 2 of 3 questions blank. Submit anyway?" {
		t.Errorf("the page asks %q", text)
	}
	b.do("go back", chromedp.Click(chromedp.ID("blank-confirm-no")))
	b.poll("the question is gone", `document.getElementById("blank-confirm").hidden`)
	if at, err := qw.ts.DB.Read(t.Context()).Attempt(attemptID, false); err != nil || at.Finalised != "" {
		t.Fatalf("submitted before the officer confirmed: %q %v", at.Finalised, err)
	}

	b.do("press Submit again", submit)
	b.poll("the page asks again", `!document.getElementById("blank-confirm").hidden`)
	b.navigate("confirm", chromedp.Click(chromedp.ID("blank-confirm-yes")))
	if score := tabRun(b, "read the score", chromedp.Text(chromedp.CSS(".score"))); !strings.Contains(score, "/ 3") {
		t.Errorf("no result after confirming: %q", score)
	}
	if at, err := qw.ts.DB.Read(t.Context()).Attempt(attemptID, false); err != nil || at.Finalised != "submitted" {
		t.Errorf("after confirming: finalised %q %v", at.Finalised, err)
	}
}

// tabOrigin is the address the tab's page came from.
func tabOrigin(b *browserTab) string {
	return tabRun(b, "read the origin", chromedp.Evaluate[string](`location.origin`))
}
