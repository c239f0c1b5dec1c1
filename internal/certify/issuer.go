package certify

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/lectern-platform/lectern/internal/vc"
)

// didDocument is the issuer's DID document (did:web): one Multikey
// verification method per trusted signing key, each usable to assert
// credentials.
type didDocument struct {
	Context            []string                  `json:"@context"`
	ID                 string                    `json:"id"`
	VerificationMethod []verificationMethodEntry `json:"verificationMethod"`
	AssertionMethod    []string                  `json:"assertionMethod"`
}

type verificationMethodEntry struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// trustedKeys are the keys credentials of this service are checked
// against, by key id: the signing key's.
func (s *Service) trustedKeys() map[string]ed25519.PublicKey {
	return map[string]ed25519.PublicKey{s.signer.KeyID: s.signer.PublicKey()}
}

// IssuerDocument is the issuer's DID document, served at
// /.well-known/did.json (and /did.json, for a base URL with a path): what a
// verifier resolves the did:web of a credential's issuer and proof to.
func (s *Service) IssuerDocument(ctx context.Context) ([]byte, error) {
	did, err := s.issuerDID()
	if err != nil {
		return nil, err
	}
	keys := s.trustedKeys()
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	doc := didDocument{Context: []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}, ID: did,
		VerificationMethod: []verificationMethodEntry{}, AssertionMethod: []string{}}
	for _, id := range ids {
		mk, err := vc.MultikeyFromEd25519(keys[id])
		if err != nil {
			return nil, fmt.Errorf("issuer document, key %s: %w", id, err)
		}
		vm := verificationMethod(did, id)
		doc.VerificationMethod = append(doc.VerificationMethod, verificationMethodEntry{ID: vm, Type: "Multikey", Controller: did, PublicKeyMultibase: mk})
		doc.AssertionMethod = append(doc.AssertionMethod, vm)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("issuer document: %w", err)
	}
	return out, nil
}
