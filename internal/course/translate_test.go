package course

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoad_Translations: course.LANG.md and MODULE.quiz.LANG.md load beside
// the course language's files; a translated quiz has the course language's
// ids, key and settings with its own words.
func TestLoad_Translations(t *testing.T) {
	c, probs := Load(os.DirFS("testdata/good"), "sample", "sample")
	if len(probs) > 0 {
		t.Fatalf("unexpected problems:\n%s", probs)
	}
	if fr := c.Text("fr"); fr.Title != "Cours d'exemple" || fr.Summary != "Exerce chaque champ de l'en-tête." ||
		fr.CertificateTitle != "Attestation de présence" || fr.Audience != "Testers." || !strings.Contains(string(fr.Overview), "premier module") {
		t.Errorf("French course text = %+v", fr)
	}
	if en := c.Text("de"); en.Title != "Sample course" || en.Language != "en" || !strings.Contains(string(en.Overview), "first module") {
		t.Errorf("missing translation must fall back to the course's texts: %+v", en)
	}
	if c.Text("fr-CA").Title != "Cours d'exemple" {
		t.Errorf("a regional reader must get the base language's translation")
	}
	src := c.Modules[0].Quiz
	fr := src.In("fr")
	if fr == src || fr.Language != "fr" || fr.Title != "Quiz d'introduction" || !strings.Contains(string(fr.Intro), "Répondez") {
		t.Fatalf("French quiz = %+v", fr)
	}
	if src.In("de") != src || src.In("") != src {
		t.Errorf("a missing translation must fall back to the quiz")
	}
	if fr.Attempts != 2 || fr.Shuffle || fr.PassMark != 60 || fr.Review != ReviewAfterSubmit || fr.TimeLimit != src.TimeLimit || fr.Hash != src.Hash {
		t.Errorf("settings must be the course language's: %+v", fr)
	}
	if len(fr.Questions) != len(src.Questions) {
		t.Fatalf("%d questions, want %d", len(fr.Questions), len(src.Questions))
	}
	for i, s := range src.Questions {
		q := fr.Questions[i]
		if q.ID != s.ID || q.Kind != s.Kind || q.Points != s.Points || q.Number != s.Number || q.Tolerance != s.Tolerance || len(q.Choices) != len(s.Choices) {
			t.Errorf("question %d: %+v, want the key of %+v", i, q, s)
			continue
		}
		for j := range s.Choices {
			if q.Choices[j].ID != s.Choices[j].ID || q.Choices[j].Correct != s.Choices[j].Correct {
				t.Errorf("question %s choice %d: %+v, want id and key of %+v", s.ID, j, q.Choices[j], s.Choices[j])
			}
		}
		if q.PromptHTML == s.PromptHTML || q.ExplanationHTML == s.ExplanationHTML {
			t.Errorf("question %s keeps the course language's words", s.ID)
		}
	}
	if got := fr.Questions[0].Choices[1].Text; got != "Recommandation 16" {
		t.Errorf("choice text = %q", got)
	}
	if got := strings.Join(fr.Questions[2].Answers, "|"); got != "preuve de travail|proof of work|proof-of-work|PoW" {
		t.Errorf("accepted answers = %q, want the translation's then the course language's", got)
	}
	if strings.Join(src.Questions[2].Answers, "|") != "proof of work|proof-of-work|PoW" {
		t.Errorf("the course language's answers changed: %v", src.Questions[2].Answers)
	}
}

