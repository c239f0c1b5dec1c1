// Package giftconv turns Moodle GIFT questions (as internal/gift parses them)
// into Lectern quiz files, and Lectern quizzes back into GIFT questions.
//
// Import takes only what a Lectern quiz represents with the same scoring:
// what does not fit (matching, essay, description, missing-word questions,
// weights that Lectern's scoring cannot reproduce, numeric answers with
// different credit, HTML outside a small safe subset) is refused with the
// line and the reason, never approximated. Export writes every question of
// a quiz; what GIFT cannot carry is reported the same way.
//
// Lectern keeps two things GIFT has no syntax for in a comment line that
// Moodle's importer ignores and Import reads back: a question's points and
// its {dropped} mark ("// [lectern:points=2,dropped]").
package giftconv

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/gift"
)

// Problem is a question that cannot become (or come from) a Lectern question,
// on a 1-based line of the source file.
type Problem = gift.Problem

// ImportOptions steer Import.
type ImportOptions struct {
	// Module, when set ("05-sanctions"), puts every question into that one
	// quiz; otherwise each $CATEGORY's last segment becomes a module.
	Module string
	// True and False are the two choices of a true/false question, in the
	// course's language.
	True, False string
	// Existing are the course's modules (id → title): a category whose name
	// matches one without its number ("tracing" and "02-tracing") goes into
	// it, its quiz takes the module's title, and new modules are numbered
	// after the highest.
	Existing map[string]string
	// Comments are the file's "// [lectern:…]" lines by the line of their
	// question, as LecternComments finds them.
	Comments map[int][]LecternComment
}

// QuizFile is one NN-name.quiz.md to write.
type QuizFile struct {
	Module string // NN-name
	Title  string // for the quiz's front matter and a new module's
	Data   []byte
}

// Import converts parsed GIFT questions to quiz files. Unsupported lists, one
// per question left out, why Lectern cannot represent it; the returned files
// hold only the questions that could be converted.
func Import(qs []gift.Question, opts ImportOptions) (files []QuizFile, unsupported []Problem, err error) {
	var quizzes []*quizFile
	byModule := map[string]*quizFile{}
	next := nextModuleNumber(opts.Existing)
	for i := range qs {
		g := &qs[i]
		mod, title := opts.Module, opts.Module
		if mod == "" {
			title = lastSegment(g.Category)
			mod = moduleFor(title, opts.Existing, byModule, &next)
		}
		qf := byModule[mod]
		if qf == nil {
			if t := opts.Existing[mod]; t != "" {
				title = t
			}
			if title == "" || title == mod {
				title = titleFromID(mod)
			}
			qf = &quizFile{Module: mod, Title: title}
			byModule[mod] = qf
			quizzes = append(quizzes, qf)
		}
		q, at, why := convert(g, opts)
		for _, c := range opts.Comments[g.Line] {
			if q == nil {
				break
			}
			if why = q.applyLectern(c.Attrs); why != "" {
				at = c.Line
				break
			}
		}
		if why != "" {
			if at == 0 {
				at = g.Line
			}
			unsupported = append(unsupported, Problem{Line: at, Message: why})
			continue
		}
		q.Line = g.Line
		qf.Questions = append(qf.Questions, q)
	}
	for _, qf := range quizzes {
		if len(qf.Questions) == 0 {
			continue
		}
		assignIDs(qf, &unsupported)
		data, err := qf.render()
		if err != nil {
			return nil, nil, err
		}
		files = append(files, QuizFile{Module: qf.Module, Title: qf.Title, Data: data})
	}
	slices.SortStableFunc(unsupported, func(a, b Problem) int { return a.Line - b.Line })
	return files, unsupported, nil
}

var mdImage = regexp.MustCompile(`!\[[^\]]*\]\s*[(\[]`)

var lecternComment = regexp.MustCompile(`^\s*//.*\[lectern:([^\]]*)\]`)

// LecternComment is one "// [lectern:…]" line of a GIFT file.
type LecternComment struct {
	Line  int
	Attrs string // what is between "[lectern:" and "]"
}

