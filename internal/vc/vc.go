// Package vc signs and verifies W3C Verifiable Credentials with Data Integrity
// proofs of the eddsa-rdfc-2022 cryptosuite (W3C "Data Integrity EdDSA
// Cryptosuites v1.0"), the proof Open Badges 3.0 verifiers accept from an
// Ed25519 key. It is a format library: it knows JSON-LD, RDF canonicalization,
// Multikey, did:web and Bitstring Status Lists, and nothing of Lectern's
// certificates (certify builds the credentials and calls it).
//
// Documents go in and out as bytes, so callers build them as Go structs and
// json.Marshal them. JSON-LD contexts are never fetched: the ones this package
// knows are vendored in contexts/ (see contexts/SOURCES.md) and any other is
// refused with ErrUnknownContext.
package vc

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/mr-tron/base58"
)

// Errors of Verify (and of Sign and Canonicalize for the first two); each is
// wrapped with detail, so test with errors.Is.
var (
	// ErrMalformed: not a JSON object, not valid JSON-LD, or a proof missing or
	// shaped wrongly (proof sets and chains are not supported).
	ErrMalformed = errors.New("malformed credential")
	// ErrUnknownContext: the document names a JSON-LD context that is not vendored,
	// or brings its own (an inline context).
	ErrUnknownContext = errors.New("unknown JSON-LD context")
	// ErrBadProof: the proof is well formed but does not verify — wrong type,
	// cryptosuite or purpose, a key the resolver refused, or a signature that does
	// not match the document as it is now.
	ErrBadProof = errors.New("proof does not verify")
)

const (
	// ProofType and Cryptosuite are the only ones Sign makes and Verify accepts.
	ProofType   = "DataIntegrityProof"
	Cryptosuite = "eddsa-rdfc-2022"
	// PurposeAssertion is the proof purpose of an issuer's credential, and the
	// only one Verify accepts.
	PurposeAssertion = "assertionMethod"

	// dateTimeLayout is XML Schema dateTime in UTC to the second, the form of the
	// W3C test vectors' "created".
	dateTimeLayout = "2006-01-02T15:04:05Z"
)

// ProofOptions are the parts of a proof the signer chooses.
type ProofOptions struct {
	// VerificationMethod is the URL of the public key, e.g. "did:web:x.org#0123456789abcdef".
	VerificationMethod string
	// Created is written to the second, in UTC; the zero time omits "created".
	Created time.Time
	// ProofPurpose defaults to "assertionMethod".
	ProofPurpose string
}

// now is the clock Verify judges a proof's "expires" by (a test sets it).
var now = time.Now

// Proof is a verified proof as Verify read it.
type Proof struct {
	Type               string
	Cryptosuite        string
	Created            time.Time // zero when the proof has no "created"
	Expires            time.Time // zero when the proof has no "expires"
	VerificationMethod string
	ProofPurpose       string
	ProofValue         string
}

