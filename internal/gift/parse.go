package gift

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest GIFT file Parse reads; a question bank is text, and a
// bigger file is a mistake (or an attack), reported as one problem.
const MaxSize = 10 << 20

// Parse reads a GIFT file and returns its questions in file order, and every
// problem found in it. A question with a problem is left out; the others are kept.
// name labels the input only for the caller's messages.
func Parse(name string, r io.Reader) ([]Question, []Problem) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, []Problem{{Line: 1, Message: fmt.Sprintf("The file %s could not be read: %v.", name, err)}}
	}
	if len(data) > MaxSize {
		return nil, []Problem{{Line: 1, Message: fmt.Sprintf("The file %s is larger than %d MB; split it into smaller files.", name, MaxSize>>20)}}
	}
	return parse(data)
}

// parser holds what runs across questions: the category in force and the
// problems found so far.
type parser struct {
	category string
	problems []Problem
	bl       block
}

// MaxProblems is how many problems Parse reports before it stops reading: a file
// with more is not a GIFT file, or needs its first problems fixed first.
const MaxProblems = 1000

func (p *parser) problem(line int, format string, args ...any) {
	switch {
	case len(p.problems) < MaxProblems:
		p.problems = append(p.problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	case len(p.problems) == MaxProblems:
		p.problems = append(p.problems, Problem{Line: line, Message: fmt.Sprintf("Reading stopped here after %d problems; fix those first.", MaxProblems)})
	}
}

// stopped: past MaxProblems nothing more is reported, so reading goes no further.
func (p *parser) stopped() bool { return len(p.problems) > MaxProblems }

// numberedLine is one trimmed line of the file with its 1-based number.
type numberedLine struct {
	text   []byte
	number int
}

func parse(data []byte) ([]Question, []Problem) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	var (
		p     parser
		qs    []Question
		group []numberedLine
	)
	flush := func() {
		if len(group) > 0 {
			if q, ok := p.question(group); ok {
				qs = append(qs, q)
			}
			group = group[:0]
		}
	}
	for n := 1; len(data) > 0 || n == 1; n++ {
		line := data
		if k := bytes.IndexByte(data, '\n'); k >= 0 {
			line, data = data[:k], data[k+1:]
		} else {
			data = nil
		}
		line = trimBytes(line)
		if len(line) == 0 {
			// A blank line ends a question: this is how GIFT separates them.
			flush()
			if p.stopped() {
				return qs, p.problems
			}
			continue
		}
		group = append(group, numberedLine{line, n})
	}
	flush()
	return qs, p.problems
}

