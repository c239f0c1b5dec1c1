package courses_test

import (
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
)

// TestCryptoCrime_Shape asserts what the shipped course promises its users: four
// modules of teaching length, a quiz each mixing every question kind with an
// explanation per question, sources, a glossary and a diagram per module, a French
// translation of module 1, and the certificate rule of the programme.
func TestCryptoCrime_Shape(t *testing.T) {
	c, probs := course.Load(courses.FS, "crypto-crime", "courses/crypto-crime")
	if len(probs) > 0 {
		t.Fatalf("lint problems:\n%s", probs)
	}
	if len(c.Modules) != 4 {
		t.Fatalf("modules = %d, want 4", len(c.Modules))
	}
	rule := c.Certificate
	if !rule.RequiresAttendance || !rule.RequiresQuizzes || rule.PassMark != 70 || rule.ValidFor != (course.Validity{Years: 3}) {
		t.Errorf("certificate rule = %+v", rule)
	}
	if c.Audience == "" || !strings.Contains(string(c.Overview), "09:00") || !strings.Contains(string(c.Overview), "17:00") {
		t.Errorf("course.md lacks audience or the day's agenda")
	}
	for _, m := range c.Modules {
		t.Run(m.ID, func(t *testing.T) {
			html := string(m.HTML)
			if m.Words < 1500 || m.Words > 3000 {
				t.Errorf("%d words, want 1,500–3,000", m.Words)
			}
			if len(m.Objectives) < 3 {
				t.Errorf("%d objectives", len(m.Objectives))
			}
			for _, want := range []string{`id="sources"`, `id="glossary"`, "<table>", "<img "} {
				if !strings.Contains(html, want) {
					t.Errorf("module lacks %s", want)
				}
			}
			q := m.Quiz
			if q == nil {
				t.Fatal("no quiz")
			}
			if n := len(q.Questions); n < 10 || n > 15 {
				t.Errorf("quiz has %d questions, want 10–15", n)
			}
			kinds := map[course.Kind]int{}
			for _, x := range q.Questions {
				kinds[x.Kind]++
				if strings.TrimSpace(x.Explanation) == "" {
					t.Errorf("question %s has no explanation", x.ID)
				}
			}
			for _, k := range []course.Kind{course.KindSingle, course.KindMultiple, course.KindShort, course.KindNumeric} {
				if kinds[k] == 0 {
					t.Errorf("quiz has no %s question", k)
				}
			}
		})
	}
	fr := c.Modules[0].Translations["fr"]
	if fr == nil || !strings.Contains(string(fr.HTML), `id="sources"`) || fr.Words < 1500 {
		t.Errorf("module 1 lacks a complete French translation")
	}
}

// TestCryptoCrime_AcceptedAnswers pins answers that officers give and that are
// right (issue 18): each is scored through the real loader and the real quiz
// scoring, so a later edit of an answer key cannot silently refuse them again.
func TestCryptoCrime_AcceptedAnswers(t *testing.T) {
	c, probs := course.Load(courses.FS, "crypto-crime", "courses/crypto-crime")
	if len(probs) > 0 {
		t.Fatalf("lint problems:\n%s", probs)
	}
	questions := map[string]quiz.Question{}
	for _, qz := range c.Quizzes() {
		for _, q := range quiz.Snapshot(qz, 1) {
			questions[q.ID] = q
		}
	}
	text := func(s string) quiz.Answer { return quiz.Answer{Text: &s} }
	number := func(x float64) quiz.Answer { return quiz.Answer{Number: &x} }
	tests := []struct {
		id    string
		given quiz.Answer
		right bool
	}{
		// The supply cap is 21 million; the exact total is 20,999,999.9769 BTC.
		{"btc-supply-cap", number(21000000), true},
		{"btc-supply-cap", number(20999999.9769), true},
		{"btc-supply-cap", number(20000000), false},
		{"btc-supply-cap", number(21), false},
		{"lock-mint", text("lock-mint"), true},
		{"lock-mint", text("lock and mint"), true},
		{"lock-mint", text("Wrapping"), true},
		{"lock-mint", text("atomic swap"), false},
		// UK, Irish and Commonwealth usage.
		{"chain-of-custody", text("continuity of evidence"), true},
		{"chain-of-custody", text("evidence continuity"), true},
		{"chain-of-custody", text("chain of evidence"), true},
		{"chain-of-custody", text("chain of custody"), true},
		{"tc-lazarus", number(455), true},
		{"six-confirmations", number(6), true},
	}
	for _, tt := range tests {
		q, ok := questions[tt.id]
		if !ok {
			t.Errorf("no question %q", tt.id)
			continue
		}
		got := quiz.Score(q, tt.given)
		if want := map[bool]float64{true: float64(q.Points), false: 0}[tt.right]; got != want {
			t.Errorf("%s: answer %s scored %v, want %v", tt.id, describe(tt.given), got, want)
		}
	}
	// Every numeric question tells officers to write digits, so "six" or
	// "21 million" is never typed into a number field by someone who knew the answer.
	for id, q := range questions {
		if q.Kind == course.KindNumeric && !strings.Contains(string(q.PromptHTML), "in digits") {
			t.Errorf("numeric question %s does not say to write the number in digits", id)
		}
	}
}

