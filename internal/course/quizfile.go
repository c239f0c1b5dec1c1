package course

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var quizSchema = []field{
	{name: "title", kind: kindString, required: true},
	{name: "time_limit", kind: kindDuration},
	{name: "attempts", kind: kindInt},
	{name: "shuffle", kind: kindBool},
	{name: "pass_mark", kind: kindPercent},
	{name: "review", kind: kindString},
	{name: "grace", kind: kindDuration},
}

var (
	questionHeading = regexp.MustCompile(`^ {0,3}## +(.*?)\s*#*\s*$`)
	choiceLine      = regexp.MustCompile(`^ {0,3}[-*+] +\[([ xX])\] +(.+)$`)
	choiceLike      = regexp.MustCompile(`^ {0,3}[-*+] *\[[^\]]*\]`)
	answerLine      = regexp.MustCompile(`^ {0,3}= *(.*)$`)
	quoteLine       = regexp.MustCompile(`^ {0,3}> ?(.*)$`)
	fenceLine       = regexp.MustCompile("^ {0,3}(```|~~~)")
	trailingAttrs   = regexp.MustCompile(`\s*\{([^{}]*)\}\s*$`)
	numericAnswer   = regexp.MustCompile(`^([-+]?\d+(?:\.\d+)?)\s*(?:±|\+-|\+/-)\s*(\d+(?:\.\d+)?)$`)
)

// questionDraft is a question while its section is being read.
type questionDraft struct {
	q          *Question
	prompt     []string
	choices    []Choice
	choiceLine []int
	answers    []string
	answerLine []int
	explain    []string
	afterPart  bool // answers or explanation seen: prompt text must come before them
}

// parseQuiz reads the body of a quiz file: each "## " heading starts a question.
func parseQuiz(qz *Quiz, body []byte, bodyLine int, dc *docContext) {
	lines := strings.Split(string(body), "\n")
	var intro []string
	var cur *questionDraft
	var drafts []*questionDraft
	inFence := false
	for i, raw := range lines {
		lineNo := bodyLine + i
		l := strings.TrimRight(raw, "\r")
		if fenceLine.MatchString(l) {
			inFence = !inFence
		}
		if !inFence {
			if m := questionHeading.FindStringSubmatch(l); m != nil {
				cur = &questionDraft{q: &Question{Line: lineNo, Points: 1}}
				cur.q.Prompt = parseHeadingAttrs(m[1], cur.q, dc)
				drafts = append(drafts, cur)
				continue
			}
		}
		if cur == nil {
			intro = append(intro, l)
			continue
		}
		cur.addLine(l, lineNo, inFence, dc)
	}
	if intro := strings.TrimSpace(strings.Join(intro, "\n")); intro != "" {
		html, err := renderMarkdown([]byte(intro), &docContext{course: dc.course, path: dc.path, bodyLine: bodyLine, files: dc.files, probs: dc.probs})
		if err == nil {
			qz.Intro = html
		}
	}
	if len(drafts) == 0 {
		dc.probs.add(dc.path, bodyLine, "quiz has no questions: start each question with a \"## \" heading")
	}
	ids := map[string]int{}
	for _, d := range drafts {
		first, dup := ids[d.q.ID]
		if dup {
			dc.probs.add(dc.path, d.q.Line, "duplicate question id %q (first used on line %d); set another with {#id}", d.q.ID, first)
		} else {
			ids[d.q.ID] = d.q.Line
		}
		if q := d.finish(dc); q != nil && !dup {
			qz.Questions = append(qz.Questions, q)
		}
	}
}

