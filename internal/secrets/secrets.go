// Package secrets keeps values the server must read back but a copy of the
// database alone must not reveal (the TOTP shared secrets of second factors):
// they are sealed with AES-256-GCM under a key that lives in the data
// directory, beside the certificate signing key, never in the database.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lectern-platform/lectern/internal/keyfile"
)

// KeyFileName is the secrets key's file in the data directory.
const KeyFileName = "secrets.key"

// KeySize is the key's length: 32 random bytes, AES-256.
const KeySize = 32

// prefix marks a sealed value and its format: base64 (standard, padded) of
// nonce ‖ ciphertext ‖ tag. A later format gets "v2:", so values of both kinds
// can sit in one column while a key or cipher changes.
const prefix = "v1:"

// ErrOpen: a sealed value does not open with this key — a different key (the
// data directory's file was replaced or not copied to this process), a value
// moved to another row, or one altered.
var ErrOpen = errors.New("the sealed value does not open with this secrets key")

// Key seals and opens values. It never prints its bytes.
type Key struct {
	aead cipher.AEAD
	// derive is the root of the keys Derive hands out (derive.go).
	derive []byte
	// ID names the key without revealing it (the first 16 hex digits of the
	// SHA-256 of its bytes), for logs and backup reports.
	ID string
}

// New makes a Key from KeySize bytes.
func New(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("secrets key: %d bytes, want %d", len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("secrets key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets key: %w", err)
	}
	sum := sha256.Sum256(append([]byte("lectern-secrets-key-id:"), raw...))
	return &Key{aead: aead, derive: deriveRoot(raw), ID: hex.EncodeToString(sum[:8])}, nil
}

// Generate makes a new random key (tests, and LoadOrCreate).
func Generate() (*Key, []byte, error) {
	raw := make([]byte, KeySize)
	if _, err := io.ReadFull(rand.Reader, raw); err != nil {
		return nil, nil, fmt.Errorf("generate secrets key: %w", err)
	}
	k, err := New(raw)
	return k, raw, err
}

// Load reads a key file. A missing file wraps os.ErrNotExist.
func Load(path string) (*Key, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read secrets key %s: %w", path, err)
	}
	k, err := New(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreate reads the data directory's key, creating it (mode 0600) on first
// start; created says it is new. It is not derived from the signing key: that
// one may rotate, and every sealed value would then be lost.
func LoadOrCreate(dataDir string) (k *Key, created bool, err error) {
	path := filepath.Join(dataDir, KeyFileName)
	k, err = Load(path)
	if !errors.Is(err, os.ErrNotExist) {
		return k, false, err
	}
	k, raw, err := Generate()
	if err != nil {
		return nil, false, err
	}
	created, err = keyfile.Create(path, raw)
	if err != nil {
		return nil, false, fmt.Errorf("secrets key: %w", err)
	}
	if !created {
		k, err := Load(path)
		return k, false, err
	}
	return k, true, nil
}

// IsSealed tells a sealed value from a plain one written before values were
// sealed (or from an empty one).
func IsSealed(v string) bool { return strings.HasPrefix(v, prefix) }

// Seal encrypts plain with a fresh random nonce, bound to context (e.g. the
// row's owner): opening it with any other context fails.
func (k *Key) Seal(plain, context string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", fmt.Errorf("seal: nonce: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plain), []byte(context))
	return prefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal made with the same key and context. Anything else
// — a plain value, a damaged one, another key or context — is ErrOpen (wrapped
// with what was wrong, never with the value).
func (k *Key) Open(sealed, context string) (string, error) {
	if !IsSealed(sealed) {
		return "", fmt.Errorf("%w: not a sealed value", ErrOpen)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed[len(prefix):])
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", fmt.Errorf("%w: malformed", ErrOpen)
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("%w: wrong key, context or an altered value", ErrOpen)
	}
	return string(plain), nil
}
