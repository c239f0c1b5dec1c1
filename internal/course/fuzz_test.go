package course

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fuzzCourseDir is the course directory of FuzzLoadCourse, printed as is in problems.
const fuzzCourseDir = "fz"

var (
	htmlTag  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	htmlAttr = regexp.MustCompile(`([^\s"'=<>/]+)(?:\s*=\s*"([^"]*)")?`)
)

// unsafeHTML returns what goldmark's safe mode must never let through, or "": a
// script-bearing element, an event-handler attribute, or a script URL. goldmark
// escapes "<" in text and quotes every attribute, so each "<" starts a real tag.
func unsafeHTML(h string) string {
	if strings.Contains(strings.ToLower(h), "<script") {
		return "<script"
	}
	for _, tag := range htmlTag.FindAllStringSubmatch(h, -1) {
		switch strings.ToLower(tag[2]) {
		case "script", "iframe", "object", "embed", "style", "base", "form", "meta", "link":
			return tag[0]
		}
		for _, a := range htmlAttr.FindAllStringSubmatch(tag[3], -1) {
			name := strings.ToLower(a[1])
			if strings.HasPrefix(name, "on") {
				return tag[0]
			}
			if name != "href" && name != "src" {
				continue
			}
			// Browsers drop ASCII tabs, newlines and leading spaces or controls from URLs.
			u := strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return unicode.ToLower(r)
			}, html.UnescapeString(a[2]))
			if strings.HasPrefix(u, "javascript:") || strings.HasPrefix(u, "vbscript:") {
				return tag[0]
			}
		}
	}
	return ""
}

// FuzzLoadCourse loads a course whose course.md front matter and body, module and
// quiz file are fuzzed, beside a fixed second module and an image the texts may
// link to.
func FuzzLoadCourse(f *testing.F) {
	f.Add("title: T\nsummary: S", "Overview with [a link](01-m.md).\n",
		"---\ntitle: M\nduration: 90m\nobjectives: [a, b]\n---\n\nText ![pic](images/p.png) and [next](02-n.md#top).\n",
		"---\ntitle: Q\n---\n\n## One? {points=2}\n\n- [ ] a\n- [x] b\n\n> Because.\n\n## Two {#two}\n\n= proof of work\n= PoW\n\n## Three\n\n= 24 ± 0.5\n")
	f.Add("title: T\nsummary: S\nlanguage: fr\ncertificate:\n  requires: [attendance, quizzes]\n  pass_mark: 80%\n  valid_for: 1y6mo", "",
		"---\r\ntitle: M\r\nduration: 1h30m\r\n---\r\n\r\nCRLF text.\r\n",
		"---\r\ntitle: Q\r\nattempts: 3\r\nshuffle: false\r\nreview: never\r\n---\r\n\r\n## Pick {points=100}\r\n\r\n* [X] a\r\n* [x] b\r\n* [ ] c\r\n")
	f.Add("title: [unclosed\nsummary: S", "<script>alert(1)</script>\n",
		"---\ntitle: M\nduration: 10m\n", // unclosed front matter
		"---\ntitle: Q\n---\n\n## Bad points {points=}\n\n- [x] a\n- [x] a\n\n## {points=0} {#}\n\n= \n")
	f.Add("titel: T\nsummary:", "[up](../x.md) [js](javascript:alert(1)) <img src=x onerror=alert(1)>\n",
		"\xef\xbb\xbf---\ntitle: BOM\nduration: 10m\n---\n\nText.\n",
		"---\ntitle: Q\n---\n\n## Huge {points=99999999999999999999}\n\n= 1e309 ± 0\n\n## N\n\n= 1"+strings.Repeat("0", 400)+" ± 0\n")
	f.Add("title: T\nsummary: S", "Caf\xe9\n", "---\ntitle: Caf\xe9\nduration: 10m\n---\n\nLatin-1 \xe9t\xe9.\n",
		"---\ntitle: Q\n---\n\n```\n## not a question\n```\n\n## Q {points=1 points=2}\n\n- [x] yes\n- [ ] no\n\nlate text\n")

	f.Fuzz(func(t *testing.T, courseFM, courseBody, module, quizSrc string) {
		fsys := fstest.MapFS{
			fuzzCourseDir + "/course.md":    {Data: []byte("---\n" + courseFM + "\n---\n" + courseBody)},
			fuzzCourseDir + "/01-m.md":      {Data: []byte(module)},
			fuzzCourseDir + "/01-m.quiz.md": {Data: []byte(quizSrc)},
			fuzzCourseDir + "/02-n.md":      {Data: []byte("---\ntitle: N\nduration: 10m\n---\n\nText.\n")},
			fuzzCourseDir + "/images/p.png": {Data: []byte("png")},
		}
		c, probs := Load(fsys, fuzzCourseDir, fuzzCourseDir)

		for _, p := range probs {
			file, ok := fsys[p.Path]
			if !ok {
				t.Errorf("problem names a file that is not in the course: %s", p)
				continue
			}
			// A problem about the body may name the line after the front matter,
			// one past the end of a file whose last line has no newline.
			if lines := bytes.Count(file.Data, []byte("\n")) + 1; p.Line < 1 || p.Line > lines+1 {
				t.Errorf("problem line %d is outside its file (%d lines): %s", p.Line, lines, p)
			}
			if strings.TrimSpace(p.Message) == "" {
				t.Errorf("problem without a message: %#v", p)
			}
		}

		if len(probs) > 0 && !strings.HasPrefix(probs.Error(), probs[0].String()) {
			t.Errorf("Problems.Error() = %q does not start with the first problem", probs.Error())
		}

		// The loader is pure: the same files give the same result.
		if c2, probs2 := Load(fsys, fuzzCourseDir, fuzzCourseDir); !reflect.DeepEqual(probs, probs2) || (c == nil) != (c2 == nil) || (c != nil && c.Hash != c2.Hash) {
			t.Errorf("two loads of the same files differ:\n%s\n---\n%s", probs, probs2)
		}

		if len(probs) > 0 {
			return
		}
		if c == nil {
			t.Fatal("no problems but no course")
		}
		checkFuzzedCourse(t, c)
	})
}

