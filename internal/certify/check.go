package certify

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/vc"
)

// MaxCredentialSize bounds a credential presented for checking: Lectern's
// are a few kilobytes.
const MaxCredentialSize = 256 << 10

// StatusNotValid is the status of a presented credential that does not
// check out by itself (altered, not ours, malformed): no certificate of
// ours can be said to stand behind it. Reason says why.
const StatusNotValid = "not_valid"

// CredentialCheck is what CheckCredential found.
type CredentialCheck struct {
	// Valid: the credential is one of ours, unaltered, its certificate
	// neither revoked nor expired nor its holder's name erased.
	Valid bool
	// Status is the certificate's, as Verify words it (valid, revoked,
	// expired, erased), or StatusNotValid when the credential itself does
	// not check out.
	Status string
	// Serial is the certificate the credential names, once its proof is
	// good; empty before.
	Serial string
	// Reason says why the credential is not valid (a message of the errors
	// catalogue); the zero Msg when it is.
	Reason apperr.Msg
	// Certificate is what the public verification page shows of the
	// certificate named, when there is one.
	Certificate *Public
}

// presented is what CheckCredential reads of a credential besides its
// proof: the claims compared with the record.
type presented struct {
	ID     string          `json:"id"`
	Type   []string        `json:"type"`
	Issuer json.RawMessage `json:"issuer"`
	credentialClaims
}

// credentialClaims are the claims a credential of ours must share with the
// certificate's record (wordings and criteria may change with a release;
// these may not).
type credentialClaims struct {
	ValidFrom         string `json:"validFrom"`
	ValidUntil        string `json:"validUntil"`
	CredentialSubject struct {
		Identifier  []identity `json:"identifier"`
		Achievement struct {
			ID string `json:"id"`
		} `json:"achievement"`
	} `json:"credentialSubject"`
	CredentialStatus *statusEntry `json:"credentialStatus"`
}

// errForeignKey is the resolver's refusal of a verification method that is
// not one of our trusted keys.
var errForeignKey = errors.New("not a key of this issuer")

