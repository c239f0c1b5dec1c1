package vc

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"
)

// testKey is a fixed key, so signed output is reproducible between runs.
func testKey() (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x42}, 32))
	return priv.Public().(ed25519.PublicKey), priv
}

const testVM = "did:web:lectern.example.org#0123456789abcdef"

func readOB3(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/ob3-credential.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSign_OpenBadgeCredential signs a credential of the shape certify issues
// and verifies it back; every OB 3.0 term must survive canonicalization.
func TestSign_OpenBadgeCredential(t *testing.T) {
	pub, priv := testKey()
	created := time.Date(2026, 12, 4, 17, 30, 0, 123, time.FixedZone("CET", 3600))
	doc := readOB3(t)
	signed, err := Sign(doc, priv, ProofOptions{VerificationMethod: testVM, Created: created})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, bytes.TrimRight(doc, "}\n")) {
		t.Error("Sign did not keep the document's own bytes")
	}
	again, err := Sign(doc, priv, ProofOptions{VerificationMethod: testVM, Created: created})
	if err != nil || !bytes.Equal(again, signed) {
		t.Error("signing twice gave different bytes")
	}
	p, err := Verify(signed, trustOnly(testVM, pub))
	if err != nil {
		t.Fatal(err)
	}
	if p.Created != time.Date(2026, 12, 4, 16, 30, 0, 0, time.UTC) || p.ProofPurpose != PurposeAssertion || !strings.HasPrefix(p.ProofValue, "z") {
		t.Errorf("proof = %+v", p)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, signed, "", "  "); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(indented.Bytes(), trustOnly(testVM, pub)); err != nil {
		t.Errorf("re-indenting broke the proof: %v", err)
	}

	canon, err := Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityHash",
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsAvailable",
		"https://www.w3.org/ns/credentials/status#statusListIndex",
		"Dominique Fauré-Lindqvist",
		// The OB 3.0.3 context types its floats with an https XML Schema IRI.
		"\"7.5E0\"^^<https://www.w3.org/2001/XMLSchema#float>",
	} {
		if !strings.Contains(canon, want) {
			t.Errorf("canonical form lacks %s", want)
		}
	}
	if strings.Contains(canon, "issuer-dependent") {
		t.Errorf("a term of the credential is not defined by its contexts:\n%s", canon)
	}

	for _, edit := range []struct{ from, to string }{
		{"Dominique", "Dominiqve"},
		{`"creditsEarned": 7.5`, `"creditsEarned": 7.6`},
		{`"statusListIndex": "94567"`, `"statusListIndex": "94568"`},
		{"2029-12-04T00:00:00Z", "2039-12-04T00:00:00Z"},
		{"LCT-2026-7K3M-Q9PX", "LCT-2026-7K3M-Q9PY"},
	} {
		altered := bytes.Replace(signed, []byte(edit.from), []byte(edit.to), 1)
		if bytes.Equal(altered, signed) {
			t.Fatalf("edit %q not applied", edit.from)
		}
		if _, err := Verify(altered, trustOnly(testVM, pub)); !errors.Is(err, ErrBadProof) {
			t.Errorf("%q → %q: %v, want ErrBadProof", edit.from, edit.to, err)
		}
	}
}

func TestSign_Refuses(t *testing.T) {
	_, priv := testKey()
	opts := ProofOptions{VerificationMethod: testVM}
	for name, doc := range map[string]string{
		"not JSON":         `{"@context":`,
		"not an object":    `["https://www.w3.org/ns/credentials/v2"]`,
		"trailing data":    `{"@context":"https://www.w3.org/ns/credentials/v2"} {}`,
		"no context":       `{"name":"x"}`,
		"has a proof":      `{"@context":"https://www.w3.org/ns/credentials/v2","proof":{}}`,
		"unknown context":  `{"@context":"https://example.org/v1","name":"x"}`,
		"relative id":      `{"@context":"https://www.w3.org/ns/credentials/v2","id":"relative/thing","name":"x"}`,
		"relative type":    `{"@context":"https://www.w3.org/ns/did/v1","id":"did:x:y","type":"Thing"}`,
		"invalid UTF-8":    "{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"name\":\"\xff\"}",
		"dropped property": `{"@context":"https://www.w3.org/ns/did/v1","id":"did:x:y","nosuchterm":"x"}`,
		"inline context":   `{"@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":null}],"name":"x"}`,
		"nested context":   `{"@context":"https://www.w3.org/ns/credentials/v2","credentialSubject":{"@context":"https://www.w3.org/ns/credentials/v2","name":"x"}}`,
		"context twice":    `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/v2"],"name":"x"}`,
	} {
		if out, err := Sign([]byte(doc), priv, opts); err == nil {
			t.Errorf("%s: signed %s", name, out)
		}
	}
	if _, err := Sign(readOB3(t), priv, ProofOptions{}); err == nil {
		t.Error("signed without a verification method")
	}
	if _, err := Sign(readOB3(t), priv[:32], opts); err == nil {
		t.Error("signed with a short key")
	}
}

