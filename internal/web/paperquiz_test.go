package web

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/paper"
	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/quiz"
)

// paperPDF downloads a printed quiz; the body is the PDF or a JSON error.
func (qw *quizWorld) paperPDF(t *testing.T, token, quizID, query string) (int, string, string) {
	t.Helper()
	res, body := qw.ts.api(t, token, "GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes/%s/paper.pdf%s", qw.sessionID, quizID, query), nil)
	if res.StatusCode == 200 && (res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-")) {
		t.Fatalf("paper.pdf%s: %s, %.20q", query, res.Header.Get("Content-Type"), body)
	}
	return res.StatusCode, res.Header.Get("Content-Disposition"), body
}

// plainHTML is goldmark's HTML as the words a reader sees.
func plainHTML(h string) string {
	return strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(h, " "))), " ")
}

// firstWords is the start of a text, short enough to sit on one printed line.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// printedQuestions cuts a sheet's text (pdftotext -layout) into its questions:
// the text from "N." at the start of a line to the next number. It fails the
// test unless the questions are numbered 1…n in order and each starts with its
// prompt, so the printed order is exactly the version's.
func printedQuestions(t *testing.T, text string, qs []quiz.Question) []string {
	t.Helper()
	out := make([]string, len(qs))
	at := 0
	for i, q := range qs {
		first, _, _ := strings.Cut(string(q.PromptHTML), "</p>") // the first paragraph: a list below it starts a line of its own
		re := regexp.MustCompile(`(?m)^ *` + strconv.Itoa(i+1) + `\. +` + regexp.QuoteMeta(firstWords(plainHTML(first), 5)))
		loc := re.FindStringIndex(text[at:])
		if loc == nil {
			t.Fatalf("question %d (%s) is not printed as number %d after the previous one:\n%s", i+1, q.ID, i+1, text)
		}
		if i > 0 {
			out[i-1] = text[at : at+loc[0]]
		}
		at += loc[0]
	}
	out[len(qs)-1] = text[at:]
	return out
}

// checkLetters fails unless each choice of each question is printed with the
// version's letter for it.
func checkLetters(t *testing.T, printed []string, qs []quiz.Question) {
	t.Helper()
	for i, q := range qs {
		for j, c := range q.Choices {
			re := regexp.MustCompile(`(?m)^ *` + quiz.Letter(j) + ` +` + regexp.QuoteMeta(firstWords(plainHTML(string(c.HTML)), 4)))
			if !re.MatchString(printed[i]) {
				t.Errorf("question %d: choice %q is not printed as %s:\n%s", i+1, plainHTML(string(c.HTML)), quiz.Letter(j), printed[i])
			}
		}
	}
}

