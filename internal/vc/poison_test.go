package vc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// blankClique is a JSON-LD graph of n blank nodes each linked to every other by
// the same property: no node can be told from another, the worst case of
// URDNA2015's N-degree hashing.
func blankClique(n int) []byte {
	nodes := make([]any, 0, n)
	for i := 0; i < n; i++ {
		links := []any{}
		for j := 0; j < n; j++ {
			if i != j {
				links = append(links, map[string]any{"id": fmt.Sprintf("_:b%d", j)})
			}
		}
		nodes = append(nodes, map[string]any{"id": fmt.Sprintf("_:b%d", i), "https://example.org/p": links})
	}
	b, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "@graph": nodes})
	return b
}

func TestCanonicalize_RefusesPoisonGraphs(t *testing.T) {
	if _, err := Canonicalize(blankClique(MaxAmbiguousBlankNodes)); err != nil {
		t.Fatalf("a %d-node clique is within the bound: %v", MaxAmbiguousBlankNodes, err)
	}
	for _, n := range []int{MaxAmbiguousBlankNodes + 1, 12, 40} {
		start := time.Now()
		_, err := Canonicalize(blankClique(n))
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("%d-node clique: %v, want ErrMalformed", n, err)
		}
		// Unbounded, 8 nodes took 15 s on the CI machine; refused, microseconds.
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%d-node clique took %v to refuse", n, d)
		}
	}
	// Many blank nodes that differ from one another cost nothing extra.
	items := make([]any, 300)
	for i := range items {
		items[i] = map[string]any{"https://example.org/n": i}
	}
	many, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/credentials/v2",
		"id": "urn:x", "https://example.org/item": items})
	if _, err := Canonicalize(many); err != nil {
		t.Errorf("300 distinct blank nodes: %v", err)
	}
}

// TestCanonicalize_RefusesWhatWouldBeDropped: json-gold's toRDF silently leaves
// out statements with IRIs its URL pattern rejects and literals with malformed
// language tags. Added to a signed credential, such content would verify
// without being signed; it must be refused instead.
func TestCanonicalize_RefusesWhatWouldBeDropped(t *testing.T) {
	_, priv := testKey()
	pub, _ := testKey()
	signed, err := Sign(readOB3(t), priv, ProofOptions{VerificationMethod: testVM})
	if err != nil {
		t.Fatal(err)
	}
	long := "https://x.org/" + strings.Repeat("a", 2100)
	cases := map[string]any{
		"id with a space":        map[string]any{"id": "https://evil.example/a b", "narrative": "forged"},
		"host starting with '-'": map[string]any{"id": "https://-evil.example/", "narrative": "forged"},
		"over-long IRI":          map[string]any{"id": long, "narrative": "forged"},
		"bad percent-encoding":   map[string]any{"id": "https://x.org/%zz", "narrative": "forged"},
		"relative id":            map[string]any{"id": "evidence/1", "narrative": "forged"},
		"bad language tag":       map[string]any{"narrative": map[string]any{"@value": "forged", "@language": "en_GB"}},
		"bad datatype":           map[string]any{"narrative": map[string]any{"@value": "forged", "@type": "https://x.org/a b"}},
		// Written differently by json-gold and by canonical N-Quads (rdf-canonize).
		"form feed in text":        map[string]any{"narrative": "page\fbreak"},
		"backspace in text":        map[string]any{"narrative": "a\bb"},
		"NUL in text":              map[string]any{"narrative": "a\x00b"},
		"DEL in text":              map[string]any{"narrative": "a\x7fb"},
		"'|' in an IRI":            map[string]any{"id": "urn:x:a|b", "narrative": "n"},
		"'<' in an IRI":            map[string]any{"id": "https://x.org/a<b", "narrative": "n"},
		"control character in IRI": map[string]any{"id": "urn:x:a\x01b", "narrative": "n"},
		"text with a direction":    map[string]any{"narrative": map[string]any{"@value": "שלום", "@language": "he", "@direction": "rtl"}},
	}
	for name, evidence := range cases {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(signed, &m); err != nil {
				t.Fatal(err)
			}
			m["evidence"] = []any{evidence}
			doc, _ := json.Marshal(m)
			if p, err := Verify(doc, trustOnly(testVM, pub)); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify = %+v, %v; want ErrMalformed", p, err)
			}
			delete(m, "proof")
			doc, _ = json.Marshal(m)
			if _, err := Sign(doc, priv, ProofOptions{VerificationMethod: testVM}); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Sign: %v; want ErrMalformed", err)
			}
		})
	}
	// Unusual but kept IRIs are not refused.
	for _, iri := range []string{"https://exa_mple.org/x", "https://x.org/é", "https://[::1]/", "http://127.0.0.1:8080/verify/A", "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33"} {
		var m map[string]any
		json.Unmarshal(readOB3(t), &m)
		m["evidence"] = []any{map[string]any{"id": iri, "narrative": "n"}}
		doc, _ := json.Marshal(m)
		if _, err := Canonicalize(doc); err != nil {
			t.Errorf("%s: %v", iri, err)
		}
	}
}
