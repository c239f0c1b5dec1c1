package gift

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// withoutLines zeroes the Line fields, which Write does not keep.
func withoutLines(qs []Question) []Question {
	out := make([]Question, len(qs))
	for i, q := range qs {
		q.Line = 0
		if q.Answers != nil {
			q.Answers = append([]Answer(nil), q.Answers...)
			for k := range q.Answers {
				q.Answers[k].Line = 0
			}
		}
		out[i] = q
	}
	return out
}

// roundTrip writes qs and parses them back, failing on any problem.
func roundTrip(t testing.TB, qs []Question) ([]Question, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, qs); err != nil {
		t.Fatalf("Write: %v", err)
	}
	back, problems := Parse("written.gift", bytes.NewReader(buf.Bytes()))
	if len(problems) > 0 {
		t.Fatalf("Parse of Write's output has problems %v:\n%s", problems, buf.String())
	}
	return back, buf.String()
}

// TestWrite_RoundTripsTheCorpus writes every question of the corpus and reads it
// back unchanged.
func TestWrite_RoundTripsTheCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.gift"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		qs, _ := Parse(file, bytes.NewReader(data))
		back, text := roundTrip(t, qs)
		if want, got := withoutLines(qs), withoutLines(back); !reflect.DeepEqual(want, got) {
			t.Errorf("%s: written and read back differs:\n%s\nwant %+v\ngot  %+v", file, text, want, got)
		}
	}
}

func weight(w float64) *float64 { return &w }

// TestWrite_Output pins what Write writes for each kind: what Moodle's importer
// is given.
func TestWrite_Output(t *testing.T) {
	qs := []Question{
		{Category: "Basics", ID: "q-1]", Title: "Travel rule", Text: "Which {one}?", Kind: MultipleChoice, Answers: []Answer{
			{Text: "R16", Correct: true, Feedback: "Yes: wire transfers."},
			{Text: "R10", Weight: weight(-50)},
			{Text: "[html] looks like a tag"},
		}, GeneralFeedback: "R16 via R15."},
		{Category: "Basics", ID: `a\]\`, Text: "True?", Kind: TrueFalse, Truth: true, RightFeedback: "Right."},
		{Category: "Numbers", Format: FormatMarkdown, Text: "**Pi**?", Kind: Numerical, Answers: []Answer{
			{Correct: true, Value: 3.14159, Tolerance: 0.0005},
			{Correct: true, Weight: weight(50), Range: true, Min: 3, Max: 3.2},
			{Feedback: "Think of a circle."},
		}},
		{Category: "Numbers", Text: "Capital of", TextAfter: "is Paris.", Kind: MissingWord, Blank: ShortAnswer, Answers: []Answer{
			{Text: "France", Correct: true},
		}},
		{Category: "Numbers", Title: "Pairs", Text: "Match.", Kind: Matching, Answers: []Answer{
			{Text: "a", Match: "1", Correct: true}, {Text: "b", Match: "2", Correct: true}, {Match: "3", Correct: true},
		}},
		{Category: "Numbers", Text: "Discuss.", Kind: Essay},
		{Category: "Numbers", Text: "Line one\nline two", Kind: Description},
		{Category: "Numbers", Text: `LaTeX \frac{1}{2}, path C:\Users\new, end\`, Kind: Description},
	}
	var buf bytes.Buffer
	if err := Write(&buf, qs); err != nil {
		t.Fatal(err)
	}
	want := `$CATEGORY: Basics

// [id:q-1\]]
::Travel rule::Which \{one\}?{
	=R16#Yes\: wire transfers.
	~%-50%R10
	~[moodle][html] looks like a tag
	####R16 via R15.
}

// [id:a\\]\]
True?{TRUE##Right.}

$CATEGORY: Numbers

[markdown]**Pi**?{#
	=3.14159:0.0005
	=%50%3..3.2
	~#Think of a circle.
}

Capital of{
	=France
} is Paris.

::Pairs::Match.{
	=a -> 1
	=b -> 2
	=-> 3
}

Discuss.{}

Line one\nline two

LaTeX \frac\{1\}\{2\}, path C\:\Users\\new, end\\

`
	if got := buf.String(); got != want {
		t.Errorf("Write wrote:\n%s\nwant:\n%s", got, want)
	}
	back, _ := roundTrip(t, qs)
	if !reflect.DeepEqual(withoutLines(back), qs) {
		t.Errorf("read back differs:\nwant %+v\ngot  %+v", qs, back)
	}
}

// TestWrite_Refuses: what GIFT cannot hold is an error naming the question, and
// nothing is written.
func TestWrite_Refuses(t *testing.T) {
	good := Question{Text: "Fine?", Kind: TrueFalse}
	cases := map[string]Question{
		"one choice":          {Text: "Q", Kind: MultipleChoice, Answers: []Answer{{Text: "a", Correct: true}}},
		"all right":           {Text: "Q", Kind: MultipleChoice, Answers: []Answer{{Text: "a", Correct: true}, {Text: "b", Correct: true}}},
		"weighted right":      {Text: "Q", Kind: MultipleChoice, Answers: []Answer{{Text: "a", Correct: true, Weight: weight(50)}, {Text: "b"}}},
		"weight out of range": {Text: "Q", Kind: MultipleChoice, Answers: []Answer{{Text: "a", Weight: weight(150)}, {Text: "b"}}},
		"empty answer":        {Text: "Q", Kind: ShortAnswer, Answers: []Answer{{Correct: true}}},
		"arrow in short":      {Text: "Q", Kind: ShortAnswer, Answers: []Answer{{Text: "a->b", Correct: true}, {Text: "c", Correct: true}}},
		"no text":             {Kind: Essay},
		"spaces":              {Text: " Q", Kind: Essay},
		"comment-like":        {Text: "// Q", Kind: Essay},
		"tag-like":            {Text: "[html]Q", Kind: Essay},
		"other not last":      {Text: "Q", Kind: Numerical, Answers: []Answer{{}, {Correct: true, Value: 1}}},
		"backwards range":     {Text: "Q", Kind: Numerical, Answers: []Answer{{Correct: true, Range: true, Min: 2, Max: 1}}},
		"negative tolerance":  {Text: "Q", Kind: Numerical, Answers: []Answer{{Correct: true, Value: 2, Tolerance: -1}}},
		"arrow on the left":   {Text: "Q", Kind: Matching, Answers: []Answer{{Text: "a->", Match: "1", Correct: true}, {Text: "b", Match: "2", Correct: true}}},
		"missing word alone":  {Text: "Q", Kind: MissingWord, Blank: Essay},
		"unknown kind":        {Text: "Q", Kind: "cloze"},
		"answers on essay":    {Text: "Q", Kind: Essay, Answers: []Answer{{Text: "a"}}},
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, []Question{good, q})
			if err == nil {
				t.Fatalf("Write accepted it:\n%s", buf.String())
			}
			if !strings.Contains(err.Error(), "question 2") {
				t.Errorf("the error does not name the question: %v", err)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %q despite the error", buf.String())
			}
		})
	}
}