// CheckCredential checks a credential presented to the verification page
// or API: at most MaxCredentialSize of JSON (else an invalid-input error),
// then — each failure a result with its own reason, not an error — only
// vendored contexts, a proof that verifies with one of our trusted keys,
// our issuer, a certificate we issued that says what the credential says,
// not revoked (the database, the truth behind the status list), not
// expired, its holder's name not erased.
func (s *Service) CheckCredential(ctx context.Context, data []byte) (*CredentialCheck, error) {
	if len(data) > MaxCredentialSize {
		return nil, apperr.Invalid("credential", "err.credential.too_large", "Max", "256 KB")
	}
	if !json.Valid(data) {
		return nil, apperr.Invalid("credential", "err.credential.not_json")
	}
	notValid := func(reason apperr.Msg) (*CredentialCheck, error) {
		return &CredentialCheck{Status: StatusNotValid, Reason: reason}, nil
	}
	var p presented
	if json.Unmarshal(data, &p) != nil { // JSON, but not shaped as a credential is
		return notValid(apperr.Message("err.credential.malformed"))
	}
	// The claims are read with encoding/json, the proof covers the RDF that
	// JSON-LD makes of the document: the two readings are known to agree
	// on the contexts and types we issue only. Another context appended,
	// even a vendored one, can leave the signed RDF as it was and still
	// change what a key means (review F3). (A key Go reads case-blind, as
	// "ID" for id, is no term of these contexts: vc refuses it.)
	if !slices.Equal(p.Type, credentialTypes) {
		return notValid(apperr.Message("err.credential.malformed"))
	}
	if !exactlyOurs(data) {
		return notValid(apperr.Message("err.credential.unknown_context"))
	}
	did, err := s.issuerDID()
	if err != nil {
		return nil, err
	}
	trusted := s.trustedKeys()
	_, err = vc.Verify(data, func(method string) (ed25519.PublicKey, error) {
		id, ok := strings.CutPrefix(method, did+"#")
		if key, trustedKey := trusted[id]; ok && trustedKey {
			return key, nil
		}
		return nil, errForeignKey
	})
	switch {
	case errors.Is(err, errForeignKey):
		return notValid(apperr.Message("err.credential.foreign_key"))
	case errors.Is(err, vc.ErrUnknownContext):
		return notValid(apperr.Message("err.credential.unknown_context"))
	case errors.Is(err, vc.ErrBadProof):
		return notValid(apperr.Message("err.credential.altered"))
	case errors.Is(err, vc.ErrMalformed):
		return notValid(apperr.Message("err.credential.malformed"))
	case err != nil:
		return nil, fmt.Errorf("check credential: %w", err)
	}
	// Signed with one of our keys from here: what follows disagrees with
	// us only if it was signed by this service, or the key leaked.
	if issuerID(p.Issuer) != did {
		return notValid(apperr.Message("err.credential.foreign_issuer"))
	}
	serial, ok := strings.CutPrefix(p.ID, s.base()+"/verify/")
	if !ok || serial == "" {
		return notValid(apperr.Message("err.credential.unknown_certificate"))
	}
	c, err := s.db.Read(ctx).Certificate(serial)
	if errors.Is(err, store.ErrNotFound) {
		return notValid(apperr.Message("err.credential.unknown_certificate"))
	} else if err != nil {
		return nil, fmt.Errorf("check credential: %w", err)
	}
	pub, err := s.Verify(ctx, serial)
	if err != nil {
		return nil, fmt.Errorf("check credential: %w", err)
	}
	out := &CredentialCheck{Status: pub.Status, Serial: serial, Certificate: pub}
	switch {
	case !s.sameClaims(ctx, c, p.credentialClaims):
		s.log.Warn("credential signed with our key differs from its certificate's record", "serial", serial)
		out.Status, out.Certificate = StatusNotValid, nil
		out.Reason = apperr.Message("err.credential.differs")
	case c.Status == store.CertificateRevoked:
		out.Reason = apperr.Message("err.credential.revoked", "Reason", c.RevocationReason)
	case pub.Status == string(store.CertificateExpired):
		out.Reason = apperr.Message("err.credential.expired")
	case pub.Status == StatusErased:
		out.Reason = apperr.Message("err.credential.erased")
	case pub.Status == string(store.CertificateValid):
		out.Valid = true
	default:
		return nil, fmt.Errorf("check credential %s: status %q", serial, pub.Status)
	}
	return out, nil
}

// exactlyOurs reports whether a document's @context is the array every
// credential of ours has, read by its exact key.
func exactlyOurs(data []byte) bool {
	var keys map[string]json.RawMessage
	var got []string
	return json.Unmarshal(data, &keys) == nil && json.Unmarshal(keys["@context"], &got) == nil &&
		slices.Equal(got, credentialContexts)
}

// issuerID is a credential's issuer: its id, or the URL it is.
func issuerID(raw json.RawMessage) string {
	var url string
	if json.Unmarshal(raw, &url) == nil {
		return url
	}
	var profile struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &profile) == nil {
		return profile.ID
	}
	return ""
}

// sameClaims reports whether a credential's claims are the record's: its
// dates, the course, its place in the status lists, and the holder it
// names. A name erased from the record, or an address erased since, can no
// longer be confirmed but is no contradiction (Verify's status says erased).
func (s *Service) sameClaims(ctx context.Context, c *store.Certificate, got credentialClaims) bool {
	cred, err := s.unsignedCredential(ctx, c, nil)
	if err != nil {
		s.log.Warn("credential claims of certificate", "serial", c.Serial, "err", err)
		return false
	}
	if got.ValidFrom != cred.ValidFrom || got.ValidUntil != cred.ValidUntil ||
		got.CredentialSubject.Achievement.ID != cred.CredentialSubject.Achievement.ID {
		return false
	}
	if (got.CredentialStatus == nil) != (cred.CredentialStatus == nil) ||
		got.CredentialStatus != nil && *got.CredentialStatus != *cred.CredentialStatus {
		return false
	}
	if len(got.CredentialSubject.Identifier) == 0 {
		return false
	}
	for _, id := range got.CredentialSubject.Identifier {
		switch {
		case slices.Contains(cred.CredentialSubject.Identifier, id):
		case id.IdentityType == "name" && c.ErasedAt != nil:
		case id.IdentityType == "emailAddress" && c.HolderIdentityHash == "":
		default:
			return false
		}
	}
	return true
}