// proofJSON is the proof as it is written, in the order of the W3C examples.
type proofJSON struct {
	Context            any    `json:"@context,omitempty"`
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created,omitempty"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// Sign adds an eddsa-rdfc-2022 DataIntegrityProof to doc, a JSON object with an
// "@context" and no "proof". The result is doc's own bytes with `,"proof":{…}`
// inserted before its closing brace, so the caller's key order and layout stay
// (indenting the result afterwards does not change what is signed: the
// signature covers the canonical RDF, not the bytes).
//
// Ed25519 is deterministic, so the same document, key and options always give
// the same proofValue: a credential can be rebuilt rather than stored.
//
// Sign refuses (ErrMalformed) what it cannot sign faithfully, rather than sign
// less than the JSON says: a term the document's contexts do not define, an id
// or type that is not an absolute IRI, and text holding a control character
// other than tab, line feed and carriage return (json-gold and other RDFC-1.0
// implementations would write it differently: no one else could verify the
// proof). Callers building credentials from user text pass it through
// SignableText first.
func Sign(doc []byte, key ed25519.PrivateKey, opts ProofOptions) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sign credential: private key is %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	if opts.VerificationMethod == "" {
		return nil, errors.New("sign credential: no verification method")
	}
	m, err := decodeObject(doc)
	if err != nil {
		return nil, fmt.Errorf("sign credential: %w", err)
	}
	if _, has := m["proof"]; has {
		return nil, fmt.Errorf("sign credential: %w: the document already has a proof", ErrMalformed)
	}
	ctx, has := m["@context"]
	if !has {
		return nil, fmt.Errorf("sign credential: %w: no @context", ErrMalformed)
	}
	p := proofJSON{
		Type:               ProofType,
		Cryptosuite:        Cryptosuite,
		VerificationMethod: opts.VerificationMethod,
		ProofPurpose:       opts.ProofPurpose,
	}
	if p.ProofPurpose == "" {
		p.ProofPurpose = PurposeAssertion
	}
	if !opts.Created.IsZero() {
		p.Created = opts.Created.UTC().Format(dateTimeLayout)
	}
	config, err := toAny(proofJSON{Context: ctx, Type: p.Type, Cryptosuite: p.Cryptosuite,
		Created: p.Created, VerificationMethod: p.VerificationMethod, ProofPurpose: p.ProofPurpose})
	if err != nil {
		return nil, fmt.Errorf("sign credential: %w", err)
	}
	data, err := hashData(m, config)
	if err != nil {
		return nil, fmt.Errorf("sign credential: %w", err)
	}
	p.ProofValue = "z" + base58.Encode(ed25519.Sign(key, data))
	proof, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("sign credential: encode proof: %w", err)
	}
	return insertProof(doc, proof, len(m) > 0), nil
}

// insertProof writes `"proof":…` as the last member of the JSON object doc.
func insertProof(doc, proof []byte, hasMembers bool) []byte {
	trimmed := bytes.TrimRight(doc, " \t\r\n")
	body := trimmed[:len(trimmed)-1] // decodeObject guaranteed a final '}'
	out := make([]byte, 0, len(doc)+len(proof)+12)
	out = append(out, body...)
	if hasMembers {
		out = append(out, ',')
	}
	out = append(out, `"proof":`...)
	out = append(out, proof...)
	return append(out, '}')
}

// Verify checks the eddsa-rdfc-2022 proof of a secured document: the proof must
// be one object (not a set or chain) of type DataIntegrityProof, cryptosuite
// eddsa-rdfc-2022 and purpose assertionMethod; if it carries an "@context" that
// must equal the document's. resolve turns the proof's verificationMethod into
// the Ed25519 key to check with, and is where the caller decides which keys it
// trusts (return an error for any other; Verify wraps it in ErrBadProof).
//
// Verify says nothing about the credential beyond its proof: expiry, issuer,
// revocation are the caller's to check. It never returns a nil error without a
// proof that verified.
func Verify(doc []byte, resolve func(verificationMethod string) (ed25519.PublicKey, error)) (*Proof, error) {
	m, err := decodeObject(doc)
	if err != nil {
		return nil, err
	}
	ctx, has := m["@context"]
	if !has {
		return nil, fmt.Errorf("%w: no @context", ErrMalformed)
	}
	raw, has := m["proof"]
	if !has {
		return nil, fmt.Errorf("%w: no proof", ErrMalformed)
	}
	pm, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: proof is not one object (proof sets and chains are not supported)", ErrMalformed)
	}
	proof, sig, err := readProof(pm)
	if err != nil {
		return nil, err
	}
	if pctx, has := pm["@context"]; has && !reflect.DeepEqual(pctx, ctx) {
		return nil, fmt.Errorf("%w: the proof's @context differs from the document's", ErrBadProof)
	}
	key, err := resolve(proof.VerificationMethod)
	if err != nil {
		return nil, fmt.Errorf("%w: verification method %q: %w", ErrBadProof, proof.VerificationMethod, err)
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: verification method %q gave a %d-byte key", ErrBadProof, proof.VerificationMethod, len(key))
	}
	config := make(map[string]any, len(pm))
	for k, v := range pm {
		if k != "proofValue" {
			config[k] = v
		}
	}
	config["@context"] = ctx
	unsecured := make(map[string]any, len(m))
	for k, v := range m {
		if k != "proof" {
			unsecured[k] = v
		}
	}
	data, err := hashData(unsecured, config)
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(key, data, sig) {
		return nil, fmt.Errorf("%w: signature does not match", ErrBadProof)
	}
	return proof, nil
}

