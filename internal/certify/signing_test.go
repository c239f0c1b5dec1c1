package certify

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func samplePayload() Payload {
	return Payload{Serial: "K7QW2M9XPD4TRV8H", Holder: "דניאל כהן", Agency: "Politie <Nederland> & Co", Course: "Investigating crypto-asset crime",
		CourseHash: "ab12", SessionDate: "2026-12-03", City: "Paris", Country: "FR", IssuedAt: "2026-12-03T16:05:00Z", ExpiresAt: "2029-12-03T00:00:00Z"}
}

func TestKey_CreatedOnceThenReloaded(t *testing.T) {
	dir := t.TempDir()
	s1, created, err := LoadOrCreateKey(dir, "")
	if err != nil || !created {
		t.Fatalf("first start: %v %v", created, err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	s2, created, err := LoadOrCreateKey(dir, "")
	if err != nil || created || s2.KeyID != s1.KeyID || len(s1.KeyID) != 16 {
		t.Fatalf("reload: %v %v %s %s", created, err, s1.KeyID, s2.KeyID)
	}
	// LECTERN_SIGNING_KEY_FILE: the named key is used; a missing one is an error.
	s3, _, err := LoadOrCreateKey(t.TempDir(), filepath.Join(dir, KeyFileName))
	if err != nil || s3.KeyID != s1.KeyID {
		t.Fatalf("key file: %v", err)
	}
	if _, _, err := LoadOrCreateKey(t.TempDir(), filepath.Join(dir, "nope.pem")); err == nil {
		t.Errorf("a missing configured key file was accepted")
	}
	os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("not a key"), 0o600)
	if _, _, err := LoadOrCreateKey(t.TempDir(), filepath.Join(dir, "bad.pem")); err == nil {
		t.Errorf("a malformed key file was accepted")
	}
	if pemBytes, err := s1.PublicKeyPEM(); err != nil || !strings.HasPrefix(string(pemBytes), "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("public key PEM: %v", err)
	}
}

func TestSignVerify(t *testing.T) {
	s, _, err := LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	trusted := map[string]ed25519.PublicKey{s.KeyID: s.PublicKey()}
	signed, err := s.Sign(samplePayload())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(signed.Payload), `"holder":"דניאל כהן"`) || !strings.Contains(string(signed.Payload), "<Nederland> & Co") {
		t.Errorf("payload is not plain canonical JSON: %s", signed.Payload)
	}
	again, _ := s.Sign(samplePayload())
	if string(again.Payload) != string(signed.Payload) {
		t.Errorf("signing is not deterministic")
	}
	p, err := Verify(signed, trusted)
	if err != nil || p.Holder != "דניאל כהן" || p.KeyID != s.KeyID || p.Version != 1 {
		t.Fatalf("verify: %+v %v", p, err)
	}
	// Every single byte of the payload matters.
	for i := range signed.Payload {
		tampered := Signed{Payload: append([]byte(nil), signed.Payload...), Signature: signed.Signature}
		tampered.Payload[i] ^= 0x01
		if _, err := Verify(tampered, trusted); err == nil {
			t.Fatalf("flipping byte %d of the payload still verifies", i)
		}
	}
	sig := []byte(signed.Signature)
	sig[3] ^= 0x01
	if _, err := Verify(Signed{Payload: signed.Payload, Signature: string(sig)}, trusted); err == nil {
		t.Errorf("a changed signature verifies")
	}
	// A valid signature by a key we do not trust is reported as such, never valid.
	other, _, _ := LoadOrCreateKey(t.TempDir(), "")
	forged, _ := other.Sign(samplePayload())
	if _, err := Verify(forged, trusted); !errors.Is(err, ErrUntrustedKey) {
		t.Errorf("untrusted key: %v", err)
	}
	// A forger who reuses our key id with their own key fails the signature.
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	_ = pub
	evil := &Signer{key: priv, KeyID: s.KeyID}
	impostor, _ := evil.Sign(samplePayload())
	if _, err := Verify(impostor, trusted); !errors.Is(err, ErrBadSignature) {
		t.Errorf("impostor with our key id: %v", err)
	}
	for _, bad := range []Signed{{}, {Payload: []byte(`{"v":1}`), Signature: signed.Signature}, {Payload: []byte(`{"v":1,"kid":"x","serial":"y","extra":1}`), Signature: signed.Signature}, {Payload: signed.Payload, Signature: "!!"}} {
		if _, err := Verify(bad, trusted); !errors.Is(err, ErrMalformed) {
			t.Errorf("malformed %q: %v", bad.Payload, err)
		}
	}
}

// Processes starting together on a new data directory agree on one signing
// key, and none reads the file half written (O_EXCL alone let a second reader
// find it empty).
func TestLoadOrCreateKey_StartingTogether(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		const n = 8
		ids := make(chan string, n)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, _, err := LoadOrCreateKey(dir, "")
				if err != nil {
					errs <- err
					return
				}
				ids <- s.KeyID
			}()
		}
		wg.Wait()
		close(ids)
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: %v", round, err)
		}
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Fatalf("round %d: %d processes started with %d different keys", round, n, len(seen))
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("round %d: %d files left in the data directory, want the key alone", round, len(entries))
		}
	}
}
