package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// staleResendRate is the share of answers after which the officer changes their
// mind and then an old copy of the first save arrives late (a browser retry, a
// reordered request): the server must acknowledge it with the newer stored answer.
const staleResendRate = 0.10

// question is a question as the attempt shows it (no answer key).
type question struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Choices []struct {
		ID string `json:"id"`
	} `json:"choices"`
}

// answer is a quiz answer as sent and as stored.
type answer struct {
	Choices []string `json:"choices,omitempty"`
	Text    *string  `json:"text,omitempty"`
	Number  *float64 `json:"number,omitempty"`
}

// equal compares answers the way the server canonicalises them: choices as a set
// (it stores them sorted), text as is (we send it trimmed).
func (a answer) equal(b answer) bool {
	if !slices.Equal(canonicalChoices(a.Choices), canonicalChoices(b.Choices)) {
		return false
	}
	if (a.Text == nil) != (b.Text == nil) || a.Text != nil && *a.Text != *b.Text {
		return false
	}
	return (a.Number == nil) == (b.Number == nil) && (a.Number == nil || *a.Number == *b.Number)
}

func canonicalChoices(c []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(c)))
}

type saveIn struct {
	Choices []string `json:"choices,omitempty"`
	Text    *string  `json:"text,omitempty"`
	Number  *float64 `json:"number,omitempty"`
	Seq     int64    `json:"seq"`
}

type savedOut struct {
	QuestionID string `json:"question_id"`
	Answer     answer `json:"answer"`
	Seq        int64  `json:"seq"`
}

type attemptOut struct {
	ID        int64               `json:"id"`
	Status    string              `json:"status"`
	Questions []question          `json:"questions"`
	Answers   map[string]savedOut `json:"answers"`
}

// save is one autosave as sent.
type save struct {
	seq    int64
	answer answer
}

// officer is one simulated quiz-taker and everything it was told.
type officer struct {
	idx     int
	email   string
	userID  int64
	rng     *rand.Rand
	loginAt time.Duration // offset in the login window
	startAt time.Duration // offset in the start window

	token     string
	attemptID int64
	questions []question
	seq       int64
	// acked is, per question, the acknowledgement with the highest seq: what the
	// server promised to have stored.
	acked map[string]save
	// sent is every save sent per question, acknowledged or not, so that one
	// stored by a request whose answer never came back is not counted as lost.
	sent       map[string][]save
	stale      int // stale re-sends acknowledged with the stored answer
	submitted  bool
	readBack   bool
	lost       int
	lostDetail string
}

// login signs the officer in (a timed phase of its own: argon2id is slow on purpose).
func (o *officer) login(ctx context.Context, c *client, password string) error {
	var out loginOut
	err := c.do(ctx, call{phase: phaseLogin, method: "POST", path: "/api/v1/auth/login", want: http.StatusOK, out: &out,
		body: map[string]string{"email": o.email, "password": password}})
	if err == nil && out.Token == "" {
		err = errors.New("login answered without a token")
	}
	o.token = out.Token
	return err
}

// takeQuiz starts the attempt, answers every question after a think time, and
// submits. Each request is resent as a browser would (client.do); one that still
// fails after --give-up stops the officer.
// answered is how many of an attempt's n questions an officer answers: the
// first limit of them (--questions), or all with limit 0 or above n.
func answered(n, limit int) int {
	if limit > 0 && limit < n {
		return limit
	}
	return n
}

func (o *officer) takeQuiz(ctx context.Context, c *client, sessionID int64, quizID string, limit int, think func(*rand.Rand) time.Duration) error {
	var at attemptOut
	// 200 is the attempt already open: a resent start whose first answer was lost.
	err := c.do(ctx, call{phase: phaseStart, method: "POST", token: o.token, want: http.StatusCreated, also: []int{http.StatusOK}, out: &at,
		path: fmt.Sprintf("/api/v1/sessions/%d/quizzes/%s/attempts", sessionID, quizID),
		check: func() error {
			if at.ID == 0 || len(at.Questions) == 0 {
				return errors.New("attempt without id or questions")
			}
			return nil
		}})
	if err != nil {
		return err
	}
	o.attemptID, o.questions = at.ID, at.Questions
	o.acked, o.sent = map[string]save{}, map[string][]save{}
	for _, q := range o.questions[:answered(len(o.questions), limit)] {
		if err := sleep(ctx, think(o.rng)); err != nil {
			return err
		}
		first, err := o.save(ctx, c, q, o.randomAnswer(q, nil))
		if err != nil {
			return err
		}
		if o.rng.Float64() < staleResendRate {
			if _, err := o.save(ctx, c, q, o.randomAnswer(q, &first.answer)); err != nil {
				return err
			}
			if err := o.resend(ctx, c, q, first); err != nil {
				return err
			}
		}
	}
	// A resent submit of an attempt already submitted answers 200 with the same
	// result (docs/api.md), so "already submitted" is done.
	err = c.do(ctx, call{phase: phaseSubmit, method: "POST", token: o.token, want: http.StatusOK,
		path: fmt.Sprintf("/api/v1/attempts/%d/submit", o.attemptID)})
	o.submitted = err == nil
	return err
}

