package course

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestLoadAll_BrokenCourses checks that every class of mistake a trainer makes is
// reported with the exact file, line and message that `lectern lint` prints.
func TestLoadAll_BrokenCourses(t *testing.T) {
	want, err := os.ReadFile("testdata/broken.expected")
	if err != nil {
		t.Fatal(err)
	}
	_, problems, err := LoadAll(os.DirFS("testdata/broken"), ".", "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range problems {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var got strings.Builder
	for _, id := range ids {
		got.WriteString(problems[id].String())
	}
	if got.String() != string(want) {
		t.Errorf("lint output differs.\ngot:\n%s\nwant:\n%s", got.String(), want)
	}
	for _, class := range []string{"unknown front-matter key", "did you mean", "missing front-matter key", "bad duration",
		"bad pass mark", "no correct choice", "no choices or answers", "duplicate question id", "broken link",
		"broken image", "module is empty", "not UTF-8", "not valid YAML", "malformed choice", "bad validity"} {
		if !strings.Contains(string(want), class) {
			t.Errorf("fixture does not exercise %q", class)
		}
	}
}

func TestLoad_ShippedFormatExample(t *testing.T) {
	c, probs := Load(os.DirFS("testdata/good"), "sample", "sample")
	if len(probs) > 0 {
		t.Fatalf("unexpected problems:\n%s", probs)
	}
	if c.ID != "sample" || c.Title != "Sample course" || c.Language != "en" {
		t.Errorf("course = %q %q %q", c.ID, c.Title, c.Language)
	}
	rule := c.Certificate
	if !rule.RequiresAttendance || !rule.RequiresQuizzes || rule.PassMark != 80 || rule.ValidFor != (Validity{Years: 3}) || rule.Title != "Certificate of attendance" {
		t.Errorf("certificate rule = %+v", rule)
	}
	if len(c.Modules) != 2 || c.Modules[0].ID != "01-intro" || c.Modules[1].ID != "02-more" {
		t.Fatalf("modules = %v", c.Modules)
	}
	m := c.Modules[0]
	if m.Title != "Introduction" || m.Duration.Minutes() != 90 || len(m.Objectives) != 2 || m.Hash == "" {
		t.Errorf("module = %+v", m)
	}
	if fr := m.Translation("fr"); fr == m || fr.Title != "Introduction (fr)" || fr.Language != "fr" {
		t.Errorf("French translation = %+v", fr)
	}
	if m.Translation("de") != m {
		t.Errorf("a missing translation must fall back to the module")
	}
	if c.Duration().Minutes() != 120 {
		t.Errorf("course duration = %v", c.Duration())
	}
	if _, ok := c.Assets["images/diagram.svg"]; !ok {
		t.Errorf("image not an asset: %v", c.Assets)
	}
	for name := range c.Assets {
		if strings.HasSuffix(name, ".md") {
			t.Errorf("Markdown source %s must never be an asset", name)
		}
	}
	q := m.Quiz
	if q == nil {
		t.Fatal("quiz not attached to its module")
	}
	if q.Title != "Intro quiz" || q.TimeLimit.Minutes() != 20 || q.Attempts != 2 || q.Shuffle || q.PassMark != 60 || q.Review != ReviewAfterSubmit {
		t.Errorf("quiz settings = %+v", q)
	}
	if c.Modules[1].Quiz.PassMark != 80 || c.Modules[1].Quiz.Attempts != 1 || !c.Modules[1].Quiz.Shuffle || c.Modules[1].Quiz.Review != ReviewAfterClose {
		t.Errorf("quiz defaults = %+v", c.Modules[1].Quiz)
	}
}

func TestLoadAll_ShippedCoursesAreClean(t *testing.T) {
	courses, problems, err := LoadAll(os.DirFS("../../courses"), ".", "courses")
	if err != nil {
		t.Fatal(err)
	}
	for id, p := range problems {
		if len(p) > 0 {
			t.Errorf("course %s has problems:\n%s", id, p)
		}
	}
	if len(courses) == 0 {
		t.Fatal("no shipped course")
	}
}

// A stored version loads back as the same course: same hash, same quizzes.
func TestFromFiles_StoredVersionLoadsBack(t *testing.T) {
	c, probs := Load(os.DirFS("../../courses"), "crypto-crime", "courses/crypto-crime")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	back, probs := FromFiles(c.ID, c.Sources)
	if len(probs) > 0 {
		t.Fatalf("stored files do not load back: %v", probs)
	}
	if back.Hash != c.Hash || len(back.Modules) != len(c.Modules) {
		t.Fatalf("loaded back as %s with %d modules, want %s with %d", back.Hash, len(back.Modules), c.Hash, len(c.Modules))
	}
	for i, m := range c.Modules {
		if m.Quiz != nil && (back.Modules[i].Quiz == nil || back.Modules[i].Quiz.Hash != m.Quiz.Hash) {
			t.Errorf("quiz %s differs after loading back", m.ID)
		}
	}
	if _, probs := FromFiles("crypto-crime", map[string][]byte{"course.md": []byte("no front matter")}); len(probs) == 0 {
		t.Errorf("broken stored files load without a problem")
	}
}