func trimBytes(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// question reads one block of non-blank lines: a $CATEGORY, a question, or only
// comments. ok is false when it is not a question or has a problem.
func (p *parser) question(lines []numberedLine) (q Question, ok bool) {
	bl := &p.bl
	bl.reset()
	valid := true
	for _, l := range lines {
		if !utf8.Valid(l.text) {
			p.problem(l.number, "This line is not valid UTF-8 text; save the file as UTF-8.")
			valid = false
			continue
		}
		if bytes.HasPrefix(l.text, []byte("//")) {
			if q.ID == "" {
				q.ID = commentID(l.text)
			}
			continue
		}
		bl.add(l.text, l.number)
	}
	if !valid || len(bl.starts) == 0 {
		return q, false
	}
	q.Line = bl.lines[0]
	t := bl.all()
	if t.hasAt(0, "$CATEGORY:") {
		if len(bl.starts) > 1 {
			// Moodle would read the question below as part of the category's name.
			p.problem(bl.lines[1], "A $CATEGORY: line must be followed by a blank line.")
			t = t.to(bl.starts[1] - 1)
		}
		p.category = t.from(len("$CATEGORY:")).trim().str()
		return q, false
	}
	q.Category = p.category
	before := len(p.problems)
	p.read(&q, t)
	return q, len(p.problems) == before
}

// idPattern is Moodle's `[id:…]` in a comment: no control characters, a `]`
// inside escaped as `\]` (a backslash is otherwise itself).
var idPattern = regexp.MustCompile(`\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]`)

func commentID(comment []byte) string {
	m := idPattern.FindSubmatch(comment)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(string(trimBytes(m[1])), `\]`, `]`)
}

// read fills q from the question's text t (comments removed), reporting problems.
func (p *parser) read(q *Question, t span) {
	if t.hasAt(0, "::") {
		end := t.from(2).indexStr("::")
		if end < 0 {
			p.problem(q.Line, "The title that starts with :: is not closed with ::.")
			return
		}
		q.Title = t.sub(2, 2+end).trim().str()
		t = t.from(2 + end + 2).trim()
	}
	open, closing := t.index('{'), t.index('}')
	switch {
	case open < 0 && closing < 0:
		q.Kind = Description
		q.Format, t = formatTag(t)
		if q.Text = t.trim().str(); q.Text == "" {
			p.problem(q.Line, "The question has no text.")
		}
		return
	case closing >= 0 && (open < 0 || closing < open):
		p.problem(t.lineAt(closing), `This } closes no answer set; write \} for a brace in the text.`)
		return
	case closing < 0:
		p.problem(t.lineAt(open), `The answer set opened by { is not closed with }.`)
		return
	}
	set := t.sub(open+1, closing)
	if k := set.index('{'); k >= 0 {
		p.problem(set.lineAt(k), `An answer set cannot contain {; write \{ for a brace, or close the set before it.`)
		return
	}
	after := t.from(closing + 1)
	if k := firstStructural(after, "{}"); k >= 0 {
		p.problem(after.lineAt(k), `A question has one answer set; write \{ and \} for braces in the text.`)
		return
	}
	var text span
	q.Format, text = formatTag(t.to(open).trim())
	q.Text = text.trim().str()
	setLine := t.lineAt(open)
	if !after.trim().empty() {
		q.TextAfter = after.trim().str()
	} else if q.Text == "" {
		p.problem(q.Line, "The question has no text.")
	}
	if k := set.lastIndexStr("####"); k >= 0 {
		q.GeneralFeedback = p.text(set.from(k+4), q.Format)
		set = set.to(k)
	}
	set = set.trim()
	kind := p.answers(q, set, setLine)
	if q.TextAfter != "" {
		q.Kind, q.Blank = MissingWord, kind
	} else {
		q.Kind = kind
	}
}

// firstStructural is the offset of the first structural byte of marks in s, or -1.
func firstStructural(s span, marks string) int {
	for k := range s.len() {
		if strings.IndexByte(marks, s.bl.b[s.i+k]) >= 0 && !s.bl.lit[s.i+k] {
			return k
		}
	}
	return -1
}

// formatTag splits a leading [markdown], [html], [plain] or [moodle] from s; any
// other bracketed word is text, as in Moodle.
func formatTag(s span) (Format, span) {
	if !s.is(0, '[') {
		return FormatNone, s
	}
	end := s.index(']')
	if end < 0 {
		return FormatNone, s
	}
	switch f := Format(s.sub(1, end).str()); f {
	case FormatMoodle, FormatHTML, FormatPlain, FormatMarkdown:
		return f, s.from(end + 1)
	}
	return FormatNone, s
}

// sameFormat: no tag is Moodle's own format, so [moodle] on an answer of an
// untagged question names the same one.
func sameFormat(a, b Format) bool {
	norm := func(f Format) Format {
		if f == FormatNone {
			return FormatMoodle
		}
		return f
	}
	return norm(a) == norm(b)
}

// text decodes an answer's or a feedback's text. Moodle lets each carry its own
// format tag; Question has one format, so a different one is a problem and the
// same one is dropped.
func (p *parser) text(s span, format Format) string {
	s = s.trim()
	f, rest := formatTag(s)
	if f == FormatNone {
		return s.str()
	}
	if !sameFormat(f, format) {
		p.problem(s.line(), "This text has its own format tag [%s], unlike its question's; use one format per question.", f)
	}
	return rest.trim().str()
}

// answers reads the answer set (general feedback removed, trimmed) into q and
// says which kind it is, deciding as Moodle does.
func (p *parser) answers(q *Question, set span, line int) Kind {
	switch {
	case set.empty():
		return Essay
	case set.is(0, '#'):
		p.numerical(q, set.from(1), line)
		return Numerical
	case set.index('~') >= 0:
		p.multipleChoice(q, set, line)
		return MultipleChoice
	case set.index('=') >= 0 && set.indexStr("->") >= 0:
		p.matching(q, set, line)
		return Matching
	}
	check := set
	if k := set.index('#'); k > 0 {
		check = set.to(k).trim()
	}
	if !check.hasLiteral() {
		switch check.str() {
		case "T", "TRUE", "F", "FALSE":
			p.trueFalse(q, set)
			return TrueFalse
		}
	}
	p.shortAnswer(q, set)
	return ShortAnswer
}

func (p *parser) trueFalse(q *Question, set span) {
	parts := set.splitBefore("#")
	// Like PHP's explode('#', $s, 3): the third part keeps any further #.
	if len(parts) > 3 {
		parts = []span{parts[0], parts[1], {set.bl, parts[2].i, parts[len(parts)-1].j}}
	}
	v := parts[0].trim().str()
	q.Truth = v == "T" || v == "TRUE"
	if len(parts) > 1 {
		q.WrongFeedback = p.text(parts[1].from(1), q.Format)
	}
	if len(parts) > 2 {
		q.RightFeedback = p.text(parts[2].from(1), q.Format)
	}
}

func (p *parser) multipleChoice(q *Question, set span, line int) {
	parts := set.splitBefore("~=")
	q.Answers = make([]Answer, 0, len(parts)-1)
	if lead := parts[0].trim(); !lead.empty() {
		p.problem(lead.line(), "This text comes before the first ~ or = of the answers; start every answer with ~ (wrong, or %%weight%%) or = (right).")
	}
	for _, part := range parts[1:] {
		a := Answer{Line: part.line(), Correct: part.is(0, '=')}
		body := part.from(1).trim()
		if body.is(0, '%') {
			if a.Correct {
				p.problem(a.Line, "In a multiple-choice question = means fully right; write a weight after ~ instead (~%%50%%…).")
				continue
			}
			var ok bool
			if a.Weight, body, ok = p.weight(body, a.Line); !ok {
				continue
			}
		}
		p.textAndFeedback(&a, body, q.Format)
		q.Answers = append(q.Answers, a)
	}
	if len(parts)-1 < 2 {
		p.problem(line, "A multiple-choice question needs at least two answers.")
	}
}

// textAndFeedback reads `text#feedback` into a; an empty text is a problem.
func (p *parser) textAndFeedback(a *Answer, body span, format Format) {
	text := body
	if k := body.index('#'); k >= 0 {
		text = body.to(k)
		a.Feedback = p.text(body.from(k+1), format)
	}
	if a.Text = p.text(text, format); a.Text == "" {
		p.problem(a.Line, "This answer is empty.")
	}
}

// weightPattern is %n% with n a decimal number, possibly negative.
var weightPattern = regexp.MustCompile(`^%(-?[0-9]+(?:\.[0-9]+)?)%`)

// weight reads the %n% at the start of s.
func (p *parser) weight(s span, line int) (*float64, span, bool) {
	end := s.from(1).index('%')
	if end < 0 || s.sub(0, end+2).hasLiteral() {
		p.problem(line, "A weight is a percentage between -100 and 100 in percent signs, such as %%50%%.")
		return nil, s, false
	}
	m := weightPattern.FindStringSubmatch(s.to(end + 2).str())
	if m == nil {
		p.problem(line, "%q is not a weight; a weight is a percentage between -100 and 100 in percent signs, such as %%50%%.", s.to(end+2).str())
		return nil, s, false
	}
	w, err := strconv.ParseFloat(m[1], 64)
	if err != nil || w < -100 || w > 100 {
		p.problem(line, "The weight %s%% is outside -100 to 100.", m[1])
		return nil, s, false
	}
	return &w, s.from(end + 2).trim(), true
}

func (p *parser) shortAnswer(q *Question, set span) {
	for _, part := range fullCreditParts(set) {
		if a, body, ok := p.creditedAnswer(part); ok {
			p.textAndFeedback(&a, body, q.Format)
			q.Answers = append(q.Answers, a)
		}
	}
}

// fullCreditParts cuts a short-answer or numerical set before each =; Moodle
// takes text before the first = as an answer too.
func fullCreditParts(set span) []span {
	parts := set.splitBefore("=")
	if parts[0].trim().empty() {
		return parts[1:]
	}
	return parts
}

// creditedAnswer starts an answer of a short-answer or numerical set: right, at
// the weight of the %n% after its = if one is written; body is what follows.
func (p *parser) creditedAnswer(part span) (a Answer, body span, ok bool) {
	a = Answer{Line: part.line(), Correct: true}
	body = part.trim()
	if body.is(0, '=') {
		body = body.from(1).trim()
	}
	if body.is(0, '%') {
		if a.Weight, body, ok = p.weight(body, a.Line); !ok {
			return a, body, false
		}
	}
	return a, body, true
}

func (p *parser) matching(q *Question, set span, line int) {
	parts := set.splitBefore("=")
	if lead := parts[0].trim(); !lead.empty() {
		p.problem(lead.line(), "This text comes before the first = of the matching pairs; start every pair with =.")
	}
	for _, part := range parts[1:] {
		a := Answer{Line: part.line(), Correct: true}
		body := part.from(1)
		k := body.indexStr("->")
		if k < 0 {
			p.problem(a.Line, "A matching pair needs -> between its two sides.")
			continue
		}
		a.Text = p.text(body.to(k), q.Format)
		if a.Match = body.from(k + 2).trim().str(); a.Match == "" {
			p.problem(a.Line, "The right side of this matching pair is empty.")
		}
		q.Answers = append(q.Answers, a)
	}
	if len(parts)-1 < 2 {
		p.problem(line, "A matching question needs at least two pairs.")
	}
}

func (p *parser) numerical(q *Question, set span, line int) {
	var other span
	hasOther := false
	if k := set.index('~'); k >= 0 {
		other, set, hasOther = set.from(k), set.to(k), true
	}
	parts := fullCreditParts(set)
	for _, part := range parts {
		a, body, ok := p.creditedAnswer(part)
		if !ok {
			continue
		}
		spec := body
		if k := body.index('#'); k >= 0 {
			spec = body.to(k)
			a.Feedback = p.text(body.from(k+1), q.Format)
		}
		if p.number(&a, spec.trim()) {
			q.Answers = append(q.Answers, a)
		}
	}
	if len(parts) == 0 {
		p.problem(line, "A numerical question needs at least one number.")
	}
	if hasOther {
		a := Answer{Line: other.line()}
		body := other.from(1)
		k := body.index('#')
		if k < 0 {
			k = body.len()
		} else {
			a.Feedback = p.text(body.from(k+1), q.Format)
		}
		if !body.to(k).trim().empty() {
			p.problem(a.Line, "After ~ a numerical question takes only #feedback, shown for any other number.")
		}
		q.Answers = append(q.Answers, a)
	}
}

// numberPattern is a plain decimal number as PHP's is_numeric reads one (no hex,
// no infinity, no underscores).
var numberPattern = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// number reads N, N:E or MIN..MAX into a.
func (p *parser) number(a *Answer, spec span) bool {
	parse := func(s span, what string) (float64, bool) {
		text := s.trim().str()
		if text == "" {
			p.problem(a.Line, "This numerical answer has no %s.", what)
			return 0, false
		}
		if s.hasLiteral() || !numberPattern.MatchString(text) {
			p.problem(a.Line, "%q is not a number.", text)
			return 0, false
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			p.problem(a.Line, "The number %s is too large.", text)
			return 0, false
		}
		return v, true
	}
	if k := spec.indexStr(".."); k > 0 {
		lo, ok1 := parse(spec.to(k), "lowest value")
		hi, ok2 := parse(spec.from(k+2), "highest value")
		if !ok1 || !ok2 {
			return false
		}
		if lo > hi {
			p.problem(a.Line, "The range %s..%s runs backwards; write the lowest value first.", spec.to(k).trim().str(), spec.from(k+2).trim().str())
			return false
		}
		a.Range, a.Min, a.Max = true, lo, hi
		return true
	}
	value, tolerance := spec, span{}
	if k := spec.index(':'); k > 0 {
		value, tolerance = spec.to(k), spec.from(k+1)
	}
	v, ok := parse(value, "number")
	if !ok {
		return false
	}
	a.Value = v
	if tolerance.bl != nil {
		e, ok := parse(tolerance, "margin of error after :")
		if !ok {
			return false
		}
		if e < 0 {
			p.problem(a.Line, "The margin of error %s is negative.", tolerance.trim().str())
			return false
		}
		a.Tolerance = e
	}
	return true
}
