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
//
// With Shared set, several processes agree on one version of each course: the
// version a process last read from its own folder (at start, or after an edit
// it watched) is published as the current one, and every process serves the
// current version — from its own folder when the content is the same, else
// from the stored files. So during a deploy, or while a shared folder is being
// edited, a room's officers never see two versions of a page or a quiz
// depending on which process answers them. Which courses are served is still
// each process's own folder's business: a course is served where its folder is.
type Library struct {
	fsys    fs.FS
	root    string
	display string
	log     *slog.Logger
	// Shared, when set, is where the processes agree on the versions served
	// (internal/app's over the database); nil: this process serves what its
	// folder holds, as with one process and nothing to agree with.
	Shared Shared

	// sync runs one Reload or Refresh at a time; mu guards what readers see.
	sync     sync.Mutex
	mu       sync.RWMutex
	disk     map[string]*Course // the last good version read from the folder
	courses  map[string]*Course // the versions served
	stored   map[string]*Course // versions loaded from Shared's files, by hash (under sync)
	problems map[string]Problems
	loaded   bool
}

// Shared keeps every process's library on one version of each course.
type Shared interface {
	// Publish stores c's files by hash and makes it the version every
	// process serves, telling the others.
	Publish(ctx context.Context, c *Course) error
	// Current is the version every process serves, by course id.
	Current(ctx context.Context) (map[string]string, error)
	// Behind reports whether c, read from a process's folder at its start,
	// is a version published before and since replaced by another: the
	// folder is behind the others' (an old image restarted mid-deploy, a
	// lagging machine restarted). Such a start must not roll every process
	// back; an edit the process watches still publishes. With one process
	// per database (SQLite) it is never behind: its folder is the only one,
	// and an older one at start is the operator's rollback.
	Behind(ctx context.Context, c *Course) (bool, error)
	// Files are the files of a stored version (Sources as Publish stored them).
	Files(ctx context.Context, courseID, hash string) (map[string][]byte, error)
}

// sharedTimeout bounds Reload's calls to Shared (Reload has no context of its
// own: it runs at start and from the watcher).
const sharedTimeout = 30 * time.Second

// NewLibrary serves the courses found under root in fsys.
func NewLibrary(fsys fs.FS, root, display string, log *slog.Logger) *Library {
	return &Library{fsys: fsys, root: root, display: display, log: log,
		disk: map[string]*Course{}, courses: map[string]*Course{}, stored: map[string]*Course{}, problems: map[string]Problems{}}
}

// Reload reads every course again. A course whose content changed since this
// process last read it (every course, the first time, unless Shared says the
// folder is behind) is published through Shared as the version every process
// serves. It returns an error only when
// the folder itself cannot be read or Shared cannot be reached; course
// problems are logged and kept for Problems.
func (l *Library) Reload() error {
	l.sync.Lock()
	defer l.sync.Unlock()
	courses, problems, err := LoadAll(l.fsys, l.root, l.display)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	l.mu.RLock()
	disk := l.disk
	l.mu.RUnlock()
	next := map[string]*Course{}
	for id, probs := range problems {
		if len(probs) == 0 {
			c := courses[id]
			if old, ok := disk[id]; !ok || old.Hash != c.Hash {
				publish := l.Shared != nil
				if publish && !ok {
					behind, err := l.Shared.Behind(ctx, c)
					if err != nil {
						return fmt.Errorf("publish course %s: %w", id, err)
					}
					if behind {
						publish = false
						l.log.Warn("this process's course folder holds a version published before and since replaced: not published again, serving the current one (edit the folder to publish it)",
							"course", id, "hash", c.Hash[:12])
					}
				}
				if publish {
					if err := l.Shared.Publish(ctx, c); err != nil {
						return fmt.Errorf("publish course %s: %w", id, err)
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
		if old, ok := disk[id]; ok {
			next[id] = old
			l.log.Warn("course has problems; serving its last good version", "course", id, "problems", len(probs))
		} else {
			l.log.Warn("course has problems; not published", "course", id, "problems", len(probs))
		}
	}
	served, err := l.adopt(ctx, next)
	l.mu.Lock()
	l.disk, l.courses, l.problems, l.loaded = next, served, problems, true
	l.mu.Unlock()
	return err
}

// Refresh serves the versions Shared says are current (another process
// published one: internal/app calls this on its notification). Without Shared
// it does nothing.
func (l *Library) Refresh(ctx context.Context) error {
	if l.Shared == nil {
		return nil
	}
	l.sync.Lock()
	defer l.sync.Unlock()
	l.mu.RLock()
	disk := l.disk
	l.mu.RUnlock()
	served, err := l.adopt(ctx, disk)
	l.mu.Lock()
	l.courses = served
	l.mu.Unlock()
	return err
}

// adopt returns the versions to serve of the folder's courses (disk): for
// each, the current version — the folder's own when it is the same content,
// else the stored one. It reads the database without holding l.mu, so pages
// keep being served meanwhile; l.sync is held. A current version that cannot
// be read, or has problems here, leaves that course on the version it had
// (and says so); when the current versions cannot be read at all, every
// course stays as it was (new ones: the folder's) and the error is returned.
func (l *Library) adopt(ctx context.Context, disk map[string]*Course) (map[string]*Course, error) {
	if l.Shared == nil {
		return disk, nil
	}
	l.mu.RLock()
	served := l.courses
	l.mu.RUnlock()
	kept := func(id string) *Course {
		if c, ok := served[id]; ok {
			return c
		}
		return disk[id]
	}
	next := make(map[string]*Course, len(disk))
	current, err := l.Shared.Current(ctx)
	if err != nil {
		for id := range disk {
			next[id] = kept(id)
		}
		return next, fmt.Errorf("read the courses' current versions: %w", err)
	}
	for id, own := range disk {
		hash, ok := current[id]
		if !ok || hash == own.Hash {
			next[id] = own
			continue
		}
		c, err := l.storedVersion(ctx, id, hash)
		if err != nil {
			next[id] = kept(id)
			l.log.Error("cannot serve the course version another process published; serving the one it had", "course", id, "hash", short(hash),
				"serving", short(next[id].Hash), "err", err)
			continue
		}
		if old := served[id]; old == nil || old.Hash != c.Hash {
			l.log.Info("serving the course version another process published", "course", id, "hash", short(hash), "own", short(own.Hash))
		}
		next[id] = c
	}
	return next, nil
}

// storedVersion loads a version from Shared's files, once; l.sync is held.
func (l *Library) storedVersion(ctx context.Context, id, hash string) (*Course, error) {
	if c, ok := l.stored[hash]; ok && c.ID == id {
		return c, nil
	}
	files, err := l.Shared.Files(ctx, id, hash)
	if err != nil {
		return nil, err
	}
	c, probs := FromFiles(id, files)
	if len(probs) > 0 {
		return nil, fmt.Errorf("stored version has problems here: %s", probs[0].String())
	}
	if c.Hash != hash {
		return nil, fmt.Errorf("stored files hash to %s", short(c.Hash))
	}
	if len(l.stored) >= 64 { // versions come and go with edits; keep the map small
		clear(l.stored)
	}
	l.stored[hash] = c
	return c, nil
}

// short is a content hash as logs print it.
func short(hash string) string { return hash[:min(12, len(hash))] }

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