// readProof checks the proof's shape and decodes its signature.
func readProof(pm map[string]any) (*Proof, []byte, error) {
	str := func(name string) (string, error) {
		v, has := pm[name]
		if !has {
			return "", fmt.Errorf("%w: proof has no %s", ErrMalformed, name)
		}
		s, ok := v.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("%w: proof %s is not a non-empty string", ErrMalformed, name)
		}
		return s, nil
	}
	var p Proof
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"type", &p.Type}, {"cryptosuite", &p.Cryptosuite}, {"verificationMethod", &p.VerificationMethod},
		{"proofPurpose", &p.ProofPurpose}, {"proofValue", &p.ProofValue},
	} {
		if *f.dst, err = str(f.name); err != nil {
			return nil, nil, err
		}
	}
	if p.Type != ProofType {
		return nil, nil, fmt.Errorf("%w: proof type %q, want %q", ErrBadProof, p.Type, ProofType)
	}
	if p.Cryptosuite != Cryptosuite {
		return nil, nil, fmt.Errorf("%w: cryptosuite %q, want %q", ErrBadProof, p.Cryptosuite, Cryptosuite)
	}
	if p.ProofPurpose != PurposeAssertion {
		return nil, nil, fmt.Errorf("%w: proof purpose %q, want %q", ErrBadProof, p.ProofPurpose, PurposeAssertion)
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"created", &p.Created}, {"expires", &p.Expires}} {
		if _, has := pm[f.name]; !has {
			continue
		}
		v, err := str(f.name)
		if err != nil {
			return nil, nil, err
		}
		if *f.dst, err = time.Parse(time.RFC3339, v); err != nil {
			return nil, nil, fmt.Errorf("%w: proof %s %q is not a date-time with a time zone", ErrMalformed, f.name, v)
		}
	}
	// Data Integrity: a proof past its "expires" no longer verifies (Lectern's
	// proofs have none: a certificate's own validUntil says when it ends).
	if !p.Expires.IsZero() && !now().Before(p.Expires) {
		return nil, nil, fmt.Errorf("%w: the proof expired at %s", ErrBadProof, p.Expires.UTC().Format(dateTimeLayout))
	}
	if p.ProofValue[0] != 'z' {
		return nil, nil, fmt.Errorf("%w: proofValue is not multibase base58btc", ErrMalformed)
	}
	sig, err := base58.Decode(p.ProofValue[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, nil, fmt.Errorf("%w: proofValue is not a %d-byte signature", ErrMalformed, ed25519.SignatureSize)
	}
	return &p, sig, nil
}

// hashData is the eddsa-rdfc-2022 hash: SHA-256 of the canonical proof
// configuration followed by SHA-256 of the canonical document (64 bytes, signed
// as they are: Ed25519 hashes its message itself).
func hashData(doc, config any) ([]byte, error) {
	canonConfig, err := canonicalize(config)
	if err != nil {
		return nil, fmt.Errorf("canonicalize proof configuration: %w", err)
	}
	canonDoc, err := canonicalize(doc)
	if err != nil {
		return nil, fmt.Errorf("canonicalize document: %w", err)
	}
	ch := sha256.Sum256([]byte(canonConfig))
	dh := sha256.Sum256([]byte(canonDoc))
	return append(ch[:], dh[:]...), nil
}

// toAny turns a Go value into the map form json-gold reads.
func toAny(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode proof configuration: %w", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode proof configuration: %w", err)
	}
	return out, nil
}

// SignableText returns s without the control characters Sign refuses in text
// (all but tab, line feed and carriage return), for text a person typed — a
// name from a roster, a course summary — before it goes into a credential.
func SignableText(s string) string {
	if strings.IndexFunc(s, unescapedAlike) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unescapedAlike(r) {
			return -1
		}
		return r
	}, s)
}