// checkFuzzedCourse asserts what a course without problems promises to the rest of
// Lectern: every quiz can be taken and scored, and no HTML can run script.
func checkFuzzedCourse(t *testing.T, c *Course) {
	safe := func(where string, h template.HTML) {
		if m := unsafeHTML(string(h)); m != "" {
			t.Errorf("%s: rendered HTML contains %q:\n%s", where, m, h)
		}
	}
	if strings.TrimSpace(c.Title) == "" || strings.TrimSpace(c.Summary) == "" {
		t.Errorf("course title %q or summary %q is empty", c.Title, c.Summary)
	}
	if v := c.Certificate.ValidFor; v.Years < 0 || v.Months < 0 || v.Days < 0 {
		t.Errorf("negative certificate validity %s", fields(v))
	}
	safe("overview", c.Overview)
	for _, m := range c.Modules {
		if m.Duration <= 0 {
			t.Errorf("module %s: duration %v", m.ID, m.Duration)
		}
		safe(m.Path, m.HTML)
		if m.Quiz == nil {
			continue
		}
		qz := m.Quiz
		safe(qz.Path+" intro", qz.Intro)
		if len(qz.Questions) == 0 {
			t.Errorf("quiz %s has no questions", qz.ID)
		}
		if qz.Attempts < 1 || qz.PassMark < 0 || qz.PassMark > 100 || qz.TimeLimit < 0 {
			t.Errorf("quiz %s: attempts %d, pass mark %d, time limit %v", qz.ID, qz.Attempts, qz.PassMark, qz.TimeLimit)
		}
		ids := map[string]bool{}
		for _, q := range qz.Questions {
			where := qz.Path + " question " + q.ID
			if q.ID == "" {
				t.Errorf("%s (line %d): empty id", qz.Path, q.Line)
			}
			if ids[q.ID] {
				t.Errorf("%s: duplicate id", where)
			}
			ids[q.ID] = true
			if q.Points < 1 || q.Points > 100 {
				t.Errorf("%s: points %d", where, q.Points)
			}
			safe(where, q.PromptHTML)
			safe(where+" explanation", q.ExplanationHTML)
			correct := 0
			choiceIDs := map[string]bool{}
			for _, ch := range q.Choices {
				safe(where+" choice", ch.HTML)
				if ch.Correct {
					correct++
				}
				if ch.ID == "" || choiceIDs[ch.ID] {
					t.Errorf("%s: empty or duplicate choice id %q", where, ch.ID)
				}
				choiceIDs[ch.ID] = true
			}
			switch q.Kind {
			case KindSingle:
				if correct != 1 || len(q.Choices) < 2 {
					t.Errorf("%s: single choice with %d correct of %d choices", where, correct, len(q.Choices))
				}
			case KindMultiple:
				if correct < 2 || len(q.Choices) < 2 {
					t.Errorf("%s: multiple choice with %d correct of %d choices", where, correct, len(q.Choices))
				}
			case KindShort:
				if len(q.Answers) == 0 {
					t.Errorf("%s: short answer with no accepted answers", where)
				}
				for _, a := range q.Answers {
					// Scoring ignores an answer that normalises to nothing, so such a
					// key could never be matched.
					if NormalizeAnswer(a) == "" {
						t.Errorf("%s: accepted answer %q normalises to nothing", where, a)
					}
				}
			case KindNumeric:
				// An infinite key or tolerance makes every answer right, or none.
				if math.IsNaN(q.Number) || math.IsInf(q.Number, 0) || math.IsNaN(q.Tolerance) || math.IsInf(q.Tolerance, 0) || q.Tolerance < 0 {
					t.Errorf("%s: numeric key %v ± %v is not a finite number and tolerance", where, q.Number, q.Tolerance)
				}
			default:
				t.Errorf("%s: kind %q", where, q.Kind)
			}
		}
	}
}

