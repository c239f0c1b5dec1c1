package gift

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Write writes questions as GIFT that Moodle's importer reads, and that Parse
// reads back as the same questions (Line fields aside). Questions GIFT cannot
// express as given are errors, all of them at once, each naming its question;
// then nothing is written, so an export is never half a file.
func Write(w io.Writer, qs []Question) error {
	var (
		buf      bytes.Buffer
		errs     []error
		category string
	)
	for i, q := range qs {
		var out bytes.Buffer
		if err := writeQuestion(&out, q); err != nil {
			errs = append(errs, fmt.Errorf("question %d (%s): %w", i+1, describe(q), err))
			continue
		}
		if q.Category != category {
			if err := checkText(q.Category, "category"); err != nil {
				errs = append(errs, fmt.Errorf("question %d (%s): %w", i+1, describe(q), err))
				continue
			}
			fmt.Fprintf(&buf, "$CATEGORY: %s\n\n", escape(q.Category))
			category = q.Category
		}
		buf.Write(out.Bytes())
		buf.WriteString("\n")
	}
	if len(errs) > 0 {
		return fmt.Errorf("gift: %w", errors.Join(errs...))
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("gift: write: %w", err)
	}
	return nil
}

func describe(q Question) string {
	name := q.Title
	if name == "" {
		name = q.Text
	}
	if len(name) > 40 {
		name = strings.ToValidUTF8(name[:40], "") + "…"
	}
	if q.Line > 0 {
		return fmt.Sprintf("%q, line %d", name, q.Line)
	}
	return strconv.Quote(name)
}

// escape writes s so that Parse reads it back literally: GIFT's special
// characters escaped, a newline as \n (a raw one could end the question). A
// backslash is doubled only where it would start an escape — before a special
// character, an n, a newline, another backslash, or at the end (what follows is
// GIFT's). Moodle, like Parse, reads `\\` as one backslash and any other
// backslash as itself, so `\frac` and `C\:\Users` read there as written.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '~', '=', '#', '{', '}', ':':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			if i+1 == len(s) || strings.IndexByte("\\~=#{}:n\n", s[i+1]) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte('\\')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// checkText refuses what Parse could not read back as the same string.
func checkText(s, what string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("the %s is not valid UTF-8", what)
	}
	if trimmed := strings.Trim(s, " \t\n\r\x00\v"); trimmed != s {
		return fmt.Errorf("the %s %q starts or ends with white space, which GIFT drops", what, s)
	}
	return nil
}

// hasFormatTag reports whether s starts with a tag Parse would take as a format.
func hasFormatTag(s string) bool {
	for _, f := range []Format{FormatMoodle, FormatHTML, FormatPlain, FormatMarkdown} {
		if strings.HasPrefix(s, "["+string(f)+"]") {
			return true
		}
	}
	return false
}

// writer writes one question's parts.
type writer struct {
	out    *bytes.Buffer
	format Format
}

// text writes an answer's or feedback's text. One that starts like a format tag
// gets the question's own tag first, which Parse drops, keeping the rest as text.
func (w writer) text(s, what string) error {
	if err := checkText(s, what); err != nil {
		return err
	}
	if hasFormatTag(s) {
		f := w.format
		if f == FormatNone {
			f = FormatMoodle
		}
		w.out.WriteString("[" + string(f) + "]")
	}
	w.out.WriteString(escape(s))
	return nil
}

