package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/gift"
	"github.com/lectern-platform/lectern/internal/giftconv"
	"github.com/lectern-platform/lectern/internal/i18n"
)

const importUsage = `usage: lectern import gift FILE.gift --out COURSE_DIR [--module NN-name] [--skip-unsupported] [--force] [--language TAG]
Converts a Moodle GIFT question file into Lectern quiz files (NN-name.quiz.md), one
per $CATEGORY (its last segment names the module), or all into --module.
What Lectern cannot represent is reported as FILE:line: message, every problem at
once, and nothing is written (exit 1); --skip-unsupported leaves those questions
out and lists them instead (malformed GIFT still fails). An existing quiz file is
never replaced without --force. A missing course.md or module file is created as a
stub to fill in; --language (default en) is a new course's language.`

const exportUsage = `usage: lectern export gift COURSE [--quiz NN-name] [--lang TAG] [--out FILE] [--skip-unsupported]
Writes a course's quizzes (COURSE is a course directory or a shipped course id) as
Moodle GIFT, to standard output or --out. --lang exports a quiz translation.
What GIFT cannot carry is reported as path:line: message (exit 1), or left out
and listed with --skip-unsupported.`

// cmdImport runs "lectern import gift".
func cmdImport(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "gift" {
		fmt.Fprintln(stderr, importUsage)
		return 2
	}
	flags := flag.NewFlagSet("import gift", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprintln(stderr, importUsage) }
	out := flags.String("out", "", "course directory to write the quiz files into")
	module := flags.String("module", "", "put every question into this module's quiz (NN-name)")
	skip := flags.Bool("skip-unsupported", false, "leave out questions Lectern cannot represent, and list them")
	force := flags.Bool("force", false, "replace existing quiz files")
	langFlag := flags.String("language", "", "language of a new course (default en)")
	file, code := parseWithTarget(flags, args[1:])
	if code >= 0 {
		return code
	}
	if *out == "" {
		fmt.Fprintln(stderr, importUsage)
		return 2
	}
	if *module != "" && !giftconv.ValidModule(*module) {
		fmt.Fprintf(stderr, "lectern import gift: --module %q: use lower-case letters, digits, - or _, such as 05-sanctions\n", *module)
		return 2
	}
	src, err := readLimited(file, gift.MaxSize)
	if err != nil {
		fmt.Fprintln(stderr, "lectern import gift:", err)
		return 2
	}
	dest, err := openCourseDir(*out)
	if err != nil {
		fmt.Fprintln(stderr, "lectern import gift:", err)
		return 2
	}
	lang := dest.language(*langFlag)
	if lang == "" {
		fmt.Fprintf(stderr, "lectern import gift: --language %s, but %s is a course in %s\n", *langFlag, *out, dest.course.Language)
		return 2
	}
	trueWord, falseWord, err := trueFalseWords(lang)
	if err != nil {
		fmt.Fprintln(stderr, "lectern import gift:", err)
		return 2
	}

	qs, malformed := gift.Parse(file, bytes.NewReader(src))
	files, unsupported, err := giftconv.Import(qs, giftconv.ImportOptions{
		Module: *module, True: trueWord, False: falseWord, Existing: dest.modules(), Comments: giftconv.LecternComments(src)})
	if err != nil {
		fmt.Fprintln(stderr, "lectern import gift:", err)
		return 1
	}
	if len(malformed) > 0 || (len(unsupported) > 0 && !*skip) {
		printProblems(stderr, file, "", append(malformed, unsupported...))
		fmt.Fprintf(stderr, "%d problem(s) in %s; nothing written\n", len(malformed)+len(unsupported), file)
		return 1
	}
	printProblems(stderr, file, "skipped: ", unsupported)
	if len(files) == 0 {
		fmt.Fprintf(stderr, "lectern import gift: no question of %s could be imported; nothing written\n", file)
		return 1
	}

	plan, refused := dest.plan(files, file, lang, *force)
	if len(refused) > 0 {
		for _, r := range refused {
			fmt.Fprintln(stderr, r)
		}
		fmt.Fprintln(stderr, "nothing written")
		return 1
	}
	// What is written must load: lint the course as it will be, and refuse
	// (writing nothing) if any file written here has a problem.
	probs, warnings := dest.lint(plan)
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintln(stderr, "the course would not pass lint after this import; nothing written")
		return 1
	}
	if err := writePlan(dest.dir, plan); err != nil {
		fmt.Fprintln(stderr, "lectern import gift:", err)
		return 1
	}
	questions := 0
	for _, f := range files {
		n := bytes.Count(f.Data, []byte("\n## "))
		questions += n
		fmt.Fprintf(stdout, "%s: %d question(s)\n", filepath.Join(*out, f.Module+".quiz.md"), n)
	}
	for _, rel := range plan.order {
		if !strings.HasSuffix(rel, ".quiz.md") {
			fmt.Fprintf(stdout, "%s: created; fill it in\n", filepath.Join(*out, rel))
		}
	}
	for _, w := range warnings {
		fmt.Fprintf(stdout, "%s:%d: warning: %s\n", w.Path, w.Line, w.Message)
	}
	fmt.Fprintf(stdout, "imported %d question(s) into %d quiz(zes)", questions, len(files))
	if len(unsupported) > 0 {
		fmt.Fprintf(stdout, "; %d skipped", len(unsupported))
	}
	fmt.Fprintln(stdout)
	return 0
}