func TestPaperQuizPDF(t *testing.T) {
	qw := newQuizWorld(t)
	fixture, probs := course.Load(os.DirFS("testdata/courses"), "secret", "secret")
	if fixture == nil || len(probs) > 0 {
		t.Fatalf("fixture course: %v", probs)
	}
	v2 := quiz.PaperVersion(fixture.Modules[0].Quiz, 2)

	t.Run("OfficerSheet", func(t *testing.T) {
		status, disposition, doc := qw.paperPDF(t, qw.trainerTok, "01-m", "?version=2")
		if status != 200 || !strings.Contains(disposition, "filename=quiz-01-m-v2.pdf") {
			t.Fatalf("%d %s", status, disposition)
		}
		text := pdftest.Text(t, []byte(doc), "-layout")
		checkLetters(t, printedQuestions(t, text, v2), v2)
		// The choices are the question; the key, accepted answers, the number
		// and the explanations are not.
		for _, want := range []string{"WRONG-CHOICE-a41", "CORRECT-CHOICE-7f3", "Version 2", "Tick one", "Full name", "Agency", "Signature"} {
			if !strings.Contains(text, want) {
				t.Errorf("%q is not on the sheet", want)
			}
		}
		for _, secret := range []string{"EXPLANATION-", "SHORT-ANSWER-2b8", "4242", "4 242", "Answer key", "Accepted"} {
			if strings.Contains(text, secret) {
				t.Errorf("the officers' sheet shows %q:\n%s", secret, text)
			}
		}
		if _, disposition, _ := qw.paperPDF(t, qw.trainerTok, "01-m", ""); !strings.Contains(disposition, "filename=quiz-01-m-v1.pdf") {
			t.Errorf("no version is version 1: %s", disposition)
		}
	})

	t.Run("KeyMarksAFullSheet", func(t *testing.T) {
		status, disposition, doc := qw.paperPDF(t, qw.ts.token(t, qw.admin), "01-m", "?version=2&key=1")
		if status != 200 || !strings.Contains(disposition, "filename=quiz-01-m-v2-key.pdf") {
			t.Fatalf("%d %s", status, disposition)
		}
		text := pdftest.Text(t, []byte(doc), "-layout")
		for _, want := range []string{"Answer key — do not hand out", "EXPLANATION-9c1", "EXPLANATION-5d0", "SHORT-ANSWER-2b8", "4242", "Version 2"} {
			if !strings.Contains(text, want) {
				t.Errorf("%q is not in the key:\n%s", want, text)
			}
		}
		if strings.Contains(text, "count for nobody") {
			t.Errorf("the key speaks of dropped questions when none is dropped")
		}
		// Read the key as a trainer would, question by question, and mark a
		// sheet with it: it must score full marks.
		marks := map[string]string{}
		answer := regexp.MustCompile(`(?:Answer|Accepted): ([^\n·]+)`)
		for i, part := range printedQuestions(t, text, v2) {
			m := answer.FindStringSubmatch(part)
			if m == nil {
				t.Fatalf("question %d has no answer in the key:\n%s", i+1, part)
			}
			marks[strconv.Itoa(i+1)] = strings.ReplaceAll(strings.TrimSpace(m[1]), ",", " ")
		}
		officerB := qw.idOf(t, qw.world.officerB)
		res, body := qw.ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/paper", qw.sessionID),
			map[string]any{"user_id": officerB, "reason": "room without devices", "sheet": map[string]any{"version": 2, "answers": marks}})
		if res.StatusCode != 200 || !strings.Contains(body, `"percent":100`) || !strings.Contains(body, `"passed":true`) {
			t.Errorf("the key's answers %v, entered as version 2: %d %s", marks, res.StatusCode, body)
		}
	})

	// The quizzes page's form, submitted as a browser does (signed in by cookie).
	t.Run("QuizzesPageForm", func(t *testing.T) {
		page := func(c credentials) string {
			res, err := qw.ts.browser(t, c).Get(fmt.Sprintf("%s/sessions/%d/quizzes", qw.ts.URL, qw.sessionID))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return string(body)
		}
		action := fmt.Sprintf(`action="/api/v1/sessions/%d/quizzes/01-m/paper.pdf"`, qw.sessionID)
		trainerPage := page(qw.trainer)
		if !strings.Contains(trainerPage, action) || !strings.Contains(trainerPage, `name="key" value="1"`) || !strings.Contains(trainerPage, `name="version" value="1"`) {
			t.Fatalf("no print form on the trainer's quizzes page:\n%s", trainerPage)
		}
		if strings.Contains(page(qw.world.officerA), "paper.pdf") {
			t.Error("the officers' quizzes page offers the paper quiz")
		}
		res, err := qw.ts.browser(t, qw.trainer).Get(fmt.Sprintf("%s/api/v1/sessions/%d/quizzes/01-m/paper.pdf?version=2&key=1", qw.ts.URL, qw.sessionID))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		doc, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(pdftest.Text(t, doc), "Answer key") {
			t.Errorf("the form's answer key: %d", res.StatusCode)
		}
	})

	t.Run("OnlyTheSessionsTrainers", func(t *testing.T) {
		other := qw.ts.token(t, qw.ts.user(t, auth.RoleTrainer, nil, "Trainer of another session"))
		for who, c := range map[string]struct {
			token string
			want  int
		}{
			// They all see the session, so printing it is forbidden, not
			// missing (schedule.Access: 404 only for what one cannot see).
			"officer":       {qw.officerA, 403},
			"coordinator":   {qw.ts.token(t, qw.coordA), 403},
			"other trainer": {other, 403},
		} {
			for _, query := range []string{"?version=1", "?version=1&key=1", "?version=abc"} {
				if status, _, body := qw.paperPDF(t, c.token, "01-m", query); status != c.want || strings.Contains(body, "EXPLANATION") {
					t.Errorf("%s %s: %d %s", who, query, status, body)
				}
			}
		}
		if status, _, _ := qw.paperPDF(t, qw.trainerTok, "no-such-quiz", ""); status != 404 {
			t.Errorf("unknown quiz: %d", status)
		}
	})

	t.Run("BadVersion", func(t *testing.T) {
		for _, query := range []string{"?version=0", "?version=100", "?version=abc", "?version=-1", "?version=1.5&key=1"} {
			status, _, body := qw.paperPDF(t, qw.trainerTok, "01-m", query)
			if status != 422 || !strings.Contains(body, `"code":"invalid"`) || !strings.Contains(body, `"field":"version"`) {
				t.Errorf("%s: %d %s", query, status, body)
			}
		}
	})
}