// LecternComments finds the "// [lectern:…]" lines of a GIFT file (gift.Parse
// drops comments), by the line of the question they belong to: the first
// line of their block (lines up to a blank one, as Moodle splits questions)
// that is not a comment, which is the question's Line. A block of comments
// only hands them on to the next question.
func LecternComments(src []byte) map[int][]LecternComment {
	out := map[int][]LecternComment{}
	var pending []LecternComment
	key := 0 // the current block's question line, 0 before it is seen
	for i, l := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			key = 0
		case strings.HasPrefix(t, "//"):
			if m := lecternComment.FindStringSubmatch(l); m != nil {
				c := LecternComment{Line: i + 1, Attrs: m[1]}
				if key > 0 {
					out[key] = append(out[key], c)
				} else {
					pending = append(pending, c)
				}
			}
		case key == 0:
			key = i + 1
			if len(pending) > 0 {
				out[key] = pending
				pending = nil
			}
		}
	}
	return out
}

func (q *quizQuestion) applyLectern(attrs string) string {
	for _, a := range strings.Split(attrs, ",") {
		a = strings.TrimSpace(a)
		switch {
		case a == "dropped":
			q.Dropped = true
		case strings.HasPrefix(a, "points="):
			n, err := strconv.Atoi(strings.TrimPrefix(a, "points="))
			if err != nil || n < 1 || n > 100 {
				return fmt.Sprintf("bad points in [lectern:%s]: use a whole number from 1 to 100", attrs)
			}
			q.Points = n
		case a == "":
		default:
			return fmt.Sprintf("unknown Lectern attribute %q in [lectern:%s] (points=N or dropped)", a, attrs)
		}
	}
	return ""
}

// convert maps one GIFT question, or says why it cannot be.
// at is the line of the answer a refusal is about, 0 for the question's.
func convert(g *gift.Question, opts ImportOptions) (q *quizQuestion, at int, why string) {
	switch g.Kind {
	case gift.Matching:
		return nil, 0, "matching question: Lectern has no matching questions; rewrite it as several single-choice questions"
	case gift.Essay:
		return nil, 0, "essay question: Lectern marks every answer automatically and has no essay questions"
	case gift.Description:
		return nil, 0, "description (text without an answer set): a Lectern quiz holds only questions; put the text in the module"
	case gift.MissingWord:
		return nil, 0, "missing-word question (an answer set inside the text): Lectern shows the question text whole; rewrite it with the answers after the text"
	}
	text, why := toMarkdown(g.Format, g.Text)
	if why != "" {
		return nil, 0, why
	}
	if strings.TrimSpace(text) == "" {
		return nil, 0, "question has no text: Lectern needs it for the question's heading"
	}
	q = &quizQuestion{ID: g.ID, TitleID: course.Slug(g.Title), Points: 1, Prompt: text}
	// Per-answer feedback: "- answer — text" lines, and text for any other
	// answer (a numeric "~#…"), shown with the explanation after submission.
	var feedback, other []string
	switch g.Kind {
	case gift.MultipleChoice:
		why = q.choices(g, &feedback)
	case gift.TrueFalse:
		why = q.trueFalse(g, opts, &feedback)
	case gift.ShortAnswer:
		why = q.shortAnswers(g, &feedback, &other)
	case gift.Numerical:
		why = q.numeric(g, &feedback, &other)
	default:
		why = fmt.Sprintf("question kind %q is not supported", g.Kind)
	}
	if why != "" {
		return nil, q.refusedAt, why
	}
	general, why := toMarkdown(g.Format, g.GeneralFeedback)
	if why != "" {
		return nil, 0, why
	}
	parts := []string{}
	if s := strings.TrimSpace(general); s != "" {
		parts = append(parts, s)
	}
	parts = append(parts, other...)
	if len(feedback) > 0 {
		parts = append(parts, strings.Join(feedback, "\n"))
	}
	q.Explanation = strings.Join(parts, "\n\n")
	return q, 0, ""
}

// weightTolerance absorbs the rounding of weights such as 33.33333 %.
const weightTolerance = 0.005

func weightOf(a gift.Answer) float64 {
	if a.Weight != nil {
		return *a.Weight
	}
	if a.Correct {
		return 100
	}
	return 0
}

func near(a, b float64) bool { return math.Abs(a-b) <= weightTolerance }

