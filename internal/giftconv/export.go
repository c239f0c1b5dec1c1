package giftconv

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/gift"
)

// Export writes a quiz's questions as GIFT: each in [markdown] (Lectern's own
// format, which Moodle renders), its id as // [id:…] and as its name in
// Moodle's question bank (::id::, short and stable), its points and dropped
// mark as // [lectern:…], the explanation as general feedback, and the quiz
// under $CATEGORY: COURSE/MODULE so that Import puts it back in its module.
//
// What GIFT cannot carry is returned as problems on the quiz file's lines and
// the question is left out: a link or image to a file of the course (GIFT has
// no files), a short answer with a * (Moodle reads it as a wildcard) or
// with -> beside other answers (Moodle reads a matching question), a right
// choice that starts with %, a
// multiple choice whose k right choices would weigh 100/k %, a grade Moodle's
// importer refuses (k from 11 to 19, or above 20).
func Export(courseID string, q *course.Quiz) ([]byte, []Problem, error) {
	var out bytes.Buffer
	var probs []Problem
	fmt.Fprintf(&out, "$CATEGORY: %s/%s\n\n", courseID, q.ID)
	for _, x := range q.Questions {
		g, why := exportQuestion(x)
		if why != "" {
			probs = append(probs, Problem{Line: x.Line, Message: why})
			continue
		}
		var attrs []string
		if x.Points != 1 {
			attrs = append(attrs, fmt.Sprintf("points=%d", x.Points))
		}
		if x.Dropped {
			attrs = append(attrs, "dropped")
		}
		if len(attrs) > 0 {
			fmt.Fprintf(&out, "// [lectern:%s]\n", strings.Join(attrs, ","))
		}
		// gift.Write checks a question whole before writing any of it; what
		// it refuses is this question's content, reported like the rest.
		if err := gift.Write(&out, []gift.Question{g}); err != nil {
			probs = append(probs, Problem{Line: x.Line, Message: "GIFT cannot carry this question: " + writeRefusal(err)})
			continue
		}
		if !bytes.HasSuffix(out.Bytes(), []byte("\n\n")) {
			out.WriteString("\n")
		}
	}
	return out.Bytes(), probs, nil
}

func exportQuestion(x *course.Question) (gift.Question, string) {
	g := gift.Question{Title: x.ID, ID: x.ID, Format: gift.FormatMarkdown, Text: x.Prompt, GeneralFeedback: x.Explanation}
	texts := []string{x.Prompt, x.Explanation}
	switch x.Kind {
	case course.KindSingle:
		g.Kind = gift.MultipleChoice
		for _, c := range x.Choices {
			a := gift.Answer{Text: c.Text, Correct: c.Correct}
			if strings.HasPrefix(c.Text, "%") {
				// Moodle would read a leading %n% as a weight: an explicit
				// ~%0% before it keeps it text. A right choice has only =,
				// which Moodle reads with the text as it is but gift.Parse
				// takes for a misplaced weight.
				if c.Correct {
					return g, fmt.Sprintf("the right choice %q starts with %%, which GIFT cannot carry after = (it reads back as a misplaced weight); put a word before it", c.Text)
				}
				a.Weight = new(float64)
			}
			g.Answers = append(g.Answers, a)
			texts = append(texts, c.Text)
		}
	case course.KindMultiple:
		g.Kind = gift.MultipleChoice
		right := 0
		for _, c := range x.Choices {
			if c.Correct {
				right++
			}
		}
		share := roundWeight(100 / float64(right))
		if !moodleGrade(share) {
			return g, fmt.Sprintf("%d right choices would each weigh %s%%, a grade Moodle's importer does not list (it takes 100/k %% for k up to 10, and 5 %%), so Moodle would refuse the whole file: mark at most 10 choices right, or exactly 20", right, formatWeight(share))
		}
		for _, c := range x.Choices {
			w := share
			if !c.Correct {
				w = -share
			}
			g.Answers = append(g.Answers, gift.Answer{Text: c.Text, Weight: &w})
			texts = append(texts, c.Text)
		}
	case course.KindShort:
		g.Kind = gift.ShortAnswer
		for _, a := range x.Answers {
			if strings.Contains(a, "*") {
				return g, fmt.Sprintf("short answer %q has a *, which Moodle reads as a wildcard", a)
			}
			if strings.Contains(a, "->") && len(x.Answers) > 1 {
				return g, fmt.Sprintf("short answer %q has ->: beside other answers, Moodle reads = … -> … as a matching question; accept it alone or reword it", a)
			}
			ga := gift.Answer{Text: a, Correct: true}
			if strings.HasPrefix(a, "%") {
				full := 100.0 // =%100% before it, or Moodle reads its %n% as the weight
				ga.Weight = &full
			}
			g.Answers = append(g.Answers, ga)
		}
	case course.KindNumeric:
		g.Kind = gift.Numerical
		g.Answers = []gift.Answer{{Correct: true, Value: x.Number, Tolerance: x.Tolerance}}
	default:
		return g, fmt.Sprintf("question kind %q has no GIFT equivalent", x.Kind)
	}
	for _, t := range texts {
		if dest := courseFileLink(t); dest != "" {
			return g, fmt.Sprintf("links to %s, a file of the course: GIFT carries no files (link to its address on the server, or leave the question out)", dest)
		}
	}
	return g, ""
}

// writeRefusal is why gift.Write refused one question, without its wrapping
// ("gift: question 1 (…): ") that names the question by its place in a
// one-question slice.
func writeRefusal(err error) string {
	joined, ok := errors.Unwrap(err).(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 1 {
		return err.Error()
	}
	if inner := errors.Unwrap(joined.Unwrap()[0]); inner != nil {
		return inner.Error()
	}
	return err.Error()
}

// roundWeight is a weight as Moodle writes it, to five decimals (33.33333).
func roundWeight(w float64) float64 {
	return math.Round(w*1e5) / 1e5
}

var mdLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)`)

// courseFileLink returns the first relative link or image of a Markdown text
// (one that points at a file of the course), or "".
func courseFileLink(md string) string {
	for _, m := range mdLink.FindAllStringSubmatch(md, -1) {
		dest := m[1]
		if strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") || strings.Contains(dest, ":") {
			continue
		}
		return dest
	}
	return ""
}
