package vc

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// specEncodedList is the encodedList of the example BitstringStatusListCredential
// in W3C Bitstring Status List v1.0 (w3c/vc-bitstring-status-list@74fcae1,
// index.html): 131,072 bits, none set.
const specEncodedList = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

func TestStatusList_SpecExample(t *testing.T) {
	bits, err := DecodeStatusList(specEncodedList)
	if err != nil {
		t.Fatal(err)
	}
	if len(bits)*8 != MinStatusListBits {
		t.Fatalf("%d bits, want %d", len(bits)*8, MinStatusListBits)
	}
	if !bytes.Equal(bits, make([]byte, len(bits))) {
		t.Fatal("the spec's example list has a bit set")
	}
}

func TestStatusList_RoundTripAndBitOrder(t *testing.T) {
	bits := NewStatusList(0)
	if len(bits)*8 != MinStatusListBits {
		t.Fatalf("NewStatusList(0) has %d bits", len(bits)*8)
	}
	for _, i := range []int{0, 7, 8, 94567, MinStatusListBits - 1} {
		if err := SetStatusBit(bits, i, true); err != nil {
			t.Fatal(err)
		}
	}
	// Bit 0 is the most significant bit of byte 0; bit 7 its least.
	if bits[0] != 0x81 || bits[1] != 0x80 || bits[len(bits)-1] != 0x01 {
		t.Fatalf("bit order: % x … % x", bits[:2], bits[len(bits)-1:])
	}
	enc, err := EncodeStatusList(bits)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "u") || strings.ContainsAny(enc, "+/=") {
		t.Fatalf("not multibase base64url without padding: %.40s…", enc)
	}
	// Independently of DecodeStatusList: base64url, then GZIP, gives the bits.
	raw, err := base64.RawURLEncoding.DecodeString(enc[1:])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := plain.ReadFrom(zr); err != nil || !bytes.Equal(plain.Bytes(), bits) {
		t.Fatalf("GZIP content differs (%v)", err)
	}
	back, err := DecodeStatusList(enc)
	if err != nil || !bytes.Equal(back, bits) {
		t.Fatalf("round trip: %v", err)
	}
	for i := 0; i < 16; i++ {
		got, err := StatusBit(back, i)
		if err != nil || got != (i == 0 || i == 7 || i == 8) {
			t.Errorf("bit %d = %v, %v", i, got, err)
		}
	}
	if got, _ := StatusBit(back, 94567); !got {
		t.Error("bit 94567 lost")
	}
	if err := SetStatusBit(back, 94567, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := StatusBit(back, 94567); got {
		t.Error("bit 94567 not cleared")
	}
	for _, i := range []int{-1, MinStatusListBits} {
		if _, err := StatusBit(back, i); !errors.Is(err, ErrStatusList) {
			t.Errorf("StatusBit(%d): %v", i, err)
		}
		if err := SetStatusBit(back, i, true); !errors.Is(err, ErrStatusList) {
			t.Errorf("SetStatusBit(%d): %v", i, err)
		}
	}
}

func TestStatusList_Refuses(t *testing.T) {
	if _, err := EncodeStatusList(make([]byte, MinStatusListBits/8-1)); !errors.Is(err, ErrStatusList) {
		t.Errorf("short list encoded: %v", err)
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	full := gz(make([]byte, MinStatusListBits/8))
	for name, s := range map[string]string{
		"empty":          "",
		"base58 prefix":  "z" + specEncodedList[1:],
		"padding":        "u" + base64.URLEncoding.EncodeToString(full),
		"not base64url":  "u" + base64.RawURLEncoding.EncodeToString(full) + "+",
		"not gzip":       "u" + base64.RawURLEncoding.EncodeToString(make([]byte, 64)),
		"truncated gzip": "u" + base64.RawURLEncoding.EncodeToString(full[:len(full)-6]),
		"too short":      "u" + base64.RawURLEncoding.EncodeToString(gz(make([]byte, 100))),
		"too long":       "u" + base64.RawURLEncoding.EncodeToString(gz(make([]byte, MaxStatusListBits/8+1))),
		"trailing data":  "u" + base64.RawURLEncoding.EncodeToString(append(append([]byte{}, full...), 0)),
		"two streams":    "u" + base64.RawURLEncoding.EncodeToString(append(append([]byte{}, full...), full...)),
	} {
		if _, err := DecodeStatusList(s); !errors.Is(err, ErrStatusList) {
			t.Errorf("%s: %v, want ErrStatusList", name, err)
		}
	}
}

// FuzzDecodeStatusList: any string — no panic, and whatever decodes is a list of
// at least MinStatusListBits that encodes and decodes back to itself.
func FuzzDecodeStatusList(f *testing.F) {
	f.Add(specEncodedList)
	enc, err := EncodeStatusList(NewStatusList(MinStatusListBits + 8))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add("u")
	f.Fuzz(func(t *testing.T, s string) {
		bits, err := DecodeStatusList(s)
		if err != nil {
			if !errors.Is(err, ErrStatusList) {
				t.Fatalf("error outside ErrStatusList: %v", err)
			}
			return
		}
		if len(bits)*8 < MinStatusListBits || len(bits)*8 > MaxStatusListBits {
			t.Fatalf("decoded %d bits", len(bits)*8)
		}
		again, err := EncodeStatusList(bits)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeStatusList(again)
		if err != nil || !bytes.Equal(back, bits) {
			t.Fatalf("re-encoding changed the list (%v)", err)
		}
	})
}
