package giftconv

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// quizQuestion is one question as it will be written to a .quiz.md file.
type quizQuestion struct {
	Line        int    // the GIFT line it came from, for problems
	ID          string // written as {#id}
	TitleID     string // a slug of the GIFT ::title::, the id when ID is empty
	Points      int    // written as {points=N} when not 1
	Dropped     bool
	Prompt      string // Markdown; its first line becomes the "## " heading
	Choices     []quizChoice
	Answers     []string // short answers, one "= text" line each
	Numeric     bool
	Number      float64
	Tolerance   float64
	Explanation string // Markdown, written as a blockquote
	// refusedAt is the line of the answer a refusal is about (0: the question's).
	refusedAt int
}

type quizChoice struct {
	Text    string // one line of inline Markdown
	Correct bool
}

// quizFile is one NN-name.quiz.md.
type quizFile struct {
	Module    string // NN-name
	Title     string
	Questions []*quizQuestion
}

// Lines that internal/course reads as something other than question text:
// they are escaped when they occur in a prompt (see quizfile.go there).
var (
	mdHeadingLine = regexp.MustCompile(`^( {0,3})(#)`)
	mdChoiceLine  = regexp.MustCompile(`^( {0,3}[-*+] *)(\[)`)
	mdAnswerLine  = regexp.MustCompile(`^( {0,3})(=)`)
	mdQuoteLine   = regexp.MustCompile(`^( {0,3})(>)`)
	mdFenceLine   = regexp.MustCompile("^ {0,3}(```|~~~)")
	mdTrailAttrs  = regexp.MustCompile(`\}\s*$`)
	mdTrailHashes = regexp.MustCompile(`#\s*$`)
)

// render writes the quiz file in the format internal/course reads.
func (f *quizFile) render() ([]byte, error) {
	var b bytes.Buffer
	fm, err := yaml.Marshal(map[string]string{"title": f.Title})
	if err != nil {
		return nil, fmt.Errorf("quiz %s front matter: %w", f.Module, err)
	}
	b.WriteString("---\n")
	b.Write(fm)
	b.WriteString("---\n")
	for _, q := range f.Questions {
		b.WriteString("\n")
		q.render(&b)
	}
	return b.Bytes(), nil
}

func (q *quizQuestion) render(b *bytes.Buffer) {
	heading, rest, _ := strings.Cut(strings.TrimSpace(q.Prompt), "\n")
	b.WriteString("## ")
	b.WriteString(headingText(heading))
	if q.Points != 1 {
		fmt.Fprintf(b, " {points=%d}", q.Points)
	}
	if q.Dropped {
		b.WriteString(" {dropped}")
	}
	fmt.Fprintf(b, " {#%s}\n", q.ID)
	if rest = strings.Trim(rest, "\n"); rest != "" {
		b.WriteString("\n")
		b.WriteString(escapePromptLines(rest))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	switch {
	case len(q.Choices) > 0:
		for _, c := range q.Choices {
			box := " "
			if c.Correct {
				box = "x"
			}
			fmt.Fprintf(b, "- [%s] %s\n", box, oneLine(c.Text))
		}
	case q.Numeric:
		fmt.Fprintf(b, "= %s ± %s\n", formatNumber(q.Number), formatNumber(q.Tolerance))
	default:
		for _, a := range q.Answers {
			fmt.Fprintf(b, "= %s\n", oneLine(a))
		}
	}
	if expl := strings.TrimSpace(q.Explanation); expl != "" {
		b.WriteString("\n")
		for _, l := range strings.Split(expl, "\n") {
			if l = strings.TrimRight(l, " \t\r"); l == "" {
				b.WriteString(">\n")
			} else {
				b.WriteString("> " + l + "\n")
			}
		}
	}
}

// headingText keeps a heading from being read as more than its text: a
// trailing "{…}" would be taken for attributes and trailing "#"s are dropped
// by the heading syntax, so the last such character is written as an entity
// (the heading is rendered as Markdown, where the entity reads the same).
func headingText(h string) string {
	h = strings.TrimSpace(h)
	if loc := mdTrailAttrs.FindStringIndex(h); loc != nil {
		h = h[:loc[0]] + "&#125;"
	}
	if loc := mdTrailHashes.FindStringIndex(h); loc != nil {
		h = h[:loc[0]] + "&#35;"
	}
	return h
}

// escapePromptLines backslash-escapes the lines under a heading that the quiz
// format would read as a new question, a choice, an answer or the explanation.
// Lines inside a code fence are left as they are: the quiz format reads them
// as text already, and an escape there would show.
func escapePromptLines(s string) string {
	lines := strings.Split(s, "\n")
	inFence, fence := false, ""
	for i, l := range lines {
		if m := mdFenceLine.FindStringSubmatch(l); m != nil {
			inFence, fence = !inFence, m[1]
			continue
		}
		if inFence {
			continue
		}
		for _, re := range []*regexp.Regexp{mdHeadingLine, mdChoiceLine, mdAnswerLine, mdQuoteLine} {
			if re.MatchString(l) {
				lines[i] = re.ReplaceAllString(l, `$1\$2`)
				break
			}
		}
	}
	if inFence {
		// Closed here, or the quiz format would read the choices as code.
		lines = append(lines, fence)
	}
	return strings.Join(lines, "\n")
}

// oneLine joins a multi-line text into the one line a choice or answer takes.
// Only ASCII white space is folded: a no-break space (French "1 000 EUR",
// "anonyme :") is part of the text.
func oneLine(s string) string {
	return strings.Trim(collapseSpace(s), " ")
}

// formatNumber writes a number the way the quiz format reads it: digits and
// at most one point, no exponent.
func formatNumber(x float64) string {
	return strconv.FormatFloat(x, 'f', -1, 64)
}
