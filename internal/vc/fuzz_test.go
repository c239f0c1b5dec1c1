package vc

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"
)

// FuzzVerify: any bytes — no panic, and never a success unless the document, as
// canonicalized, is exactly one that was signed: Ed25519 cannot be forged, so a
// success on anything else would mean Verify checked the signature against
// something other than what the document says.
func FuzzVerify(f *testing.F) {
	pub, priv := testKey()
	vecPub, _ := vectorKey(&testing.T{})
	signed, err := Sign(readOB3(f), priv, ProofOptions{VerificationMethod: testVM})
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{signed}
	for _, v := range vectors {
		b, err := os.ReadFile(v.dir + "/signedDataInt.json")
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	// What was signed: the hash data of each seed, the only messages a success
	// may be about.
	known := map[string]bool{}
	for _, s := range seeds {
		f.Add(s)
		h, err := signedHashData(s)
		if err != nil {
			f.Fatal(err)
		}
		known[string(h)] = true
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"@context":"https://www.w3.org/ns/credentials/v2","proof":{"type":"DataIntegrityProof"}}`))
	f.Add(blankClique(4))

	resolve := func(vm string) (ed25519.PublicKey, error) {
		switch vm {
		case testVM:
			return pub, nil
		case "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2":
			return vecPub, nil
		}
		return nil, errors.New("untrusted")
	}
	golden := []byte(goldenOB3(f))
	vectorDoc, err := os.ReadFile("testdata/vc-di-eddsa/unsigned.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 64<<10 {
			return
		}
		// Whatever this input is, the credentials read after it must
		// canonicalize as before (review F9).
		defer checkContextsUnchanged(t, golden, vectorDoc, "this input")
		p, err := Verify(doc, resolve)
		if err != nil {
			if p != nil {
				t.Fatalf("Verify returned a proof with an error: %v", err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownContext) && !errors.Is(err, ErrBadProof) {
				t.Fatalf("error outside the three kinds: %v", err)
			}
			return
		}
		if p == nil {
			t.Fatal("success without a proof")
		}
		h, err := signedHashData(doc)
		if err != nil {
			t.Fatalf("verified, but its hash data cannot be rebuilt: %v", err)
		}
		if !known[string(h)] {
			t.Fatalf("verified a document that was never signed:\n%s", doc)
		}
	})
}

// signedHashData rebuilds the eddsa-rdfc-2022 hash data of a secured document the
// way the specification describes it, independently of Verify's own path.
func signedHashData(doc []byte) ([]byte, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	proof, _ := m["proof"].(map[string]any)
	if proof == nil {
		return nil, errors.New("no proof")
	}
	delete(m, "proof")
	config := map[string]any{}
	for k, v := range proof {
		if k != "proofValue" {
			config[k] = v
		}
	}
	config["@context"] = m["@context"]
	return hashData(m, config)
}

// FuzzCanonicalize: any bytes — no panic, only the two errors a document can
// earn, and a canonical form that is sorted N-Quads and the same every time
// (json-gold walks Go maps, whose order changes from run to run).
func FuzzCanonicalize(f *testing.F) {
	f.Add(readOB3(f))
	for _, v := range vectors {
		b, err := os.ReadFile(v.dir + "/signedDataInt.json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"@context":"https://www.w3.org/ns/credentials/v2","@graph":[{"id":"urn:a","type":"VerifiableCredential","name":"x"},{"id":"_:b","name":"y"}]}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2",{"ex":"https://example.org/","list":{"@id":"ex:list","@container":"@list"}}],"id":"urn:a","list":[1,2.5,"three",true,{"ex:n":null}]}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2",{"ex":"https://example.org/"}],"@id":"urn:a","@reverse":{"ex:p":{"@id":"urn:b"}},"@included":[{"@id":"urn:c","ex:q":{"@value":"v","@language":"en-GB"}}]}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2",{"ex":"https://example.org/","j":{"@id":"ex:j","@type":"@json"}}],"id":"urn:a","j":{"b":[1,{"a":"\u00e9"}]}}`,
		`{"@context":{"@vocab":"https://example.org/","@base":"https://example.org/base/"},"@id":"rel","@type":"T","p":{"@id":"../up"}}`,
		`{"@context":"https://www.w3.org/ns/did/v1","id":"did:web:x.org","verificationMethod":[{"id":"did:web:x.org#k","type":"Multikey","controller":"did:web:x.org","publicKeyMultibase":"z6Mk"}]}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"@import":"https://www.w3.org/ns/credentials/v2","@vocab":"https://evil.example/#"},"foo":"x"}}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"evil":{"@id":"https://evil.example/evil","@context":{"@vocab":"https://evil.example/v#","@propagate":false}}},"evil":{"achievement":{"type":"Achievement","name":"x"}}}}`,
	} {
		f.Add([]byte(s))
	}
	golden := []byte(goldenOB3(f))
	vectorDoc, err := os.ReadFile("testdata/vc-di-eddsa/unsigned.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 64<<10 {
			return
		}
		defer checkContextsUnchanged(t, golden, vectorDoc, "this input")
		// Past the checks of bounds.go too (nested and inline contexts), as
		// long as the document is small enough for their quadratic cost: no
		// panic, and the cached contexts stay as they were (review F9).
		if len(doc) <= 4<<10 {
			if m, err := decodeObject(doc); err == nil {
				runJSONLD(m)
			}
		}
		first, err := Canonicalize(doc)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownContext) {
				t.Fatalf("error outside ErrMalformed and ErrUnknownContext: %v", err)
			}
			return
		}
		again, err := Canonicalize(doc)
		if err != nil || again != first {
			t.Fatalf("canonicalizing twice gave two answers (%v):\n%s\n--\n%s", err, first, again)
		}
		if first == "" {
			return
		}
		if !strings.HasSuffix(first, " .\n") {
			t.Fatalf("not N-Quads: %q", first)
		}
		lines := strings.SplitAfter(first, "\n")
		lines = lines[:len(lines)-1]
		if !sort.StringsAreSorted(lines) {
			t.Fatalf("lines not sorted:\n%s", first)
		}
	})
}
