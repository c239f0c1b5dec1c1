package course

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// errLink and errNotRegular say why DirFS refused a path; Load turns them into
// problems that name the file.
var (
	errLink       = errors.New("is a symbolic link")
	errNotRegular = errors.New("is not a regular file")
)

// DirFS is the tree of files under dir on disk, as Load reads a trainer's course
// folder. Unlike os.DirFS it never follows a symbolic link, not even one that stays
// inside dir (a link is how a folder hands out the server's keys), and it opens
// only regular files and directories, without blocking (a named pipe would hang
// the read). Each component is checked with Lstat and the opened file must be
// the very file that check saw, so a file swapped for a link meanwhile is refused;
// os.Root keeps every open inside dir whatever happens.
func DirFS(dir string) fs.FS { return dirFS(dir) }

type dirFS string

func (d dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	root, err := os.OpenRoot(string(d))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	if name == "." {
		return root.Open(".")
	}
	parts := strings.Split(name, "/")
	dir := root
	for _, part := range parts[:len(parts)-1] {
		sub, err := openDirNoFollow(dir, part)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		defer sub.Close()
		dir = sub
	}
	f, err := openNoFollow(dir, parts[len(parts)-1])
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f, nil
}

// lstatKind checks that name in dir is a regular file or (when dirOK) a directory.
func lstatKind(dir *os.Root, name string, dirOK bool) (fs.FileInfo, error) {
	st, err := dir.Lstat(name)
	if err != nil {
		return nil, err
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return nil, errLink
	case st.Mode().IsRegular(), dirOK && st.IsDir():
		return st, nil
	}
	return nil, errNotRegular
}

func openDirNoFollow(dir *os.Root, name string) (*os.Root, error) {
	want, err := lstatKind(dir, name, true)
	if err != nil {
		return nil, err
	}
	sub, err := dir.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	got, err := sub.Stat(".")
	if err != nil || !os.SameFile(want, got) {
		sub.Close()
		return nil, swapped(err)
	}
	return sub, nil
}

func openNoFollow(dir *os.Root, name string) (*os.File, error) {
	want, err := lstatKind(dir, name, true)
	if err != nil {
		return nil, err
	}
	f, err := dir.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	got, err := f.Stat()
	if err != nil || !os.SameFile(want, got) {
		f.Close()
		return nil, swapped(err)
	}
	return f, nil
}

// swapped is the error for a path that changed between its check and its open.
func swapped(err error) error {
	if err != nil {
		return fmt.Errorf("changed while being read: %w", err)
	}
	return errors.New("changed while being read (replaced by a link?)")
}