func writeQuestion(out *bytes.Buffer, q Question) error {
	switch q.Format {
	case FormatNone, FormatMoodle, FormatHTML, FormatPlain, FormatMarkdown:
	default:
		return fmt.Errorf("unknown format %q", q.Format)
	}
	if q.ID != "" {
		if err := checkText(q.ID, "id"); err != nil {
			return err
		}
		if strings.ContainsFunc(q.ID, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("the id %q has a control character, which GIFT cannot hold", q.ID)
		}
		// Moodle escapes only ] in an id, as it reads it.
		fmt.Fprintf(out, "// [id:%s]\n", strings.ReplaceAll(q.ID, `]`, `\]`))
	}
	start := out.Len()
	if q.Title != "" {
		if err := checkText(q.Title, "title"); err != nil {
			return err
		}
		out.WriteString("::" + escape(q.Title) + "::")
	}
	if q.Format != FormatNone {
		out.WriteString("[" + string(q.Format) + "]")
	} else if hasFormatTag(q.Text) {
		return fmt.Errorf("the text %q starts like a format tag; give the question a Format", q.Text)
	}
	if err := checkText(q.Text, "question text"); err != nil {
		return err
	}
	out.WriteString(escape(q.Text))
	if bytes.HasPrefix(out.Bytes()[start:], []byte("//")) {
		return errors.New("the text starts with //, which GIFT reads as a comment; give the question a title")
	}

	kind, after := q.Kind, ""
	if q.Kind == MissingWord {
		if q.TextAfter == "" {
			return errors.New("a missing-word question needs text after its blank")
		}
		if err := checkText(q.TextAfter, "text after the blank"); err != nil {
			return err
		}
		kind, after = q.Blank, " "+escape(q.TextAfter)
		if kind == Description || kind == MissingWord {
			return fmt.Errorf("a missing-word blank cannot be %q", kind)
		}
	} else {
		if q.TextAfter != "" || q.Blank != "" {
			return errors.New("only a missing-word question has TextAfter and Blank")
		}
		if q.Text == "" {
			return errors.New("the question has no text")
		}
	}
	if kind != TrueFalse && (q.Truth || q.WrongFeedback != "" || q.RightFeedback != "") {
		return errors.New("only a true/false question has Truth, WrongFeedback and RightFeedback")
	}
	switch kind {
	case MultipleChoice, ShortAnswer, Numerical, Matching:
	default:
		if len(q.Answers) > 0 {
			return fmt.Errorf("a %s question has no answers", kind)
		}
	}

	w := writer{out, q.Format}
	var err error
	switch kind {
	case Description:
		if q.GeneralFeedback != "" {
			return errors.New("a description has no answer set to carry general feedback")
		}
		out.WriteString("\n")
		return nil
	case Essay:
		out.WriteString("{")
		err = w.generalFeedback(q.GeneralFeedback, "")
		out.WriteString("}")
	case TrueFalse:
		err = w.trueFalse(q)
	case MultipleChoice:
		err = w.set(q, "{\n", w.choice, checkChoices)
	case ShortAnswer:
		err = w.set(q, "{\n", w.shortAnswer, checkShortAnswers)
	case Numerical:
		err = w.set(q, "{#\n", w.number, checkNumbers)
	case Matching:
		err = w.set(q, "{\n", w.pair, checkPairs)
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	if err != nil {
		return err
	}
	out.WriteString(after + "\n")
	return nil
}

// set writes an answer set one answer a line, then the general feedback; check
// refuses the answers together where one by one they would not tell.
func (w writer) set(q Question, open string, answer func(Answer) error, check func([]Answer) error) error {
	if len(q.Answers) == 0 {
		return errors.New("the question has no answers")
	}
	if err := check(q.Answers); err != nil {
		return err
	}
	w.out.WriteString(open)
	for i, a := range q.Answers {
		w.out.WriteString("\t")
		if err := answer(a); err != nil {
			return fmt.Errorf("answer %d: %w", i+1, err)
		}
		w.out.WriteString("\n")
	}
	if err := w.generalFeedback(q.GeneralFeedback, "\t"); err != nil {
		return err
	}
	if q.GeneralFeedback != "" {
		w.out.WriteString("\n")
	}
	w.out.WriteString("}")
	return nil
}

func (w writer) generalFeedback(s, indent string) error {
	if s == "" {
		return nil
	}
	w.out.WriteString(indent + "####")
	return w.text(s, "general feedback")
}

func (w writer) feedback(s string) error {
	if s == "" {
		return nil
	}
	w.out.WriteString("#")
	return w.text(s, "feedback")
}

func (w writer) trueFalse(q Question) error {
	if q.Truth {
		w.out.WriteString("{TRUE")
	} else {
		w.out.WriteString("{FALSE")
	}
	if q.WrongFeedback != "" || q.RightFeedback != "" {
		w.out.WriteString("#")
		if q.WrongFeedback != "" {
			if err := w.text(q.WrongFeedback, "wrong-answer feedback"); err != nil {
				return err
			}
		}
	}
	if err := w.feedback(q.RightFeedback); err != nil {
		return err
	}
	if err := w.generalFeedback(q.GeneralFeedback, ""); err != nil {
		return err
	}
	w.out.WriteString("}")
	return nil
}

// weight writes %n%; a weight outside -100..100 is refused as Parse refuses it.
func (w writer) weight(p *float64) error {
	if p == nil {
		return nil
	}
	if math.IsNaN(*p) || *p < -100 || *p > 100 {
		return fmt.Errorf("the weight %v is outside -100 to 100", *p)
	}
	w.out.WriteString("%" + strconv.FormatFloat(*p, 'f', -1, 64) + "%")
	return nil
}

func noNumbers(a Answer) error {
	if a.Value != 0 || a.Tolerance != 0 || a.Range || a.Min != 0 || a.Max != 0 {
		return errors.New("only a numerical answer has a number")
	}
	return nil
}

func (w writer) choice(a Answer) error {
	if err := noNumbers(a); err != nil {
		return err
	}
	if a.Match != "" {
		return errors.New("only a matching pair has a right side")
	}
	if a.Text == "" {
		return errors.New("the answer is empty")
	}
	if a.Correct {
		if a.Weight != nil {
			return errors.New("a right (=) answer has no weight; a weighted one is ~%n%")
		}
		w.out.WriteString("=")
	} else {
		w.out.WriteString("~")
	}
	if strings.HasPrefix(a.Text, "%") && (a.Correct || a.Weight == nil) {
		return errors.New("an answer that starts with % needs a weight before it")
	}
	if err := w.weight(a.Weight); err != nil {
		return err
	}
	if err := w.text(a.Text, "answer"); err != nil {
		return err
	}
	return w.feedback(a.Feedback)
}

// checkChoices: Parse takes a set without ~ for another kind.
func checkChoices(answers []Answer) error {
	if len(answers) < 2 {
		return errors.New("a multiple-choice question needs at least two answers")
	}
	for _, a := range answers {
		if !a.Correct {
			return nil
		}
	}
	return errors.New("a multiple-choice question needs an answer that is not simply right (~)")
}

func (w writer) shortAnswer(a Answer) error {
	if err := noNumbers(a); err != nil {
		return err
	}
	if !a.Correct || a.Match != "" {
		return errors.New("every short answer is right (Correct) and has no right side")
	}
	if a.Text == "" {
		return errors.New("the answer is empty")
	}
	if strings.HasPrefix(a.Text, "%") && a.Weight == nil {
		return errors.New("an answer that starts with % needs a weight before it")
	}
	if !arrow(a) {
		w.out.WriteString("=")
	}
	if err := w.weight(a.Weight); err != nil {
		return err
	}
	if err := w.text(a.Text, "answer"); err != nil {
		return err
	}
	return w.feedback(a.Feedback)
}

// arrow: Parse reads a set with both = and -> as matching pairs, so a short
// answer with -> is written without its = (Moodle reads a lone first answer so).
func arrow(a Answer) bool {
	return strings.Contains(a.Text, "->") || strings.Contains(a.Feedback, "->")
}

func checkShortAnswers(answers []Answer) error {
	for _, a := range answers {
		if arrow(a) && len(answers) > 1 {
			return errors.New("a short answer or its feedback can contain -> only when it is the only answer (GIFT reads = with -> as matching pairs)")
		}
	}
	return nil
}

func (w writer) number(a Answer) error {
	if a.Text != "" || a.Match != "" {
		return errors.New("a numerical answer has a number, no text")
	}
	if !a.Correct {
		if a.Weight != nil {
			return errors.New("the answer for any other number (~) has no weight")
		}
		if err := noNumbers(a); err != nil {
			return errors.New("the answer for any other number (~) has no number")
		}
		w.out.WriteString("~")
		return w.feedback(a.Feedback)
	}
	w.out.WriteString("=")
	if err := w.weight(a.Weight); err != nil {
		return err
	}
	format := func(v float64) (string, error) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", fmt.Errorf("%v is not a number GIFT can hold", v)
		}
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	}
	var spec string
	if a.Range {
		if a.Value != 0 || a.Tolerance != 0 {
			return errors.New("a range answer has Min and Max, not Value and Tolerance")
		}
		lo, err1 := format(a.Min)
		hi, err2 := format(a.Max)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if a.Min > a.Max {
			return fmt.Errorf("the range %s..%s runs backwards", lo, hi)
		}
		spec = lo + ".." + hi
	} else {
		if a.Min != 0 || a.Max != 0 {
			return errors.New("only a range answer has Min and Max")
		}
		v, err1 := format(a.Value)
		e, err2 := format(a.Tolerance)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if a.Tolerance < 0 {
			return fmt.Errorf("the margin of error %s is negative", e)
		}
		spec = v
		if a.Tolerance != 0 {
			spec += ":" + e
		}
	}
	w.out.WriteString(spec)
	return w.feedback(a.Feedback)
}

