package certify

import (
	"context"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// prerenderQueue bounds the sessions closed and not yet pre-rendered. A close
// finding the queue full leaves its certificates to their first download:
// pre-rendering is only a head start (the cache handles a miss).
const prerenderQueue = 64

// prerenderLater hands a session just closed (its transaction committed) to
// Prerender, without waiting: the close has answered already.
func (s *Service) prerenderLater(sessionID int64) {
	select {
	case s.closed <- sessionID:
	default:
		s.log.Warn("certificate pre-render queue full: rendered on first download", "session_id", sessionID)
	}
}

// Prerender renders and caches the PDFs (and signs and caches the
// credentials they embed) of every session this process
// closes, one certificate at a time, until ctx ends (serve runs it): the
// coordinator's first ZIP after a close is then sent from the cache, not
// rendered at ≈ 15 ms of CPU per certificate. One goroutine, so at most one
// core: a process serving quizzes keeps the other. With several processes
// the close, and so the pre-render, happens on one. A stop or a crash
// leaves the rest to their first download.
func (s *Service) Prerender(ctx context.Context) {
	// The render key's digest of the layout, computed here at start rather
	// than by the first download.
	if _, err := layoutDigest(); err != nil {
		s.log.Warn("certificate layout digest", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-s.closed:
			s.prerenderSession(ctx, id)
		}
	}
}

// prerenderSession renders and caches the session's certificates not cached
// yet, keeping them keepBatch to a transaction, and logs how many and how
// long it took.
func (s *Service) prerenderSession(ctx context.Context, sessionID int64) {
	start := time.Now()
	certs, err := s.db.Read(ctx).Certificates(store.CertificateFilter{SessionID: &sessionID})
	if err != nil {
		s.log.Warn("certificate pre-render", "session_id", sessionID, "err", err)
		return
	}
	rendered := 0
	var batch []freshPDF
	m := newMemo()
	for i := range certs {
		if ctx.Err() != nil {
			break
		}
		c := s.view(&certs[i])
		if !cacheable(c) {
			continue
		}
		r, err := s.lookup(ctx, c, false, m)
		if err != nil {
			s.log.Warn("certificate pre-render", "session_id", sessionID, "serial", c.Serial, "err", err)
			continue
		}
		if r.fresh == nil {
			continue
		}
		rendered++
		if batch = append(batch, *r.fresh); len(batch) == keepBatch {
			s.keep(ctx, batch)
			batch = nil
		}
	}
	s.keep(ctx, batch)
	s.log.Info("certificates pre-rendered", "session_id", sessionID, "rendered", rendered, "certificates", len(certs),
		"duration_ms", time.Since(start).Milliseconds(), "stopped", ctx.Err() != nil)
}