// The longest quiz of the shipped course: two versions in their own orders,
// numbered and lettered as quiz.PaperVersion has them, over several pages with
// the version on each, and no text below the bottom margin but the footer.
func TestPaperQuizPDF_LongQuizPaginates(t *testing.T) {
	qw := newQuizWorld(t)
	crs, probs := course.Load(courses.FS, "crypto-crime", "crypto-crime")
	if crs == nil || len(probs) > 0 {
		t.Fatalf("crypto-crime: %v", probs)
	}
	var longest *course.Quiz
	for _, m := range crs.Modules {
		if m.Quiz != nil && (longest == nil || len(m.Quiz.Questions) > len(longest.Questions)) {
			longest = m.Quiz
		}
	}
	s := qw.createSession(t, 10, map[string]any{"course": "crypto-crime"})
	qw.sessionID = s.ID
	orders := map[int]string{}
	for _, v := range []int{1, 2} {
		qs := quiz.PaperVersion(longest, v)
		var ids []string
		for _, q := range qs {
			ids = append(ids, q.ID)
		}
		orders[v] = strings.Join(ids, " ")
		status, _, doc := qw.paperPDF(t, qw.trainerTok, longest.ID, "?version="+strconv.Itoa(v))
		if status != 200 {
			t.Fatalf("version %d: %d %s", v, status, doc)
		}
		text := pdftest.Text(t, []byte(doc), "-layout")
		checkLetters(t, printedQuestions(t, text, qs), qs)
		pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
		if len(pages) < 2 {
			t.Errorf("version %d: %d questions on %d page", v, len(qs), len(pages))
		}
		for i, page := range pages {
			if n := strings.Count(page, fmt.Sprintf("Version %d", v)); n < 2 {
				t.Errorf("version %d page %d: the version is printed %d times (header and footer expected)", v, i+1, n)
			}
			if footer := fmt.Sprintf("page %d of %d", i+1, len(pages)); !strings.Contains(page, footer) {
				t.Errorf("version %d page %d: no %q", v, i+1, footer)
			}
		}
		belowMargin(t, pdftest.Text(t, []byte(doc), "-bbox"))
		if dir := os.Getenv("LECTERN_PAPER_PNG"); dir != "" {
			renderPNGs(t, dir, fmt.Sprintf("%s-v%d", longest.ID, v), []byte(doc))
			_, _, key := qw.paperPDF(t, qw.trainerTok, longest.ID, fmt.Sprintf("?version=%d&key=1", v))
			renderPNGs(t, dir, fmt.Sprintf("%s-v%d-key", longest.ID, v), []byte(key))
		}
	}
	if orders[1] == orders[2] {
		t.Errorf("versions 1 and 2 print the same order: %s", orders[1])
	}
}