// TestVerify_DuplicateKeys: a second "name" in a signed credential is refused
// whichever of the two is the signed one, while the same key in different
// objects (every "type") is fine.
func TestVerify_DuplicateKeys(t *testing.T) {
	pub, priv := testKey()
	signed, err := Sign(readOB3(t), priv, ProofOptions{VerificationMethod: testVM})
	if err != nil {
		t.Fatal(err)
	}
	const name = `"name": "Certificate of attendance and achievement",`
	if !bytes.Contains(signed, []byte(name)) {
		t.Fatal("test credential changed")
	}
	for _, extra := range []string{`"name": "Forged",`, name} {
		before := bytes.Replace(signed, []byte(name), []byte(extra+"\n  "+name), 1)
		after := bytes.Replace(signed, []byte(name), []byte(name+"\n  "+extra), 1)
		for _, doc := range [][]byte{before, after} {
			if _, err := Verify(doc, trustOnly(testVM, pub)); !errors.Is(err, ErrMalformed) {
				t.Errorf("a repeated key: %v, want ErrMalformed", err)
			}
		}
	}
	if _, err := Verify(signed, trustOnly(testVM, pub)); err != nil {
		t.Fatal(err)
	}
}

func TestVerify_ResolverDecidesTrust(t *testing.T) {
	pub, priv := testKey()
	signed, err := Sign(readOB3(t), priv, ProofOptions{VerificationMethod: testVM})
	if err != nil {
		t.Fatal(err)
	}
	untrusted := errors.New("not one of our keys")
	_, err = Verify(signed, func(string) (ed25519.PublicKey, error) { return nil, untrusted })
	if !errors.Is(err, ErrBadProof) || !errors.Is(err, untrusted) {
		t.Errorf("resolver refusal: %v, want ErrBadProof wrapping the resolver's error", err)
	}
	_, err = Verify(signed, func(string) (ed25519.PublicKey, error) { return pub[:16], nil })
	if !errors.Is(err, ErrBadProof) {
		t.Errorf("short key: %v, want ErrBadProof", err)
	}
	var seen string
	if _, err := Verify(signed, func(vm string) (ed25519.PublicKey, error) { seen = vm; return pub, nil }); err != nil || seen != testVM {
		t.Errorf("resolver saw %q, err %v", seen, err)
	}
}

func TestSignableText(t *testing.T) {
	for in, want := range map[string]string{
		"Dominique Fauré":        "Dominique Fauré",
		"a\tb\nc\r\nd":           "a\tb\nc\r\nd",
		"page\fbreak\b\x00\x7f!": "pagebreak!",
		"דנה\x1fכהן":             "דנהכהן",
		"":                       "",
	} {
		if got := SignableText(in); got != want {
			t.Errorf("SignableText(%q) = %q, want %q", in, got, want)
		}
	}
	_, priv := testKey()
	var m map[string]any
	if err := json.Unmarshal(readOB3(t), &m); err != nil {
		t.Fatal(err)
	}
	m["name"] = "Certificate\f of attendance"
	doc, _ := json.Marshal(m)
	if _, err := Sign(doc, priv, ProofOptions{VerificationMethod: testVM}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a form feed was signed: %v", err)
	}
	m["name"] = SignableText(m["name"].(string))
	doc, _ = json.Marshal(m)
	if _, err := Sign(doc, priv, ProofOptions{VerificationMethod: testVM}); err != nil {
		t.Fatalf("cleaned text: %v", err)
	}
}

// TestVerify_ProofExpires: a proof with "expires" verifies until then, and not
// from that second on.
func TestVerify_ProofExpires(t *testing.T) {
	pub, priv := testKey()
	var m map[string]any
	if err := json.Unmarshal(readOB3(t), &m); err != nil {
		t.Fatal(err)
	}
	// Sign writes no "expires"; build the proof configuration by hand with one.
	created, expires := "2026-12-04T17:30:00Z", "2027-01-01T00:00:00Z"
	config := map[string]any{"@context": m["@context"], "type": ProofType, "cryptosuite": Cryptosuite,
		"created": created, "expires": expires, "verificationMethod": testVM, "proofPurpose": PurposeAssertion}
	data, err := hashData(m, config)
	if err != nil {
		t.Fatal(err)
	}
	proof := map[string]any{}
	for k, v := range config {
		if k != "@context" {
			proof[k] = v
		}
	}
	proof["proofValue"] = "z" + base58.Encode(ed25519.Sign(priv, data))
	m["proof"] = proof
	doc, _ := json.Marshal(m)
	defer func() { now = time.Now }()
	now = func() time.Time { return time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC) }
	p, err := Verify(doc, trustOnly(testVM, pub))
	if err != nil || p.Expires != time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) {
		t.Fatalf("before expiry: %+v, %v", p, err)
	}
	now = func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }
	if _, err := Verify(doc, trustOnly(testVM, pub)); !errors.Is(err, ErrBadProof) {
		t.Fatalf("at expiry: %v, want ErrBadProof", err)
	}
}
