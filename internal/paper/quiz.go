package paper

import (
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// QuizSheet is one printed version of a session's quiz: one numbered,
// lettered version for officers to answer in pen, or (Key) the trainer's
// answer key for the same version. The numbering and the letters are
// quiz.PaperVersion's and quiz.Letter's, the ones a trainer types back in when
// entering a sheet, so what is printed is what is read back.
type QuizSheet struct {
	// L is the sheet's language: its instructions, numbers and date (the
	// questions come worded in it, from the quiz's translation).
	L         *i18n.Localizer
	Programme string
	Course    string // the course's title
	Quiz      string // the quiz's title
	Date      string // the session's, YYYY-MM-DD
	Place     string // venue, city, country as printed
	Version   int
	TimeLimit time.Duration // 0: none
	PassMark  int           // percent
	Intro     template.HTML // the quiz's introduction, if it has one
	// Questions in the order printed: quiz.PaperVersion(q, Version). Dropped
	// questions are printed too, so the numbers match the version's.
	Questions []quiz.Question
	// Key prints the trainer's marking copy instead of the officers' sheet.
	Key bool
}

// Page geometry, millimetres (A4 portrait).
const (
	pageW       = 210.0
	left        = 18.0
	right       = pageW - 18.0
	contentTop  = 30.0  // below the running header
	bottom      = 278.0 // nothing is drawn below this but the footer
	footerY     = 289.0
	numberW     = 9.0 // the question number's column
	paraGap     = 1.2
	questionGap = 7.0
)

// WriteQuiz renders the sheet (or, with Key, the answer key) as an A4 PDF.
func WriteQuiz(w io.Writer, s QuizSheet) error {
	if err := typeset.Load(); err != nil {
		return err
	}
	if s.L == nil {
		return fmt.Errorf("render paper quiz %q version %d: no language to word it in", s.Quiz, s.Version)
	}
	if !s.Key {
		// The officers' sheet is drawn from questions without their key, so no
		// change to its layout can ever print an answer.
		s.Questions = withoutKey(s.Questions)
	}
	title := s.L.T("documents.quiz.title", "Quiz", s.Quiz, "Version", s.Version)
	if s.Key {
		title = s.L.T("documents.quiz.key_title", "Title", title)
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetTitle(title, true)
	f.SetSubject(s.Course, true)
	f.SetCreator("Lectern", false)
	f.SetMargins(0, 0, 0)
	f.SetAutoPageBreak(false, 0)
	// Two passes, as typeset needs: list the characters, then draw.
	list := typeset.NewList()
	(&doc{p: list, s: s}).render()
	(&doc{p: list.On(f), s: s}).render()
	if err := f.Error(); err != nil {
		return fmt.Errorf("render paper quiz %q version %d: %w", s.Quiz, s.Version, err)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("write paper quiz %q version %d: %w", s.Quiz, s.Version, err)
	}
	return nil
}

func withoutKey(qs []quiz.Question) []quiz.Question {
	out := make([]quiz.Question, len(qs))
	for i, q := range qs {
		out[i] = quiz.Question{ID: q.ID, Kind: q.Kind, PromptHTML: q.PromptHTML, Points: q.Points, Dropped: q.Dropped}
		for _, c := range q.Choices {
			out[i].Choices = append(out[i].Choices, quiz.Choice{ID: c.ID, HTML: c.HTML})
		}
	}
	return out
}

// doc lays a sheet out on a typeset.Page, top to bottom, breaking pages.
type doc struct {
	p       *typeset.Page
	s       QuizSheet
	y       float64 // top of the next line
	pageTop float64 // where this page's content began
	dry     bool    // measuring a block: y moves, nothing is drawn
	current int     // the question being drawn (1-based; 0 between questions)
}

func (d *doc) render() {
	d.newPage(false)
	if d.s.Key {
		d.keyHeader()
	} else {
		d.officerHeader()
	}
	d.pageTop = d.y
	for i, q := range d.s.Questions {
		d.current = i + 1
		d.keep(func() {
			if d.s.Key {
				d.keyQuestion(i+1, q)
			} else {
				d.officerQuestion(i+1, q)
			}
		})
		d.current = 0
		d.y += questionGap
	}
	d.footers()
}

// pdf is the document to draw shapes on; nil while listing or measuring.
func (d *doc) pdf() *fpdf.Fpdf {
	if d.dry {
		return nil
	}
	return d.p.PDF()
}

// newPage starts a page; cut is set when it cuts the current question in two
// (only one taller than a page is), so the page says where it started.
func (d *doc) newPage(cut bool) {
	if f := d.p.PDF(); f != nil {
		f.AddPage()
	}
	d.runningHeader()
	d.y, d.pageTop = contentTop, contentTop
	if cut && d.current > 0 {
		d.line(left, 8.5, "", grey, d.continued(d.current))
		d.y += 1
	}
}

// room starts a new page when h more millimetres would cross the bottom margin
// (only inside a block taller than a page: keep moves the others whole).
func (d *doc) room(h float64) {
	if !d.dry && d.p.PDF() != nil && d.y+h > bottom {
		d.newPage(true)
	}
}

// keep draws a block on one page: measured first, it starts a new page when it
// does not fit on what is left of this one (a block taller than a whole page
// starts where it is and runs on).
func (d *doc) keep(draw func()) {
	if d.p.PDF() != nil {
		start := d.y
		d.dry = true
		draw()
		d.dry = false
		h := d.y - start
		d.y = start
		if d.y+h > bottom && d.y > d.pageTop && h <= bottom-contentTop {
			d.newPage(false)
		}
	}
	draw()
}

func lineHeight(size float64) float64 { return size * 0.3528 * 1.4 }

// line draws one line of text with its top at d.y and moves below it.
func (d *doc) line(x, size float64, style string, color [3]int, text string) {
	d.mark(x, size, style, color, text)
	d.y += lineHeight(size)
}

// mark draws text on the line about to be written without moving below it: a
// question's number, a choice's letter, a list item's marker.
func (d *doc) mark(x, size float64, style string, color [3]int, text string) {
	d.room(lineHeight(size))
	if !d.dry {
		d.p.At(x, d.y+lineHeight(size)*0.72, size, style, color, text)
	}
}

// text draws wrapped text in the column [x, x+width].
func (d *doc) text(x, width, size float64, style string, color [3]int, text string) {
	for _, l := range d.p.Wrap(text, style, size, width) {
		d.line(x, size, style, color, l)
	}
}

// html draws a prompt, a choice or an explanation as wrapped paragraphs; lists
// and quotes indent, a list item's marker hangs before its first line.
func (d *doc) html(x, width, size float64, style string, color [3]int, h template.HTML) {
	const indent = 5.0
	for i, p := range paragraphs(h) {
		if i > 0 {
			d.y += paraGap
		}
		px := x + indent*float64(p.indent)
		for k, l := range d.p.Wrap(p.text, style, size, x+width-px) {
			if k == 0 && p.marker != "" {
				d.mark(px-1.5-d.p.Width(p.marker, style, size), size, style, color, p.marker)
			}
			d.line(px, size, style, color, l)
		}
	}
}

// runningHeader is on every page: what the sheet is, and its version, large,
// so sheets of different versions are never mixed up in marking.
func (d *doc) runningHeader() {
	// Titles shrink, then take more lines, between the top of the page and the
	// rule at 24 mm, left of the version box; nothing is cut short.
	const width = right - 42 - 4 - left
	if d.s.Key {
		d.p.At(left, 13, 10, "B", red, d.s.L.T("documents.quiz.key_banner"))
		titles := d.p.Set(typeset.Join(" · ", d.s.Course, d.s.Quiz), "", 8.5, 5.5, width, 2)
		y := 18.5
		if n := len(titles.Lines); n > 1 {
			y = max(17, 21.5-float64(n-1)*typeset.LineHeight(titles.Size))
		}
		d.p.Draw(left, y, titles, "", grey)
	} else {
		course := d.p.Set(d.s.Course, "", 8.5, 5.5, width, 2)
		quiz := d.p.Set(d.s.Quiz, "B", 8.5, 5.5, width, 2)
		gap, last := 5.5, 18.5
		if len(course.Lines)+len(quiz.Lines) > 2 {
			gap, last = typeset.LineHeight(max(course.Size, quiz.Size))+0.3, 21.5
		}
		y := last - float64(len(course.Lines)-1)*typeset.LineHeight(course.Size) - gap - float64(len(quiz.Lines)-1)*typeset.LineHeight(quiz.Size)
		d.p.Draw(left, d.p.Draw(left, y, course, "", grey)+gap, quiz, "B", black)
	}
	label := d.s.L.T("documents.quiz.version", "Version", d.s.Version)
	if f := d.p.PDF(); f != nil {
		f.SetDrawColor(black[0], black[1], black[2])
		f.SetLineWidth(0.6)
		f.Rect(right-42, 7, 42, 14, "D")
		f.SetLineWidth(0.2)
		f.SetDrawColor(grey[0], grey[1], grey[2])
		f.Line(left, 24, right, 24)
	}
	d.p.CentredIn(right-42, 42, 16.8, 17, "B", black, label)
}

func (d *doc) footers() {
	footer := func(page, pages int) {
		id := "documents.quiz.footer"
		if d.s.Key {
			id = "documents.quiz.key_footer"
		}
		text := d.s.L.T(id, "Version", d.s.Version, "Page", page, "Pages", pages)
		d.p.CentredIn(left, right-left, footerY, 8.5, "", grey, text)
	}
	f := d.p.PDF()
	if f == nil {
		// Listing: page numbers and breaks are known only once drawn.
		d.p.List("0123456789" + d.continued(0))
		footer(1, 1)
		return
	}
	// Back to each page once all are laid out (ending on the last: fpdf
	// writes pages up to the current one).
	n := f.PageCount()
	for i := 1; i <= n; i++ {
		f.SetPage(i)
		footer(i, n)
	}
}

// session is the title block both sheets start with.
func (d *doc) session() {
	d.text(left, right-left, 9, "", grey, d.s.Programme)
	d.y += 1
	d.text(left, right-left, 15, "B", navy, d.s.Course)
	d.text(left, right-left, 12.5, "B", black, d.s.Quiz)
	d.y += 0.5
	d.text(left, right-left, 10, "", grey, typeset.Join(" · ", d.s.L.DateOf(d.s.Date), d.s.Place))
}

func (d *doc) facts() string {
	points := 0
	for _, q := range d.s.Questions {
		if !q.Dropped {
			points += q.Points
		}
	}
	l := d.s.L
	parts := []string{l.T("documents.quiz.questions", "Count", len(d.s.Questions)), l.T("documents.quiz.points", "Count", points)}
	if m := int(d.s.TimeLimit.Round(time.Minute) / time.Minute); m > 0 {
		parts = append(parts, l.T("documents.quiz.minutes", "Count", m))
	}
	return strings.Join(append(parts, l.T("documents.quiz.pass_mark", "Percent", l.Percent(float64(d.s.PassMark)/100, 0))), " · ")
}

func (d *doc) officerHeader() {
	d.session()
	d.y += 5
	// Boxes for who wrote the sheet: name, then agency and signature.
	box := func(x, w float64, label string) {
		if f := d.pdf(); f != nil {
			f.SetDrawColor(black[0], black[1], black[2])
			f.SetLineWidth(0.3)
			f.Rect(x, d.y, w, 13, "D")
		}
		d.p.At(x+1.8, d.y+3.6, 7.5, "", grey, label)
	}
	l := d.s.L
	box(left, right-left, l.T("documents.quiz.full_name"))
	d.y += 15
	half := (right - left - 4) / 2
	box(left, half, l.T("documents.quiz.agency"))
	box(left+half+4, half, l.T("documents.quiz.signature"))
	d.y += 19
	d.line(left, 10, "B", black, d.facts())
	d.y += 1
	if d.s.Intro != "" {
		d.html(left, right-left, 9.5, "", black, d.s.Intro)
		d.y += paraGap
	}
	for _, l := range []string{
		l.T("documents.quiz.rule.pen"),
		l.T("documents.quiz.rule.take_back"),
		l.T("documents.quiz.rule.short"),
		l.T("documents.quiz.rule.version", "Version", d.s.Version),
	} {
		d.html(left, right-left, 9.5, "", black, template.HTML("<ul><li>"+template.HTMLEscapeString(l)+"</li></ul>"))
	}
	d.rule()
}

func (d *doc) keyHeader() {
	l := d.s.L
	d.line(left, 18, "B", red, l.T("documents.quiz.key_heading"))
	d.y += 1
	d.session()
	d.y += 3
	d.text(left, right-left, 10, "B", black, l.T("documents.quiz.key_version_only", "Version", d.s.Version))
	facts := d.facts()
	if slices.ContainsFunc(d.s.Questions, func(q quiz.Question) bool { return q.Dropped }) {
		facts += " " + l.T("documents.quiz.key_dropped_note")
	}
	d.line(left, 10, "", black, facts)
	d.text(left, right-left, 9, "", grey, l.T("documents.quiz.key_scoring"))
	d.rule()
}

func (d *doc) rule() {
	d.y += 3
	if f := d.pdf(); f != nil {
		f.SetDrawColor(grey[0], grey[1], grey[2])
		f.SetLineWidth(0.2)
		f.Line(left, d.y, right, d.y)
	}
	d.y += 5
}

// head starts a question: its number in the margin column, level with the
// first line of the prompt, then the prompt, then a grey line saying what
// kind of answer it takes and what it is worth.
func (d *doc) head(n int, q quiz.Question, size float64, about string) {
	x := left + numberW
	d.mark(left, size, "B", black, strconv.Itoa(n)+".")
	d.html(x, right-x, size, "", black, q.PromptHTML)
	d.y += 0.8
	d.line(x, 8.5, "", grey, about)
}

func (d *doc) officerQuestion(n int, q quiz.Question) {
	const size = 10.5
	x := left + numberW
	l := d.s.L
	how := l.T(map[course.Kind]string{course.KindSingle: "documents.quiz.tick_one", course.KindMultiple: "documents.quiz.tick_all",
		course.KindShort: "documents.quiz.write_line", course.KindNumeric: "documents.quiz.write_number"}[q.Kind])
	worth := l.T("documents.quiz.points", "Count", q.Points)
	if q.Dropped {
		worth = l.T("documents.quiz.does_not_count") // withdrawn after the quiz was written; the numbering stays
	}
	d.head(n, q, size, how+" · "+worth)
	d.y += 1.5
	f := func() *fpdf.Fpdf {
		f := d.pdf()
		if f != nil {
			f.SetDrawColor(black[0], black[1], black[2])
			f.SetLineWidth(0.3)
		}
		return f
	}
	switch q.Kind {
	case course.KindSingle, course.KindMultiple:
		for j, c := range q.Choices {
			if j > 0 {
				d.y += 1.8
			}
			d.mark(x+7, size, "B", black, quiz.Letter(j))
			if f := f(); f != nil {
				f.Rect(x+0.5, d.y+0.3, 4.2, 4.2, "D")
			}
			d.html(x+13, right-x-13, size, "", black, c.HTML)
		}
	case course.KindShort:
		d.room(11)
		d.y += 10
		if f := f(); f != nil {
			f.Line(x, d.y, right, d.y)
		}
		d.y += 1
	case course.KindNumeric:
		d.room(11)
		if f := f(); f != nil {
			f.Rect(x, d.y, 55, 11, "D")
		}
		d.y += 11
	}
}

func (d *doc) keyQuestion(n int, q quiz.Question) {
	const size = 10
	x := left + numberW
	l := d.s.L
	kind := l.T(map[course.Kind]string{course.KindSingle: "documents.quiz.kind.single", course.KindMultiple: "documents.quiz.kind.multiple",
		course.KindShort: "documents.quiz.kind.short", course.KindNumeric: "documents.quiz.kind.numeric"}[q.Kind])
	d.head(n, q, size, kind+" · "+l.T("documents.quiz.points", "Count", q.Points))
	if q.Dropped {
		d.line(x, 10, "B", red, l.T("documents.quiz.key_dropped"))
	}
	d.y += 1
	switch q.Kind {
	case course.KindSingle, course.KindMultiple:
		var letters []string
		for j, c := range q.Choices {
			if c.Correct {
				letters = append(letters, quiz.Letter(j))
			}
		}
		d.line(x, size+1, "B", navy, l.T("documents.quiz.answer", "Answer", strings.Join(letters, ", ")))
		for j, c := range q.Choices {
			// The right ones in bold: a "(right)" after the text would land at
			// the wrong end of a right-to-left choice.
			style, color := "", grey
			if c.Correct {
				style, color = "B", black
			}
			d.mark(x+1, 9, style, color, quiz.Letter(j))
			d.text(x+6, right-x-6, 9, style, color, plain(c.HTML))
		}
	case course.KindShort:
		d.text(x, right-x, size+1, "B", navy, l.T("documents.quiz.accepted", "Answers", strings.Join(q.Accepted, " · ")))
	case course.KindNumeric:
		answer := l.T("documents.quiz.answer", "Answer", number(q.Number))
		if q.Tolerance > 0 {
			answer = l.T("documents.quiz.answer_range", "Answer", number(q.Number), "Tolerance", number(q.Tolerance),
				"Min", number(q.Number-q.Tolerance), "Max", number(q.Number+q.Tolerance))
		}
		d.line(x, size+1, "B", navy, answer)
	}
	if q.Explanation != "" {
		d.y += 1
		d.html(x, right-x, 9, "", grey, q.Explanation)
	}
}

// number writes a numeric answer as the course does, without grouping: a
// year asked for (2008) must not read "2,008" on the key.
func number(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (d *doc) continued(question int) string {
	return d.s.L.T("documents.quiz.continued", "Number", question)
}