// save sends a new answer with the next seq; the acknowledgement must echo it.
func (o *officer) save(ctx context.Context, c *client, q question, a answer) (save, error) {
	o.seq++
	s := save{seq: o.seq, answer: a}
	o.sent[q.ID] = append(o.sent[q.ID], s)
	var out savedOut
	err := c.do(ctx, call{phase: phaseAutosave, method: "PUT", token: o.token, want: http.StatusOK, out: &out,
		path: fmt.Sprintf("/api/v1/attempts/%d/answers/%s", o.attemptID, q.ID),
		body: saveIn{Choices: a.Choices, Text: a.Text, Number: a.Number, Seq: s.seq},
		check: func() error {
			o.acknowledge(q.ID, out)
			if out.Seq != s.seq || !out.Answer.equal(a) {
				return fmt.Errorf("save acknowledged with another answer or seq")
			}
			return nil
		}})
	return s, err
}

// resend sends an older save again; it must change nothing and be acknowledged
// with the newer stored answer.
func (o *officer) resend(ctx context.Context, c *client, q question, old save) error {
	want := o.acked[q.ID]
	var out savedOut
	return c.do(ctx, call{phase: phaseAutosave, method: "PUT", token: o.token, want: http.StatusOK, out: &out,
		path: fmt.Sprintf("/api/v1/attempts/%d/answers/%s", o.attemptID, q.ID),
		body: saveIn{Choices: old.answer.Choices, Text: old.answer.Text, Number: old.answer.Number, Seq: old.seq},
		check: func() error {
			o.acknowledge(q.ID, out)
			if out.Seq != want.seq || !out.Answer.equal(want.answer) {
				return fmt.Errorf("stale save (older seq) was not acknowledged with the stored answer")
			}
			o.stale++
			return nil
		}})
}

// acknowledge keeps the acknowledgement with the highest seq per question.
func (o *officer) acknowledge(qid string, out savedOut) {
	if cur, ok := o.acked[qid]; !ok || out.Seq > cur.seq {
		o.acked[qid] = save{seq: out.Seq, answer: out.Answer}
	}
}

// readBack fetches the attempt and counts acknowledged answers that are not
// stored as last acknowledged.
func (o *officer) readBackAttempt(ctx context.Context, c *client) error {
	var at attemptOut
	err := c.do(ctx, call{phase: phaseReadback, method: "GET", token: o.token, want: http.StatusOK, out: &at,
		path: fmt.Sprintf("/api/v1/attempts/%d", o.attemptID),
		check: func() error {
			if o.submitted && at.Status != "submitted" {
				return fmt.Errorf("submitted attempt reads back as %q", at.Status)
			}
			return nil
		}})
	if err != nil {
		return err
	}
	o.readBack = true
	o.lost, o.lostDetail = lostAnswers(o.acked, o.sent, at.Answers)
	return nil
}

// lostAnswers counts acknowledged answers missing from stored, or stored with
// another answer or seq than the last acknowledgement. A stored answer with a
// higher seq that matches a save we sent but whose acknowledgement never arrived
// is not lost (that request already counts as an error).
func lostAnswers(acked map[string]save, sent map[string][]save, stored map[string]savedOut) (int, string) {
	lost, detail := 0, ""
	for qid, a := range acked {
		st, ok := stored[qid]
		switch {
		case ok && st.Seq == a.seq && st.Answer.equal(a.answer):
			continue
		case ok && st.Seq > a.seq && slices.ContainsFunc(sent[qid], func(s save) bool {
			return s.seq == st.Seq && s.answer.equal(st.Answer)
		}):
			continue
		}
		lost++
		if detail == "" {
			if !ok {
				detail = fmt.Sprintf("question %s: acknowledged seq %d, nothing stored", qid, a.seq)
			} else {
				detail = fmt.Sprintf("question %s: acknowledged seq %d, stored seq %d with another answer", qid, a.seq, st.Seq)
			}
		}
	}
	return lost, detail
}

// randomAnswer picks a valid answer, different from not (when given and possible).
func (o *officer) randomAnswer(q question, not *answer) answer {
	for range 8 {
		var a answer
		switch q.Type {
		case "single":
			a.Choices = []string{q.Choices[o.rng.IntN(len(q.Choices))].ID}
		case "multiple":
			for _, c := range q.Choices {
				if o.rng.IntN(2) == 0 {
					a.Choices = append(a.Choices, c.ID)
				}
			}
			if len(a.Choices) == 0 {
				a.Choices = []string{q.Choices[o.rng.IntN(len(q.Choices))].ID}
			}
		case "short":
			// Non-ASCII on purpose: answers are typed in many languages.
			words := []string{"proof of work", "preuve de travail", "작업 증명", "mixer", "Übertragung", "travel rule"}
			t := fmt.Sprintf("%s %d", words[o.rng.IntN(len(words))], o.rng.IntN(1000))
			a.Text = &t
		case "numeric":
			n := float64(o.rng.IntN(100))
			a.Number = &n
		default:
			// An unknown kind would be answered wrongly; an empty answer is the
			// safest guess and the server will say if it is not valid.
			a.Choices = []string{}
		}
		if not == nil || !a.equal(*not) {
			return a
		}
	}
	return o.randomAnswer(q, nil)
}

// sleep waits d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
