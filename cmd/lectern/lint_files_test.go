package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeFiles writes files (slash paths relative to dir) with their contents.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lintWithin runs `lectern lint` and fails the test, instead of hanging it, when a
// read blocks (a named pipe opened for reading waits for a writer forever).
func lintWithin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, stdout, stderr := runCmd(t, append([]string{"lint"}, args...)...)
		done <- result{code, stdout, stderr}
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr
	case <-time.After(20 * time.Second):
		t.Fatal("lint did not finish: it opened something that blocks (a named pipe?)")
	}
	return 0, "", ""
}

const lintModule = "---\ntitle: A\nduration: 5m\n---\n\nText.\n\n![diagram](images/ok.png)\n"

// Links, pipes and oversized files are errors that name the file; nothing they
// point at is read, however the link is written.
func TestLint_LinksPipesAndOversizeFiles(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "signing-key.pem")
	writeFiles(t, outside, map[string]string{"signing-key.pem": "-----BEGIN PRIVATE KEY-----\n", "other/x.png": "x"})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"mine/course.md":     "---\ntitle: Mine\nsummary: S\n---\n",
		"mine/01-a.md":       lintModule,
		"mine/images/ok.png": "\x89PNG\r\n\x1a\n",
	})
	course := filepath.Join(dir, "mine")
	links := map[string]string{
		"images/k.png":      secret,                                                   // out of the folder, absolute
		"images/up.png":     relativeLink(t, filepath.Join(course, "images"), secret), // through ..
		"images/passwd.png": "/etc/passwd",                                            // a system file
		"images/inner.png":  "ok.png",                                                 // inside the folder: still not followed
		"shared":            filepath.Join(outside, "other"),                          // a linked folder
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(course, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(course, "images", "pipe.png"), 0o644); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(course, "handout.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(10<<20 + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	big.Close()
	// A course folder that is itself a link, beside a real one.
	if err := os.Symlink(course, filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := lintWithin(t, dir)
	if code != 1 {
		t.Errorf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		dir + "/mine/images/k.png:1: ",
		dir + "/mine/images/up.png:1: ",
		dir + "/mine/images/passwd.png:1: ",
		dir + "/mine/images/inner.png:1: ",
		dir + "/mine/shared:1: ",
		dir + "/linked:1: ",
	} {
		if !lineWith(stdout, want, "symbolic link") {
			t.Errorf("no symbolic-link error starting %q in:\n%s", want, stdout)
		}
	}
	if !lineWith(stdout, dir+"/mine/images/pipe.png:1: ", "not a regular file") {
		t.Errorf("no error for the named pipe in:\n%s", stdout)
	}
	if !lineWith(stdout, dir+"/mine/handout.pdf:1: ", "10 MiB") {
		t.Errorf("no size error for the oversized file in:\n%s", stdout)
	}
	if strings.Contains(stdout, "PRIVATE KEY") || strings.Contains(stdout, "root:") {
		t.Errorf("lint output shows what a link points at:\n%s", stdout)
	}

	// One course given directly gets the same checks.
	code, stdout, _ = lintWithin(t, course)
	if code != 1 || !lineWith(stdout, course+"/images/k.png:1: ", "symbolic link") {
		t.Errorf("one course: exit %d\n%s", code, stdout)
	}
}

// Files that are neither Markdown nor a served image or PDF are warned about, by
// name, and are not read: an editor's backup of a quiz would show its answer key.
func TestLint_WarnsAboutFilesThatAreNotServed(t *testing.T) {
	dir := t.TempDir()
	key := "- [x] the answer\n"
	writeFiles(t, dir, map[string]string{
		"mine/course.md":           "---\ntitle: Mine\nsummary: S\n---\n",
		"mine/01-a.md":             lintModule,
		"mine/images/ok.png":       "\x89PNG\r\n\x1a\n",
		"mine/01-a.quiz.md~":       key,
		"mine/#01-a.quiz.md#":      key,
		"mine/01-a.quiz.md.bak":    key,
		"mine/01-a.quiz.md.png":    key,
		"mine/images/notes.docx":   "x",
		"mine/.hidden-is-ignored~": key,
	})
	code, stdout, stderr := lintWithin(t, dir)
	if code != 0 || !strings.Contains(stdout, "ok: 1 course(s)") {
		t.Errorf("warnings alone must not fail lint: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, name := range []string{"01-a.quiz.md~", "#01-a.quiz.md#", "01-a.quiz.md.bak", "01-a.quiz.md.png", "images/notes.docx"} {
		if !lineWith(stdout, dir+"/mine/"+name+":1: warning: ", "not served") {
			t.Errorf("no warning naming %s in:\n%s", name, stdout)
		}
	}
	if strings.Contains(stdout, ".hidden") {
		t.Errorf("hidden files are skipped silently:\n%s", stdout)
	}
}

// relativeLink is target written relative to the folder from, with "..".
func relativeLink(t *testing.T, from, target string) string {
	t.Helper()
	rel, err := filepath.Rel(from, target)
	if err != nil || !strings.HasPrefix(rel, "..") {
		t.Fatalf("relative link from %s to %s: %q, %v", from, target, rel, err)
	}
	return rel
}

// lineWith reports whether out has a line starting with prefix that contains word.
func lineWith(out, prefix, word string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line, word) {
			return true
		}
	}
	return false
}
