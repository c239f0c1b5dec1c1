package secrets

import (
	"crypto/hmac"
	"crypto/sha256"
)

// deriveRoot separates the derived keys from the sealing key: what Derive
// hands out never is, nor reveals, the AES key itself.
func deriveRoot(raw []byte) []byte {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("lectern-secrets-derive"))
	return m.Sum(nil)
}

// Derive returns a 32-byte key for one purpose (e.g. "csrf"), the same in every
// process that holds this secrets key, so that values one process makes with it
// (a form token) check out in another behind the same load balancer. Each
// purpose gets its own key.
func (k *Key) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, k.derive)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
