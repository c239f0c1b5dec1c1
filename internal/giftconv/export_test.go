package giftconv

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/gift"
)

// quizOf loads one quiz file as a course would, failing on lint problems.
func quizOf(t *testing.T, quiz string) *course.Quiz {
	t.Helper()
	c, probs := course.FromFiles("c", map[string][]byte{
		"course.md":       []byte("---\ntitle: C\nsummary: S\n---\n\nText.\n"),
		"01-test.md":      []byte("---\ntitle: T\nduration: 30m\n---\n\nText.\n"),
		"01-test.quiz.md": []byte(quiz),
	})
	if len(probs) > 0 {
		t.Fatalf("quiz fails lint: %s\n%s", probs, quiz)
	}
	return c.Modules[0].Quiz
}

// moodleFractions is question_bank::fraction_options_full() of Moodle 4.x
// (question/engine/bank.php), as its keys are written there; match_grade_options
// accepts a fraction within 1e-5 of one of them and refuses the file otherwise.
var moodleFractions = []string{"1.0", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4",
	"0.3333333", "0.3", "0.25", "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111", "0.1", "0.05", "0.0"}

func moodleAccepts(fraction float64) bool {
	for _, s := range moodleFractions {
		v, _ := strconv.ParseFloat(s, 64)
		if math.Abs(fraction-v) < 1e-5 || math.Abs(fraction+v) < 1e-5 {
			return true
		}
	}
	return false
}

// TestExport_MultipleChoiceGradesMoodleAccepts: a multiple choice with k
// right choices is written with weights ±100/k %, which Moodle's importer
// takes only for k up to 10 and 20; any other k is refused on the
// question's line (Moodle would refuse the whole file), and what is written
// carries only weights Moodle's list holds.
func TestExport_MultipleChoiceGradesMoodleAccepts(t *testing.T) {
	for k := 2; k <= course.MaxChoices; k++ {
		var b strings.Builder
		b.WriteString("---\ntitle: Q\n---\n\n## Pick the first.\n\n- [x] first\n- [ ] second\n\n## Which are right?\n\n")
		for i := range k {
			fmt.Fprintf(&b, "- [x] right %d\n", i+1)
		}
		if k < course.MaxChoices {
			b.WriteString("- [ ] wrong\n")
		}
		q := quizOf(t, b.String())
		data, probs, err := Export("c", q)
		if err != nil {
			t.Fatal(err)
		}
		listed := k <= 10 || k == 20
		if !listed {
			if len(probs) != 1 || probs[0].Line != 10 || !strings.Contains(probs[0].Message, fmt.Sprintf("%d right choices would each weigh", k)) ||
				!strings.Contains(probs[0].Message, "Moodle would refuse the whole file") {
				t.Errorf("k=%d: problems %+v, want one on line 10", k, probs)
			}
			if strings.Contains(string(data), "Which are right") {
				t.Errorf("k=%d: the refused question was written:\n%s", k, data)
			}
		} else if len(probs) > 0 {
			t.Errorf("k=%d: problems %+v", k, probs)
		}
		qs, malformed := gift.Parse("x.gift", strings.NewReader(string(data)))
		if len(malformed) > 0 {
			t.Fatalf("k=%d: %+v\n%s", k, malformed, data)
		}
		for _, g := range qs {
			for _, a := range g.Answers {
				if w := weightOf(a); !moodleAccepts(w / 100) {
					t.Errorf("k=%d: weight %v%% written, which Moodle refuses:\n%s", k, w, data)
				}
			}
		}
		if want := 1 + map[bool]int{true: 1}[listed]; len(qs) != want {
			t.Errorf("k=%d: %d questions written, want %d", k, len(qs), want)
		}
	}
}

// TestExport_TextsGIFTReadsOtherwise: a choice or short answer that starts
// with % gets an explicit weight before it (else Moodle reads its %n% as the
// weight) and comes back the same; what GIFT cannot carry at all — a right
// choice starting with %, a short answer with -> beside others (Moodle reads
// a matching question) — is refused on the question's line.
func TestExport_TextsGIFTReadsOtherwise(t *testing.T) {
	q := quizOf(t, "---\ntitle: Q\n---\n\n"+
		"## Which discount did the exchange advertise? {#discount}\n\n= %50% off\n= half off\n\n"+ // line 5
		"## Which Go verb prints a value? {#verb}\n\n- [x] the v verb\n- [ ] %d for a string\n\n"+ // line 10
		"## Which verb prints a decimal? {#decimal}\n\n- [x] %d\n- [ ] %s\n\n"+ // line 15
		"## Write the flow. {#flow}\n\n= wallet -> mixer\n= wallet to mixer\n\n"+ // line 20
		"## Write the flow alone. {#flow-alone}\n\n= wallet -> mixer\n") // line 25
	data, probs, err := Export("c", q)
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{
		{Line: 15, Message: `the right choice "%d" starts with %, which GIFT cannot carry after = (it reads back as a misplaced weight); put a word before it`},
		{Line: 20, Message: `short answer "wallet -> mixer" has ->: beside other answers, Moodle reads = … -> … as a matching question; accept it alone or reword it`},
	}
	if fmt.Sprint(probs) != fmt.Sprint(want) {
		t.Errorf("problems %+v\nwant     %+v", probs, want)
	}
	if !strings.Contains(string(data), "=%100%%50% off") || !strings.Contains(string(data), "~%0%%d for a string") {
		t.Errorf("no explicit weight before a leading %%:\n%s", data)
	}
	qs, malformed := gift.Parse("x.gift", strings.NewReader(string(data)))
	if len(malformed) > 0 {
		t.Fatalf("%+v\n%s", malformed, data)
	}
	back, unsupported, err := Import(qs, ImportOptions{Module: "01-test", True: "T", False: "F", Comments: LecternComments(data)})
	if err != nil || len(unsupported) > 0 || len(back) != 1 {
		t.Fatalf("import: %v %+v %d files", err, unsupported, len(back))
	}
	got := quizOf(t, string(back[0].Data))
	if len(got.Questions) != 3 {
		t.Fatalf("%d questions back:\n%s", len(got.Questions), back[0].Data)
	}
	if a := got.Questions[0].Answers; len(a) != 2 || a[0] != "%50% off" {
		t.Errorf("short answers back: %q", a)
	}
	if c := got.Questions[1].Choices; len(c) != 2 || c[1].Text != "%d for a string" || c[1].Correct || !c[0].Correct {
		t.Errorf("choices back: %+v", c)
	}
	if a := got.Questions[2].Answers; len(a) != 1 || a[0] != "wallet -> mixer" {
		t.Errorf("lone answer back: %q", a)
	}
}

// TestExport_WriteRefusalIsAProblem: whatever gift.Write refuses in one
// question becomes a problem on that question's line, in gift's words
// without the wrapping that numbers it in a slice of one, and the other
// questions are still written.
func TestExport_WriteRefusalIsAProblem(t *testing.T) {
	q := quizOf(t, "---\ntitle: Q\n---\n\n## First?\n\n- [x] a\n- [ ] b\n\n## Second?\n\n= 7 ± 1\n")
	q.Questions[1].Tolerance = -1 // lint refuses it; gift.Write must too
	data, probs, err := Export("c", q)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].Line != 10 || probs[0].Message != "GIFT cannot carry this question: answer 1: the margin of error -1 is negative" {
		t.Errorf("problems %+v", probs)
	}
	if !strings.Contains(string(data), "First?") || strings.Contains(string(data), "Second?") {
		t.Errorf("written:\n%s", data)
	}
}
