package vc

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"
)

// ed25519PubPrefix is the multicodec code of an Ed25519 public key (0xed) as an
// unsigned varint: 0xed 0x01.
var ed25519PubPrefix = []byte{0xed, 0x01}

// MultikeyFromEd25519 gives the publicKeyMultibase of a Multikey verification
// method: "z" + base58btc(0xed 0x01 ‖ the 32-byte key), e.g. "z6Mk…".
func MultikeyFromEd25519(pub ed25519.PublicKey) (string, error) {
	if len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("multikey: Ed25519 public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	b := make([]byte, 0, len(ed25519PubPrefix)+len(pub))
	b = append(append(b, ed25519PubPrefix...), pub...)
	return "z" + base58.Encode(b), nil
}

// Ed25519FromMultikey reads a publicKeyMultibase written by MultikeyFromEd25519
// (or by any Multikey implementation for an Ed25519 key), refusing any other
// encoding, key type or length.
func Ed25519FromMultikey(s string) (ed25519.PublicKey, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, errors.New("multikey: not multibase base58btc (no 'z' prefix)")
	}
	b, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("multikey: %w", err)
	}
	if len(b) != len(ed25519PubPrefix)+ed25519.PublicKeySize || b[0] != ed25519PubPrefix[0] || b[1] != ed25519PubPrefix[1] {
		return nil, errors.New("multikey: not an Ed25519 public key (multicodec 0xed01, 32 bytes)")
	}
	return ed25519.PublicKey(b[len(ed25519PubPrefix):]), nil
}