// parseWithTarget parses flags with one positional argument before or after
// them (Go's flag package stops at the first non-flag). code is -1 to go on.
func parseWithTarget(flags *flag.FlagSet, args []string) (target string, code int) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		target, args = args[0], args[1:]
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", 0
		}
		return "", 2
	}
	if target == "" && flags.NArg() == 1 {
		target = flags.Arg(0)
	} else if target == "" || flags.NArg() > 0 {
		flags.Usage()
		return "", 2
	}
	return target, -1
}

func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MB; a GIFT file that size is not a question bank", name, limit>>20)
	}
	return data, nil
}

func printProblems(w io.Writer, file, prefix string, ps []giftconv.Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	for _, p := range ps {
		fmt.Fprintf(w, "%s:%d: %s%s\n", file, p.Line, prefix, p.Message)
	}
}

// trueFalseWords are the two choices of an imported true/false question, in
// the course's language (the catalogue's, falling back to English).
func trueFalseWords(lang string) (string, string, error) {
	cat, err := i18n.Load()
	if err != nil {
		return "", "", fmt.Errorf("load catalogue: %w", err)
	}
	loc := cat.For(cat.Match(lang))
	return loc.T("quiz.true"), loc.T("quiz.false"), nil
}

// courseDir is the course an import writes into, as it is on disk.
type courseDir struct {
	dir     string          // absolute
	display string          // as given on the command line, for messages
	course  *course.Course  // nil when the directory holds no course yet
	before  map[string]bool // the course's lint problems before the import
}

func openCourseDir(out string) (*courseDir, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("--out %s is not a directory", out)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	d := &courseDir{dir: abs, display: out}
	if _, err := os.Stat(filepath.Join(abs, "course.md")); err == nil {
		// Loaded even with problems: only the files written here must pass.
		var probs course.Problems
		d.course, probs = course.Load(course.DirFS(filepath.Dir(abs)), filepath.Base(abs), filepath.Base(abs))
		d.before = map[string]bool{}
		for _, p := range probs {
			d.before[p.String()] = true
		}
		if d.course == nil {
			return nil, fmt.Errorf("%s/course.md cannot be read; run lectern lint %s", out, out)
		}
	}
	return d, nil
}

// language is the course's, or the flag's for a new course; "" when the
// flag contradicts an existing course.
func (d *courseDir) language(flagLang string) string {
	switch {
	case d.course == nil && flagLang == "":
		return "en"
	case d.course == nil:
		return flagLang
	case flagLang != "" && flagLang != d.course.Language:
		return ""
	}
	return d.course.Language
}

func (d *courseDir) modules() map[string]string {
	out := map[string]string{}
	if d.course != nil {
		for _, m := range d.course.Modules {
			out[m.ID] = m.Title
		}
	}
	return out
}

// importPlan is every file an import writes, by path relative to the course.
type importPlan struct {
	files map[string][]byte
	order []string
}

func (p *importPlan) add(rel string, data []byte) {
	if p.files == nil {
		p.files = map[string][]byte{}
	}
	p.files[rel] = data
	p.order = append(p.order, rel)
}

// plan lays out the files: the quizzes, and stubs for a missing course.md or
// module, so that the result is a course lint accepts. An existing quiz is
// replaced only with force.
func (d *courseDir) plan(files []giftconv.QuizFile, source, lang string, force bool) (*importPlan, []string) {
	p := &importPlan{}
	var refused []string
	from := filepath.Base(source)
	if d.course == nil {
		title := strings.ReplaceAll(filepath.Base(d.dir), "-", " ")
		p.add("course.md", stub(map[string]any{"title": title, "summary": "Imported from " + from + ".", "language": lang},
			"Questions imported from "+from+" with lectern import gift. Write the course's overview here."))
	}
	for _, f := range files {
		quiz := f.Module + ".quiz.md"
		if _, err := os.Stat(filepath.Join(d.dir, quiz)); err == nil && !force {
			refused = append(refused, fmt.Sprintf("%s exists: pass --force to replace it", filepath.Join(d.display, quiz)))
			continue
		}
		if _, err := os.Stat(filepath.Join(d.dir, f.Module+".md")); errors.Is(err, fs.ErrNotExist) {
			p.add(f.Module+".md", stub(map[string]any{"title": f.Title, "duration": "30m"},
				"Write this module's text here. Its quiz was imported from "+from+"."))
		}
		p.add(quiz, f.Data)
	}
	return p, refused
}

func stub(front map[string]any, body string) []byte {
	fm, _ := yaml.Marshal(front) // a map of strings always marshals
	return []byte("---\n" + string(fm) + "---\n\n" + body + "\n")
}