// choices maps a multiple-choice set when Lectern's scoring gives the same
// marks as Moodle's: single choice is all or nothing; multiple response
// scores (right ticked − wrong ticked) ÷ right, never below 0, which is
// Moodle's sum of weights exactly when each right choice weighs 100/k % and
// each wrong one −100/k %.
func (q *quizQuestion) choices(g *gift.Question, feedback *[]string) string {
	if len(g.Answers) < 2 {
		return "multiple-choice question with fewer than two choices: Lectern needs at least two"
	}
	if len(g.Answers) > course.MaxChoices {
		return fmt.Sprintf("multiple-choice question with %d choices: Lectern takes at most %d", len(g.Answers), course.MaxChoices)
	}
	seen := map[string]string{}
	eq, positive := 0, 0
	for _, a := range g.Answers {
		if a.Correct {
			eq++
		}
		if weightOf(a) > 0 {
			positive++
		}
	}
	switch {
	case eq > 1:
		return fmt.Sprintf("%d right answers (=) in a one-answer question: a Lectern single-choice question has one; weigh them with ~%%n%% for a multiple-response question", eq)
	case eq == 0 && positive == 0:
		return "no choice is right (no = and no positive weight): mark the right one with ="
	}
	for _, a := range g.Answers {
		q.refusedAt = a.Line
		text, why := toMarkdown(g.Format, a.Text)
		if why != "" {
			return why
		}
		text = oneLine(text)
		if text == "" {
			return "empty choice"
		}
		key := course.NormalizeAnswer(text)
		if first, dup := seen[key]; dup {
			return fmt.Sprintf("two choices read the same (%q and %q): Lectern tells choices apart by their text", first, text)
		}
		seen[key] = text
		w := weightOf(a)
		switch {
		case eq > 0: // Moodle's one-answer question
			if !a.Correct && !near(w, 0) {
				return fmt.Sprintf("choice %q weighs %s%%: a Lectern single-choice question gives all the points for the right choice and none for any other", text, formatNumber(w))
			}
		case positive == 1: // one right choice among weights
			// Without an = Moodle makes a multiple-response question: any
			// choices may be ticked, scored as the sum of their weights
			// (between 0 and 100 %). A Lectern single choice (one tick, all
			// or nothing) gives the same marks only when the right choice
			// weighs 100 % and every other one -100 %, so that ticking a
			// wrong choice beside the right one earns nothing in Moodle too.
			if w > 0 && !near(w, 100) {
				return fmt.Sprintf("the only right choice %q weighs %s%%: Lectern gives all the points for it, so it must weigh 100%%", text, formatNumber(w))
			}
			if w <= 0 && !near(w, -100) {
				return fmt.Sprintf("choice %q weighs %s%%: with no = this is a Moodle multiple-response question, where ticking it beside the right choice still earns %s%%; Lectern's single choice (one tick) matches it only when every other choice weighs -100%%, so weigh it -100%% or mark the right choice with =",
					text, formatNumber(w), formatNumber(math.Max(0, 100+w)))
			}
		default:
			share := 100 / float64(positive)
			want := share
			if w <= 0 {
				want = -share
			}
			if !near(w, want) {
				return fmt.Sprintf("choice %q weighs %s%%: Lectern scores a multiple-response question as (right ticked − wrong ticked) ÷ right, never below 0, so with %d right choices each right one must weigh %s%% and each wrong one %s%%",
					text, formatNumber(w), positive, formatWeight(share), formatWeight(-share))
			}
		}
		q.Choices = append(q.Choices, quizChoice{Text: text, Correct: w > 0})
		if fb, why := toMarkdown(g.Format, a.Feedback); why != "" {
			return why
		} else if fb = oneLine(fb); fb != "" {
			*feedback = append(*feedback, "- "+text+" — "+fb)
		}
	}
	return ""
}

func (q *quizQuestion) trueFalse(g *gift.Question, opts ImportOptions, feedback *[]string) string {
	if opts.True == "" || opts.False == "" {
		return "true/false question: no words for True and False in the course's language"
	}
	q.Choices = []quizChoice{{Text: opts.True, Correct: g.Truth}, {Text: opts.False, Correct: !g.Truth}}
	right, why := toMarkdown(g.Format, g.RightFeedback)
	if why != "" {
		return why
	}
	wrong, why := toMarkdown(g.Format, g.WrongFeedback)
	if why != "" {
		return why
	}
	fbTrue, fbFalse := oneLine(right), oneLine(wrong)
	if !g.Truth {
		fbTrue, fbFalse = fbFalse, fbTrue
	}
	if fbTrue != "" {
		*feedback = append(*feedback, "- "+opts.True+" — "+fbTrue)
	}
	if fbFalse != "" {
		*feedback = append(*feedback, "- "+opts.False+" — "+fbFalse)
	}
	return ""
}

