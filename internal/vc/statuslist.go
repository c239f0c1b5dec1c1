package vc

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

const (
	// MinStatusListBits is the W3C Bitstring Status List v1.0 minimum length
	// (16 KiB of bits): a list shorter than this gives too little herd privacy,
	// and verifiers refuse it.
	MinStatusListBits = 131072
	// MaxStatusListBits bounds what DecodeStatusList inflates (8 MiB), so a
	// small encodedList cannot expand into an unbounded allocation.
	MaxStatusListBits = 1 << 26
)

// ErrStatusList is the error of a status list that cannot be read or used.
var ErrStatusList = errors.New("bad status list")

// NewStatusList returns an all-clear list of n bits (at least MinStatusListBits),
// to be filled with SetStatusBit.
func NewStatusList(n int) []byte {
	if n < MinStatusListBits {
		n = MinStatusListBits
	}
	return make([]byte, (n+7)/8)
}

// EncodeStatusList gives the encodedList of a BitstringStatusList: GZIP, then
// multibase base64url without padding ("u" prefix). Bit i of the list is the
// i-th bit counted from the most significant bit of bits[0] (statusListIndex i,
// statusSize 1). GZIP output is not unique, so compare lists decoded, not encoded.
func EncodeStatusList(bits []byte) (string, error) {
	if len(bits)*8 < MinStatusListBits {
		return "", fmt.Errorf("%w: %d bits, the minimum is %d", ErrStatusList, len(bits)*8, MinStatusListBits)
	}
	if len(bits)*8 > MaxStatusListBits {
		return "", fmt.Errorf("%w: %d bits, the maximum is %d", ErrStatusList, len(bits)*8, MaxStatusListBits)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// DecodeStatusList reverses EncodeStatusList (and reads any conforming
// encodedList): it refuses another multibase encoding, padding, a list shorter
// than MinStatusListBits or longer than MaxStatusListBits, and trailing data.
func DecodeStatusList(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != 'u' {
		return nil, fmt.Errorf("%w: encodedList is not multibase base64url (no 'u' prefix)", ErrStatusList)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not base64url without padding: %v", ErrStatusList, err)
	}
	br := bytes.NewReader(raw) // a ByteReader: gzip reads no further than its stream
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not GZIP: %v", ErrStatusList, err)
	}
	zr.Multistream(false)
	bits, err := io.ReadAll(io.LimitReader(zr, MaxStatusListBits/8+1))
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList does not inflate: %v", ErrStatusList, err)
	}
	if len(bits)*8 > MaxStatusListBits {
		return nil, fmt.Errorf("%w: more than %d bits", ErrStatusList, MaxStatusListBits)
	}
	if br.Len() != 0 {
		return nil, fmt.Errorf("%w: data after the GZIP stream", ErrStatusList)
	}
	if len(bits)*8 < MinStatusListBits {
		return nil, fmt.Errorf("%w: %d bits, the minimum is %d", ErrStatusList, len(bits)*8, MinStatusListBits)
	}
	return bits, nil
}

// StatusBit reads bit index of a decoded list (most significant bit first).
func StatusBit(bits []byte, index int) (bool, error) {
	if index < 0 || index >= len(bits)*8 {
		return false, fmt.Errorf("%w: index %d outside a list of %d bits", ErrStatusList, index, len(bits)*8)
	}
	return bits[index/8]&(0x80>>(index%8)) != 0, nil
}

// SetStatusBit sets or clears bit index of a list (most significant bit first).
func SetStatusBit(bits []byte, index int, set bool) error {
	if index < 0 || index >= len(bits)*8 {
		return fmt.Errorf("%w: index %d outside a list of %d bits", ErrStatusList, index, len(bits)*8)
	}
	if set {
		bits[index/8] |= 0x80 >> (index % 8)
	} else {
		bits[index/8] &^= 0x80 >> (index % 8)
	}
	return nil
}
