package course

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestQuiz_Grace: a quiz's grace is read from its front matter (default 0, "0"
// allowed); a bad, negative or too long one is a lint problem naming its line.
func TestQuiz_Grace(t *testing.T) {
	tests := []struct {
		name, front string
		want        time.Duration
		problem     string // "" when none
	}{
		{"default", "", 0, ""},
		{"zero", "grace: 0\n", 0, ""},
		{"sixty seconds", "grace: 60s\n", time.Minute, ""},
		{"Go syntax only", "grace: a minute\n", 0, "grace: bad duration"},
		{"negative", "grace: -5s\n", 0, "grace: bad duration"},
		{"longer than the quiz", "grace: 25m\n", 0, "grace: 25m0s is too long"},
		{"longer than ten minutes", "time_limit: 2h\ngrace: 11m\n", 0, "grace: 11m0s is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			front := tt.front
			if !strings.Contains(front, "time_limit") {
				front = "time_limit: 20m\n" + front
			}
			fsys := fstest.MapFS{
				"c/course.md":    {Data: []byte("---\ntitle: C\nsummary: S\n---\n")},
				"c/01-m.md":      {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n")},
				"c/01-m.quiz.md": {Data: []byte("---\ntitle: Q\n" + front + "---\n\n## Pick\n\n- [x] a\n- [ ] b\n")},
			}
			c, probs := Load(fsys, "c", "c")
			if tt.problem == "" {
				if len(probs) > 0 {
					t.Fatalf("problems: %s", probs)
				}
				if got := c.Module("01-m").Quiz.Grace; got != tt.want {
					t.Errorf("grace = %v, want %v", got, tt.want)
				}
				return
			}
			src := "---\ntitle: Q\n" + front
			line := 1 + strings.Count(src[:strings.Index(src, "grace:")], "\n")
			if len(probs) != 1 || !strings.Contains(probs[0].Message, tt.problem) || probs[0].Line != line || probs[0].Path != "c/01-m.quiz.md" {
				t.Fatalf("problems %s, want one on line %d saying %q", probs, line, tt.problem)
			}
		})
	}
}