// shortAnswers keeps the answers worth full marks; an answer worth 0 % only
// carries feedback (any other answer earns nothing in Lectern too). A 0 %
// answer with Moodle's wildcard * ("=%0%*#Not quite.", the usual feedback
// for any other answer) is kept as feedback when it comes after every
// accepted answer: Moodle marks with the first answer that matches, so it
// gives 0 only to responses Lectern does not accept either.
func (q *quizQuestion) shortAnswers(g *gift.Question, feedback, other *[]string) string {
	var kept []shortAnswer
	lastFull := -1
	for i, a := range g.Answers {
		if near(weightOf(a), 100) {
			lastFull = i
		}
	}
	for i, a := range g.Answers {
		q.refusedAt = a.Line
		text := oneLine(answerText(g.Format, a.Text))
		w := weightOf(a)
		wildcard := strings.Contains(strings.ReplaceAll(text, `\*`, ""), "*")
		switch {
		case text == "":
			return "empty short answer"
		case !near(w, 100) && !near(w, 0):
			return fmt.Sprintf("answer %q earns %s%%: Lectern's short answers earn all the points or none", text, formatNumber(w))
		case wildcard && near(w, 0) && i > lastFull:
			fb, why := toMarkdown(g.Format, a.Feedback)
			if why != "" {
				return why
			}
			if fb = oneLine(fb); fb != "" && strings.Trim(text, "*") == "" {
				*other = append(*other, fb) // any other answer
			} else if fb != "" {
				*feedback = append(*feedback, "- "+escapeInline(text)+" — "+fb)
			}
			continue
		case wildcard && near(w, 0):
			return fmt.Sprintf("answer %q has a * and comes before an accepted answer: Moodle marks a response with the first answer that matches, so this one could give 0 where Lectern gives the points; put it after the accepted answers", text)
		case wildcard:
			return fmt.Sprintf("answer %q has a *: Moodle reads it as a wildcard, Lectern compares whole answers; list the accepted answers instead", text)
		case strings.ContainsAny(text, "±"):
			return fmt.Sprintf("answer %q has a ±, which the quiz format reads as a numeric answer", text)
		}
		text = strings.ReplaceAll(text, `\*`, "*")
		kept = append(kept, shortAnswer{text: text, moodle: strings.TrimSpace(a.Text), full: near(w, 100), line: a.Line})
		if near(w, 100) {
			q.Answers = append(q.Answers, text)
		}
		if fb, why := toMarkdown(g.Format, a.Feedback); why != "" {
			return why
		} else if fb = oneLine(fb); fb != "" {
			*feedback = append(*feedback, "- "+escapeInline(text)+" — "+fb)
		}
	}
	if line, why := zeroShadows(kept); why != "" {
		q.refusedAt = line
		return why
	}
	q.refusedAt = 0
	if len(q.Answers) == 0 {
		return "no answer earns full marks: Lectern needs at least one accepted answer"
	}
	return ""
}

type shortAnswer struct {
	text   string // as Lectern keeps it
	moodle string // as Moodle compares it
	full   bool   // worth all the points, else nothing
	line   int
}

// zeroShadows refuses a 0 % short answer that Lectern reads the same as an
// accepted one, when Moodle would mark some response differently. Moodle
// marks a response with the first answer it matches exactly (case aside);
// Lectern accepts any response that reads the same as an accepted answer
// (case, spacing and Unicode forms aside). So "=%0%Paris =paris" earns 0 in
// Moodle for "paris", and "=New York =%0%New  York" 0 for "new  york",
// where Lectern gives all the points. Only a 0 % answer after an accepted one
// that Moodle matches the same way ("=paris =%0%Paris") is never reached, in
// Moodle as in Lectern.
func zeroShadows(answers []shortAnswer) (line int, why string) {
	moodleSame := func(a, b string) bool { return strings.EqualFold(norm.NFC.String(a), norm.NFC.String(b)) }
	for i, z := range answers {
		if z.full || slices.ContainsFunc(answers[:i], func(a shortAnswer) bool { return a.full && moodleSame(a.moodle, z.moodle) }) {
			continue
		}
		for _, a := range answers {
			if !a.full || course.NormalizeAnswer(z.text) != course.NormalizeAnswer(a.text) {
				continue
			}
			return z.line, fmt.Sprintf("answer %q earns 0%% but reads the same as the accepted answer %q to Lectern, which ignores case, spacing and Unicode forms: a response Moodle marks 0 with it would earn all the points; keep only one of the two", z.moodle, a.moodle)
		}
	}
	return 0, ""
}

