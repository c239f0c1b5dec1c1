// Package certify owns certificates: who is eligible, the signed payload that
// makes a certificate checkable offline, the PDF, verification and export. This
// file holds the signing key and the payload signature.
package certify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lectern-platform/lectern/internal/keyfile"
)

// KeyFileName is the signing key's file in the data directory.
const KeyFileName = "signing-key.pem"

// Signer signs certificate payloads with the issuer's Ed25519 key.
type Signer struct {
	key   ed25519.PrivateKey
	KeyID string
}

// KeyID names a public key: the first 16 hex digits of its SHA-256. Payloads carry
// it, so keys can rotate and a verifier knows which trusted key to use.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// LoadOrCreateKey reads the signing key from keyFile, or from the data directory,
// creating it there (mode 0600) on first start. A configured keyFile that does not
// exist is an error: an operator who names a key expects that key.
func LoadOrCreateKey(dataDir, keyFile string) (*Signer, bool, error) {
	s, err := LoadKey(dataDir, keyFile)
	if !errors.Is(err, os.ErrNotExist) || keyFile != "" {
		return s, false, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, false, fmt.Errorf("encode signing key: %w", err)
	}
	path := filepath.Join(dataDir, KeyFileName)
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	// Several processes starting at once agree on one key, read whole.
	created, err := keyfile.Create(path, out)
	if err != nil {
		return nil, false, fmt.Errorf("signing key: %w", err)
	} else if !created {
		s, err := LoadKey(dataDir, "")
		return s, false, err
	}
	return &Signer{key: priv, KeyID: KeyID(priv.Public().(ed25519.PublicKey))}, true, nil
}

// LoadKey reads an existing signing key (keyFile, else the data directory's);
// tools that must never mint a new key use it. A missing key wraps os.ErrNotExist.
func LoadKey(dataDir, keyFile string) (*Signer, error) {
	path := keyFile
	if path == "" {
		path = filepath.Join(dataDir, KeyFileName)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %s: not a PEM \"PRIVATE KEY\"", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s: not an Ed25519 key", path)
	}
	return &Signer{key: priv, KeyID: KeyID(priv.Public().(ed25519.PublicKey))}, nil
}

// ParsePublicKey reads a verification key as PEM ("PUBLIC KEY", PKIX) or as the
// JSON of /.well-known/lectern-signing-key.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	var wellKnown struct {
		PublicKeyPEM string `json:"public_key_pem"`
	}
	if json.Unmarshal(data, &wellKnown) == nil && wellKnown.PublicKeyPEM != "" {
		data = []byte(wellKnown.PublicKeyPEM)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New(`not a PEM "PUBLIC KEY" nor the JSON of /.well-known/lectern-signing-key`)
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, ok := parsed.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("not an Ed25519 public key")
	}
	return pub, nil
}

// PublicKey returns the key that verifies this signer's payloads.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// PublicKeyPEM is the public key as PEM (PKIX), for /.well-known and --trust files.
func (s *Signer) PublicKeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(s.PublicKey())
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Payload is what a certificate attests. Its JSON encoding is canonical: fixed
// field order, no HTML escaping, UTC times, so the same certificate always signs
// to the same bytes.
type Payload struct {
	Version     int    `json:"v"`
	KeyID       string `json:"kid"`
	Serial      string `json:"serial"`
	Holder      string `json:"holder"`
	Agency      string `json:"agency"`
	Course      string `json:"course"`
	CourseHash  string `json:"course_hash"`
	SessionDate string `json:"session_date"`
	City        string `json:"city"`
	Country     string `json:"country"`
	IssuedAt    string `json:"issued_at"`  // RFC 3339, UTC
	ExpiresAt   string `json:"expires_at"` // RFC 3339, UTC; empty: no expiry
}

// Signed is a payload with its signature, as embedded in the PDF.
type Signed struct {
	Payload   json.RawMessage `json:"payload"`
	Signature string          `json:"sig"` // base64 (standard, padded) Ed25519 over Payload's bytes
}

func canonical(p Payload) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Sign fills in the version and key id and signs the canonical payload.
func (s *Signer) Sign(p Payload) (Signed, error) {
	p.Version, p.KeyID = 1, s.KeyID
	data, err := canonical(p)
	if err != nil {
		return Signed{}, err
	}
	return Signed{Payload: data, Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, data))}, nil
}

// Verification outcomes other than success.
var (
	ErrMalformed    = errors.New("the signed payload is malformed")
	ErrUntrustedKey = errors.New("signed by a key that is not trusted")
	ErrBadSignature = errors.New("the signature does not match: the certificate was altered or forged")
)

// Verify checks a signed payload against trusted keys (by key id) and returns the
// payload. A payload naming a key that is not trusted is never reported valid.
func Verify(sig Signed, trusted map[string]ed25519.PublicKey) (*Payload, error) {
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(sig.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || p.Version != 1 || p.KeyID == "" || p.Serial == "" {
		return nil, ErrMalformed
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return nil, ErrMalformed
	}
	pub, ok := trusted[p.KeyID]
	if !ok {
		return &p, ErrUntrustedKey
	}
	if !ed25519.Verify(pub, sig.Payload, raw) {
		return nil, ErrBadSignature
	}
	return &p, nil
}
