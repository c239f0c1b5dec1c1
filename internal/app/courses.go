package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
)

// SharedCourses is where the course libraries of every process on db agree on
// the version of each course they serve (course.Library.Shared): the versions'
// files in course_versions, the current one in current_courses, and a
// notification on store.ChannelCourse when it changes. `lectern serve` sets
// it on its library before the first Reload; with SQLite there is one process
// and it only records what that process serves.
func SharedCourses(db *store.DB) course.Shared { return sharedCourses{db} }

type sharedCourses struct{ db *store.DB }

func (s sharedCourses) Publish(ctx context.Context, c *course.Course) error {
	if err := s.db.SaveCourseVersion(ctx, c.ID, c.Hash, c.Sources); err != nil {
		return err
	}
	if _, err := s.db.SetCurrentCourse(ctx, c.ID, c.Hash); err != nil {
		return fmt.Errorf("publish course %s: %w", c.ID, err)
	}
	return nil
}

// Behind: on PostgreSQL, c is a stored version that is not the current one
// (a version never stored is new content, and is published). With SQLite,
// never: one process, whose folder is the truth.
func (s sharedCourses) Behind(ctx context.Context, c *course.Course) (bool, error) {
	if s.db.Dialect != "postgres" {
		return false, nil
	}
	current, err := s.db.CurrentCourses(ctx)
	if err != nil {
		return false, err
	}
	if hash, ok := current[c.ID]; !ok || hash == c.Hash {
		return false, nil
	}
	versions, err := s.db.CourseVersions(ctx, c.ID)
	if err != nil {
		return false, fmt.Errorf("versions of course %s: %w", c.ID, err)
	}
	return slices.ContainsFunc(versions, func(v store.CourseVersionInfo) bool { return v.Hash == c.Hash }), nil
}

func (s sharedCourses) Current(ctx context.Context) (map[string]string, error) {
	return s.db.CurrentCourses(ctx)
}

func (s sharedCourses) Files(ctx context.Context, courseID, hash string) (map[string][]byte, error) {
	return s.db.CourseVersionFiles(ctx, courseID, hash)
}

// FollowCourses serves the course versions other processes publish until ctx
// ends (`lectern serve` runs it; with SQLite, or without a library, it returns
// at once). A notification only wakes the refresh, which reads every course's
// current version: notifications that arrive while one runs fold into the next,
// and one lost while reconnecting is made up by the refresh that follows it.
func (a *App) FollowCourses(ctx context.Context) error {
	if a.Library == nil || a.Library.Shared == nil {
		return nil
	}
	ctx, stop := context.WithCancel(ctx)
	wake := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
				if err := a.Library.Refresh(ctx); err != nil && ctx.Err() == nil {
					a.Log.Error("serve the courses' current versions", "err", err)
				}
			}
		}
	}()
	err := a.db.Listen(ctx, store.ChannelCourse, func(string) {
		select {
		case wake <- struct{}{}:
		default: // a refresh is due already
		}
	})
	stop() // Listen returned: ctx ended, or SQLite has nobody to listen to
	<-done
	return err
}