// numeric takes one number ± tolerance: several full-credit answers that
// differ, or partial credit, have no Lectern equivalent. A 0 % answer only
// carries feedback, unless it comes before the right one and their ranges
// overlap: Moodle marks a number with the first answer whose range holds it,
// so "=%0%5:2 =5" gives 0 for 5 where Lectern gives all the points.
func (q *quizQuestion) numeric(g *gift.Question, feedback, other *[]string) string {
	found := false
	type zero struct {
		num, tol float64
		label    string
		line     int
	}
	var zeros []zero // 0 % answers before the right one
	for _, a := range g.Answers {
		q.refusedAt = a.Line
		fb, why := toMarkdown(g.Format, a.Feedback)
		if why != "" {
			return why
		}
		fb = oneLine(fb)
		if !a.Correct { // "~#feedback": any other number
			if fb != "" {
				*other = append(*other, fb)
			}
			continue
		}
		num, tol := a.Value, a.Tolerance
		if a.Range {
			// To 15 significant digits: 0.1..0.3 is 0.2 ± 0.1, not ± 0.09999999999999999.
			num, tol = roundDecimal((a.Min+a.Max)/2), roundDecimal((a.Max-a.Min)/2)
		}
		label := formatNumber(num) + " ± " + formatNumber(tol)
		w := weightOf(a)
		switch {
		case math.IsNaN(num) || math.IsInf(num, 0) || math.IsNaN(tol) || math.IsInf(tol, 0):
			return "numeric answer out of range"
		case tol < 0:
			return fmt.Sprintf("numeric answer %s: the tolerance cannot be negative", label)
		case near(w, 0):
			if !found {
				zeros = append(zeros, zero{num, tol, label, a.Line})
			}
			if fb != "" {
				*feedback = append(*feedback, "- "+label+" — "+fb)
			}
			continue
		case !near(w, 100):
			return fmt.Sprintf("numeric answer %s earns %s%%: Lectern takes one number ± tolerance worth all the points", label, formatNumber(w))
		case found && (num != q.Number || tol != q.Tolerance):
			return fmt.Sprintf("several numeric answers (%s ± %s and %s): Lectern takes one number ± tolerance", formatNumber(q.Number), formatNumber(q.Tolerance), label)
		}
		if !found {
			for _, z := range zeros {
				if math.Abs(z.num-num) <= z.tol+tol {
					q.refusedAt = z.line
					return fmt.Sprintf("numeric answer %s earns 0%% and comes before the right answer %s, whose range it overlaps: Moodle marks a number with the first answer that holds it, so a number in both earns 0 there and all the points in Lectern; put the right answer first", z.label, label)
				}
			}
		}
		found = true
		q.Numeric, q.Number, q.Tolerance = true, num, tol
		if fb != "" {
			*feedback = append(*feedback, "- "+label+" — "+fb)
		}
	}
	q.refusedAt = 0
	if !found {
		return "no numeric answer earns full marks: Lectern needs one number ± tolerance"
	}
	return ""
}

// toMarkdown converts a text in its GIFT format to Markdown, or says why not.
func toMarkdown(f gift.Format, s string) (string, string) {
	switch f {
	case gift.FormatMarkdown:
		if mdImage.MatchString(s) {
			return "", "Markdown image: GIFT carries no files, and an image from another host is never put in front of officers; put the file in the course's images/ folder and link it"
		}
		if dest := courseFileLink(s); dest != "" {
			return "", fmt.Sprintf("Markdown link to %s: a relative link points into the course, and GIFT carries no files", dest)
		}
		return s, ""
	case gift.FormatHTML:
		md, refused := htmlToMarkdown(s)
		if len(refused) > 0 {
			return "", strings.Join(refused, "; ")
		}
		return md, ""
	default: // plain, moodle, none: the text is meant as written
		return plainToMarkdown(s), ""
	}
}

