// Package quiz owns what happens to a quiz once an officer starts it: the frozen
// snapshot of its questions (shuffled, with the answer key kept server-side),
// answers, scoring, and item analysis. It is pure: no database, no HTTP.
package quiz

import (
	"html/template"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/lectern-platform/lectern/internal/course"
)

// Question is one question as frozen in an attempt. The answer key (Correct,
// Accepted, Number, Tolerance) and the explanation stay on the server until the
// review policy allows them out.
type Question struct {
	ID          string        `json:"id"`
	Kind        course.Kind   `json:"kind"`
	PromptHTML  template.HTML `json:"prompt_html"`
	Points      int           `json:"points"`
	Choices     []Choice      `json:"choices,omitempty"`
	Accepted    []string      `json:"accepted,omitempty"`
	Number      float64       `json:"number,omitempty"`
	Tolerance   float64       `json:"tolerance,omitempty"`
	Explanation template.HTML `json:"explanation_html,omitempty"`
	Dropped     bool          `json:"dropped,omitempty"` // counts for nobody
}

// Choice is one option of a choice question.
type Choice struct {
	ID      string        `json:"id"`
	HTML    template.HTML `json:"text_html"`
	Correct bool          `json:"correct"`
}

// Snapshot freezes a quiz's questions for one attempt, shuffled with seed when
// the quiz asks for it, so the same attempt always shows the same order and a
// later edit of the Markdown changes nothing for it.
func Snapshot(q *course.Quiz, seed uint64) []Question {
	out := make([]Question, 0, len(q.Questions))
	for _, src := range q.Questions {
		x := Question{ID: src.ID, Kind: src.Kind, PromptHTML: src.PromptHTML, Points: src.Points,
			Accepted: src.Answers, Number: src.Number, Tolerance: src.Tolerance, Explanation: src.ExplanationHTML, Dropped: src.Dropped}
		for _, c := range src.Choices {
			x.Choices = append(x.Choices, Choice{ID: c.ID, HTML: c.HTML, Correct: c.Correct})
		}
		out = append(out, x)
	}
	if q.Shuffle {
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		for i := range out {
			cs := out[i].Choices
			rng.Shuffle(len(cs), func(a, b int) { cs[a], cs[b] = cs[b], cs[a] })
		}
	}
	return out
}

// Rekey applies a corrected version of a quiz to an attempt's frozen questions:
// for each question the current version still has (by id), the answer key,
// points and dropped mark come from the current version; the order, prompts and
// choices the officer saw stay. Questions the new version no longer has keep
// their old key. Scoring the result against the stored answers is a regrade.
func Rekey(snapshot []Question, current *course.Quiz) []Question {
	byID := make(map[string]*course.Question, len(current.Questions))
	for i := range current.Questions {
		byID[current.Questions[i].ID] = current.Questions[i]
	}
	out := make([]Question, len(snapshot))
	for i, q := range snapshot {
		src, ok := byID[q.ID]
		if !ok {
			out[i] = q
			continue
		}
		correct := make(map[string]bool, len(src.Choices))
		for _, c := range src.Choices {
			correct[c.ID] = c.Correct
		}
		q.Choices = append([]Choice(nil), q.Choices...)
		for j := range q.Choices {
			q.Choices[j].Correct = correct[q.Choices[j].ID]
		}
		q.Points, q.Accepted, q.Number, q.Tolerance, q.Dropped = src.Points, src.Answers, src.Number, src.Tolerance, src.Dropped
		q.Explanation = src.ExplanationHTML
		out[i] = q
	}
	return out
}

// Answer is what an officer gave for one question; one field is set, by kind.
type Answer struct {
	Choices []string `json:"choices,omitempty"`
	Text    *string  `json:"text,omitempty"`
	Number  *float64 `json:"number,omitempty"`
}

// Empty reports whether nothing was answered.
func (a Answer) Empty() bool {
	return len(a.Choices) == 0 && (a.Text == nil || strings.TrimSpace(*a.Text) == "") && a.Number == nil
}

