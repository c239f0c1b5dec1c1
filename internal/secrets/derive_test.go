package secrets

import (
	"bytes"
	"testing"
)

func TestKey_Derive(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, KeySize)
	a, err := New(raw)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := New(raw)
	other, _, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Derive("csrf"), again.Derive("csrf")) || len(a.Derive("csrf")) != 32 {
		t.Errorf("the same key and purpose give different keys")
	}
	if bytes.Equal(a.Derive("csrf"), a.Derive("other")) || bytes.Equal(a.Derive("csrf"), other.Derive("csrf")) {
		t.Errorf("another purpose or key gives the same derived key")
	}
	if bytes.Contains(a.Derive("csrf"), raw[:8]) {
		t.Errorf("the derived key holds the raw key")
	}
}