// belowMargin fails on any word set below the bottom margin (278 mm) other than
// the footer's "Version N · page x of y" (a line at 289 mm).
func belowMargin(t *testing.T, bbox string) {
	t.Helper()
	const mm = 72 / 25.4
	word := regexp.MustCompile(`<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>`)
	footer := map[string]bool{"Version": true, "·": true, "page": true, "of": true}
	for _, m := range word.FindAllStringSubmatch(bbox, -1) {
		yMin, _ := strconv.ParseFloat(m[1], 64)
		yMax, _ := strconv.ParseFloat(m[2], 64)
		if yMax <= 279*mm {
			continue
		}
		if _, err := strconv.Atoi(m[3]); (err == nil || footer[m[3]]) && yMin > 283*mm && yMax < 292*mm {
			continue
		}
		t.Errorf("%q is drawn at %.1f–%.1f mm, below the bottom margin", m[3], yMin/mm, yMax/mm)
	}
}

// Questions in Hebrew, Hangul and Arabic script (and names in Greek and
// Cyrillic) print in their scripts on both the sheet and the key. (pdftotext
// gives Arabic back as the joining forms drawn, between embedding marks: the
// text is normalised before comparing.)
func TestPaperQuizPDF_EveryScript(t *testing.T) {
	qs := []quiz.Question{
		{ID: "who", Kind: course.KindSingle, Points: 1, PromptHTML: "<p>Which unit is <strong>משטרת ישראל</strong>, and who is 김민준?</p>",
			Choices: []quiz.Choice{{ID: "a", HTML: "<p>דניאל כהן</p>", Correct: true}, {ID: "b", HTML: "<p>경찰청 사이버수사국</p>"}, {ID: "c", HTML: "<p>Γιώργος Παπαδόπουλος, Дмитрий Иванов</p>"},
				{ID: "d", HTML: "<p>محمد عبد الله (شرطة دبي), فاطمه رضایی</p>"}}},
		{ID: "name", Kind: course.KindShort, Points: 2, PromptHTML: "<p>Name the agency: <em>경찰청</em>.</p>", Accepted: []string{"경찰청", "KNPA"}},
	}
	for _, key := range []bool{false, true} {
		var doc bytes.Buffer
		sheet := paper.QuizSheet{L: english(t), Programme: "Programme", Course: "Курс", Quiz: "퀴즈", Date: "2026-12-03", Place: "Seoul, South Korea",
			Version: 3, PassMark: 70, Questions: qs, Key: key}
		if err := paper.WriteQuiz(&doc, sheet); err != nil {
			t.Fatal(err)
		}
		text := norm.NFKC.String(strings.Map(func(r rune) rune {
			if r >= 0x202a && r <= 0x202e {
				return -1
			}
			return r
		}, pdftest.Text(t, doc.Bytes())))
		for _, want := range []string{"משטרת ישראל", "김민준", "דניאל כהן", "경찰청 사이버수사국", "Γιώργος Παπαδόπουλος", "Дмитрий Иванов", "Курс", "퀴즈",
			"محمد عبد الله", "شرطة دبي", "فاطمه رضایی"} {
			if !strings.Contains(text, want) {
				t.Errorf("key=%v: %q not in the text:\n%s", key, want, text)
			}
		}
		if strings.Contains(text, "KNPA") != key {
			t.Errorf("key=%v: accepted answer printed: %v", key, !key)
		}
		if dir := os.Getenv("LECTERN_PAPER_PNG"); dir != "" {
			renderPNGs(t, dir, fmt.Sprintf("scripts-key-%v", key), doc.Bytes())
		}
	}
}

// renderPNGs writes one PNG per page (60 dpi) to look at by hand:
// LECTERN_PAPER_PNG=dir go test -run PaperQuizPDF ./internal/web/
func renderPNGs(t *testing.T, dir, name string, doc []byte) {
	file := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftest.Tool(t, "pdftoppm"), "-png", "-r", "60", file, filepath.Join(dir, name)).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
}