// checkNumbers: GIFT has at most one answer for any other number, after the rest.
func checkNumbers(answers []Answer) error {
	for i, a := range answers {
		if !a.Correct && i != len(answers)-1 {
			return errors.New("the answer for any other number (~) must be the last, and only one")
		}
	}
	if !answers[0].Correct {
		return errors.New("a numerical question needs at least one number")
	}
	return nil
}

func checkPairs(answers []Answer) error {
	if len(answers) < 2 {
		return errors.New("a matching question needs at least two pairs")
	}
	return nil
}

func (w writer) pair(a Answer) error {
	if err := noNumbers(a); err != nil {
		return err
	}
	if !a.Correct || a.Weight != nil || a.Feedback != "" {
		return errors.New("a matching pair is Correct, with no weight and no feedback")
	}
	if a.Match == "" {
		return errors.New("the right side of the pair is empty")
	}
	if strings.Contains(a.Text, "->") {
		return errors.New("the left side of a pair cannot contain ->")
	}
	if err := checkText(a.Match, "right side"); err != nil {
		return err
	}
	w.out.WriteString("=")
	if a.Text != "" {
		if err := w.text(a.Text, "left side"); err != nil {
			return err
		}
		w.out.WriteString(" ")
	}
	w.out.WriteString("-> " + escape(a.Match))
	return nil
}
