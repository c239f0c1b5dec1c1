package attempt

import (
	"context"
	"strconv"
	"strings"

	"github.com/lectern-platform/lectern/internal/store"
)

// Each process caches, per attempt, what a save is checked against
// (Service.snapshots: question ids, kinds, choice ids). A regrade rewrites the
// questions of the attempts it rekeys, and a paper sheet entered for an open
// attempt replaces them. Neither changes what the cache keeps, and nothing is
// scored or shown from it (finalising, regrading, Get and reviews read the
// attempt's row), so a stale entry cannot give a wrong score or key; still,
// the process that does it drops its entries, and tells the others on
// store.ChannelRegrade when the transaction commits, so that no process keeps
// a version of an attempt's questions its row no longer has (whatever the
// cache comes to hold). A listener that reconnects drops its whole cache.
//
// Payloads: attempt ids separated by commas, or store.ListenAll.

// announceRekeyed tells the other processes, once q commits, that the
// attempts ids have new questions. Payloads stay under PostgreSQL's 8000 bytes.
func announceRekeyed(q store.Q, ids []int64) error {
	var b strings.Builder
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := q.Notify(store.ChannelRegrade, b.String())
		b.Reset()
		return err
	}
	for _, id := range ids {
		if b.Len() > 7000 {
			if err := flush(); err != nil {
				return err
			}
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return flush()
}

// FollowRegrades drops the cached questions of attempts other processes rekey
// until ctx ends (`lectern serve` runs it; with SQLite it returns at once).
func (s *Service) FollowRegrades(ctx context.Context) error {
	return s.db.Listen(ctx, store.ChannelRegrade, s.forgetAnnounced)
}

func (s *Service) forgetAnnounced(payload string) {
	if payload == store.ListenAll {
		s.snapshots.Purge()
		return
	}
	for _, field := range strings.Split(payload, ",") {
		id, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			s.log.Warn("regrade announcement not understood: dropping every cached attempt", "payload", payload)
			s.snapshots.Purge()
			return
		}
		s.snapshots.Remove(id)
	}
}
