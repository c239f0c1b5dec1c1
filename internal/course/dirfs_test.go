package course

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// DirFS opens regular files and folders only, never through a link (in the last
// component or on the way, inside the folder or out of it), and never blocks.
func TestDirFS_FollowsNoLinks(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "c", "images"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "c", "images", "ok.png"), []byte("png"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "c", "images", "out.png")))
	must(os.Symlink("ok.png", filepath.Join(dir, "c", "images", "in.png")))
	must(os.Symlink("images", filepath.Join(dir, "c", "pics")))
	must(os.Symlink(outside, filepath.Join(dir, "c", "far")))
	must(syscall.Mkfifo(filepath.Join(dir, "c", "pipe.png"), 0o644))

	fsys := DirFS(dir)
	if data, err := fs.ReadFile(fsys, "c/images/ok.png"); err != nil || string(data) != "png" {
		t.Fatalf("regular file: %q, %v", data, err)
	}
	for _, name := range []string{"c/images/out.png", "c/images/in.png", "c/pics/ok.png", "c/far/secret", "c/pics"} {
		if data, err := fs.ReadFile(fsys, name); !errors.Is(err, errLink) {
			t.Errorf("%s: read %q, err %v; want a refused link", name, data, err)
		}
	}
	done := make(chan error, 1)
	go func() { _, err := fs.ReadFile(fsys, "c/pipe.png"); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, errNotRegular) {
			t.Errorf("named pipe: err %v, want not a regular file", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("opening a named pipe blocked")
	}
	if _, err := fsys.Open("c/../../secret"); err == nil {
		t.Error("a path with .. was opened")
	}
}