// parseHeadingAttrs strips "{points=N}", "{#id}" and "{dropped}" from the end of a heading.
func parseHeadingAttrs(heading string, q *Question, dc *docContext) string {
	for {
		m := trailingAttrs.FindStringSubmatchIndex(heading)
		if m == nil {
			break
		}
		for _, tok := range strings.Fields(heading[m[2]:m[3]]) {
			switch {
			case strings.HasPrefix(tok, "#") && len(tok) > 1:
				id := tok[1:]
				if !validID(id) {
					dc.probs.add(dc.path, q.Line, "bad question id %q: use letters, digits, - and _", id)
				}
				q.ID = id
			case strings.HasPrefix(tok, "points="):
				n, err := strconv.Atoi(strings.TrimPrefix(tok, "points="))
				if err != nil || n < 1 || n > 100 {
					dc.probs.add(dc.path, q.Line, "bad points %q: use a whole number from 1 to 100", strings.TrimPrefix(tok, "points="))
					continue
				}
				q.Points = n
			case tok == "dropped":
				q.Dropped = true
			default:
				dc.probs.add(dc.path, q.Line, "unknown question attribute %q (use {points=N}, {#id} or {dropped})", tok)
			}
		}
		heading = heading[:m[0]]
	}
	heading = strings.TrimSpace(heading)
	if q.ID == "" {
		q.ID = Slug(heading)
		if q.ID == "" && heading != "" {
			dc.probs.add(dc.path, q.Line, "question heading %q gives no id: use letters or digits, or set one with {#id}", heading)
		}
	}
	return heading
}