func FuzzParseValidity(f *testing.F) {
	for _, s := range []string{"3y", "18mo", "90d", "1y6mo", "720h", "1h", " 2y ", "", "0y", "3 years", "y", "1y1y", "-1y", "100y", "101y", "1200mo", "36600d", "100000h", "9223372036854775807y1y", "1.5y", "1Y", "1mo1d1h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseValidity(s)
		if err != nil {
			if !v.IsZero() {
				t.Errorf("ParseValidity(%q) failed (%v) but returned %+v", s, err, v)
			}
			if err.Error() == "" {
				t.Errorf("ParseValidity(%q): empty error", s)
			}
			return
		}
		if v.IsZero() {
			t.Fatalf("ParseValidity(%q) = zero validity without an error", s)
		}
		if v.Years < 0 || v.Months < 0 || v.Days < 0 {
			t.Fatalf("ParseValidity(%q) = %s: negative units", s, fields(v))
		}
		// A certificate issued on a session date must expire after it.
		day := time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC)
		if exp := v.AddTo(day); !exp.After(day) {
			t.Errorf("ParseValidity(%q) = %s: a certificate from %s would expire on %s", s, fields(v), day.Format(time.DateOnly), exp.Format(time.DateOnly))
		}
		str := v.String()
		back, err := ParseValidity(str)
		if err != nil || back != v {
			t.Fatalf("ParseValidity(%q) = %s, String() = %q, which parses to %s, %v", s, fields(v), str, fields(back), err)
		}
	})
}

// fields prints a validity unit by unit; String hides what these tests look for.
func fields(v Validity) string {
	return fmt.Sprintf("{Years:%d Months:%d Days:%d}", v.Years, v.Months, v.Days)
}

func FuzzNormalizeAnswer(f *testing.F) {
	for _, s := range []string{"Proof  of Work", "  PoW ", "ＰｏＷ", "Ha\u0300 Nô\u0323i", "\u00a0a\u2003b\u3000", "", " ", "\t\n\r",
		"İstanbul", "ß", "ﬁ", "Ω", "\u0130\u0307", "Σ", "\xff\xfe", "a\u200bb", "\ufeffx", "\u2126\u212b", "\u1e9e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeAnswer(s)
		if !utf8.ValidString(n) {
			t.Errorf("N(%q) = %q is not valid UTF-8", s, n)
		}
		// Every caller passes checked UTF-8 (course files, JSON, validated form
		// text); x/text leaves a character right after an invalid byte unnormalised.
		if utf8.ValidString(s) {
			if nn := NormalizeAnswer(n); nn != n {
				t.Errorf("not idempotent: N(%+q) = %+q, N(N) = %+q", s, n, nn)
			}
			// Composed and decomposed spellings of the same text are one answer.
			for _, form := range []norm.Form{norm.NFC, norm.NFD} {
				if nf := NormalizeAnswer(form.String(s)); nf != n {
					t.Errorf("N(%+q) = %+q, but N(%v(s) = %+q) = %+q", s, n, form, form.String(s), nf)
				}
			}
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Errorf("N(%q) = %q has stray spaces", s, n)
		}
		for _, r := range n {
			if r != ' ' && unicode.IsSpace(r) {
				t.Errorf("N(%q) = %q keeps the space %U", s, n, r)
			}
		}
	})
}