// Score returns the points an answer earns:
//   - single choice: all or nothing;
//   - multiple choice: (right picked − wrong picked) / right, never below 0;
//   - short answer: equal to an accepted answer after NFKC, case folding and
//     whitespace collapsing;
//   - numeric: within the tolerance.
func Score(q Question, a Answer) float64 {
	pts := float64(q.Points)
	switch q.Kind {
	case course.KindSingle:
		if len(a.Choices) != 1 {
			return 0
		}
		for _, c := range q.Choices {
			if c.ID == a.Choices[0] && c.Correct {
				return pts
			}
		}
	case course.KindMultiple:
		right, picked, wrong := 0, 0, 0
		correct := map[string]bool{}
		for _, c := range q.Choices {
			if c.Correct {
				right++
				correct[c.ID] = true
			}
		}
		seen := map[string]bool{}
		for _, id := range a.Choices {
			if seen[id] {
				continue
			}
			seen[id] = true
			if correct[id] {
				picked++
			} else {
				wrong++
			}
		}
		if right == 0 || picked <= wrong {
			return 0
		}
		return pts * float64(picked-wrong) / float64(right)
	case course.KindShort:
		if a.Text == nil {
			return 0
		}
		given := course.NormalizeAnswer(*a.Text)
		if given == "" {
			return 0
		}
		for _, acc := range q.Accepted {
			if course.NormalizeAnswer(acc) == given {
				return pts
			}
		}
	case course.KindNumeric:
		if a.Number == nil || math.IsNaN(*a.Number) || math.IsInf(*a.Number, 0) ||
			math.IsInf(q.Number, 0) || math.IsNaN(q.Number) || math.IsInf(q.Tolerance, 0) || math.IsNaN(q.Tolerance) {
			return 0 // a broken key must never make every answer right
		}
		if math.Abs(*a.Number-q.Number) <= q.Tolerance+1e-9*math.Max(1, math.Abs(q.Number)) {
			return pts
		}
	}
	return 0
}

// Result is an attempt's total.
type Result struct {
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	Percent  float64 `json:"percent"`
	Passed   bool    `json:"passed"`
}

// Total scores every question (unanswered ones earn nothing) against a pass mark
// in percent. Scores are rounded to two decimals so a stored result reads back
// exactly.
func Total(qs []Question, answers map[string]Answer, passMark int) Result {
	var r Result
	for _, q := range qs {
		if q.Dropped {
			continue // nobody loses (or gains) points for it
		}
		r.MaxScore += float64(q.Points)
		r.Score += Score(q, answers[q.ID])
	}
	return ResultOf(r.Score, r.MaxScore, passMark)
}

// ResultOf is a score out of max against a pass mark in percent, rounded the
// way every stored result is (a paper score uses it too).
func ResultOf(score, max float64, passMark int) Result {
	r := Result{Score: round2(score), MaxScore: max}
	if max > 0 {
		r.Percent = round2(100 * score / max)
	}
	r.Passed = r.Percent >= float64(passMark)
	return r
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// MaxPaperVersion bounds the printed versions a trainer can ask for; a room
// needs a handful so that neighbours hold different orders.
const MaxPaperVersion = 99

// PaperVersion is the order printed on paper version v (1 … MaxPaperVersion):
// the snapshot shuffled with seed v. The version number printed on a sheet is
// therefore enough to map its question numbers and choice letters back to ids.
func PaperVersion(q *course.Quiz, version int) []Question {
	return Snapshot(q, uint64(version))
}

// Letter names the i-th choice (from 0) on paper: A, B, … Z, then 27, 28, …
func Letter(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return strconv.Itoa(i + 1)
}

// KeyChanges names how the marking of a question differs between the version an
// attempt was scored with and a corrected one (as Rekey makes it): "key" (right
// choices, accepted answers, number or tolerance), "points", "dropped" or
// "restored". Nothing when it is marked the same.
func KeyChanges(was, now Question) []string {
	var out []string
	sameKey := len(was.Choices) == len(now.Choices) && slices.Equal(was.Accepted, now.Accepted) &&
		was.Number == now.Number && was.Tolerance == now.Tolerance
	for i := 0; sameKey && i < len(was.Choices); i++ {
		sameKey = was.Choices[i].ID == now.Choices[i].ID && was.Choices[i].Correct == now.Choices[i].Correct
	}
	if !sameKey {
		out = append(out, "key")
	}
	if was.Points != now.Points {
		out = append(out, "points")
	}
	if now.Dropped && !was.Dropped {
		out = append(out, "dropped")
	} else if was.Dropped && !now.Dropped {
		out = append(out, "restored")
	}
	return out
}
