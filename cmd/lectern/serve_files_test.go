package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The server reads only regular files from a course folder and serves only images
// and PDFs: a link to the signing key, /etc/passwd or a folder outside answers 404
// after a hot reload, a served image swapped for such a link keeps serving the
// image it was, and editors' backups of a quiz never show its answer key.
func TestServe_CourseFolderServesNoLinksAndNoBackups(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	data, dir := t.TempDir(), t.TempDir()
	png := "\x89PNG\r\n\x1a\nthe real image"
	key := "- [x] ANSWER-KEY-7731\n"
	writeFiles(t, dir, map[string]string{
		"mine/course.md":        "---\ntitle: Mine\nsummary: S\n---\n",
		"mine/01-a.md":          lintModule,
		"mine/images/ok.png":    png,
		"mine/01-a.quiz.md~":    key,
		"mine/#01-a.quiz.md#":   key,
		"mine/01-a.quiz.md.bak": key,
		"mine/01-a.quiz.md.png": key,
		"mine/01-a.quiz.md.swp": key,
	})
	_, url, _ := startBinary(t, bin, "--data", data, "--courses", dir)
	asset := func(name string) (int, string) {
		return adminGet(t, url, "/courses/mine/assets/"+name)
	}
	if status, body := asset("images/ok.png"); status != http.StatusOK || body != png {
		t.Fatalf("the course's image: %d %q", status, body)
	}
	for _, name := range []string{"01-a.quiz.md~", "%2301-a.quiz.md%23", "01-a.quiz.md.bak", "01-a.quiz.md.png", "01-a.quiz.md.swp", "01-a.md", "course.md"} {
		if status, body := asset(name); status != http.StatusNotFound || strings.Contains(body, "ANSWER-KEY") {
			t.Errorf("GET %s: %d, answer key shown: %v", name, status, strings.Contains(body, "ANSWER-KEY"))
		}
	}

	key1, err := os.ReadFile(filepath.Join(data, "signing-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key2, err := os.ReadFile(filepath.Join(data, "secrets.key"))
	if err != nil {
		t.Fatal(err)
	}
	course := filepath.Join(dir, "mine")
	link := func(name, target string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(course, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	// waitReload waits until the dashboard reports name (or, on a server that
	// follows links, until name is served: then the checks after it fail).
	waitReload := func(name string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			if _, body := adminGet(t, url, "/"); strings.Contains(body, "mine/"+name) {
				return
			}
			if status, _ := asset(name); status != http.StatusNotFound {
				t.Errorf("the reload did not report %s on the dashboard (it answers %d)", name, status)
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the reload did not report %s on the dashboard", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	secrets := []string{string(key1), string(key2), "PRIVATE KEY", "root:"}
	leaks := func(body string) bool {
		for _, s := range secrets {
			if strings.Contains(body, s) {
				return true
			}
		}
		return false
	}
	refused := func(names ...string) {
		t.Helper()
		for _, name := range names {
			if status, body := asset(name); status != http.StatusNotFound || leaks(body) {
				t.Errorf("GET %s after the reload: %d, secret shown: %v", name, status, leaks(body))
			}
		}
	}

	link("images/k.png", filepath.Join(data, "signing-key.pem"))
	link("images/s.png", filepath.Join(data, "secrets.key"))
	link("images/up.png", relativeLink(t, filepath.Join(course, "images"), filepath.Join(data, "signing-key.pem")))
	link("images/passwd.png", "/etc/passwd")
	// The served image becomes a link to the key, as an attacker with write access
	// to the folder would do between two loads.
	ok := filepath.Join(course, "images", "ok.png")
	if err := os.Rename(ok, ok+".old"); err != nil {
		t.Fatal(err)
	}
	link("images/ok.png", filepath.Join(data, "signing-key.pem"))
	waitReload("images/k.png")
	refused("images/k.png", "images/s.png", "images/up.png", "images/passwd.png")
	if status, body := asset("images/ok.png"); status != http.StatusOK || body != png {
		t.Errorf("the image swapped for a link: %d, secret shown: %v (want the last good version's image)", status, leaks(body))
	}

	// A linked folder: nothing under it is read.
	link("data", data)
	waitReload("data")
	refused("data/signing-key.pem", "data/secrets.key")
}
