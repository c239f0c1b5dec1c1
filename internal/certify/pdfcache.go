package certify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/lectern-platform/lectern/internal/store"
)

// MaxCachedPDFs bounds the cache of rendered PDFs: at about 30 KB each,
// 10,000 are ≈ 300 MB of database. The oldest renders go first; a PDF not in
// the cache is rendered again (≈ 20–40 ms of one core), so the bound costs
// time, never a certificate.
const MaxCachedPDFs = 10_000

// trimEvery is how many PDFs a process caches between trims of the cache to
// MaxCachedPDFs.
const trimEvery = 200

// renderKey names everything a certificate's PDF is made of: the code, fonts
// and catalogues (layoutDigest), the stored record (its name, wording, dates,
// payload and signature; not its standing, which the PDF does not print),
// the base URL of its QR code and the signing key. Same key, same bytes (renders are deterministic:
// TestPDF_SameCertificateSameBytes, TestPDFCache_ZIPRendersOnce).
func (s *Service) renderKey(c *store.Certificate) (string, error) {
	printed := *c
	printed.Status, printed.RevokedAt, printed.RevocationReason = "", nil, ""
	record, err := json.Marshal(printed)
	if err != nil {
		return "", fmt.Errorf("render key of certificate %s: %w", c.Serial, err)
	}
	layout, err := layoutDigest()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, part := range []string{layout, s.BaseURL, s.signer.KeyID} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(record)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cacheable reports whether c's PDF may be kept: not a revoked one (it is not
// handed out again) nor an erased holder's.
func cacheable(c *store.Certificate) bool {
	return c.Status != store.CertificateRevoked && c.ErasedAt == nil
}

// renderCached returns c's PDF from the cache of rendered PDFs, shared by
// every process, or renders it and keeps it there. The cache is only a
// shortcut: failing to read or write it renders, or sends what was rendered,
// and logs why.
func (s *Service) renderCached(ctx context.Context, c *store.Certificate) ([]byte, error) {
	doc, fresh, err := s.lookup(ctx, c)
	if err != nil {
		return nil, err
	}
	if fresh != nil {
		s.keep(ctx, []freshPDF{*fresh})
	}
	return doc, nil
}

// freshPDF is a render not yet kept in the cache.
type freshPDF struct {
	c   *store.Certificate
	key string
	doc []byte
}

// keepBatch is how many fresh renders a ZIP or a pre-render keeps in one
// write transaction: on SQLite every write waits for the one writer that
// autosaves queue for, so 1,000 renders are 20 transactions of ≈ 1.5 MB,
// not 1,000 of 30 KB (review 23, finding 6).
const keepBatch = 50

// lookup returns c's PDF from the cache, or renders it; a render that may be
// kept comes back as fresh too (nil when cached or not cacheable), for the
// caller to keep, alone or in a batch.
func (s *Service) lookup(ctx context.Context, c *store.Certificate) ([]byte, *freshPDF, error) {
	if s.db == nil || !cacheable(c) {
		doc, err := s.render(c)
		return doc, nil, err
	}
	key, err := s.renderKey(c)
	if err != nil {
		return nil, nil, err
	}
	doc, err := s.db.Read(ctx).CachedCertificatePDF(c.Serial, key)
	if err != nil {
		s.log.Warn("certificate pdf cache", "serial", c.Serial, "err", err)
	}
	if doc != nil {
		return doc, nil, nil
	}
	doc, err = s.render(c)
	if err != nil {
		return nil, nil, err
	}
	return doc, &freshPDF{c: c, key: key, doc: doc}, nil
}

// render renders c's PDF and counts it (Rendered).
func (s *Service) render(c *store.Certificate) ([]byte, error) {
	s.renders.Add(1)
	return s.signer.renderPDF(c, s.BaseURL)
}

// Rendered is how many certificate PDFs this service has rendered, for the
// cache or not (a PDF sent from the cache is not counted).
func (s *Service) Rendered() int64 { return s.renders.Load() }

// keep writes fresh renders into the cache in one transaction. Failing to is
// logged: the PDFs were rendered and are sent all the same.
func (s *Service) keep(ctx context.Context, fresh []freshPDF) {
	if len(fresh) == 0 {
		return
	}
	// Kept even if the client has just left: the renders are done.
	ctx = context.WithoutCancel(ctx)
	kept := 0
	err := s.db.Tx(ctx, func(q store.Q) error {
		kept = 0
		for _, f := range fresh {
			ok, err := q.CacheCertificatePDF(f.c.Serial, f.key, f.c.HolderName, f.c.LatinName, f.doc, s.Now())
			if err != nil {
				return err
			}
			if ok {
				kept++
			}
		}
		return nil
	})
	if err != nil {
		s.log.Warn("certificate pdf cache", "pdfs", len(fresh), "err", err)
		return
	}
	s.cacheWrites.Add(1)
	if n := cachedSinceTrim.Add(int64(kept)); kept > 0 && n/trimEvery != (n-int64(kept))/trimEvery {
		s.trimCache(ctx)
	}
}

// cachedSinceTrim counts the PDFs this process has cached, to trim the cache
// every trimEvery of them.
var cachedSinceTrim atomic.Int64

// trimCache keeps the cache within MaxCachedPDFs.
func (s *Service) trimCache(ctx context.Context) {
	err := s.db.Tx(ctx, func(q store.Q) error {
		_, err := q.TrimCertificatePDFs(MaxCachedPDFs)
		return err
	})
	if err != nil {
		s.log.Warn("certificate pdf cache", "err", err)
	}
}
