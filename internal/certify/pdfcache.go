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
// the base URL of its QR code, the signing key and the credential it embeds
// (credKey, see credentialContent). Same key, same bytes (renders are deterministic:
// TestPDF_SameCertificateSameBytes, TestPDFCache_ZIPRendersOnce).
func (s *Service) renderKey(c *store.Certificate, credKey string) (string, error) {
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
	for _, part := range []string{layout, s.BaseURL, s.signer.KeyID, credKey} {
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
	r, err := s.lookup(ctx, c, false, nil)
	if err != nil {
		return nil, err
	}
	if r.fresh != nil {
		s.keep(ctx, []freshPDF{*r.fresh})
	}
	return r.pdf, nil
}

// freshPDF is a render, or a signed credential, or both, not yet kept in
// the cache: doc is nil when only the credential is new.
type freshPDF struct {
	c    *store.Certificate
	key  string
	doc  []byte
	cred *freshCredential
}

// keepBatch is how many fresh renders a ZIP or a pre-render keeps in one
// write transaction: on SQLite every write waits for the one writer that
// autosaves queue for, so 1,000 renders are 20 transactions of ≈ 1.5 MB,
// not 1,000 of 30 KB (review 23, finding 6).
const keepBatch = 50

// looked is what lookup found or made of a certificate: its PDF, its
// credential when asked for (or made for the PDF), and what is to be kept.
type looked struct {
	pdf, cred []byte
	fresh     *freshPDF
}

// lookup returns c's PDF from the cache, or renders it with its credential
// embedded (from the cache of credentials, or signed); withCredential asks
// for the credential even when the PDF was cached. What was made here and may
// be kept comes back as fresh (nil when everything was cached or nothing is
// cacheable), for the caller to keep, alone or in a batch. m: see
// unsignedCredential.
func (s *Service) lookup(ctx context.Context, c *store.Certificate, withCredential bool, m *memo) (looked, error) {
	unsigned, credKey, err := s.credentialContent(ctx, c, m)
	if err != nil {
		return looked{}, err
	}
	if s.db == nil || !cacheable(c) {
		cred, _, err := s.credentialFrom(ctx, c, unsigned, credKey)
		if err != nil {
			return looked{}, err
		}
		doc, err := s.render(c, cred)
		return looked{pdf: doc, cred: cred}, err
	}
	key, err := s.renderKey(c, credKey)
	if err != nil {
		return looked{}, err
	}
	doc, err := s.db.Read(ctx).CachedCertificatePDF(c.Serial, key)
	if err != nil {
		s.log.Warn("certificate pdf cache", "serial", c.Serial, "err", err)
	}
	if doc != nil && !withCredential {
		return looked{pdf: doc}, nil
	}
	cred, freshCred, err := s.credentialFrom(ctx, c, unsigned, credKey)
	if err != nil {
		return looked{}, err
	}
	out := looked{pdf: doc, cred: cred}
	if doc == nil {
		if out.pdf, err = s.render(c, cred); err != nil {
			return looked{}, err
		}
		out.fresh = &freshPDF{c: c, key: key, doc: out.pdf, cred: freshCred}
	} else if freshCred != nil {
		out.fresh = &freshPDF{c: c, cred: freshCred}
	}
	return out, nil
}

// render renders c's PDF, cred embedded, and counts it (Rendered).
func (s *Service) render(c *store.Certificate, cred []byte) ([]byte, error) {
	s.renders.Add(1)
	return s.signer.renderPDF(c, s.BaseURL, cred)
}

// Rendered is how many certificate PDFs this service has rendered, for the
// cache or not (a PDF sent from the cache is not counted).
func (s *Service) Rendered() int64 { return s.renders.Load() }

// keep writes fresh renders and credentials into the caches in one
// transaction. Failing to is logged: they were made and are sent all the
// same.
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
			if f.cred != nil {
				ok, err := q.CacheCertificateCredential(f.cred.c.Serial, f.cred.key, f.cred.c.HolderName, f.cred.doc, s.Now())
				if err != nil {
					return err
				}
				if ok {
					kept++
				}
			}
			if f.doc == nil {
				continue
			}
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
		if _, err := q.TrimCertificatePDFs(MaxCachedPDFs); err != nil {
			return err
		}
		_, err := q.TrimCertificateCredentials(MaxCachedPDFs)
		return err
	})
	if err != nil {
		s.log.Warn("certificate pdf cache", "err", err)
	}
}
