package course

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

var courseSchema = []field{
	{name: "title", kind: kindString, required: true},
	{name: "summary", kind: kindString, required: true},
	{name: "language", kind: kindString},
	{name: "audience", kind: kindString},
	{name: "certificate", kind: kindMap, children: []field{
		{name: "title", kind: kindString},
		{name: "requires", kind: kindStringList},
		{name: "pass_mark", kind: kindPercent},
		{name: "valid_for", kind: kindString},
		{name: "language", kind: kindString},
		{name: "languages", kind: kindStringList},
	}},
}

var moduleSchema = []field{
	{name: "title", kind: kindString, required: true},
	{name: "duration", kind: kindDuration, required: true},
	{name: "objectives", kind: kindStringList},
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z]{2,4})?$`)
)

// DefaultPassMark applies when neither the course nor the quiz sets one.
const DefaultPassMark = 70

// Load reads the course in directory dir of fsys. display is how paths are printed
// in problems (usually the directory as the user typed it). A course is usable only
// when the returned problems are empty.
func Load(fsys fs.FS, dir, display string) (*Course, Problems) {
	var probs Problems
	c := &Course{ID: path.Base(dir), Assets: map[string][]byte{}, Sources: map[string][]byte{}}
	p := func(rel string) string { return joinDisplay(display, rel) }
	c.Path = p("course.md")
	if !idPattern.MatchString(c.ID) {
		probs.add(p("course.md"), 1, "course directory name %q must be lower-case letters, digits, - or _ (it is the course's URL)", c.ID)
	}

	cf, err := readCourseFiles(fsys, dir, p, &probs, &c.Warnings)
	if err != nil {
		probs.add(p("course.md"), 1, "cannot read course: %v", err)
		return nil, probs
	}
	c.Sources, c.Assets = cf.sources, cf.assets
	c.Hash = hashFiles(c.Sources)

	src, ok := c.Sources["course.md"]
	if !ok {
		probs.add(p("course.md"), 1, "missing course.md (front matter with title and summary, then the overview)")
		return nil, probs
	}
	dc := func(rel string) *docContext {
		return &docContext{course: c, path: p(rel), files: cf, probs: &probs}
	}
	if checkUTF8(p("course.md"), src, &probs) {
		c.parseCourseFile(src, dc("course.md"))
	}

	modules := map[string]*Module{}
	type later struct{ rel, base, lang string }
	var quizzes, translations, quizTranslations []later
	var names []string
	for rel := range c.Sources {
		if strings.HasSuffix(rel, ".md") && rel != "course.md" && !strings.Contains(rel, "/") {
			names = append(names, rel)
		}
	}
	sort.Strings(names)
	for _, rel := range names {
		src := c.Sources[rel]
		if !checkUTF8(p(rel), src, &probs) {
			continue
		}
		stem := strings.TrimSuffix(rel, ".md")
		switch {
		case strings.HasSuffix(stem, ".quiz"):
			quizzes = append(quizzes, later{rel: rel, base: strings.TrimSuffix(stem, ".quiz")})
		case strings.Contains(stem, "."):
			i := strings.LastIndex(stem, ".")
			base, lang := stem[:i], stem[i+1:]
			if !langPattern.MatchString(lang) && !strings.HasSuffix(base, ".quiz") {
				probs.add(p(rel), 1, "file name %q: expected MODULE.md, MODULE.quiz.md, MODULE.LANG.md or MODULE.quiz.LANG.md (e.g. 01-intro.fr.md)", rel)
				continue
			}
			if lang = translationTag(rel, lang, c, p, &probs); lang == "" {
				continue
			}
			switch {
			case base == "course":
				c.parseCourseText(lang, src, dc(rel))
			case strings.HasSuffix(base, ".quiz"):
				quizTranslations = append(quizTranslations, later{rel: rel, base: strings.TrimSuffix(base, ".quiz"), lang: lang})
			default:
				translations = append(translations, later{rel: rel, base: base, lang: lang})
			}
		default:
			if !idPattern.MatchString(stem) {
				probs.add(p(rel), 1, "module file name %q must be lower-case letters, digits, - or _ (it is the module's URL)", rel)
				continue
			}
			m := parseModule(stem, src, dc(rel))
			m.Language = c.Language
			modules[stem] = m
			c.Modules = append(c.Modules, m)
		}
	}
	for _, t := range translations {
		base, ok := modules[t.base]
		if !ok {
			probs.add(p(t.rel), 1, "translation of unknown module %q (expected %s.md)", t.base, t.base)
			continue
		}
		m := parseModule(t.base, c.Sources[t.rel], dc(t.rel))
		m.Language = t.lang
		if base.Translations == nil {
			base.Translations = map[string]*Module{}
		}
		base.Translations[t.lang] = m
	}
	for _, q := range quizzes {
		m, ok := modules[q.base]
		if !ok {
			probs.add(p(q.rel), 1, "quiz for unknown module %q (expected %s.md beside it)", q.base, q.base)
			continue
		}
		m.Quiz = parseQuizFile(q.base, c.Sources[q.rel], c.Certificate.PassMark, dc(q.rel))
		m.Quiz.Language = c.Language
	}
	for _, t := range quizTranslations {
		m, ok := modules[t.base]
		switch {
		case !ok:
			probs.add(p(t.rel), 1, "translation of a quiz for unknown module %q (expected %s.md and %s.quiz.md)", t.base, t.base, t.base)
			continue
		case m.Quiz == nil:
			probs.add(p(t.rel), 1, "translation of a quiz that does not exist (expected %s.quiz.md beside it)", t.base)
			continue
		}
		tdc := dc(t.rel)
		tdc.lang = t.lang
		tr := parseQuizFile(t.base, c.Sources[t.rel], c.Certificate.PassMark, tdc)
		tr.Language = t.lang
		m.Quiz.addTranslation(tr, t.base+".quiz.md", &probs)
	}
	if len(c.Modules) == 0 {
		probs.add(p("course.md"), 1, "course has no modules: add files such as 01-introduction.md")
	}
	probs.Sort()
	return c, probs
}

func (c *Course) parseCourseFile(src []byte, dc *docContext) {
	fm, body, bodyLine := parseFrontMatter(dc.path, src, courseSchema, dc.probs)
	c.Title = fm.String("title")
	c.Summary = fm.String("summary")
	c.Audience = fm.String("audience")
	c.Language = "en"
	if fm.has("language") {
		tag := fm.String("language")
		if _, err := language.Parse(tag); err != nil || !langPattern.MatchString(tag) {
			dc.probs.add(dc.path, fm.lines["language"], "language: %q is not a language tag such as en, fr or pt-BR", tag)
		} else {
			c.Language = tag
		}
	}
	rule := CertificateRule{RequiresAttendance: true, PassMark: DefaultPassMark}
	rule.Title = fm.String("certificate.title")
	if fm.has("certificate.requires") {
		rule.RequiresAttendance = false
		for _, r := range fm.StringList("certificate.requires") {
			switch r {
			case "attendance":
				rule.RequiresAttendance = true
			case "quizzes":
				rule.RequiresQuizzes = true
			default:
				dc.probs.add(dc.path, fm.lines["certificate.requires"], "certificate.requires: unknown requirement %q (use attendance, quizzes)", r)
			}
		}
		if !rule.RequiresAttendance {
			dc.probs.add(dc.path, fm.lines["certificate.requires"], "certificate.requires must include attendance: certificates attest a day in the room")
		}
	}
	if n, ok := fm.PassMark("certificate.pass_mark"); ok {
		rule.PassMark = n
	}
	if fm.has("certificate.valid_for") {
		v, err := ParseValidity(fm.String("certificate.valid_for"))
		if err != nil {
			dc.probs.add(dc.path, fm.lines["certificate.valid_for"], "certificate.valid_for: %v", err)
		}
		rule.ValidFor = v
	}
	rule.Languages = certificateLanguages(fm, c.Language, dc)
	c.Certificate = rule
	dc.bodyLine = bodyLine
	c.Overview, _ = renderMarkdown(body, dc)
}

// certificateLanguages reads what the certificate is worded in: one language
// (certificate.language, default the course's), or two for the bilingual
// layout (certificate.languages: [fr, en], the first printed above the second).
func certificateLanguages(fm *frontMatter, courseLang string, dc *docContext) []string {
	key, tags := "certificate.languages", fm.StringList("certificate.languages")
	if fm.has("certificate.language") {
		if fm.has("certificate.languages") {
			dc.probs.add(dc.path, fm.lines["certificate.language"], "certificate: give language (one) or languages (two, for a bilingual certificate), not both")
			return []string{courseLang}
		}
		key, tags = "certificate.language", []string{fm.String("certificate.language")}
	}
	if len(tags) == 0 {
		if fm.has("certificate.languages") {
			dc.probs.add(dc.path, fm.lines[key], "%s: name one or two languages, such as [fr, en]", key)
		}
		return []string{courseLang}
	}
	if len(tags) > 2 {
		dc.probs.add(dc.path, fm.lines[key], "%s: a certificate is printed in two languages at most, got %d", key, len(tags))
		return []string{courseLang}
	}
	out := make([]string, 0, len(tags))
	for _, tag := range tags {
		t, err := language.Parse(tag)
		if err != nil || !langPattern.MatchString(tag) {
			dc.probs.add(dc.path, fm.lines[key], "%s: %q is not a language tag such as en, fr or pt-BR", key, tag)
			return []string{courseLang}
		}
		out = append(out, t.String())
	}
	if len(out) == 2 && out[0] == out[1] {
		dc.probs.add(dc.path, fm.lines[key], "%s: %s twice; a bilingual certificate names two different languages", key, out[0])
		return out[:1]
	}
	return out
}

func parseModule(id string, src []byte, dc *docContext) *Module {
	m := &Module{ID: id, Path: dc.path, Hash: hashBytes(src)}
	fm, body, bodyLine := parseFrontMatter(dc.path, src, moduleSchema, dc.probs)
	m.Title = fm.String("title")
	m.Duration = fm.Duration("duration")
	m.Objectives = fm.StringList("objectives")
	if len(bytes.TrimSpace(body)) == 0 {
		dc.probs.add(dc.path, bodyLine, "module is empty: write its text below the front matter")
	}
	m.Words = len(strings.Fields(string(body)))
	dc.bodyLine = bodyLine
	m.HTML, _ = renderMarkdown(body, dc)
	return m
}

func parseQuizFile(id string, src []byte, coursePassMark int, dc *docContext) *Quiz {
	q := &Quiz{ID: id, Path: dc.path, Hash: hashBytes(src), Attempts: 1, Shuffle: true, PassMark: coursePassMark, Review: ReviewAfterClose}
	fm, body, bodyLine := parseFrontMatter(dc.path, src, quizSchema, dc.probs)
	q.Title = fm.String("title")
	q.TimeLimit = fm.Duration("time_limit")
	if n, ok := fm.Int("attempts", 1, 100); ok {
		q.Attempts = n
	}
	q.Shuffle = fm.Bool("shuffle", true)
	if n, ok := fm.PassMark("pass_mark"); ok {
		q.PassMark = n
	}
	q.Review = ReviewPolicy(fm.Enum("review", string(ReviewAfterClose), string(ReviewAfterSubmit), string(ReviewAfterClose), string(ReviewNever)))
	q.Grace = graceOf(fm, q.TimeLimit)
	q.settingLines = map[string]int{}
	for _, key := range quizSettings {
		if fm.has(key) {
			q.settingLines[key] = fm.lines[key]
		}
	}
	dc.bodyLine = bodyLine
	parseQuiz(q, body, bodyLine, dc)
	return q
}

// maxGrace bounds a quiz's grace: it is for answers caught in a network drop
// at the deadline, not more time (a trainer extends a deadline for that).
const maxGrace = 10 * time.Minute

// graceOf reads a quiz's grace: 0 (the default, also written "0"), or a
// duration up to maxGrace and no longer than the time limit.
func graceOf(fm *frontMatter, limit time.Duration) time.Duration {
	v, ok := fm.values["grace"]
	if !ok || strings.TrimSpace(v.Value) == "0" {
		return 0
	}
	g := fm.Duration("grace")
	if g > maxGrace || (limit > 0 && g > limit) {
		fm.probs.add(fm.path, fm.lines["grace"], "grace: %v is too long (at most %v, and no longer than the time limit)", g, maxGrace)
		return 0
	}
	return g
}

// checkUTF8 reports a file that is not UTF-8, naming the line of the first bad byte.
func checkUTF8(display string, src []byte, probs *Problems) bool {
	if utf8.Valid(src) {
		return true
	}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			line := 1 + bytes.Count(src[:i], []byte("\n"))
			probs.add(display, line, "file is not UTF-8 (bad byte 0x%02x): save it as UTF-8", src[i])
			return false
		}
		i += size
	}
	return false
}

func hashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hashFiles hashes a whole directory: every path with its content's hash, in order.
func hashFiles(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%s\n", n, hashBytes(files[n]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func joinDisplay(display, rel string) string {
	if display == "" || display == "." {
		return rel
	}
	return strings.TrimSuffix(display, "/") + "/" + rel
}

// LoadAll reads root as either one course (it holds course.md) or a folder of
// courses, one per sub-folder. It returns every course that parsed, keyed by id,
// and the problems of each course (a course with problems is still returned, so a
// caller can decide to keep serving an older version).
func LoadAll(fsys fs.FS, root, display string) (map[string]*Course, map[string]Problems, error) {
	courses := map[string]*Course{}
	problems := map[string]Problems{}
	if _, err := fs.Stat(fsys, path.Join(root, "course.md")); err == nil {
		c, probs := Load(fsys, root, display)
		id := path.Base(root)
		if c != nil {
			courses[c.ID] = c
		}
		problems[id] = probs
		return courses, problems, nil
	}
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, nil, fmt.Errorf("read courses folder %s: %w", display, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// Perhaps a course, perhaps the data dir: either way it is not read.
			var probs Problems
			probs.add(joinDisplay(display, e.Name()), 1, "%s", irregular(e.Type()))
			problems[e.Name()] = probs
			continue
		}
		if !e.IsDir() {
			continue
		}
		c, probs := Load(fsys, path.Join(root, e.Name()), joinDisplay(display, e.Name()))
		if c != nil {
			courses[c.ID] = c
		}
		problems[e.Name()] = probs
	}
	return courses, problems, nil
}

// FromFiles loads a course from its files as stored by content hash (every
// relative path to its content, as Sources holds them), so an earlier version
// can be looked at, or regraded against, after the files on disk changed.
func FromFiles(id string, files map[string][]byte) (*Course, Problems) {
	fsys := fstest.MapFS{}
	for rel, data := range files {
		fsys[path.Join(id, rel)] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return Load(fsys, id, id)
}
