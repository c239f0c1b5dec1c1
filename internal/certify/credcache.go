package certify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/vc"
)

// Credential is one certificate the actor may see (its holder, their
// agency's coordinators, the programme's staff; anything else is not found)
// as its signed Open Badges 3.0 credential, certificate.json. Like the PDF,
// a revoked certificate's is not handed out again, nor one whose holder's
// name was erased. The certificate comes back too, as PDF's does, for the
// file's name.
func (s *Service) Credential(ctx context.Context, a *auth.Actor, serial string) ([]byte, *Certificate, error) {
	c, err := s.get(ctx, a, serial)
	if err != nil {
		return nil, nil, err
	}
	if c.Status == store.CertificateRevoked {
		return nil, nil, apperr.Conflict("err.certificate.revoked_no_credential", "Reason", c.RevocationReason)
	}
	if c.ErasedAt != nil {
		return nil, nil, apperr.Conflict("err.certificate.erased_no_credential")
	}
	doc, fresh, err := s.credentialOf(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	if fresh != nil {
		s.keep(ctx, []freshPDF{{cred: fresh}})
	}
	v := s.memberView(c)
	return doc, &v, nil
}

// freshCredential is a credential signed and not yet kept in the cache.
type freshCredential struct {
	c   *store.Certificate
	key string
	doc []byte
}

// credentialOf returns c's signed credential from the cache of signed
// credentials, or signs it; one signed here that may be kept comes back as
// fresh too, for the caller to keep (alone, or in a batch with PDFs).
func (s *Service) credentialOf(ctx context.Context, c *store.Certificate) ([]byte, *freshCredential, error) {
	unsigned, key, err := s.credentialContent(ctx, c, nil)
	if err != nil {
		return nil, nil, err
	}
	return s.credentialFrom(ctx, c, unsigned, key)
}

// credentialFrom is credentialOf with c's content and key in hand.
func (s *Service) credentialFrom(ctx context.Context, c *store.Certificate, unsigned []byte, key string) ([]byte, *freshCredential, error) {
	if s.db != nil && cacheable(c) {
		doc, err := s.db.Read(ctx).CachedCertificateCredential(c.Serial, key)
		if err != nil {
			s.log.Warn("certificate credential cache", "serial", c.Serial, "err", err)
		}
		if doc != nil {
			return doc, nil, nil
		}
	}
	doc, err := s.signCredential(c, unsigned)
	if err != nil {
		return nil, nil, err
	}
	if s.db == nil || !cacheable(c) {
		return doc, nil, nil
	}
	return doc, &freshCredential{c: c, key: key, doc: doc}, nil
}

// credentialContent is c's credential unsigned, as JSON, and the key it is
// cached under: a digest of that content (which holds the base URL, the
// record's words, the course version's criteria and the status list place)
// and of the signing key that signs it. m: see unsignedCredential.
func (s *Service) credentialContent(ctx context.Context, c *store.Certificate, m *memo) ([]byte, string, error) {
	cred, err := s.unsignedCredential(ctx, c, m)
	if err != nil {
		return nil, "", err
	}
	unsigned, err := json.Marshal(cred)
	if err != nil {
		return nil, "", fmt.Errorf("credential of certificate %s: %w", c.Serial, err)
	}
	h := sha256.New()
	h.Write([]byte(s.signer.KeyID))
	h.Write([]byte{0})
	h.Write(unsigned)
	return unsigned, hex.EncodeToString(h.Sum(nil)), nil
}

// signCredential signs an unsigned credential of c, dated when c was issued
// (so the same certificate always signs to the same credential), and counts
// it (Signed).
func (s *Service) signCredential(c *store.Certificate, unsigned []byte) ([]byte, error) {
	did, err := s.issuerDID()
	if err != nil {
		return nil, err
	}
	s.signed.Add(1)
	doc, err := vc.Sign(unsigned, s.signer.key, vc.ProofOptions{VerificationMethod: verificationMethod(did, s.signer.KeyID),
		Created: c.IssuedAt.UTC().Truncate(time.Second), ProofPurpose: "assertionMethod"})
	if err != nil {
		return nil, fmt.Errorf("sign credential of certificate %s: %w", c.Serial, err)
	}
	// Indented for the people who open certificate.json: the proof covers
	// the canonical RDF, not the layout.
	var out bytes.Buffer
	if err := json.Indent(&out, doc, "", "  "); err != nil {
		return nil, fmt.Errorf("credential of certificate %s: %w", c.Serial, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// Signed is how many credentials this service has signed (a credential sent
// from the cache is not counted).
func (s *Service) Signed() int64 { return s.signed.Load() }
