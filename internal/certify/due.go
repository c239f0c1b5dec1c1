package certify

import (
	"context"
	"time"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// RecentlyExpired is how long after its expiry an officer's own dashboard
// still tells them a certificate is due: past that, the reminder has said
// what it can.
const RecentlyExpired = 365 * 24 * time.Hour

// Due lists the certificates due for recertification that the actor may see,
// soonest expiry first: each holder's latest certificate of a course (none
// newer of it that is not revoked), expiring within ExpiringWindow or
// expired. An officer sees their own, only those expired less than
// RecentlyExpired ago; a coordinator their agency's officers', admins and
// trainers everyone's, however long expired — as the agency record's "due"
// and the offer of a session count them.
func (s *Service) Due(ctx context.Context, a *auth.Actor) ([]Certificate, error) {
	if err := auth.Authorize(a, auth.ActSessionRead); err != nil {
		return nil, err
	}
	now := s.Now()
	f := store.DueFilter{Until: now.Add(ExpiringWindow)}
	switch a.Role {
	case auth.RoleCoordinator:
		f.AgencyID = a.AgencyScope()
	case auth.RoleOfficer:
		f.UserID = &a.UserID
		f.After = now.Add(-RecentlyExpired)
	}
	rows, err := s.db.Read(ctx).DueCertificates(f)
	if err != nil {
		return nil, err
	}
	out := make([]Certificate, len(rows))
	for i := range rows {
		out[i] = s.memberView(&rows[i])
	}
	return out, nil
}

// DueHolders counts the people among due (Due's list): one officer due in two
// courses is one to follow up.
func DueHolders(due []Certificate) int {
	seen := map[int64]bool{}
	for _, c := range due {
		seen[c.UserID] = true
	}
	return len(seen)
}