// lint loads the course as it will be after the import and returns the
// problems it did not have before (in any file: a replaced quiz can leave
// its translations behind), and the warnings of the files written.
func (d *courseDir) lint(p *importPlan) (problems, warnings course.Problems) {
	files := map[string][]byte{}
	if d.course != nil {
		for rel, data := range d.course.Sources {
			files[rel] = data
		}
		for rel, data := range d.course.Assets {
			files[rel] = data
		}
	}
	for rel, data := range p.files {
		files[rel] = data
	}
	id := filepath.Base(d.dir)
	c, probs := course.FromFiles(id, files)
	for _, pr := range probs {
		if !d.before[pr.String()] {
			pr.Path = filepath.Join(d.display, strings.TrimPrefix(pr.Path, id+"/"))
			problems = append(problems, pr)
		}
	}
	if c != nil {
		for _, w := range c.Warnings {
			rel := strings.TrimPrefix(w.Path, id+"/")
			if _, ok := p.files[rel]; ok {
				w.Path = filepath.Join(d.display, rel)
				warnings = append(warnings, w)
			}
		}
	}
	return problems, warnings
}

// writePlan writes each file through a temporary file and a rename, so a
// reader (serve watching the folder) never sees half a quiz.
func writePlan(dir string, p *importPlan) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for _, rel := range p.order {
		if err := writeFileAtomic(filepath.Join(dir, rel), p.files[rel]); err != nil {
			return err
		}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// cmdExport runs "lectern export gift".
func cmdExport(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "gift" {
		fmt.Fprintln(stderr, exportUsage)
		return 2
	}
	flags := flag.NewFlagSet("export gift", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprintln(stderr, exportUsage) }
	quizFlag := flags.String("quiz", "", "export only this module's quiz (NN-name)")
	langFlag := flags.String("lang", "", "export the quizzes' translation into this language")
	out := flags.String("out", "", "file to write (default standard output)")
	skip := flags.Bool("skip-unsupported", false, "leave out questions GIFT cannot carry, and list them")
	target, code := parseWithTarget(flags, args[1:])
	if code >= 0 {
		return code
	}
	c, probs, err := loadCourseArg(target)
	if err != nil {
		fmt.Fprintln(stderr, "lectern export gift:", err)
		return 2
	}
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "%d problem(s) in %s: fix them (lectern lint) before exporting\n", len(probs), target)
		return 1
	}
	var quizzes []*course.Quiz
	for _, q := range c.Quizzes() {
		if *quizFlag == "" || q.ID == *quizFlag {
			quizzes = append(quizzes, q)
		}
	}
	if len(quizzes) == 0 {
		fmt.Fprintf(stderr, "lectern export gift: %s has no quiz %s\n", target, *quizFlag)
		return 2
	}
	var buf bytes.Buffer
	var unsupported []course.Problem
	for _, q := range quizzes {
		if *langFlag != "" {
			t := q.In(*langFlag)
			if t == q && !strings.EqualFold(*langFlag, c.Language) {
				fmt.Fprintf(stderr, "lectern export gift: %s has no %s translation\n", q.Path, *langFlag)
				return 2
			}
			q = t
		}
		data, ps, err := giftconv.Export(c.ID, q)
		if err != nil {
			fmt.Fprintln(stderr, "lectern export gift:", err)
			return 1
		}
		for _, p := range ps {
			unsupported = append(unsupported, course.Problem{Path: q.Path, Line: p.Line, Message: p.Message})
		}
		buf.Write(data)
	}
	for _, p := range unsupported {
		if *skip {
			fmt.Fprintf(stderr, "%s:%d: skipped: %s\n", p.Path, p.Line, p.Message)
		} else {
			fmt.Fprintln(stderr, p)
		}
	}
	if len(unsupported) > 0 && !*skip {
		fmt.Fprintf(stderr, "%d question(s) GIFT cannot carry; nothing written\n", len(unsupported))
		return 1
	}
	if *out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintln(stderr, "lectern export gift:", err)
			return 1
		}
		return 0
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		fmt.Fprintln(stderr, "lectern export gift:", err)
		return 1
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	return 0
}

// loadCourseArg loads a course directory, or a shipped course by id.
func loadCourseArg(arg string) (*course.Course, course.Problems, error) {
	if st, err := os.Stat(filepath.Join(arg, "course.md")); err == nil && st.Mode().IsRegular() {
		abs, err := filepath.Abs(arg)
		if err == nil {
			abs, err = filepath.EvalSymlinks(abs)
		}
		if err != nil {
			return nil, nil, err
		}
		c, probs := course.Load(course.DirFS(filepath.Dir(abs)), filepath.Base(abs), filepath.Clean(arg))
		return c, probs, nil
	}
	if _, err := fs.Stat(courses.FS, arg+"/course.md"); err == nil && giftconv.ValidModule(arg) {
		c, probs := course.Load(courses.FS, arg, "courses/"+arg)
		return c, probs, nil
	}
	return nil, nil, fmt.Errorf("%s is neither a course directory (with course.md) nor a shipped course", arg)
}
