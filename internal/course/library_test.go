package course

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	shared := newMemShared()
	lib.Shared = shared
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
	if len(lib.Problems()) != 0 || len(shared.published) != 2 || shared.published[0] == shared.published[1] {
		t.Errorf("problems %v, published versions %v", lib.Problems(), shared.published)
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

// memShared is Shared in memory: what the database is to several processes,
// for libraries in one test (internal/app tests the database's).
type memShared struct {
	mu        sync.Mutex
	files     map[string]map[string][]byte
	current   map[string]string
	published []string
}

func newMemShared() *memShared {
	return &memShared{files: map[string]map[string][]byte{}, current: map[string]string{}}
}

func (m *memShared) Publish(_ context.Context, c *Course) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[c.Hash], m.current[c.ID] = c.Sources, c.Hash
	m.published = append(m.published, c.Hash)
	return nil
}

// Behind as the database's on PostgreSQL: a stored version that is not current.
func (m *memShared) Behind(_ context.Context, c *Course) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	hash, ok := m.current[c.ID]
	_, stored := m.files[c.Hash]
	return ok && hash != c.Hash && stored, nil
}

func (m *memShared) Current(context.Context) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.current), nil
}

func (m *memShared) Files(_ context.Context, _, hash string) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[hash]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return f, nil
}

// TestLibrary_SharedServesTheVersionLastRead: two libraries (two processes)
// with folders of their own and one Shared serve the version either last read
// from its folder — a deploy under way, one folder edited — and a broken
// edit publishes nothing.
func TestLibrary_SharedServesTheVersionLastRead(t *testing.T) {
	shared := newMemShared()
	dirA, dirB := t.TempDir(), t.TempDir()
	writeCourse(t, dirA, "Old")
	writeCourse(t, dirB, "Old")
	open := func(dir string) *Library {
		lib := NewLibrary(os.DirFS(dir), ".", dir, slog.New(slog.DiscardHandler))
		lib.Shared = shared
		if err := lib.Reload(); err != nil {
			t.Fatal(err)
		}
		return lib
	}
	a, b := open(dirA), open(dirB)
	title := func(lib *Library) string {
		c, ok := lib.Course("demo")
		if !ok {
			return "(not served)"
		}
		return c.Modules[0].Title
	}

	// edited: the process whose folder changed reads it, the other is told;
	// both then serve want.
	edited := func(what string, reader, other *Library, want string) {
		t.Helper()
		if err := reader.Reload(); err != nil {
			t.Fatal(err)
		}
		if err := other.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		if title(reader) != want || title(other) != want {
			t.Errorf("after %s: the reader serves %q, the other %q; want %q on both", what, title(reader), title(other), want)
		}
	}
	writeCourse(t, dirA, "New") // A's folder edited (or A started from a new image)
	edited("A's edit", a, b, "New")
	if err := b.Reload(); err != nil { // B's own folder unchanged: it publishes nothing
		t.Fatal(err)
	}
	if title(b) != "New" {
		t.Errorf("B read its unchanged folder again and serves %q, want New", title(b))
	}
	if err := os.WriteFile(filepath.Join(dirB, "demo", "01-a.md"), []byte("---\ntitel: Broken\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	edited("a broken edit on B", b, a, "New")
	writeCourse(t, dirB, "Newer") // the last folder read wins, whichever process
	edited("B's edit", b, a, "Newer")

	// A restarts from its old folder (an old image restarted mid-deploy): its
	// start does not roll everyone back. It serves the current version, and
	// an edit it then watches publishes as before.
	writeCourse(t, dirA, "New")
	published := len(shared.published)
	a = open(dirA)
	if title(a) != "Newer" || len(shared.published) != published {
		t.Errorf("A restarted with a folder behind serves %q and published %d versions; want Newer and none", title(a), len(shared.published)-published)
	}
	if err := b.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if title(b) != "Newer" {
		t.Errorf("after A's restart B serves %q, want Newer", title(b))
	}
	writeCourse(t, dirA, "Newest")
	edited("A's edit after its restart", a, b, "Newest")
	// New content at start is published: a new image rolled out.
	writeCourse(t, dirB, "Rolled out")
	b = open(dirB)
	if err := a.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if title(a) != "Rolled out" || title(b) != "Rolled out" {
		t.Errorf("B started with new content: A serves %q, B %q; want Rolled out on both", title(a), title(b))
	}
}
