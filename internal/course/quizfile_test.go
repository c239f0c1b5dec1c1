package course

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// loadQuiz builds a one-module course in memory around a quiz body.
func loadQuiz(t *testing.T, quiz string) (*Quiz, Problems) {
	t.Helper()
	fsys := fstest.MapFS{
		"c/course.md":    {Data: []byte("---\ntitle: C\nsummary: S\n---\n")},
		"c/01-m.md":      {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n")},
		"c/01-m.quiz.md": {Data: []byte("---\ntitle: Q\n---\n\n" + quiz)},
		"c/images/x.svg": {Data: []byte("<svg/>")},
		"c/02-other.md":  {Data: []byte("---\ntitle: O\nduration: 10m\n---\n\nText.\n")},
	}
	c, probs := Load(fsys, "c", "c")
	if c == nil || c.Module("01-m") == nil {
		t.Fatalf("course did not load: %s", probs)
	}
	return c.Module("01-m").Quiz, probs
}

func TestParseQuiz_Kinds(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, q *Question)
	}{
		{"single", "## Pick one {#one}\n\n- [ ] a\n- [x] b\n- [ ] c\n\n> Because b.\n", func(t *testing.T, q *Question) {
			if q.Kind != KindSingle || len(q.Choices) != 3 || !q.Choices[1].Correct || q.Choices[0].Correct {
				t.Errorf("got %+v", q)
			}
			if q.ID != "one" || q.Points != 1 || q.Explanation != "Because b." {
				t.Errorf("id/points/explanation = %q %d %q", q.ID, q.Points, q.Explanation)
			}
		}},
		{"multiple with weight", "## Pick several {points=3}\n\n* [x] a\n* [X] b\n* [ ] c\n\n> a and b.\n", func(t *testing.T, q *Question) {
			if q.Kind != KindMultiple || q.Points != 3 || q.ID != "pick-several" {
				t.Errorf("got kind %s points %d id %q", q.Kind, q.Points, q.ID)
			}
		}},
		{"short answers", "## Name it\n\n= proof of work\n= PoW\n\n> PoW.\n", func(t *testing.T, q *Question) {
			if q.Kind != KindShort || len(q.Answers) != 2 || q.Answers[1] != "PoW" {
				t.Errorf("got %+v", q)
			}
		}},
		{"numeric", "## How many? {#n}\n\n= 24 ± 0.5\n", func(t *testing.T, q *Question) {
			if q.Kind != KindNumeric || q.Number != 24 || q.Tolerance != 0.5 {
				t.Errorf("got %+v", q)
			}
		}},
		{"numeric ascii tolerance", "## How many? {#n}\n\n= -3.5 +- 1\n", func(t *testing.T, q *Question) {
			if q.Kind != KindNumeric || q.Number != -3.5 || q.Tolerance != 1 {
				t.Errorf("got %+v", q)
			}
		}},
		{"prompt paragraphs and markdown", "## Read this *carefully* {#p}\n\nA second paragraph with `code`.\n\n- [x] yes\n- [ ] no\n", func(t *testing.T, q *Question) {
			if !strings.Contains(string(q.PromptHTML), "<em>carefully</em>") || !strings.Contains(string(q.PromptHTML), "<code>code</code>") {
				t.Errorf("prompt html = %s", q.PromptHTML)
			}
		}},
		{"multi-line explanation", "## Q {#q}\n\n= x\n\n> line one\n> line two\n", func(t *testing.T, q *Question) {
			if q.Explanation != "line one\nline two" {
				t.Errorf("explanation = %q", q.Explanation)
			}
		}},
		{"heading inside code fence is not a question", "## Q {#q}\n\n```\n## not a question\n```\n\n= x\n", func(t *testing.T, q *Question) {
			if !strings.Contains(q.Prompt, "## not a question") {
				t.Errorf("prompt = %q", q.Prompt)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qz, probs := loadQuiz(t, tt.src)
			if len(probs) > 0 {
				t.Fatalf("problems: %s", probs)
			}
			if len(qz.Questions) != 1 {
				t.Fatalf("questions = %d", len(qz.Questions))
			}
			tt.check(t, qz.Questions[0])
		})
	}
}

