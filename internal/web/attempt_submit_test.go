package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/attempt"
)

// quizPage is an officer's attempt opened in a browser without JavaScript.
type quizPage struct {
	t       *testing.T
	qw      *quizWorld
	browser *http.Client
	v       attempt.View
	path    string
	csrf    string
}

func openQuizPage(t *testing.T) *quizPage {
	t.Helper()
	qw := newQuizWorld(t)
	qw.at(time.Hour)
	p := &quizPage{t: t, qw: qw, browser: qw.ts.browser(t, qw.world.officerA), v: qw.start(t, qw.officerA)}
	p.path = fmt.Sprintf("/attempts/%d", p.v.ID)
	p.csrf = csrfFrom(t, p.browser, qw.ts.URL+p.path)
	return p
}

// index is the 0-based place of question id on the page (questions are shuffled).
func (p *quizPage) index(id string) int {
	return slices.IndexFunc(p.v.Questions, func(q attempt.PublicQuestion) bool { return q.ID == id })
}

// post sends the form as the page would and returns the answer, not following redirects.
func (p *quizPage) post(form url.Values) (*http.Response, string) {
	p.t.Helper()
	form.Set("csrf_token", p.csrf)
	res, err := p.browser.PostForm(p.qw.ts.URL+p.path, form)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (p *quizPage) finalised() string {
	p.t.Helper()
	at, err := p.qw.ts.DB.Read(p.t.Context()).Attempt(p.v.ID, false)
	if err != nil {
		p.t.Fatal(err)
	}
	return string(at.Finalised)
}

// TestAttemptPage_ConfirmsBlanksWithoutScript: submitting with questions left
// blank shows how many and asks; Go back leads to the first blank one, Submit
// submits; with none blank, Submit submits at once.
func TestAttemptPage_ConfirmsBlanksWithoutScript(t *testing.T) {
	p := openQuizPage(t)
	pick := choiceID(p.v, "pick", "CORRECT")
	res, body := p.post(url.Values{"action": {"submit"}, "view": {"one"}, "q": {fmt.Sprint(p.index("pick"))}, "shown.pick": {"1"}, "q.pick": {pick}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "You left 2 of 3 questions blank. Submit anyway?") {
		t.Fatalf("submit with 2 blank: %d, no confirmation\n%s", res.StatusCode, body)
	}
	if f := p.finalised(); f != "" {
		t.Fatalf("submitted (%s) without confirmation", f)
	}
	if a := storedAnswers(t, p.qw.ts, p.v.ID)["pick"]; len(a.Choices) != 1 || a.Choices[0] != pick {
		t.Errorf("the answer posted with the submit is not saved: %+v", a)
	}
	firstBlank := min(p.index("type"), p.index("count"))
	if back := fmt.Sprintf(`href="%s?view=one&amp;q=%d"`, p.path, firstBlank); !strings.Contains(body, back) {
		t.Errorf("Go back does not lead to the first blank question (%s)", back)
	}
	if !strings.Contains(body, `name="confirm" value="1"`) {
		t.Fatal("the confirmation has no Submit")
	}
	if res, _ := p.post(url.Values{"action": {"submit"}, "confirm": {"1"}}); res.StatusCode != http.StatusSeeOther || p.finalised() != "submitted" {
		t.Errorf("confirmed submit: %d, finalised %q", res.StatusCode, p.finalised())
	}

	// Nothing blank: no question asked.
	p = openQuizPage(t)
	res, _ = p.post(url.Values{"action": {"submit"}, "shown.pick": {"1"}, "shown.type": {"1"}, "shown.count": {"1"},
		"q.pick": {choiceID(p.v, "pick", "WRONG")}, "q.type": {"words"}, "q.count": {"7"}})
	if res.StatusCode != http.StatusSeeOther || p.finalised() != "submitted" {
		t.Errorf("submit with every question answered: %d, finalised %q", res.StatusCode, p.finalised())
	}
}

var firstSubmitButton = regexp.MustCompile(`<form[^>]*id="quiz-form"[\s\S]*?(<button type="submit"[^>]*>)`)

// TestAttemptPage_OnePerScreenKeepsItsPlace: one question per screen, Save
// stays on the question shown, Next and Previous move, and the form's first
// submit button (the one Enter presses) is Next, or Save on the last question.
func TestAttemptPage_OnePerScreenKeepsItsPlace(t *testing.T) {
	p := openQuizPage(t)
	for at := range 3 {
		_, page := getWith(t, p.browser, fmt.Sprintf("%s%s?view=one&q=%d", p.qw.ts.URL, p.path, at))
		m := firstSubmitButton.FindStringSubmatch(page)
		want := fmt.Sprintf(`name="goto" value="%d"`, at+1)
		if at == 2 {
			want = `name="action" value="save"`
		}
		if m == nil {
			t.Fatalf("question %d: no submit button in the form", at+1)
		}
		if !strings.Contains(m[1], want) {
			t.Errorf("question %d: the first submit button is %s, want %s", at+1, m[1], want)
		}
	}
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"action": {"save"}, "view": {"one"}, "q": {"1"}}, "?view=one&q=1#saved"},
		{url.Values{"action": {"save"}, "view": {"one"}, "q": {"2"}}, "?view=one&q=2#saved"},
		{url.Values{"goto": {"2"}, "view": {"one"}, "q": {"1"}}, "?view=one&q=2#saved"},
		{url.Values{"goto": {"0"}, "view": {"one"}, "q": {"1"}}, "?view=one&q=0#saved"},
		{url.Values{"action": {"save"}}, "#saved"},
	} {
		if res, _ := p.post(c.form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != p.path+c.want {
			t.Errorf("%v: %d to %q, want %q", c.form, res.StatusCode, res.Header.Get("Location"), p.path+c.want)
		}
	}
}

