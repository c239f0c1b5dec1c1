package course

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Translations (issue 21). A course is written in its language (course.md's
// `language`, default en) and may carry, beside each file, a translation named
// with a language tag:
//
//	course.LANG.md            title, summary, audience, certificate.title; body: the overview
//	NN-module.LANG.md         the module's title, duration, objectives and text
//	NN-module.quiz.LANG.md    the quiz's title, prompts, choices, accepted answers, explanations
//
// Everything that decides a result is defined once, in the course language:
// the certificate rule, the quiz's settings, each question's id, kind, points,
// number of choices and which are right, and numeric answers. A translation
// that differs in any of them is a lint problem naming the file and question;
// a translated quiz may repeat the course language's settings (a copied file)
// but not change them. A translated short-answer question accepts its own
// "= …" lines and the course language's: an officer who answers in either
// language is right.

// CourseText is the part of course.md a translation re-words.
type CourseText struct {
	Language         string
	Title            string
	Summary          string
	Audience         string
	CertificateTitle string
	Overview         template.HTML
}

var courseTextSchema = []field{
	{name: "title", kind: kindString, required: true},
	{name: "summary", kind: kindString, required: true},
	{name: "audience", kind: kindString},
	{name: "certificate", kind: kindMap, children: []field{
		{name: "title", kind: kindString},
	}},
}

// Text returns the course's texts in lang (a translation's tag, or its base
// language: "pt" serves a pt-BR reader), else in the course's own language.
func (c *Course) Text(lang string) *CourseText {
	if t, ok := lookupLang(c.Texts, lang); ok {
		return t
	}
	return &CourseText{Language: c.Language, Title: c.Title, Summary: c.Summary, Audience: c.Audience,
		CertificateTitle: c.Certificate.Title, Overview: c.Overview}
}

// In returns the quiz as an officer reading lang takes it: its translation
// into lang when one exists (the course language's questions, key and
// settings, with the translation's words), else the quiz itself.
func (q *Quiz) In(lang string) *Quiz {
	if t, ok := lookupLang(q.Translations, lang); ok {
		return t
	}
	return q
}

// Languages lists the languages the quiz can be taken in: its own first, then
// its translations' in tag order.
func (q *Quiz) Languages() []string {
	out := make([]string, 0, 1+len(q.Translations))
	for tag := range q.Translations {
		out = append(out, tag)
	}
	sort.Strings(out)
	return append([]string{q.Language}, out...)
}

// Has reports whether the quiz can be taken in lang: its own language (or a
// regional variant of it) or a translation's.
func (q *Quiz) Has(lang string) bool {
	if _, ok := lookupLang(map[string]bool{q.Language: true}, lang); ok {
		return true
	}
	_, ok := lookupLang(q.Translations, lang)
	return ok
}

// Translation returns the module in lang, or the module itself when none exists.
func (m *Module) Translation(lang string) *Module {
	if t, ok := lookupLang(m.Translations, lang); ok {
		return t
	}
	return m
}

// lookupLang finds lang among translations keyed by canonical tag, as the
// catalogues' language choice does (i18n.Catalog.Match): x/text's matcher
// over the tags there are, so a reader of "pt" or "pt-PT" gets a pt-BR file,
// of "fr-CA" the "fr" one, of "iw" the "he" one. A guess of low confidence
// (another language altogether) is no match.
func lookupLang[T any](m map[string]T, lang string) (T, bool) {
	var zero T
	if len(m) == 0 || lang == "" {
		return zero, false
	}
	tag, err := language.Parse(lang)
	if err != nil {
		return zero, false
	}
	if t, ok := m[tag.String()]; ok {
		return t, true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the matcher prefers earlier tags on a tie: the same answer every time
	tags := make([]language.Tag, 0, len(keys))
	for _, k := range keys {
		tags = append(tags, language.Make(k))
	}
	_, i, conf := language.NewMatcher(tags).Match(tag)
	if conf < language.High {
		return zero, false
	}
	return m[keys[i]], true
}

// translationTag checks a file name's language tag and returns its canonical
// form ("pt-br" → "pt-BR"), or "" after reporting a problem.
func translationTag(rel, tag string, c *Course, p func(string) string, probs *Problems) string {
	t, err := language.Parse(tag)
	if err != nil || !langPattern.MatchString(tag) {
		probs.add(p(rel), 1, "file name %q: %q is not a known language tag (use one such as fr, es or pt-BR)", rel, tag)
		return ""
	}
	canon := t.String()
	if strings.EqualFold(canon, c.Language) {
		probs.add(p(rel), 1, "translation into %q, which is already the course's language", tag)
		return ""
	}
	return canon
}

// parseCourseText reads course.LANG.md.
func (c *Course) parseCourseText(lang string, src []byte, dc *docContext) {
	fm, body, bodyLine := parseFrontMatter(dc.path, src, courseTextSchema, dc.probs)
	t := &CourseText{Language: lang, Title: fm.String("title"), Summary: fm.String("summary"),
		Audience: fm.String("audience"), CertificateTitle: fm.String("certificate.title")}
	dc.bodyLine = bodyLine
	if strings.TrimSpace(string(body)) != "" {
		t.Overview, _ = renderMarkdown(body, dc)
	} else {
		t.Overview = c.Overview
	}
	if t.Audience == "" {
		t.Audience = c.Audience
	}
	if t.CertificateTitle == "" {
		t.CertificateTitle = c.Certificate.Title
	}
	if c.Texts == nil {
		c.Texts = map[string]*CourseText{}
	}
	c.Texts[lang] = t
}

// quizSettings are the front-matter keys that govern how a quiz runs; they
// come from the course language's file alone.
var quizSettings = []string{"time_limit", "attempts", "shuffle", "pass_mark", "review", "grace"}

func (q *Quiz) setting(key string) any {
	switch key {
	case "time_limit":
		return q.TimeLimit
	case "attempts":
		return q.Attempts
	case "shuffle":
		return q.Shuffle
	case "pass_mark":
		return q.PassMark
	case "review":
		return q.Review
	case "grace":
		return q.Grace
	}
	return nil
}

// addTranslation checks a translated quiz against the course language's and,
// when it matches, attaches the merged quiz as src's translation into tr.Language.
func (src *Quiz) addTranslation(tr *Quiz, srcName string, probs *Problems) {
	ok := true
	bad := func(line int, format string, args ...any) {
		probs.add(tr.Path, line, format, args...)
		ok = false
	}
	for _, key := range quizSettings {
		if line, set := tr.settingLines[key]; set && fmt.Sprint(tr.setting(key)) != fmt.Sprint(src.setting(key)) {
			bad(line, "%s: %v here but %v in %s: a quiz's settings come from the course language's file (remove it here, or make it the same)",
				key, tr.setting(key), src.setting(key), srcName)
		}
	}
	byID := map[string]*Question{}
	for _, q := range tr.Questions {
		byID[q.ID] = q
	}
	for _, s := range src.Questions {
		if _, found := byID[s.ID]; !found {
			bad(1, "question %q (%s line %d) is missing: translate every question, keeping its id with {#%s}", s.ID, srcName, s.Line, s.ID)
		}
	}
	srcByID := map[string]*Question{}
	for _, s := range src.Questions {
		srcByID[s.ID] = s
	}
	for _, t := range tr.Questions {
		s, found := srcByID[t.ID]
		if !found {
			bad(t.Line, "question %q is not in %s: a translation keeps the course language's question ids (write {#id} after the heading)", t.ID, srcName)
			continue
		}
		for _, msg := range questionDrift(s, t) {
			bad(t.Line, "question %q: %s in %s: a translation only re-words a question", t.ID, msg, srcName)
		}
	}
	if !ok {
		return
	}
	merged := *src
	merged.Path, merged.Language, merged.Title, merged.Intro = tr.Path, tr.Language, tr.Title, tr.Intro
	merged.fileHash = tr.Hash
	merged.Translations, merged.settingLines = nil, nil
	merged.Questions = make([]*Question, len(src.Questions))
	for i, s := range src.Questions {
		t := byID[s.ID]
		q := *s
		q.Line, q.Prompt, q.PromptHTML = t.Line, t.Prompt, t.PromptHTML
		if t.Explanation != "" {
			q.Explanation, q.ExplanationHTML = t.Explanation, t.ExplanationHTML
		}
		// The course language's choice ids, so stored answers, the key and
		// item analysis are the same whichever language an officer read.
		q.Choices = make([]Choice, len(s.Choices))
		for j, c := range s.Choices {
			q.Choices[j] = Choice{ID: c.ID, Correct: c.Correct, Text: t.Choices[j].Text, HTML: t.Choices[j].HTML}
		}
		if s.Kind == KindShort {
			q.Answers = unionAnswers(t.Answers, s.Answers)
		}
		merged.Questions[i] = &q
	}
	if src.Translations == nil {
		src.Translations = map[string]*Quiz{}
	}
	src.Translations[tr.Language] = &merged
}

// VersionHash is the quiz together with its translations: what a regrade
// is previewed and confirmed with. A translation adds accepted short answers
// (unionAnswers) that score an attempt in its language, so changing only
// NN.quiz.fr.md changes what a regrade applies, and must change this. Hash,
// which attempts pin, stays the course language's file's alone: a reworded
// translation does not make every attempt look taken on another version.
// Without translations it is Hash.
func (q *Quiz) VersionHash() string {
	if len(q.Translations) == 0 {
		return q.Hash
	}
	langs := make([]string, 0, len(q.Translations))
	for lang := range q.Translations {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", q.Hash)
	for _, lang := range langs {
		fmt.Fprintf(h, "%s\x00%s\n", lang, q.Translations[lang].fileHash)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// questionDrift names how a translated question differs from the course
// language's in anything but its words.
func questionDrift(s, t *Question) []string {
	var out []string
	if s.Kind != t.Kind {
		return []string{fmt.Sprintf("kind %s here but %s", t.Kind, s.Kind)}
	}
	if s.Points != t.Points {
		out = append(out, fmt.Sprintf("points=%d here but %d", t.Points, s.Points))
	}
	if s.Dropped != t.Dropped {
		out = append(out, fmt.Sprintf("{dropped} is %v here but %v", t.Dropped, s.Dropped))
	}
	switch {
	case len(s.Choices) != len(t.Choices):
		out = append(out, fmt.Sprintf("%d choices here but %d (keep the same choices in the same order)", len(t.Choices), len(s.Choices)))
	case s.Kind == KindNumeric && (s.Number != t.Number || s.Tolerance != t.Tolerance):
		out = append(out, fmt.Sprintf("numeric answer %v ± %v here but %v ± %v", t.Number, t.Tolerance, s.Number, s.Tolerance))
	default:
		if tk, sk := rightBoxes(t), rightBoxes(s); tk != sk {
			out = append(out, fmt.Sprintf("answer key %s here but %s (the same [x] boxes in the same order)", tk, sk))
		}
	}
	return out
}

// rightBoxes writes a choice question's key by position: "x--" for the first
// of three right.
func rightBoxes(q *Question) string {
	var b strings.Builder
	for _, c := range q.Choices {
		if c.Correct {
			b.WriteByte('x')
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// unionAnswers is a translated short answer's accepted answers: its own, then
// the course language's, each once.
func unionAnswers(lists ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, a := range l {
			if n := NormalizeAnswer(a); !seen[n] {
				seen[n] = true
				out = append(out, a)
			}
		}
	}
	return out
}