func TestParseQuiz_Problems(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no correct choice", "## Q\n\n- [ ] a\n- [ ] b\n", "c/01-m.quiz.md:5: question has no correct choice"},
		{"one choice only", "## Q\n\n- [x] a\n", "c/01-m.quiz.md:5: question needs at least two choices"},
		{"more choices than letters", "## Q\n\n- [x] a\n" + manyChoices(26), "c/01-m.quiz.md:5: question has 27 choices; at most 26 (A to Z on a printed sheet)"},
		{"nothing under heading", "## Q\n\nJust text.\n", "c/01-m.quiz.md:5: question has no choices or answers"},
		{"mixed kinds", "## Q\n\n- [x] a\n- [ ] b\n= a\n", "c/01-m.quiz.md:9: question mixes choices and \"=\" answers"},
		{"duplicate ids", "## Q {#a}\n\n= x\n\n## R {#a}\n\n= y\n", "c/01-m.quiz.md:9: duplicate question id \"a\" (first used on line 5)"},
		{"duplicate slug", "## Same text\n\n= x\n\n## Same text\n\n= y\n", "c/01-m.quiz.md:9: duplicate question id \"same-text\""},
		{"bad points", "## Q {points=0}\n\n= x\n", "c/01-m.quiz.md:5: bad points \"0\""},
		{"unknown attribute", "## Q {weight=2}\n\n= x\n", "c/01-m.quiz.md:5: unknown question attribute \"weight=2\""},
		{"two numeric lines", "## Q\n\n= 1 ± 0\n= 2 ± 0\n", "c/01-m.quiz.md:7: a numeric question takes exactly one"},
		{"text after answers", "## Q\n\n= x\n\nMore text.\n", "c/01-m.quiz.md:9: text after the answers"},
		{"duplicate choice", "## Q\n\n- [x] Same\n- [ ] same\n", "c/01-m.quiz.md:8: duplicate choice (same text as line 7)"},
		{"no questions", "Only an introduction.\n", "c/01-m.quiz.md:4: quiz has no questions"},
		{"broken image in a prompt", "## Q\n\n![x](images/nope.png)\n\n= x\n", "c/01-m.quiz.md:7: broken image \"images/nope.png\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := loadQuiz(t, tt.src)
			if !strings.Contains(probs.String(), tt.want) {
				t.Errorf("problems:\n%s\nwant a line containing %q", probs, tt.want)
			}
		})
	}
}

func TestChoiceID_StableAcrossReordering(t *testing.T) {
	a, _ := loadQuiz(t, "## Q {#q}\n\n- [x] Alpha\n- [ ] Beta\n")
	b, _ := loadQuiz(t, "## Q {#q}\n\n- [ ] Beta\n- [x] Alpha\n")
	if a.Questions[0].Choices[0].ID != b.Questions[0].Choices[1].ID {
		t.Errorf("choice id changed when choices were reordered")
	}
}

func TestNormalizeAnswer(t *testing.T) {
	tests := map[string]string{
		"Proof  of   Work":   "proof of work",
		" PoW ":              "pow",
		"Ｈａｎｏｉ":              "hanoi", // full-width letters fold under NFKC
		"Ha\u0300 Nô\u0323i": NormalizeAnswer("Hà Nội"),
	}
	for in, want := range tests {
		if got := NormalizeAnswer(in); got != want {
			t.Errorf("NormalizeAnswer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseValidity(t *testing.T) {
	good := map[string]Validity{"3y": {Years: 3}, "18mo": {Months: 18}, "90d": {Days: 90}, "1y6mo": {Years: 1, Months: 6}, "48h": {Days: 2}}
	for in, want := range good {
		if got, err := ParseValidity(in); err != nil || got != want {
			t.Errorf("ParseValidity(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "3 years", "y", "0d", "3w"} {
		if _, err := ParseValidity(in); err == nil {
			t.Errorf("ParseValidity(%q) accepted", in)
		}
	}
}

// manyChoices is n wrong choices with different texts.
func manyChoices(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "- [ ] choice %d\n", i)
	}
	return b.String()
}