// TestLint_QuizTranslationMismatches: each way a translation can differ from
// the course language's quiz in anything but its words is reported, naming
// the file, the line and the question.
func TestLint_QuizTranslationMismatches(t *testing.T) {
	const source = "---\ntitle: Q\ntime_limit: 10m\n---\n\n" +
		"## Pick one {#one}\n\n- [ ] a\n- [x] b\n- [ ] c\n\n" + // line 6
		"## Pick some {#some points=2}\n\n- [x] a\n- [x] b\n- [ ] c\n\n" + // line 12
		"## Name it {#name}\n\n= foo\n\n" + // line 18
		"## How many? Write digits. {#many}\n\n= 24 ± 0\n" // line 22
	const front = "---\ntitle: Q (es)\n---\n\n"
	const (
		one  = "## Elija uno {#one}\n\n- [ ] a\n- [x] b\n- [ ] c\n\n"
		some = "## Elija varios {#some points=2}\n\n- [x] a\n- [x] b\n- [ ] c\n\n"
		name = "## Nómbrelo {#name}\n\n= fu\n\n"
		many = "## ¿Cuántos? Escriba la cifra. {#many}\n\n= 24 ± 0\n"
	)
	tests := []struct {
		name  string
		file  string // the translation's file name
		text  string
		want  []string // "line: substring"
		other bool     // no source quiz
	}{
		{"clean", "01-m.quiz.es.md", front + one + some + name + many, nil, false},
		{"misses a question", "01-m.quiz.es.md", front + one + some + name,
			[]string{`1: question "many" (01-m.quiz.md line 22) is missing`}, false},
		{"adds a question", "01-m.quiz.es.md", front + one + some + name + many + "\n## Extra {#extra}\n\n= x\n",
			[]string{`25: question "extra" is not in 01-m.quiz.md`}, false},
		{"slug id instead of the course language's", "01-m.quiz.es.md", front + "## Elija uno\n\n- [ ] a\n- [x] b\n- [ ] c\n\n" + some + name + many,
			[]string{`1: question "one" (01-m.quiz.md line 6) is missing`, `5: question "elija-uno" is not in 01-m.quiz.md`}, false},
		{"changes a kind", "01-m.quiz.es.md", front + one + some + "## Nómbrelo {#name}\n\n= 3 ± 0\n\n" + many,
			[]string{`17: question "name": kind numeric here but short in 01-m.quiz.md`}, false},
		{"changes points", "01-m.quiz.es.md", front + one + strings.Replace(some, "points=2", "points=3", 1) + name + many,
			[]string{`11: question "some": points=3 here but 2 in 01-m.quiz.md`}, false},
		{"changes the answer key", "01-m.quiz.es.md", front + "## Elija uno {#one}\n\n- [x] a\n- [ ] b\n- [ ] c\n\n" + some + name + many,
			[]string{`5: question "one": answer key x-- here but -x- (the same [x] boxes in the same order) in 01-m.quiz.md`}, false},
		{"changes the number of choices", "01-m.quiz.es.md", front + one + "## Elija varios {#some points=2}\n\n- [x] a\n- [x] b\n\n" + name + many,
			[]string{`11: question "some": 2 choices here but 3`}, false},
		{"changes a numeric answer", "01-m.quiz.es.md", front + one + some + name + "## ¿Cuántos? Escriba la cifra. {#many}\n\n= 12 ± 1\n",
			[]string{`21: question "many": numeric answer 12 ± 1 here but 24 ± 0`}, false},
		{"drops a question on its own", "01-m.quiz.es.md", front + strings.Replace(one, "{#one}", "{#one dropped}", 1) + some + name + many,
			[]string{`5: question "one": {dropped} is true here but false`}, false},
		{"changes a setting", "01-m.quiz.es.md", "---\ntitle: Q (es)\ntime_limit: 20m\nattempts: 3\n---\n\n" + one + some + name + many,
			[]string{`3: time_limit: 20m0s here but 10m0s in 01-m.quiz.md`, `4: attempts: 3 here but 1 in 01-m.quiz.md`}, false},
		{"repeats a setting unchanged", "01-m.quiz.es.md", "---\ntitle: Q (es)\ntime_limit: 10m\n---\n\n" + one + some + name + many, nil, false},
		{"quiz that does not exist", "01-m.quiz.es.md", front + one, []string{`1: translation of a quiz that does not exist (expected 01-m.quiz.md beside it)`}, true},
		{"quiz of an unknown module", "07-x.quiz.es.md", front + one, []string{`1: translation of a quiz for unknown module "07-x"`}, false},
		{"unknown language tag", "01-m.quiz.zz.md", front + one, []string{`1: file name "01-m.quiz.zz.md": "zz" is not a known language tag`}, false},
		{"unknown language tag of a module", "01-m.qq.md", "---\ntitle: M\nduration: 10m\n---\n\nText.\n", []string{`1: file name "01-m.qq.md": "qq" is not a known language tag`}, false},
		{"course language", "01-m.quiz.en.md", front + one + some + name + many, []string{`1: translation into "en", which is already the course's language`}, false},
		{"numeric question checked in its own language", "01-m.quiz.es.md", front + one + some + name + "## ¿Cuántos? {#many}\n\n= 24 ± 0\n", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"c/course.md":  {Data: []byte("---\ntitle: C\nsummary: S\n---\n")},
				"c/01-m.md":    {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n")},
				"c/" + tt.file: {Data: []byte(tt.text)},
			}
			if !tt.other {
				fsys["c/01-m.quiz.md"] = &fstest.MapFile{Data: []byte(source)}
			}
			c, probs := Load(fsys, "c", "c")
			var got []string
			for _, p := range probs {
				if p.Path != "c/"+tt.file {
					t.Errorf("problem in another file: %s", p)
				}
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant %d: %q", strings.Join(got, "\n"), len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], "c/"+tt.file+":"+w) {
					t.Errorf("problem %d = %q, want it to start %q", i, got[i], "c/"+tt.file+":"+w)
				}
			}
			if len(tt.want) > 0 {
				if q := c.Module("01-m").Quiz; q != nil && q.In("es") != q {
					t.Errorf("a translation with problems must not be served")
				}
				return
			}
			if q := c.Module("01-m").Quiz; q.In("es") == q {
				t.Errorf("a clean translation is not served")
			}
			if tt.name == "numeric question checked in its own language" {
				if len(c.Warnings) != 1 || c.Warnings[0].Path != "c/"+tt.file || c.Warnings[0].Line != 21 {
					t.Errorf("warnings = %v, want one on c/%s:21 (a Spanish question without cifra/dígito)", c.Warnings, tt.file)
				}
			} else if len(c.Warnings) > 0 {
				t.Errorf("warnings: %v", c.Warnings)
			}
		})
	}
}

// TestLint_CourseTranslation: course.LANG.md takes only what a translation
// re-words; the certificate rule and the language stay course.md's.
func TestLint_CourseTranslation(t *testing.T) {
	fsys := fstest.MapFS{
		"c/course.md":    {Data: []byte("---\ntitle: C\nsummary: S\n---\n\nOverview.\n")},
		"c/course.fr.md": {Data: []byte("---\ntitle: C (fr)\nsummary: S (fr)\nlanguage: fr\ncertificate:\n  pass_mark: 50\n---\n")},
		"c/01-m.md":      {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n")},
	}
	_, probs := Load(fsys, "c", "c")
	want := "c/course.fr.md:4: unknown front-matter key \"language\"\nc/course.fr.md:6: unknown front-matter key \"certificate.pass_mark\"\n"
	if probs.String() != want {
		t.Errorf("problems:\n%s\nwant:\n%s", probs, want)
	}
}