func describe(a quiz.Answer) string {
	if a.Text != nil {
		return strconv.Quote(*a.Text)
	}
	if a.Number != nil {
		return strconv.FormatFloat(*a.Number, 'f', -1, 64)
	}
	return "(none)"
}

// TestCryptoCrime_TranslationsKeepTheFacts: every translated module and quiz
// (NAME.LANG.md, NAME.quiz.LANG.md, course.LANG.md) holds the same numbers as
// the English file it translates, counted as a multiset: amounts, years and
// dates, article and recommendation numbers. Numbers are compared as
// values, so "1,000" (English), "1.000" (Spanish) and "1 000" (French, with a
// space or a no-break space) are all 1000, and "0,299" is 0.299. A separator
// followed by exactly three digits after a non-zero integer part is read as a
// thousands separator, any other as the decimal mark: the course writes no
// decimal with exactly three digits after a non-zero whole part (e.g. no
// "2.125"), so the rule is exact for it. Left out, as they are not facts a
// translator writes: link targets (URLs, file names: the same sources, and a
// translation may link to the translated module's file); a question heading's
// {#id points=N} (lint compares ids and points); a quiz's "= …" answer lines
// (accepted short answers are each language's own, often with the English
// ones beside them; numeric keys are compared by lint); and the settings only the
// English file holds (a quiz's time_limit, attempts, pass_mark …, the
// certificate rule), which translations do not repeat.
func TestCryptoCrime_TranslationsKeepTheFacts(t *testing.T) {
	names, err := fs.Glob(courses.FS, "crypto-crime/*.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range names {
		stem := strings.TrimSuffix(path.Base(name), ".md")
		i := strings.LastIndex(stem, ".")
		if i < 0 || stem[i+1:] == "quiz" {
			continue // an English file
		}
		source := path.Join(path.Dir(name), stem[:i]+".md")
		checked++
		en, err := fs.ReadFile(courses.FS, source)
		if err != nil {
			t.Errorf("%s: no English %s: %v", name, source, err)
			continue
		}
		tr, err := fs.ReadFile(courses.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		missing, extra := numberDrift(numbersIn(string(en)), numbersIn(string(tr)))
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("%s drifts from %s: numbers only in the English %v, only in the translation %v", name, path.Base(source), missing, extra)
		}
	}
	if checked == 0 {
		t.Fatal("no translation checked")
	}
}

var (
	linkTarget = regexp.MustCompile(`(?m)\]\([^)]*\)|https?://\S+|\]: *\S+|(?:\s*\{[^{}\n]*\})+\s*$|^\s{0,3}=.*$|^\s*(?:time_limit|attempts|pass_mark|shuffle|review|grace|language|requires|valid_for):.*$`)
	numberTok  = regexp.MustCompile(`\d+(?:[ \x{00a0}\x{202f}.,]\d+)*`)
)

// numbersIn lists the numbers of a Markdown text as normalised values.
func numbersIn(src string) []string {
	var out []string
	for _, tok := range numberTok.FindAllString(linkTarget.ReplaceAllString(src, " "), -1) {
		out = append(out, numberValues(tok)...)
	}
	return out
}

// numberValues reads one token of digits and separators as the numbers it
// holds: "1 000,5" → 1000.5; "16, 17" (a list) → 16 and 17.
func numberValues(tok string) []string {
	tok = strings.TrimRight(tok, " \u00a0\u202f.,")
	groups := regexp.MustCompile(`[ \x{00a0}\x{202f}.,]`).Split(tok, -1)
	seps := regexp.MustCompile(`[ \x{00a0}\x{202f}.,]`).FindAllString(tok, -1)
	var out []string
	cur := groups[0]
	for i, sep := range seps {
		next := groups[i+1]
		switch {
		case len(next) == 3 && cur != "0" && !strings.Contains(cur, "."):
			cur += next // a thousands separator
		case sep != " " && sep != "\u00a0" && sep != "\u202f" && !strings.Contains(cur, "."):
			cur += "." + next // the decimal mark
		default:
			out = append(out, cur) // two numbers side by side
			cur = next
		}
	}
	out = append(out, cur)
	for i, s := range out {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			out[i] = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return out
}

// numberDrift returns the values the English has more of, and those the
// translation has more of.
func numberDrift(en, tr []string) (missing, extra []string) {
	count := map[string]int{}
	for _, n := range en {
		count[n]++
	}
	for _, n := range tr {
		count[n]--
	}
	for n, c := range count {
		for ; c > 0; c-- {
			missing = append(missing, n)
		}
		for ; c < 0; c++ {
			extra = append(extra, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}
