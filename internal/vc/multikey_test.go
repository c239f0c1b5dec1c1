package vc

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
)

func TestMultikey_RoundTrip(t *testing.T) {
	// The W3C vector's key: its Multikey form is given by the vector itself.
	pub, _ := vectorKey(t)
	mk, err := MultikeyFromEd25519(pub)
	if err != nil {
		t.Fatal(err)
	}
	if mk != "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2" {
		t.Fatalf("MultikeyFromEd25519 = %s", mk)
	}
	back, err := Ed25519FromMultikey(mk)
	if err != nil || !bytes.Equal(back, pub) {
		t.Fatalf("Ed25519FromMultikey = %x, %v", back, err)
	}
}

func TestMultikey_Refuses(t *testing.T) {
	if _, err := MultikeyFromEd25519(make(ed25519.PublicKey, 31)); err == nil {
		t.Error("a 31-byte key was encoded")
	}
	for _, s := range []string{
		"",
		"z",
		"u6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  // not base58btc
		"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",   // one character short
		"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ22", // one too many
		"zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", // a P-256 key
		"z0OIl",
		"z" + strings.Repeat("1", 40),
	} {
		if k, err := Ed25519FromMultikey(s); err == nil {
			t.Errorf("Ed25519FromMultikey(%q) = %x", s, k)
		}
	}
}
