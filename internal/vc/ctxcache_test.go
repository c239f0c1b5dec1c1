package vc

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"strings"
	"sync"
	"testing"
)

// TestContextCache_SameCanonicalForm: the cached active context gives the same
// N-Quads as json-gold parsing the contexts itself, for every document we have.
func TestContextCache_SameCanonicalForm(t *testing.T) {
	docs := [][]byte{readOB3(t)}
	for _, v := range vectors {
		for _, name := range []string{"signedDataInt.json", "proofConfigDataInt.json"} {
			b, err := os.ReadFile(v.dir + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, b)
		}
	}
	for i, doc := range docs {
		cached, err := Canonicalize(doc)
		if err != nil {
			t.Fatal(err)
		}
		contextCacheOn = false
		plain, err := Canonicalize(doc)
		contextCacheOn = true
		if err != nil {
			t.Fatal(err)
		}
		if cached != plain {
			t.Errorf("document %d: cached context gives\n%s\nparsed context gives\n%s", i, cached, plain)
		}
	}
	if c := cachedContext([]any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/v2"}); c != nil {
		t.Error("a repeated URL was cached")
	}
	if c := cachedContext([]any{"https://www.w3.org/ns/credentials/v2", "https://example.org/x"}); c != nil {
		t.Error("an unknown URL was cached")
	}
}

// TestContextCache_Concurrent signs and verifies from many goroutines at once
// (run with -race: the shared active context must only ever be read).
func TestContextCache_Concurrent(t *testing.T) {
	pub, priv := testKey()
	vecPub, _ := vectorKey(t)
	doc := readOB3(t)
	want, err := Sign(doc, priv, ProofOptions{VerificationMethod: testVM})
	if err != nil {
		t.Fatal(err)
	}
	alumni, err := os.ReadFile("testdata/vc-di-eddsa/signedDataInt.json")
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := vectorProof(t, "testdata/vc-di-eddsa")
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				got, err := Sign(doc, priv, ProofOptions{VerificationMethod: testVM})
				if err != nil || !bytes.Equal(got, want) {
					errs <- "concurrent Sign gave different bytes"
					return
				}
				if _, err := Verify(got, trustOnly(testVM, pub)); err != nil {
					errs <- "concurrent Verify: " + err.Error()
					return
				}
				if _, err := Verify(alumni, trustOnly(opts.VerificationMethod, ed25519.PublicKey(vecPub))); err != nil {
					errs <- "concurrent Verify of the W3C vector: " + err.Error()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// goldenOB3 is the canonical form of testdata/ob3-credential.json, kept in
// testdata/ob3-credential.nq (the form Digital Bazaar's libraries verify our
// signatures over: TestOB3Node_SignedByVC).
func goldenOB3(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/ob3-credential.nq")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkContextsUnchanged canonicalizes the OB fixture (read with the cached
// VC 2.0 + OB 3.0 context) and the W3C vector (the VC 2.0 + examples context)
// and compares both with their golden N-Quads.
func checkContextsUnchanged(t *testing.T, golden, vectorDoc []byte, after string) {
	t.Helper()
	if got, err := Canonicalize(readOB3(t)); err != nil || got != string(golden) {
		t.Fatalf("after %s, the OB 3.0 credential canonicalizes differently (%v):\n%s", after, err, got)
	}
	want := readVector(t, "testdata/vc-di-eddsa", "canonDocDataInt.txt")
	if got, err := Canonicalize(vectorDoc); err != nil || strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Fatalf("after %s, the W3C vector canonicalizes differently (%v):\n%s", after, err, got)
	}
}

// TestContextCache_HostileDocuments (review F9): every document is read with a
// copy of the cached active context, so nothing one does — however it plays
// with contexts — can change how later credentials are canonicalized (and so
// make Lectern sign credentials no one else verifies). Nested and inline
// contexts are refused before json-gold since (bounds.go); these documents are
// run past that check, straight into json-gold, to test the cache on its own.
func TestContextCache_HostileDocuments(t *testing.T) {
	golden := []byte(goldenOB3(t))
	vectorDoc := readVector(t, "testdata/vc-di-eddsa", "unsigned.json")
	checkContextsUnchanged(t, golden, vectorDoc, "nothing")
	const top = `"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]`
	const vcTop = `"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"]`
	for name, doc := range map[string]string{
		"vocab redefined in a node":       `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"@vocab":"https://evil.example/#"},"foo":"x"}}`,
		"protected term redefined":        `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"name":"https://evil.example/name"},"name":"x"}}`,
		"protected term, @protected off":  `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"@protected":false,"name":"https://evil.example/name"},"name":"x"}}`,
		"null context in a node":          `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":null,"https://evil.example/p":"x"}}`,
		"null then redefinition":          `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":[null,{"name":"https://evil.example/name","type":"@type"}],"name":"x","type":"https://evil.example/T"}}`,
		"@propagate false":                `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"@propagate":false,"@version":1.1,"Evil":"https://evil.example/A"},"achievement":{"type":"Evil"}}}`,
		"@import of a vendored context":   `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"@import":"https://www.w3.org/ns/credentials/v2","@vocab":"https://evil.example/#"},"foo":"x"}}`,
		"@import of the OB context":       `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"@import":"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json","@propagate":true},"achievement":{"type":"Achievement","name":"x"}}}`,
		"type-scoped redefinition":        `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"Evil":{"@id":"https://evil.example/Evil","@context":{"id":null,"@vocab":"https://evil.example/v#","name":{"@id":"https://evil.example/name","@type":"@id"}}}},"type":"Evil","name":"x"}}`,
		"property-scoped redefinition":    `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"evil":{"@id":"https://evil.example/evil","@context":{"@vocab":"https://evil.example/v#","@base":"https://evil.example/"}}},"evil":{"achievement":"x","id":"rel"}}}`,
		"@version, @language, @direction": `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"@version":1.1,"@language":"fr","@base":"https://evil.example/"},"name":"x","id":"rel"}}`,
		"vendored context again, nested":  `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":"https://www.w3.org/ns/did/v1","id":"did:x:y","controller":"did:x:z"}}`,
		"examples context, nested @vocab": `{` + vcTop + `,"id":"urn:x","type":["VerifiableCredential","AlumniCredential"],"credentialSubject":{"@context":{"@vocab":"https://evil.example/#","alumniOf":"https://evil.example/alumniOf"},"alumniOf":"x"}}`,
		"@nest and @graph containers":     `{` + top + `,"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"@context":{"n":"@nest","g":{"@id":"https://evil.example/g","@container":"@graph"}},"n":{"name":"x"},"g":{"name":"y"}}}`,
	} {
		m, err := decodeObject([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Canonicalize([]byte(doc)); err == nil {
			t.Errorf("%s: Canonicalize accepted a nested context", name)
		}
		runJSONLD(m) // accepted or refused, it must leave the contexts alone
		checkContextsUnchanged(t, golden, vectorDoc, name)
	}
}
