package course

import (
	"strings"
	"testing"
	"testing/fstest"
)

func loadModule(t *testing.T, body string) (*Module, Problems) {
	t.Helper()
	fsys := fstest.MapFS{
		"c/course.md":      {Data: []byte("---\ntitle: C\nsummary: S\n---\n")},
		"c/01-m.md":        {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\n" + body)},
		"c/02-n.md":        {Data: []byte("---\ntitle: N\nduration: 10m\n---\n\nText.\n")},
		"c/images/a b.png": {Data: []byte("png")},
	}
	c, probs := Load(fsys, "c", "c")
	return c.Module("01-m"), probs
}

func TestRender_ScriptIsInert(t *testing.T) {
	m, _ := loadModule(t, "Hello <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n")
	html := string(m.HTML)
	for _, bad := range []string{"<script", "onerror", "javascript:"} {
		if strings.Contains(html, bad) {
			t.Errorf("rendered HTML contains %q:\n%s", bad, html)
		}
	}
	if !strings.Contains(html, "Hello") {
		t.Errorf("text lost: %s", html)
	}
}

func TestRender_GFMAndLinks(t *testing.T) {
	m, probs := loadModule(t, "## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ https://example.org\n\nSee [next](02-n.md#part) and ![pic](images/a%20b.png).\n\nA note.[^1]\n\n[^1]: The footnote.\n")
	if len(probs) > 0 {
		t.Fatalf("problems: %s", probs)
	}
	html := string(m.HTML)
	for _, want := range []string{`<h2 id="a-heading">`, "<table>", "<del>old</del>", `<a href="https://example.org">`,
		`href="/courses/c/02-n#part"`, `src="/courses/c/assets/images/a%20b.png"`, `class="footnotes"`} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in:\n%s", want, html)
		}
	}
}

func TestRender_LinksOutsideCourse(t *testing.T) {
	_, probs := loadModule(t, "[up](../secret.md)\n\n[quiz](01-m.quiz.md)\n")
	out := probs.String()
	if !strings.Contains(out, "c/01-m.md:6: broken link \"../secret.md\": it points outside the course directory") {
		t.Errorf("problems: %s", out)
	}
	if !strings.Contains(out, "c/01-m.md:8: broken link \"01-m.quiz.md\"") {
		t.Errorf("problems: %s", out)
	}
}

// A task list's boxes are named by their items' text (a form control without a
// name is only "checkbox" to a screen reader), quotes and all escaped.
func TestRender_TaskListBoxesAreNamed(t *testing.T) {
	m, _ := loadModule(t, "- [ ] Seal *numbers* recorded\n- [x] Officer \"present\" <b>\n")
	html := string(m.HTML)
	for _, want := range []string{
		`<input disabled="" type="checkbox" aria-label="Seal numbers recorded">`,
		`<input checked="" disabled="" type="checkbox" aria-label="Officer &quot;present&quot;">`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in:\n%s", want, html)
		}
	}
}
