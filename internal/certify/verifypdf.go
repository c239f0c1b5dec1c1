package certify

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// ErrNotCertificate: the file is not a certificate Lectern issued (no signature line
// or no payload), or it was cut short.
var ErrNotCertificate = errors.New("not a signed Lectern certificate (no signature or payload found)")

// VerifyPDF checks a certificate PDF offline: the signature line at its end must
// cover every byte before it, and the payload it carries must be signed by the
// same trusted key. It returns the payload; with ErrUntrustedKey the payload is
// returned too, so the caller can say which key it would need.
func VerifyPDF(doc []byte, trusted map[string]ed25519.PublicKey) (*Payload, error) {
	if len(doc) < 2 || doc[len(doc)-1] != '\n' {
		return nil, ErrNotCertificate
	}
	cut := bytes.LastIndexByte(doc[:len(doc)-1], '\n') + 1
	line, ok := bytes.CutPrefix(doc[cut:len(doc)-1], []byte(signatureMarker))
	if !ok {
		return nil, ErrNotCertificate
	}
	signedPart := doc[:cut]
	kid, sigText, ok := bytes.Cut(line, []byte(" "))
	if !ok {
		return nil, ErrMalformed
	}
	docSig, err := base64.StdEncoding.DecodeString(string(sigText))
	if err != nil || len(docSig) != ed25519.SignatureSize {
		return nil, ErrMalformed
	}

	signed, err := embeddedPayload(signedPart)
	if err != nil {
		return nil, err
	}
	p, err := Verify(signed, trusted)
	if err != nil {
		return p, err
	}
	if p.KeyID != string(kid) {
		return nil, ErrBadSignature
	}
	if !ed25519.Verify(trusted[p.KeyID], signedPart, docSig) {
		return nil, ErrBadSignature
	}
	return p, nil
}

// embeddedPayload finds the signed payload in the document information's Keywords.
func embeddedPayload(doc []byte) (Signed, error) {
	marker := []byte("/Keywords (" + payloadMarker)
	at := bytes.LastIndex(doc, marker)
	if at < 0 {
		return Signed{}, ErrNotCertificate
	}
	rest := doc[at+len(marker):]
	end := bytes.IndexByte(rest, ')')
	if end < 0 {
		return Signed{}, ErrMalformed
	}
	raw, err := base64.StdEncoding.DecodeString(string(rest[:end]))
	if err != nil {
		return Signed{}, ErrMalformed
	}
	var s Signed
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Signed{}, ErrMalformed
	}
	return s, nil
}
