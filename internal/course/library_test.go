package course

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeCourse(t *testing.T, dir, moduleTitle string) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "demo"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "demo", "course.md"), []byte("---\ntitle: Demo\nsummary: S\n---\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "demo", "01-a.md"), []byte("---\ntitle: "+moduleTitle+"\nduration: 10m\n---\n\nText.\n"), 0o644))
}

func TestLibrary_BrokenReloadKeepsLastGoodVersion(t *testing.T) {
	dir := t.TempDir()
	writeCourse(t, dir, "First")
	lib := NewLibrary(os.DirFS(dir), ".", dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var stored []string
	lib.OnLoad = func(c *Course) error { stored = append(stored, c.Hash); return nil }
	if err := lib.Reload(); err != nil {
		t.Fatal(err)
	}
	c, ok := lib.Course("demo")
	if !ok || c.Modules[0].Title != "First" {
		t.Fatalf("first load: %v %v", ok, c)
	}

	// A typo in the module: the last good version stays, the problem is kept.
	if err := os.WriteFile(filepath.Join(dir, "demo", "01-a.md"), []byte("---\ntitel: Broken\nduration: 10m\n---\n\nText.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := lib.Reload(); err != nil {
		t.Fatal(err)
	}
	if c, _ := lib.Course("demo"); c.Modules[0].Title != "First" {
		t.Errorf("broken reload replaced the course: %q", c.Modules[0].Title)
	}
	if p := lib.Problems()["demo"]; len(p) == 0 || !strings.Contains(p.String(), `unknown front-matter key "titel"`) {
		t.Errorf("problems = %v", p)
	}

	writeCourse(t, dir, "Second")
	if err := lib.Reload(); err != nil {
		t.Fatal(err)
	}
	if c, _ := lib.Course("demo"); c.Modules[0].Title != "Second" {
		t.Errorf("fixed course not served: %q", c.Modules[0].Title)
	}
	if len(lib.Problems()) != 0 || len(stored) != 2 || stored[0] == stored[1] {
		t.Errorf("problems %v, stored versions %v", lib.Problems(), stored)
	}
}

func TestLibrary_WatchReloadsOnChange(t *testing.T) {
	dir := t.TempDir()
	writeCourse(t, dir, "Before")
	lib := NewLibrary(os.DirFS(dir), ".", dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := lib.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := lib.Watch(ctx, dir); err != nil {
		t.Fatal(err)
	}
	writeCourse(t, dir, "After")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, _ := lib.Course("demo"); c.Modules[0].Title == "After" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the change was not picked up within 10s")
}
