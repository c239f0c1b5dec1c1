package certify

import (
	"context"
	"sync"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
)

// memo holds, for one ZIP or one pre-render, what its certificates share
// and each credential is built from: their session's activity dates and
// their course version. Each is read once per export, not once per
// certificate (review F12: a warm ZIP of 1,000 read the same session row,
// with its trainers and agencies, 1,000 times). It is filled as the
// certificates are rendered, so an export sees what the first
// certificate of a session read — as a ZIP sees the certificates as
// PrepareExport read them. A nil memo reads every time.
type memo struct {
	mu       sync.Mutex
	sessions map[int64]activityDates
	versions map[[2]string]*course.Course // by course id and hash; nil: not known
}

func newMemo() *memo {
	return &memo{sessions: map[int64]activityDates{}, versions: map[[2]string]*course.Course{}}
}

// activity is Service.activity, read once per session. The lock is held
// during the read: the renders running at once wait for the first one's
// read rather than each making it.
func (m *memo) activity(ctx context.Context, s *Service, c *store.Certificate) (activityDates, error) {
	if m == nil {
		return s.activity(ctx, c)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.sessions[c.SessionID]; ok {
		return a, nil
	}
	a, err := s.activity(ctx, c)
	if err != nil {
		return activityDates{}, err
	}
	m.sessions[c.SessionID] = a
	return a, nil
}

// courseVersion is Service.courseVersion, looked up once per version (a
// version not known is not looked up again either).
func (m *memo) courseVersion(ctx context.Context, s *Service, c *store.Certificate) *course.Course {
	if m == nil {
		return s.courseVersion(ctx, c.CourseID, c.CourseHash)
	}
	key := [2]string{c.CourseID, c.CourseHash}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.versions[key]; ok {
		return v
	}
	v := s.courseVersion(ctx, c.CourseID, c.CourseHash)
	m.versions[key] = v
	return v
}