// A question taller than a page runs on to the next, which says so; the others
// are kept whole.
func TestPaperQuizPDF_QuestionTallerThanAPage(t *testing.T) {
	var list strings.Builder
	for i := range 70 {
		fmt.Fprintf(&list, "<li>Transaction %d spends an output of the one before it and pays a fee</li>", i+1)
	}
	qs := []quiz.Question{
		{ID: "short", Kind: course.KindNumeric, Points: 1, PromptHTML: "<p>How many?</p>", Number: 1},
		{ID: "tall", Kind: course.KindShort, Points: 1, PromptHTML: template.HTML("<p>Follow the chain:</p><ol>" + list.String() + "</ol>"), Accepted: []string{"x"}},
		{ID: "after", Kind: course.KindSingle, Points: 1, PromptHTML: "<p>And then?</p>", Choices: []quiz.Choice{{ID: "a", HTML: "<p>Stop</p>", Correct: true}, {ID: "b", HTML: "<p>Go on</p>"}}},
	}
	var doc bytes.Buffer
	if err := paper.WriteQuiz(&doc, paper.QuizSheet{L: english(t), Course: "Course", Quiz: "Quiz", Version: 5, PassMark: 70, Questions: qs}); err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, doc.Bytes(), "-layout")
	printedQuestions(t, text, qs)
	pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
	if len(pages) < 3 || !strings.Contains(pages[1], "Question 2, continued") || strings.Contains(pages[0], "continued") {
		t.Errorf("%d pages; the tall question is not marked as continued where it is cut:\n%s", len(pages), text)
	}
	belowMargin(t, pdftest.Text(t, doc.Bytes(), "-bbox"))
}

// A long course or quiz title is never cut short in the running header of the
// sheet or the key: smaller, then on a second line, above the header's rule.
func TestPaperQuizPDF_LongTitlesInTheHeaderWhole(t *testing.T) {
	courseTitle := "Investigating crypto-asset crime: tracing, seizure, confiscation and international cooperation under the AMLR"
	title := "Module 3 — Legal issues: jurisdiction, mutual legal assistance, e-evidence and the travel rule in practice"
	var list strings.Builder
	for i := range 70 {
		fmt.Fprintf(&list, "<li>Transaction %d spends an output of the one before it</li>", i+1)
	}
	qs := []quiz.Question{{ID: "tall", Kind: course.KindShort, Points: 1, PromptHTML: template.HTML("<ol>" + list.String() + "</ol>"), Accepted: []string{"x"}}}
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for _, key := range []bool{false, true} {
		var doc bytes.Buffer
		if err := paper.WriteQuiz(&doc, paper.QuizSheet{L: english(t), Course: courseTitle, Quiz: title, Version: 2, PassMark: 70, Questions: qs, Key: key}); err != nil {
			t.Fatal(err)
		}
		text := pdftest.Text(t, doc.Bytes(), "-raw")
		pages := strings.Split(text, "\f")
		if strings.Contains(text, "…") || len(pages) < 2 || !strings.Contains(squash(pages[1]), squash(courseTitle)) || !strings.Contains(squash(pages[1]), squash(title)) {
			t.Errorf("key=%v: the titles are not whole in page 2's header:\n%s", key, text)
		}
		// Header words sit above the rule at 24 mm, the rest below it.
		const mm = 72 / 25.4
		word := regexp.MustCompile(`<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">`)
		for _, m := range word.FindAllStringSubmatch(pdftest.Text(t, doc.Bytes(), "-bbox"), -1) {
			yMin, _ := strconv.ParseFloat(m[1], 64)
			yMax, _ := strconv.ParseFloat(m[2], 64)
			if yMin < 24*mm && yMax > 24.5*mm || yMin < 5*mm {
				t.Errorf("key=%v: a word runs over the header's rule or off the page: %.1f–%.1f mm", key, yMin/mm, yMax/mm)
			}
		}
	}
}

// english is the embedded catalogues' English, for documents drawn directly.
func english(t testing.TB) *i18n.Localizer {
	t.Helper()
	cat, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat.For("en")
}
