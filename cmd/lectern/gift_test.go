package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/course"
)

const bank = "testdata/gift/aml-bank.gift"

// TestImportGift_Bank: a realistic Moodle export with every construct
// Lectern imports and every one it refuses; the refusals come all at once,
// each on its exact line, and nothing is written.
func TestImportGift_Bank(t *testing.T) {
	out := filepath.Join(t.TempDir(), "crypto-aml")
	code, stdout, stderr := runCmd(t, "import", "gift", bank, "--out", out)
	want, err := os.ReadFile("testdata/gift/aml-bank.expected")
	if err != nil {
		t.Fatal(err)
	}
	if code != 1 || stdout != "" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if stderr != string(want) {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("something was written to %s: %v", out, err)
	}
}

// TestImportGift_SkipUnsupported writes the questions that fit, lists the
// others, and gives quiz files equal to the golden ones that lint accepts.
func TestImportGift_SkipUnsupported(t *testing.T) {
	out := filepath.Join(t.TempDir(), "crypto-aml")
	code, stdout, stderr := runCmd(t, "import", "gift", bank, "--out", out, "--skip-unsupported")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := strings.Count(stderr, ": skipped: "); n != 17 || !strings.Contains(stderr, bank+":113: skipped: choice \"the Bank Secrecy Act\" weighs 0%") {
		t.Errorf("skipped list (%d):\n%s", n, stderr)
	}
	if !strings.Contains(stdout, "imported 13 question(s) into 2 quiz(zes); 17 skipped") || !strings.Contains(stdout, "01-fatf-standards.md: created") {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, name := range []string{"01-fatf-standards.quiz.md", "02-blockchain-analysis.quiz.md"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("testdata/gift/aml-bank.golden", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, want)
		}
	}
	if code, stdout, stderr := runCmd(t, "lint", out); code != 0 || !strings.Contains(stdout, "ok: 1 course(s), 2 modules, 2 quizzes, 13 questions") {
		t.Errorf("lint: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestImportGift_MalformedFailsEvenWhenSkipping: malformed GIFT is never
// skipped; its problems and the unsupported questions are all reported.
func TestImportGift_MalformedFailsEvenWhenSkipping(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "bad.gift")
	if err := os.WriteFile(src, []byte("Fine?{=a ~b}\n\nMatch.{=a -> b =c -> d =e -> f}\n\nBroken {=a ~b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "course")
	code, _, stderr := runCmd(t, "import", "gift", src, "--out", out, "--skip-unsupported")
	if code != 1 || !strings.Contains(stderr, src+":3: matching question") || !strings.Contains(stderr, src+":5: ") || !strings.Contains(stderr, "nothing written") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("something was written: %v", err)
	}
}

// TestImportGift_ExistingQuizNeedsForce: an import never replaces a quiz
// file unless asked; with --force it does, and the module text stays.
func TestImportGift_ExistingQuizNeedsForce(t *testing.T) {
	dir := t.TempDir()
	course := filepath.Join(dir, "crypto-crime")
	if err := os.CopyFS(course, os.DirFS("../../courses/crypto-crime")); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "q.gift")
	if err := os.WriteFile(src, []byte("$CATEGORY: $course$/top/Tracing\n\n::Peel chain::What is a peel chain?{=a series of small payments peeled off a large sum ~a mixer}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	quiz := filepath.Join(course, "02-tracing.quiz.md")
	before, _ := os.ReadFile(quiz)
	code, _, stderr := runCmd(t, "import", "gift", src, "--out", course)
	if after, _ := os.ReadFile(quiz); code != 1 || !strings.Contains(stderr, "02-tracing.quiz.md exists: pass --force") || string(after) != string(before) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// Replacing a quiz leaves its translations behind: refused, as lint would.
	code, _, stderr = runCmd(t, "import", "gift", src, "--out", course, "--force")
	if after, _ := os.ReadFile(quiz); code != 1 || !strings.Contains(stderr, "02-tracing.quiz.fr.md:1: question \"peel-chain\"") || string(after) != string(before) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, lang := range []string{"fr", "es"} {
		if err := os.Remove(filepath.Join(course, "02-tracing.quiz."+lang+".md")); err != nil {
			t.Fatal(err)
		}
	}
	module, _ := os.ReadFile(filepath.Join(course, "02-tracing.md"))
	code, stdout, stderr := runCmd(t, "import", "gift", src, "--out", course, "--force")
	after, _ := os.ReadFile(quiz)
	if code != 0 || !strings.Contains(string(after), "title: Tracing and investigation\n") || !strings.Contains(string(after), "## What is a peel chain? {#peel-chain}") {
		t.Fatalf("exit %d\n%s\n%s\n%s", code, stdout, stderr, after)
	}
	if m, _ := os.ReadFile(filepath.Join(course, "02-tracing.md")); string(m) != string(module) {
		t.Errorf("the module was rewritten")
	}
	if code, stdout, _ := runCmd(t, "lint", course); code != 0 {
		t.Errorf("lint after import: exit %d\n%s", code, stdout)
	}
}

// TestImportGift_NewModuleInCourse: --module puts everything into a new
// module of an existing course; its true/false choices are in the course's
// language.
func TestImportGift_NewModuleInCourse(t *testing.T) {
	dir := t.TempDir()
	course := filepath.Join(dir, "cours")
	files := map[string]string{
		"course.md":        "---\ntitle: Cours\nsummary: Résumé.\nlanguage: fr\n---\n\nTexte.\n",
		"01-intro.md":      "---\ntitle: Intro\nduration: 30m\n---\n\nTexte.\n",
		"01-intro.quiz.md": "---\ntitle: Quiz\n---\n\n## Q?\n\n= a\n",
	}
	writeFiles(t, course, files)
	src := filepath.Join(dir, "q.gift")
	if err := os.WriteFile(src, []byte("$CATEGORY: a\n\nBitcoin est anonyme.{F}\n\n$CATEGORY: b\n\nUn mixeur ?{=oui ~non}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, "import", "gift", src, "--out", course, "--module", "Bad Name"); code != 2 || !strings.Contains(stderr, "--module") {
		t.Errorf("bad --module: exit %d %s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "import", "gift", src, "--out", course, "--language", "de"); code != 2 || !strings.Contains(stderr, "course in fr") {
		t.Errorf("--language against the course's: exit %d %s", code, stderr)
	}
	code, stdout, stderr := runCmd(t, "import", "gift", src, "--out", course, "--module", "05-sanctions")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	quiz, _ := os.ReadFile(filepath.Join(course, "05-sanctions.quiz.md"))
	if !strings.Contains(string(quiz), "- [ ] Vrai\n- [x] Faux\n") || strings.Count(string(quiz), "\n## ") != 2 {
		t.Errorf("quiz:\n%s", quiz)
	}
	if code, stdout, _ := runCmd(t, "lint", course); code != 0 || !strings.Contains(stdout, "2 modules, 2 quizzes, 3 questions") {
		t.Errorf("lint: exit %d\n%s", code, stdout)
	}
}

func TestImportExportGift_Usage(t *testing.T) {
	for _, args := range [][]string{
		{"import"}, {"import", "csv", "x"}, {"import", "gift", bank}, {"import", "gift", "--out", t.TempDir()},
		{"export"}, {"export", "gift"}, {"export", "gift", "no-such-course"}, {"export", "gift", "crypto-crime", "--quiz", "09-none"},
		{"export", "gift", "crypto-crime", "--lang", "ko"},
	} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, stderr := runCmd(t, "import", "gift", "/does/not/exist.gift", "--out", t.TempDir()); code != 2 || !strings.Contains(stderr, "exist.gift") {
		t.Errorf("missing file: exit %d %s", code, stderr)
	}
}

// TestGift_RoundTripShippedCourse: every quiz of the shipped course, in the
// course's language and in each translation, exported to GIFT and imported
// back through the commands, loads as the same questions: ids, kinds, texts,
// choices and keys, accepted answers, numbers, points and explanations.
func TestGift_RoundTripShippedCourse(t *testing.T) {
	shipped, probs := course.Load(courses.FS, "crypto-crime", "crypto-crime")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, lang := range []string{"", "fr", "es"} {
		t.Run("lang="+lang, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "crypto-crime")
			if err := os.CopyFS(out, os.DirFS("../../courses/crypto-crime")); err != nil {
				t.Fatal(err)
			}
			quizzes, _ := filepath.Glob(filepath.Join(out, "*.quiz*.md"))
			for _, f := range quizzes {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
			file := filepath.Join(dir, "crypto-crime.gift")
			args := []string{"export", "gift", "crypto-crime", "--out", file}
			if lang != "" {
				args = append(args, "--lang", lang)
			}
			if code, stdout, stderr := runCmd(t, args...); code != 0 {
				t.Fatalf("export: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if code, stdout, stderr := runCmd(t, "import", "gift", file, "--out", out); code != 0 {
				t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
			}
			back, probs := course.Load(os.DirFS(dir), "crypto-crime", "crypto-crime")
			if len(probs) > 0 {
				t.Fatalf("the imported course fails lint:\n%s", probs)
			}
			n := 0
			for _, m := range shipped.Modules {
				want := m.Quiz.In(lang)
				got := back.Module(m.ID).Quiz
				if got == nil {
					t.Errorf("%s: no quiz after the round trip", m.ID)
					continue
				}
				if lang != "" && want == m.Quiz {
					t.Fatalf("%s has no %s translation", m.ID, lang)
				}
				if len(got.Questions) != len(want.Questions) {
					t.Errorf("%s: %d questions, want %d", m.ID, len(got.Questions), len(want.Questions))
					continue
				}
				for i, w := range want.Questions {
					// A translation's choices carry the course language's
					// ids; imported as a quiz of its own, they get their own.
					if diff := questionDiff(got.Questions[i], w, lang == ""); diff != "" {
						t.Errorf("%s question %d (%s): %s", m.ID, i+1, w.ID, diff)
					}
					n++
				}
			}
			if n < 40 {
				t.Errorf("compared %d questions; the shipped course has more", n)
			}
		})
	}
}

// questionDiff names the first way two questions differ in what an officer
// is asked and how it is marked.
func questionDiff(got, want *course.Question, choiceIDs bool) string {
	switch {
	case got.ID != want.ID:
		return fmt.Sprintf("id %q, want %q", got.ID, want.ID)
	case got.Kind != want.Kind:
		return fmt.Sprintf("kind %s, want %s", got.Kind, want.Kind)
	case got.Prompt != want.Prompt:
		return fmt.Sprintf("prompt %q, want %q", got.Prompt, want.Prompt)
	case got.Points != want.Points || got.Dropped != want.Dropped:
		return fmt.Sprintf("points %d dropped %v, want %d %v", got.Points, got.Dropped, want.Points, want.Dropped)
	case !slices.Equal(got.Answers, want.Answers):
		return fmt.Sprintf("answers %q, want %q", got.Answers, want.Answers)
	case got.Number != want.Number || got.Tolerance != want.Tolerance:
		return fmt.Sprintf("number %v ± %v, want %v ± %v", got.Number, got.Tolerance, want.Number, want.Tolerance)
	case got.Explanation != want.Explanation:
		return fmt.Sprintf("explanation %q, want %q", got.Explanation, want.Explanation)
	case len(got.Choices) != len(want.Choices):
		return fmt.Sprintf("%d choices, want %d", len(got.Choices), len(want.Choices))
	}
	for i := range want.Choices {
		g, w := got.Choices[i], want.Choices[i]
		if (choiceIDs && g.ID != w.ID) || g.Text != w.Text || g.Correct != w.Correct {
			return fmt.Sprintf("choice %d %q (%v), want %q (%v)", i+1, g.Text, g.Correct, w.Text, w.Correct)
		}
	}
	return ""
}

// TestExportGift_WhatGIFTCannotCarry: a question that links to a file of
// the course is reported on its line (GIFT carries no files), and nothing
// is written; --skip-unsupported writes the others and lists it.
func TestExportGift_WhatGIFTCannotCarry(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "c")
	files := map[string]string{
		"course.md":    "---\ntitle: C\nsummary: S\n---\n\nText.\n",
		"01-a.md":      "---\ntitle: A\nduration: 30m\n---\n\nText.\n",
		"images/x.png": "\x89PNG",
		"01-a.quiz.md": "---\ntitle: Q\n---\n\n## Which flow is shown? {points=3} {#flow}\n\n![flow](images/x.png)\n\n- [x] Layering\n- [ ] Placement\n\n" +
			"## Name a stage. {dropped}\n\n= layering\n\n> See [FATF](https://www.fatf-gafi.org).\n",
	}
	writeFiles(t, c, files)
	out := filepath.Join(dir, "c.gift")
	code, _, stderr := runCmd(t, "export", "gift", c, "--out", out)
	if code != 1 || !strings.Contains(stderr, c+"/01-a.quiz.md:5: links to images/x.png, a file of the course") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("written anyway: %v", err)
	}
	code, stdout, stderr := runCmd(t, "export", "gift", c, "--skip-unsupported")
	if code != 0 || !strings.Contains(stderr, "01-a.quiz.md:5: skipped: links to images/x.png") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	want := "$CATEGORY: c/01-a\n\n// [lectern:dropped]\n// [id:name-a-stage]\n::name-a-stage::[markdown]Name a stage.{\n\t=layering\n\t####See [FATF](https\\://www.fatf-gafi.org).\n}\n\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}
