package attempt

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
)

// fuzzQuestions has one question of each kind, as frozen in an attempt.
var fuzzQuestions = []quiz.Question{
	{ID: "single", Kind: course.KindSingle, Points: 1, Choices: []quiz.Choice{{ID: "a1b2c3d4"}, {ID: "e5f6a7b8", Correct: true}}},
	{ID: "multiple", Kind: course.KindMultiple, Points: 2, Choices: []quiz.Choice{{ID: "a1b2c3d4", Correct: true}, {ID: "e5f6a7b8", Correct: true}, {ID: "0f0f0f0f"}}},
	{ID: "short", Kind: course.KindShort, Points: 1, Accepted: []string{"proof of work"}},
	{ID: "numeric", Kind: course.KindNumeric, Points: 1, Number: 24},
}

// FuzzSaveInputJSON decodes an autosave body as the web layer does, then validates
// it against a question of each kind.
func FuzzSaveInputJSON(f *testing.F) {
	for _, s := range []string{
		`{"choices":["e5f6a7b8"],"seq":7}`,
		`{"choices":["a1b2c3d4","e5f6a7b8","a1b2c3d4"],"seq":1}`,
		`{"choices":[],"seq":0}`,
		`{"choices":null}`,
		`{"text":"  Proof of work ","seq":2}`,
		`{"text":""}`,
		`{"text":"\u0000\ud800\uDFFF"}`,
		`{"number":24}`,
		`{"number":-0}`,
		`{"number":1e308}`,
		`{"number":1e309}`,
		`{"number":NaN}`,
		`{"number":"Infinity"}`,
		`{"number":null,"text":null,"choices":null,"seq":null}`,
		`{"seq":9223372036854775808}`,
		`{"choices":"a1b2c3d4"}`,
		`{"Choices":["a1b2c3d4"],"TEXT":"x"}`,
		`{"answer":"x"}`,
		`{"text":"a","number":1}`,
		`{}`,
		`[]`,
		`null`,
		``,
		"\uFEFF{}",
		`{"text":"` + strings.Repeat("é", 501) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in SaveInput
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return // the web layer answers 400
		}
		if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
			return // more than one value: 400 as well
		}
		for _, q := range fuzzQuestions {
			ans, err := validAnswer(q, in)
			if err != nil {
				e, ok := apperr.As(err)
				if !ok || e.Code != apperr.CodeInvalid || len(e.Details) == 0 || e.Details[0].ID == "" {
					t.Errorf("%s question: error %T %v is not an apperr invalid error with details", q.Kind, err, err)
				}
				continue
			}
			checkAnswer(t, q, in, ans)
		}
	})
}

// checkAnswer asserts what the store and the scorer rely on for a valid answer.
func checkAnswer(t *testing.T, q quiz.Question, in SaveInput, ans quiz.Answer) {
	t.Helper()
	data, err := json.Marshal(ans)
	if err != nil {
		t.Fatalf("%s question: marshal %+v: %v", q.Kind, ans, err)
	}
	var back quiz.Answer
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("%s question: unmarshal %s: %v", q.Kind, data, err)
	}
	if !sameAnswer(ans, back) {
		t.Errorf("%s question: answer %s does not read back the same: %+v", q.Kind, data, back)
	}
	if s := quiz.Score(q, back); !(s >= 0 && s <= float64(q.Points)) {
		t.Errorf("%s question: stored answer %s scores %v", q.Kind, data, s)
	}

	switch q.Kind {
	case course.KindSingle, course.KindMultiple:
		if ans.Text != nil || ans.Number != nil {
			t.Errorf("%s question: answer %s carries text or a number", q.Kind, data)
		}
		if !slices.IsSorted(ans.Choices) || len(slices.Compact(slices.Clone(ans.Choices))) != len(ans.Choices) {
			t.Errorf("%s question: choices %q are not sorted and distinct", q.Kind, ans.Choices)
		}
		if q.Kind == course.KindSingle && len(ans.Choices) > 1 {
			t.Errorf("single-choice question: %d choices accepted", len(ans.Choices))
		}
		for _, id := range ans.Choices {
			if !slices.ContainsFunc(q.Choices, func(c quiz.Choice) bool { return c.ID == id }) {
				t.Errorf("%s question: unknown choice %q accepted", q.Kind, id)
			}
		}
	case course.KindShort:
		if ans.Text == nil || ans.Choices != nil || ans.Number != nil {
			t.Fatalf("short-answer question: answer %s", data)
		}
		if *ans.Text != strings.TrimSpace(*ans.Text) || !utf8.ValidString(*ans.Text) || utf8.RuneCountInString(*ans.Text) > 500 {
			t.Errorf("short-answer question: text %q accepted", *ans.Text)
		}
		if *ans.Text != strings.TrimSpace(*in.Text) {
			t.Errorf("short-answer question: text %q stored as %q", *in.Text, *ans.Text)
		}
	case course.KindNumeric:
		if ans.Text != nil || ans.Choices != nil {
			t.Errorf("numeric question: answer %s carries text or choices", data)
		}
		if ans.Number != nil && (math.IsNaN(*ans.Number) || math.IsInf(*ans.Number, 0)) {
			t.Errorf("numeric question: %v accepted", *ans.Number)
		}
	}
}

// sameAnswer compares answers as the scorer sees them: no choices is no choices,
// whether the slice is nil or empty (omitempty drops an empty one).
func sameAnswer(a, b quiz.Answer) bool {
	if !slices.Equal(a.Choices, b.Choices) {
		return false
	}
	if (a.Text == nil) != (b.Text == nil) || (a.Text != nil && *a.Text != *b.Text) {
		return false
	}
	if (a.Number == nil) != (b.Number == nil) || (a.Number != nil && math.Float64bits(*a.Number) != math.Float64bits(*b.Number)) {
		return false
	}
	return true
}
