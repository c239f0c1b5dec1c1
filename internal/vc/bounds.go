package vc

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// Canonicalization is fed documents from strangers (a credential pasted into
// /verify), and the resolver that Verify calls first cannot stop them: the
// verification method it is asked about is public. So the work json-gold may do
// on one document is bounded here, before it starts:
//
//   - contexts: only the top-level @context is read, and it may only name
//     vendored contexts, each once. json-gold processes a scoped context
//     again at every node it applies to, so an inline one is quadratic: 300
//     terms scoped to 200 nodes (14 KB, within the size bounds below) took
//     160 ms of CPU, 1,000 terms to 330 nodes 1 s, nested 2 s. The vendored
//     contexts' own scoped contexts are a few dozen terms each.
//   - the size of the JSON (maxJSONValues), which bounds expansion and so the
//     RDF dataset json-gold builds;
//   - the number of RDF statements (MaxQuads), which bounds URDNA2015 and the
//     N-Quads written;
//   - the blank nodes only N-degree hashing could tell apart
//     (MaxAmbiguousBlankNodes), whose cost is factorial.
//
// Past a bound the document is refused (ErrUnknownContext for a context we do
// not vendor, ErrMalformed otherwise) for at most about ten times what a
// credential of normal size takes to canonicalize, most of it reading the JSON
// (TestCanonicalize_RefusesLargeDocuments).

// MaxQuads is the most RDF statements (N-Quads lines) a document may make.
// Lectern's credentials make about 40, the W3C eddsa-rdfc-2022 vectors about
// 15, a status list credential about 10.
const MaxQuads = 1000

// maxJSONValues bounds the JSON itself — its objects, arrays, strings, numbers,
// booleans and nulls —, checked before json-gold sees the document, so that a
// large document is refused without being expanded. Lectern's credential has
// about 50. Expansion costs tens of microseconds of CPU per value (OB 3.0's
// type-scoped contexts are applied again at every typed node): the costliest
// document found within this bound, 320 achievements, takes 35 ms of CPU
// against 1.7 ms for a credential (BenchmarkCanonicalize_Bounds,
// BENCHMARKS.md). Most values make one statement
// each; MaxQuads catches the shapes that make more (an @list makes two an
// item).
const maxJSONValues = 1000

// checkDocument applies the bounds that need no JSON-LD processing: the
// contexts and the size of the JSON.
func checkDocument(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if ctx, has := m["@context"]; has {
		if err := checkTopContext(ctx); err != nil {
			return err
		}
	}
	n := 0
	var walk func(v any, top bool) error
	walk = func(v any, top bool) error {
		n++
		if n > maxJSONValues {
			return fmt.Errorf("%w: the document has more than %d JSON values (a credential has about 50)", ErrMalformed, maxJSONValues)
		}
		switch t := v.(type) {
		case map[string]any:
			if _, has := t["@context"]; has && !top {
				return fmt.Errorf("%w: an @context inside the document (only the top-level one is read)", ErrMalformed)
			}
			for _, e := range t {
				if err := walk(e, false); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range t {
				if err := walk(e, false); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(m, true)
}

// checkTopContext accepts a top-level @context that is one vendored URL or a
// list of distinct ones.
func checkTopContext(ctx any) error {
	items, isList := ctx.([]any)
	if !isList {
		items = []any{ctx}
	}
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		u, ok := it.(string)
		if !ok {
			return fmt.Errorf("%w: an inline context (only the vendored contexts are read)", ErrUnknownContext)
		}
		if _, known := vendored[u]; !known {
			return fmt.Errorf("%w: %q", ErrUnknownContext, u)
		}
		if seen[u] {
			return fmt.Errorf("%w: the context %q is listed twice", ErrMalformed, u)
		}
		seen[u] = true
	}
	return nil
}

// checkQuadCount refuses a dataset of more than MaxQuads statements.
func checkQuadCount(ds *ld.RDFDataset) error {
	n := 0
	for _, quads := range ds.Graphs {
		n += len(quads)
	}
	if n > MaxQuads {
		return fmt.Errorf("%w: the document makes %d RDF statements, more than the %d canonicalized", ErrMalformed, n, MaxQuads)
	}
	return nil
}

// MaxAmbiguousBlankNodes bounds the blank nodes that canonicalization cannot
// tell apart by their own quads (their first-degree hashes are shared). Only
// those go through URDNA2015's N-degree hashing, whose cost grows with the
// factorial of their number: an 8-node blank clique of 1 KB took 15 s here, 9
// would take minutes. Credentials never need more than a couple (Lectern's have
// none); a document with more is refused as malformed before any hashing.
const MaxAmbiguousBlankNodes = 6

// checkBlankNodes partitions the dataset's blank nodes the way URDNA2015's
// "hash first degree quads" does — by the sorted quads that mention each, with
// itself written _:a and every other blank node _:z — and refuses the dataset
// when more than MaxAmbiguousBlankNodes fall into shared classes.
func checkBlankNodes(ds *ld.RDFDataset) error {
	mentions := map[string][]*ld.Quad{}
	for graph, quads := range ds.Graphs {
		for _, q := range quads {
			for _, n := range []ld.Node{q.Subject, q.Object} {
				if n != nil && ld.IsBlankNode(n) {
					mentions[n.GetValue()] = append(mentions[n.GetValue()], q)
				}
			}
			if len(graph) > 2 && graph[:2] == "_:" {
				mentions[graph] = append(mentions[graph], q)
			}
		}
	}
	if len(mentions) <= MaxAmbiguousBlankNodes {
		return nil
	}
	classes := make(map[string]int, len(mentions))
	sigs := make(map[string]string, len(mentions))
	for id, quads := range mentions {
		lines := make([]string, 0, len(quads))
		for _, q := range quads {
			lines = append(lines, firstDegreeLine(q, id))
		}
		sort.Strings(lines)
		sig := strings.Join(lines, "\n")
		sigs[id] = sig
		classes[sig]++
	}
	ambiguous := 0
	for _, sig := range sigs {
		if classes[sig] > 1 {
			ambiguous++
		}
	}
	if ambiguous > MaxAmbiguousBlankNodes {
		return fmt.Errorf("%w: %d blank nodes cannot be told apart (at most %d are canonicalized)", ErrMalformed, ambiguous, MaxAmbiguousBlankNodes)
	}
	return nil
}

// firstDegreeLine writes one quad for the first-degree partition: blank nodes as
// _:a (the one being classified) or _:z, literals with datatype and language.
func firstDegreeLine(q *ld.Quad, self string) string {
	term := func(n ld.Node) string {
		switch {
		case n == nil:
			return "-"
		case ld.IsBlankNode(n):
			if n.GetValue() == self {
				return "_:a"
			}
			return "_:z"
		case ld.IsLiteral(n):
			if l, ok := n.(ld.Literal); ok {
				return strconv.Quote(l.Value) + "^^" + l.Datatype + "@" + l.Language
			}
			return strconv.Quote(n.GetValue())
		default:
			return "<" + n.GetValue() + ">"
		}
	}
	return term(q.Subject) + " " + term(q.Predicate) + " " + term(q.Object) + " " + term(q.Graph)
}
