package vc

import (
	"bytes"
	"crypto/ed25519"
	"os"
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
