package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/lectern-platform/lectern/internal/course"
)

var flagHelp = flag.ErrHelp

// cmdLint checks one course directory or a folder of courses, printing every
// problem as path:line: message. Exit 1 if any. Warnings are printed as
// path:line: warning: message and do not change the exit code.
func cmdLint(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: lectern lint [DIR]   (a course directory or a folder of courses; default .)")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	dir := "."
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	} else if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintln(stderr, "lectern lint:", err)
		return 2
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "lectern lint: %s is not a directory\n", dir)
		return 2
	}
	display := filepath.ToSlash(filepath.Clean(dir))
	root, fsys := ".", course.DirFS(abs)
	if _, err := os.Stat(filepath.Join(abs, "course.md")); err == nil {
		// One course: load it from its parent so its directory name is its id
		// (the folder named on the command line may be a link; nothing in it may).
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			fmt.Fprintln(stderr, "lectern lint:", err)
			return 2
		}
		root, fsys = filepath.Base(abs), course.DirFS(filepath.Dir(abs))
	}
	courses, problems, err := course.LoadAll(fsys, root, display)
	if err != nil {
		fmt.Fprintln(stderr, "lectern lint:", err)
		return 2
	}
	if len(problems) == 0 {
		fmt.Fprintf(stderr, "lectern lint: no course in %s (a course is a folder with course.md)\n", dir)
		return 1
	}
	ids := make([]string, 0, len(problems))
	for id := range problems {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	count := 0
	for _, id := range ids {
		for _, p := range problems[id] {
			fmt.Fprintln(stdout, p)
			count++
		}
	}
	// Warnings (e.g. a numeric question that does not say how to write the
	// number) are printed as "path:line: warning: message" but do not fail lint.
	warnings := 0
	for _, id := range ids {
		if c := courses[id]; c != nil {
			for _, w := range c.Warnings {
				fmt.Fprintf(stdout, "%s:%d: warning: %s\n", w.Path, w.Line, w.Message)
				warnings++
			}
		}
	}
	if warnings > 0 {
		fmt.Fprintf(stderr, "%d warning(s) in %s\n", warnings, dir)
	}
	if count > 0 {
		fmt.Fprintf(stderr, "%d problem(s) in %s\n", count, dir)
		return 1
	}
	modules, quizzes, questions := 0, 0, 0
	for _, c := range courses {
		modules += len(c.Modules)
		for _, q := range c.Quizzes() {
			quizzes++
			questions += len(q.Questions)
		}
	}
	fmt.Fprintf(stdout, "ok: %d course(s), %d modules, %d quizzes, %d questions\n", len(courses), modules, quizzes, questions)
	return 0
}