func validID(s string) bool {
	for _, r := range s {
		if !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

func (d *questionDraft) addLine(l string, lineNo int, inFence bool, dc *docContext) {
	if inFence || fenceLine.MatchString(l) {
		d.addPrompt(l, lineNo, dc)
		return
	}
	if m := choiceLine.FindStringSubmatch(l); m != nil {
		d.choices = append(d.choices, Choice{Text: strings.TrimSpace(m[2]), Correct: m[1] != " "})
		d.choiceLine = append(d.choiceLine, lineNo)
		d.afterPart = true
		return
	}
	if choiceLike.MatchString(l) {
		dc.probs.add(dc.path, lineNo, "malformed choice: write \"- [ ] text\" for a wrong choice or \"- [x] text\" for a right one")
		return
	}
	if m := answerLine.FindStringSubmatch(l); m != nil {
		d.answers = append(d.answers, strings.TrimSpace(m[1]))
		d.answerLine = append(d.answerLine, lineNo)
		d.afterPart = true
		return
	}
	if m := quoteLine.FindStringSubmatch(l); m != nil {
		d.explain = append(d.explain, m[1])
		d.afterPart = true
		return
	}
	if strings.TrimSpace(l) == "" {
		if len(d.explain) > 0 {
			d.explain = append(d.explain, "")
		} else {
			d.prompt = append(d.prompt, "")
		}
		return
	}
	if len(d.explain) > 0 && !strings.HasPrefix(l, " ") && d.explain[len(d.explain)-1] != "" {
		d.explain = append(d.explain, l) // lazy continuation of the blockquote
		return
	}
	d.addPrompt(l, lineNo, dc)
}

func (d *questionDraft) addPrompt(l string, lineNo int, dc *docContext) {
	if d.afterPart {
		dc.probs.add(dc.path, lineNo, "text after the answers of question on line %d: put question text right under its heading", d.q.Line)
		return
	}
	d.prompt = append(d.prompt, l)
}

// finish decides the question's kind from its answers and renders its texts.
func (d *questionDraft) finish(dc *docContext) *Question {
	q := d.q
	if q.Prompt == "" {
		dc.probs.add(dc.path, q.Line, "question heading is empty")
	}
	if extra := strings.TrimSpace(strings.Join(d.prompt, "\n")); extra != "" {
		q.Prompt += "\n\n" + extra
	}
	ok := true
	switch {
	case len(d.choices) > 0 && len(d.answers) > 0:
		dc.probs.add(dc.path, d.answerLine[0], "question mixes choices and \"=\" answers: use one or the other")
		ok = false
	case len(d.choices) > 0:
		ok = d.finishChoices(dc)
	case len(d.answers) > 0:
		ok = d.finishAnswers(dc)
	default:
		dc.probs.add(dc.path, q.Line, "question has no choices or answers: add \"- [x] …\" choices or \"= …\" answers")
		ok = false
	}
	if ok {
		checkNumberFormat(q, dc)
	}
	if expl := strings.TrimSpace(strings.Join(d.explain, "\n")); expl != "" {
		q.Explanation = expl
		q.ExplanationHTML, _ = renderMarkdown([]byte(expl), dc.at(q.Line))
	}
	var err error
	if q.PromptHTML, err = renderMarkdown([]byte(q.Prompt), dc.at(q.Line)); err != nil {
		ok = false
	}
	if !ok {
		return nil
	}
	return q
}

// MaxChoices is the most choices a question may have: a printed sheet letters
// them A to Z, and a trainer types those letters back.
const MaxChoices = 26

func (d *questionDraft) finishChoices(dc *docContext) bool {
	q := d.q
	correct := 0
	seen := map[string]int{}
	for i := range d.choices {
		c := &d.choices[i]
		c.ID = choiceID(c.Text)
		if first, dup := seen[c.ID]; dup {
			dc.probs.add(dc.path, d.choiceLine[i], "duplicate choice (same text as line %d)", first)
			return false
		}
		seen[c.ID] = d.choiceLine[i]
		c.HTML, _ = renderMarkdown([]byte(c.Text), dc.at(d.choiceLine[i]))
		if c.Correct {
			correct++
		}
	}
	switch {
	case correct == 0:
		dc.probs.add(dc.path, q.Line, "question has no correct choice: mark the right one with [x]")
		return false
	case len(d.choices) < 2:
		dc.probs.add(dc.path, q.Line, "question needs at least two choices")
		return false
	case len(d.choices) > MaxChoices:
		dc.probs.add(dc.path, q.Line, "question has %d choices; at most %d (A to Z on a printed sheet)", len(d.choices), MaxChoices)
		return false
	case correct == 1:
		q.Kind = KindSingle
	default:
		q.Kind = KindMultiple
	}
	q.Choices = d.choices
	return true
}

func (d *questionDraft) finishAnswers(dc *docContext) bool {
	q := d.q
	for i, a := range d.answers {
		if a == "" {
			dc.probs.add(dc.path, d.answerLine[i], "empty answer after \"=\"")
			return false
		}
		if m := numericAnswer.FindStringSubmatch(a); m != nil || strings.ContainsAny(a, "±") {
			if m == nil {
				dc.probs.add(dc.path, d.answerLine[i], "bad numeric answer %q: write \"= number ± tolerance\", e.g. \"= 24 ± 0\"", a)
				return false
			}
			if len(d.answers) > 1 {
				dc.probs.add(dc.path, d.answerLine[i], "a numeric question takes exactly one \"= number ± tolerance\" line")
				return false
			}
			num, err1 := strconv.ParseFloat(m[1], 64)
			tol, err2 := strconv.ParseFloat(m[2], 64)
			if err1 != nil || err2 != nil || math.IsInf(num, 0) || math.IsInf(tol, 0) {
				dc.probs.add(dc.path, d.answerLine[i], "numeric answer %q: the number is too large", a)
				return false
			}
			q.Kind, q.Number, q.Tolerance = KindNumeric, num, tol
			return true
		}
	}
	q.Kind = KindShort
	q.Answers = d.answers
	return true
}

// at returns a copy of the context whose body lines are counted from line.
func (dc *docContext) at(line int) *docContext {
	c := *dc
	c.bodyLine = line
	return &c
}

// choiceID is stable across reordering: a short hash of the normalised text.
func choiceID(text string) string {
	sum := sha256.Sum256([]byte(NormalizeAnswer(text)))
	return hex.EncodeToString(sum[:])[:8]
}

// NormalizeAnswer folds case, Unicode form and spacing so that short answers are
// compared the way a person would: "Proof  of Work" equals "proof of work".
func NormalizeAnswer(s string) string {
	// Lower-casing can make a composable pair ("J" + caron → "ǰ"), so normalise
	// again after it; invalid bytes become U+FFFD first, so the result is stable.
	s = norm.NFKC.String(strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(s, "\uFFFD"))))
	return strings.Join(strings.Fields(s), " ")
}

// Slug turns a heading into an id: lower-case letters and digits joined by "-".
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(norm.NFKC.String(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 60 {
		out = strings.TrimRight(out[:60], "-")
		for !utf8.ValidString(out) {
			out = out[:len(out)-1]
		}
	}
	return out
}