// answerText is a short answer as an officer would type it: never Markdown.
func answerText(f gift.Format, s string) string {
	if f != gift.FormatHTML {
		return s
	}
	md, _ := htmlToMarkdown(s)
	return strings.NewReplacer(`\`, "", "**", "").Replace(md)
}

func roundDecimal(x float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	if err != nil {
		return x
	}
	return r
}

// titleFromID makes a quiz title of a module id the trainer gave:
// "05-sanctions-regimes" → "Sanctions regimes".
func titleFromID(id string) string {
	if m := numberedModule.FindStringSubmatch(id); m != nil {
		id = m[2]
	}
	t := strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(id))
	if t == "" {
		return id
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

func formatWeight(w float64) string {
	return strconv.FormatFloat(math.Round(w*1e5)/1e5, 'f', -1, 64)
}

// assignIDs gives every question a stable id: the GIFT [id:…] (its letters,
// digits, - and _), else a slug of the ::title:: (Moodle's question name,
// which a trainer keeps stable), else of the heading, the way Lectern makes
// one; a repeat gets -2, -3 … A repeated explicit id is
// refused: two questions of one quiz cannot share it.
func assignIDs(qf *quizFile, unsupported *[]Problem) {
	used := map[string]int{}
	kept := qf.Questions[:0]
	for _, q := range qf.Questions {
		if q.ID != "" {
			id := q.ID
			if !validID(id) {
				id = course.Slug(id)
			}
			if first, dup := used[id]; dup {
				*unsupported = append(*unsupported, Problem{Line: q.Line, Message: fmt.Sprintf("id %q is also the id of the question on line %d", q.ID, first)})
				continue
			}
			q.ID = id
		}
		if q.ID != "" {
			used[q.ID] = q.Line
		}
		kept = append(kept, q)
	}
	qf.Questions = kept
	for _, q := range qf.Questions {
		if q.ID != "" {
			continue
		}
		heading, _, _ := strings.Cut(strings.TrimSpace(q.Prompt), "\n")
		base := q.TitleID
		if base == "" {
			base = course.Slug(heading)
		}
		if base == "" {
			base = "question"
		}
		id := base
		for n := 2; used[id] != 0; n++ {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		q.ID = id
		used[id] = q.Line
	}
}

func validID(s string) bool {
	for _, r := range s {
		if !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// lastSegment is the category's own name: "$course$/top/AML/Sanctions" → "Sanctions".
func lastSegment(cat string) string {
	cat = strings.Trim(strings.TrimSpace(cat), "/")
	if i := strings.LastIndex(cat, "/"); i >= 0 {
		cat = cat[i+1:]
	}
	return strings.TrimSpace(cat)
}

var (
	numberedModule = regexp.MustCompile(`^(\d+)-([a-z0-9][a-z0-9_-]*)$`)
	moduleID       = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// ValidModule reports whether name can be a module's file name (and URL).
func ValidModule(name string) bool { return moduleID.MatchString(name) }

// moduleFor names the module of a category: the category itself when it is
// already a module id with a number ("02-tracing", as Export writes it), an
// existing module with the same name, or the next number and an ASCII slug.
func moduleFor(cat string, existing map[string]string, made map[string]*quizFile, next *int) string {
	if numberedModule.MatchString(cat) {
		return cat
	}
	slug := asciiSlug(cat)
	if slug == "" {
		slug = "quiz"
	}
	// The lowest-numbered module of that name, already there or made here.
	names := slices.Collect(maps.Keys(existing))
	for m := range made {
		names = append(names, m)
	}
	slices.Sort(names)
	for _, m := range names {
		if mm := numberedModule.FindStringSubmatch(m); mm != nil && mm[2] == slug {
			return m
		}
	}
	id := fmt.Sprintf("%02d-%s", *next, slug)
	*next++
	return id
}

func nextModuleNumber(existing map[string]string) int {
	n := 0
	for m := range existing {
		if mm := numberedModule.FindStringSubmatch(m); mm != nil {
			if v, err := strconv.Atoi(mm[1]); err == nil && v > n {
				n = v
			}
		}
	}
	return n + 1
}

// asciiSlug makes a module id (lower-case ASCII letters, digits and -):
// accents are dropped ("Dérivés" → "derives"), other scripts too.
func asciiSlug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		case unicode.Is(unicode.Mn, r):
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > 40 {
		out = strings.TrimRight(out[:40], "-")
	}
	return out
}