// TestAttemptPage_NotANumberAtItsQuestion: a word in a numeric answer brings
// the page back at that question, the message beside the field, naming the
// question by its number as the page does, never by its id.
func TestAttemptPage_NotANumberAtItsQuestion(t *testing.T) {
	p := openQuizPage(t)
	at := p.index("count")
	other := (at + 1) % 3
	msg := fmt.Sprintf("The answer to question %d is not a number.", at+1)

	// All questions on one page: the message sits beside the field and the
	// alert at the top links to it.
	res, body := p.post(url.Values{"action": {"save"}, "shown.count": {"1"}, "q.count": {"twelve"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a word for a number: %d", res.StatusCode)
	}
	if strings.Contains(body, "question count ") || !strings.Contains(body, `<p class="field-error" id="err-count">`+msg+`</p>`) {
		t.Errorf("the message beside the field is not %q", msg)
	}
	if !regexp.MustCompile(`id="in-count"[^>]*aria-invalid="true" aria-describedby="err-count"`).MatchString(body) {
		t.Error("the field is not marked invalid nor described by the message")
	}
	if !strings.Contains(body, `<a href="#err-count">`+msg+`</a>`) {
		t.Error("the alert at the top does not link to the message")
	}

	// One per screen, posted from the question itself: back at it, not at question 1.
	res, body = p.post(url.Values{"action": {"save"}, "view": {"one"}, "q": {fmt.Sprint(at)}, "shown.count": {"1"}, "q.count": {"twelve"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="in-count"`) || !strings.Contains(body, `id="err-count"`) {
		t.Fatalf("one per screen: %d, the page is not at question %d", res.StatusCode, at+1)
	}
	if !strings.Contains(body, fmt.Sprintf(`name="q" value="%d"`, at)) || !strings.Contains(body, `name="view" value="one"`) {
		t.Error("the page shown again is not one per screen at the question")
	}
	// A valid save from another screen re-renders nothing: it goes on.
	if res, _ := p.post(url.Values{"action": {"save"}, "view": {"one"}, "q": {fmt.Sprint(other)}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a save without error: %d", res.StatusCode)
	}
}
