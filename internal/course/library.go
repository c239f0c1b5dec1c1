package course

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Library is the set of courses being served. A reload that finds problems in a
// course keeps serving that course's last good version and remembers the problems,
// so one trainer's typo never takes a course offline.
type Library struct {
	fsys    fs.FS
	root    string
	display string
	log     *slog.Logger
	// OnLoad, when set, is called with every course version that passed lint, so
	// the caller can store it by content hash.
	OnLoad func(*Course) error

	mu       sync.RWMutex
	courses  map[string]*Course
	problems map[string]Problems
	loaded   bool
}

// NewLibrary serves the courses found under root in fsys.
func NewLibrary(fsys fs.FS, root, display string, log *slog.Logger) *Library {
	return &Library{fsys: fsys, root: root, display: display, log: log, courses: map[string]*Course{}, problems: map[string]Problems{}}
}

// Reload reads every course again. It returns an error only when the folder itself
// cannot be read; course problems are logged and kept for Problems.
func (l *Library) Reload() error {
	courses, problems, err := LoadAll(l.fsys, l.root, l.display)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	next := map[string]*Course{}
	for id, probs := range problems {
		if len(probs) == 0 {
			c := courses[id]
			if old, ok := l.courses[id]; !ok || old.Hash != c.Hash {
				if l.OnLoad != nil {
					if err := l.OnLoad(c); err != nil {
						return fmt.Errorf("store course %s: %w", id, err)
					}
				}
				l.log.Info("course loaded", "course", id, "modules", len(c.Modules), "hash", c.Hash[:12])
			}
			next[id] = c
			continue
		}
		for _, p := range probs {
			l.log.Warn("course problem", "course", id, "problem", p.String())
		}
		if old, ok := l.courses[id]; ok {
			next[id] = old
			l.log.Warn("course has problems; serving its last good version", "course", id, "problems", len(probs))
		} else {
			l.log.Warn("course has problems; not published", "course", id, "problems", len(probs))
		}
	}
	l.courses, l.problems, l.loaded = next, problems, true
	return nil
}

// Loaded reports whether a first load has completed.
func (l *Library) Loaded() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.loaded
}

// Course returns the served version of a course.
func (l *Library) Course(id string) (*Course, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	c, ok := l.courses[id]
	return c, ok
}

// Courses lists the served courses by title.
func (l *Library) Courses() []*Course {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]*Course, 0, len(l.courses))
	for _, c := range l.courses {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out
}

// Problems returns the problems found by the last reload, by course directory.
func (l *Library) Problems() map[string]Problems {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := map[string]Problems{}
	for id, p := range l.problems {
		if len(p) > 0 {
			out[id] = p
		}
	}
	return out
}

// Watch reloads the library when files under dir (the on-disk folder behind fsys)
// change, until ctx ends. Bursts of events (an editor saving, a git pull) are
// folded into one reload.
func (l *Library) Watch(ctx context.Context, dir string) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch courses: %w", err)
	}
	addTree := func() {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				if err := w.Add(p); err != nil {
					l.log.Warn("cannot watch folder", "path", p, "err", err)
				}
			}
			return nil
		})
	}
	addTree()
	go func() {
		defer w.Close()
		var timer <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Has(fsnotify.Create) {
					addTree() // a new sub-folder must be watched too
				}
				timer = time.After(200 * time.Millisecond)
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				l.log.Warn("course watcher", "err", err)
			case <-timer:
				timer = nil
				if err := l.Reload(); err != nil {
					l.log.Error("reload courses", "err", err)
				}
			}
		}
	}()
	return nil
}
