package certify

// Revocation for credentials holders carry away (W3C Bitstring Status List
// 1.0): each certificate has a random place in a list of vc.MinStatusListBits
// entries (store.OpenStatusList opens a new list once one is half full), and
// GET /credentials/status/{n} serves list n as a signed
// BitstringStatusListCredential whose bit at that place is set once the
// certificate is revoked. A list is signed once per change and kept; every
// request reads the list's stamp (how many revoked, the latest revocation)
// from the database, so a revocation committed by any process is in the
// next list served by every process.

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/vc"
)

// statusLists are the signed lists a process made, by number, with the
// stamp each was made at.
type statusLists struct {
	mu   sync.Mutex
	byN  map[int]signedList
	busy sync.Mutex // one list signed at a time: a burst after a revocation signs once
}

type signedList struct {
	stamp store.StatusListStamp
	base  string
	doc   []byte
}

type statusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	CredentialSubject statusListSubject `json:"credentialSubject"`
}

type statusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusList is status list n, signed: public, for any verifier. A list no
// certificate is in is not found.
func (s *Service) StatusList(ctx context.Context, n int) ([]byte, error) {
	if n < 1 {
		return nil, apperr.NotFound("status_list")
	}
	stamp, err := s.db.Read(ctx).StatusListState(n)
	if err != nil {
		return nil, err
	}
	if stamp.Certificates == 0 {
		return nil, apperr.NotFound("status_list")
	}
	if doc, ok := s.lists.get(n, stamp, s.base()); ok {
		return doc, nil
	}
	s.lists.busy.Lock()
	defer s.lists.busy.Unlock()
	if doc, ok := s.lists.get(n, stamp, s.base()); ok {
		return doc, nil
	}
	doc, err := s.signStatusList(ctx, n, stamp)
	if err != nil {
		return nil, fmt.Errorf("status list %d: %w", n, err)
	}
	s.lists.put(n, signedList{stamp: stamp, base: s.base(), doc: doc})
	return doc, nil
}

func (l *statusLists) get(n int, stamp store.StatusListStamp, base string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	got, ok := l.byN[n]
	if !ok || got.stamp != stamp || got.base != base {
		return nil, false
	}
	return got.doc, true
}

func (l *statusLists) put(n int, sl signedList) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byN == nil {
		l.byN = map[int]signedList{}
	}
	l.byN[n] = sl
}

// signStatusList builds and signs list n as of stamp. The revoked places
// are read after the stamp: a revocation committed in between is in the
// list (and makes the next request's stamp differ, so it is signed again
// with a stamp that names it).
func (s *Service) signStatusList(ctx context.Context, n int, stamp store.StatusListStamp) ([]byte, error) {
	revoked, err := s.db.Read(ctx).RevokedInStatusList(n)
	if err != nil {
		return nil, err
	}
	bits := vc.NewStatusList(store.StatusListSize)
	for _, i := range revoked {
		if err := vc.SetStatusBit(bits, i, true); err != nil {
			return nil, err
		}
	}
	encoded, err := vc.EncodeStatusList(bits)
	if err != nil {
		return nil, err
	}
	did, err := s.issuerDID()
	if err != nil {
		return nil, err
	}
	url := s.statusListURL(n)
	doc, err := json.Marshal(statusListCredential{
		Context:   []string{contextVC},
		ID:        url,
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    did,
		ValidFrom: stamp.Issued.UTC().Truncate(time.Second).Format(time.RFC3339),
		CredentialSubject: statusListSubject{ID: url + "#list", Type: "BitstringStatusList", StatusPurpose: "revocation",
			EncodedList: encoded},
	})
	if err != nil {
		return nil, err
	}
	return vc.Sign(doc, s.signer.key, vc.ProofOptions{VerificationMethod: verificationMethod(did, s.signer.KeyID),
		Created: stamp.Issued.UTC().Truncate(time.Second), ProofPurpose: "assertionMethod"})
}

// placer gives a close's new certificates their places in the status
// lists, reading the open list once for all of them, under
// store.LockStatusLists.
type placer struct {
	q    store.Q
	list int
	used map[int]bool
}

func (p *placer) place(c *store.Certificate) error {
	if p.used == nil {
		if err := p.q.LockStatusLists(); err != nil {
			return err
		}
		list, used, err := p.q.OpenStatusList()
		if err != nil {
			return err
		}
		p.list, p.used = list, used
	}
	if len(p.used) >= store.StatusListSize/2 {
		p.list, p.used = p.list+1, map[int]bool{}
	}
	i, err := store.FreeStatusIndex(p.used)
	if err != nil {
		return err
	}
	p.used[i] = true
	c.StatusList, c.StatusIndex = p.list, i
	return nil
}
