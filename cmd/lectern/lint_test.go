package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestLint_BrokenCourses(t *testing.T) {
	want, err := os.ReadFile("../../internal/course/testdata/broken.expected")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "lint", "../../internal/course/testdata/broken")
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	prefix := "../../internal/course/testdata/broken/"
	var wantOut strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		wantOut.WriteString(prefix + line + "\n")
	}
	if stdout != wantOut.String() {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, wantOut.String())
	}
	if !strings.Contains(stderr, "problem(s)") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestLint_OneCourseDirectory(t *testing.T) {
	code, stdout, _ := runCmd(t, "lint", "../../internal/course/testdata/broken/bad-yaml")
	if code != 1 || stdout != "../../internal/course/testdata/broken/bad-yaml/course.md:3: front matter is not valid YAML: did not find expected ',' or ']'\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
}

func TestLint_ShippedCoursesAreClean(t *testing.T) {
	code, stdout, stderr := runCmd(t, "lint", "../../courses")
	if code != 0 || !strings.HasPrefix(stdout, "ok: 1 course(s), 4 modules, 4 quizzes") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestLint_BadArguments(t *testing.T) {
	if code, _, stderr := runCmd(t, "lint", "/does/not/exist"); code != 2 || !strings.Contains(stderr, "not a directory") {
		t.Errorf("missing dir: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "lint", t.TempDir()); code != 1 || !strings.Contains(stderr, "no course") {
		t.Errorf("empty dir: exit %d, %q", code, stderr)
	}
	if code, _, _ := runCmd(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}
