package vc

import (
	"encoding/json"
	"errors"
	"fmt"
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
