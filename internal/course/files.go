package course

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// MaxFileSize caps every file read from a course folder: a module, a quiz or an
// image larger than this is a mistake, and the server holds every file in memory.
const MaxFileSize = 10 << 20

// assetTypes are the only files served from a course folder, by extension, with
// the content type they are served as (fixed here, not read from the system's
// MIME tables, which differ between machines).
var assetTypes = map[string]string{
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
	".svg":  "image/svg+xml",
	".pdf":  "application/pdf",
}

// markdownCopy matches names such as "01-a.quiz.md~", "01-a.quiz.md.bak" or
// "#01-a.quiz.md#": copies of a Markdown source, which may hold an answer key,
// whatever extension an editor or a trainer gave them.
var markdownCopy = regexp.MustCompile(`(?i)\.md([^a-z0-9]|$)`)

// AssetType returns the content type a course file is served with, and whether it
// may be served at all: images and PDFs only, never a Markdown source or a copy.
func AssetType(name string) (string, bool) {
	base := path.Base(name)
	if markdownCopy.MatchString(strings.TrimSuffix(base, ".md")) {
		return "", false
	}
	ctype, ok := assetTypes[strings.ToLower(path.Ext(base))]
	return ctype, ok
}

// courseFiles is what Load read from a course folder.
type courseFiles struct {
	sources map[string][]byte // every file read, by slash path relative to the course
	assets  map[string][]byte // those that may be served
	// skipped says why a file present in the folder was not read, for messages
	// about links to it.
	skipped map[string]string
}

// readCourseFiles reads the course in dir of fsys: Markdown and asset files, each
// a regular file of at most MaxFileSize. Links, pipes, devices and oversized files
// are errors; other files are not read and are warned about. Hidden files and
// folders (.git) are skipped. p turns a relative path into one for messages.
func readCourseFiles(fsys fs.FS, dir string, p func(string) string, probs, warnings *Problems) (*courseFiles, error) {
	cf := &courseFiles{sources: map[string][]byte{}, assets: map[string][]byte{}, skipped: map[string]string{}}
	err := fs.WalkDir(fsys, dir, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if fp == dir {
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(fp, dir), "/")
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if why := irregular(d.Type()); why != "" {
			cf.skipped[rel] = why
			probs.add(p(rel), 1, "%s", why)
			return nil
		}
		_, asset := AssetType(rel)
		if !asset && !strings.HasSuffix(rel, ".md") {
			cf.skipped[rel] = "is not served (only images and PDF files are)"
			warnings.add(p(rel), 1, "not served: only Markdown, images (png, jpg, gif, webp, svg) and PDF files are read from a course folder; remove it")
			return nil
		}
		data, err := readRegular(fsys, fp)
		if err != nil {
			cf.skipped[rel] = err.Error()
			probs.add(p(rel), 1, "%v", err)
			return nil
		}
		cf.sources[rel] = data
		if asset {
			cf.assets[rel] = data
		}
		return nil
	})
	return cf, err
}

// irregular says why a directory entry of this type is not read, or "" for a
// regular file.
func irregular(t fs.FileMode) string {
	switch {
	case t&fs.ModeSymlink != 0:
		return "is a symbolic link: links are not followed; copy the file into the course folder"
	case !t.IsRegular():
		return "is not a regular file (a named pipe, device or socket): remove it"
	}
	return ""
}

// readRegular reads one file, refusing anything that is not a regular file by the
// time it is opened and anything over MaxFileSize (checked while reading too, in
// case the file grows).
func readRegular(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	switch {
	case errors.Is(err, errLink):
		return nil, errors.New(irregular(fs.ModeSymlink))
	case errors.Is(err, errNotRegular):
		return nil, errors.New(irregular(fs.ModeNamedPipe))
	case err != nil:
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	if why := irregular(st.Mode().Type()); why != "" {
		return nil, errors.New(why)
	}
	tooBig := fmt.Errorf("is larger than %d MiB, the limit for one file of a course: make it smaller", MaxFileSize>>20)
	if st.Size() > MaxFileSize {
		return nil, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, tooBig
	}
	return data, nil
}
