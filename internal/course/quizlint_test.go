package course

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLint_NumericQuestionSaysHowToWriteTheNumber: a numeric question whose text
// does not tell officers to write digits gets a warning naming its line, in the
// course's language; the course still loads without problems.
func TestLint_NumericQuestionSaysHowToWriteTheNumber(t *testing.T) {
	tests := []struct {
		name, lang, quiz string
		warnLines        []int
	}{
		{"no instruction", "en", "## How many confirmations? {#six}\n\n= 6 ± 0\n", []int{5}},
		{"instruction under the heading", "en", "## How many confirmations?\n\nWrite the number in digits.\n\n= 6 ± 0\n", nil},
		{"instruction in the heading", "en", "## In figures, how many confirmations?\n\n= 6 ± 0\n", nil},
		{"decimal point", "en", "## What fee?\n\nWrite the number with a decimal point, e.g. 0.5.\n\n= 0.001 ± 0.00001\n", nil},
		{"only the numeric one", "en", "## Name it\n\n= change\n\n## How many?\n\n= 4 ± 0\n\n## Pick\n\n- [x] a\n- [ ] b\n", []int{9}},
		{"French in French", "fr", "## Combien de confirmations ?\n\nÉcrivez le nombre en chiffres.\n\n= 6 ± 0\n", nil},
		{"English words do not satisfy a French course", "fr", "## Combien de confirmations ?\n\nWrite the number in digits.\n\n= 6 ± 0\n", []int{5}},
		{"regional tag uses its language", "pt-BR", "## Quantas confirmações?\n\n= 6 ± 0\n", []int{5}},
		{"language without a word list is not checked", "ko", "## 확인은 몇 번입니까?\n\n= 6 ± 0\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"c/course.md":    {Data: []byte("---\ntitle: C\nsummary: S\nlanguage: " + tt.lang + "\n---\n")},
				"c/01-m.md":      {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n")},
				"c/01-m.quiz.md": {Data: []byte("---\ntitle: Q\n---\n\n" + tt.quiz)},
			}
			c, probs := Load(fsys, "c", "c")
			if len(probs) > 0 {
				t.Fatalf("a warning must not be a problem: %s", probs)
			}
			var got []int
			for _, w := range c.Warnings {
				if w.Path != "c/01-m.quiz.md" || !strings.Contains(w.Message, "Write the number in digits") {
					t.Errorf("warning %s", w)
				}
				got = append(got, w.Line)
			}
			if len(got) != len(tt.warnLines) {
				t.Fatalf("warnings on lines %v, want %v", got, tt.warnLines)
			}
			for i := range got {
				if got[i] != tt.warnLines[i] {
					t.Errorf("warnings on lines %v, want %v", got, tt.warnLines)
				}
			}
		})
	}
}

// The shipped course tells officers how to write every number.
func TestLint_ShippedCourseHasNoWarnings(t *testing.T) {
	c, probs := Load(os.DirFS("../../courses"), "crypto-crime", "courses/crypto-crime")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if len(c.Warnings) > 0 {
		t.Errorf("shipped course has warnings:\n%s", c.Warnings.String())
	}
}
