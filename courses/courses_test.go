package courses_test

import (
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/course"
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
