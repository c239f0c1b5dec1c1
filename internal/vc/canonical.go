package vc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"
)

// Canonicalize returns the RDF Dataset Canonicalization (URDNA2015, which RDFC-1.0
// names the same algorithm) of a JSON-LD document as N-Quads, one quad a line,
// each ending in "\n". Contexts come only from the vendored files, named by URL
// in the top-level @context; any other URL, and an inline context, is
// ErrUnknownContext. A document past the bounds on work (bounds.go: 1,000 JSON
// values, MaxQuads statements, MaxAmbiguousBlankNodes) is ErrMalformed.
// Malformed JSON, or JSON-LD that would silently lose
// data (a property that expands to no IRI, a relative node id or type), is
// ErrMalformed: what is not in the canonical form is not signed, so it must not be
// accepted either.
func Canonicalize(doc []byte) (string, error) {
	v, err := decodeObject(doc)
	if err != nil {
		return "", err
	}
	return canonicalize(v)
}

// decodeObject parses one JSON object, refusing invalid UTF-8 (encoding/json
// would replace it silently, and JavaScript verifiers decode it differently),
// a key twice in one object (parsers disagree on which one counts: a viewer
// could show a value other than the signed one) and anything after the object.
// Numbers decode as float64, as JavaScript's do, so 5 and 5.0 canonicalize
// alike on both sides.
func decodeObject(doc []byte) (map[string]any, error) {
	if !utf8.Valid(doc) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if err := checkDuplicateKeys(doc); err != nil {
		return nil, err
	}
	return m, nil
}

// checkDuplicateKeys walks the tokens of valid JSON and refuses an object that
// names a key twice.
func checkDuplicateKeys(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token in this object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: not JSON: %v", ErrMalformed, err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{keys: map[string]bool{}, object: true, key: true})
			case '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if top.key {
			k := tok.(string)
			if top.keys[k] {
				return fmt.Errorf("%w: the key %q appears twice in one object", ErrMalformed, k)
			}
			top.keys[k] = true
			top.key = false
			continue
		}
		top.key = true // a scalar value: the next token is a key again
	}
}

// canonicalize checks the document against the bounds on work (bounds.go),
// then canonicalizes it.
func canonicalize(v any) (string, error) {
	if err := checkDocument(v); err != nil {
		return "", err
	}
	return runJSONLD(v)
}

// runJSONLD runs json-gold: JSON-LD → RDF dataset (safe mode) → URDNA2015 →
// N-Quads. It never panics: json-gold is a large library fed with documents
// from strangers, so a panic inside it is reported as a malformed document.
// Only canonicalize calls it, after checkDocument (a test calls it directly to
// show that even unchecked documents cannot change the cached contexts).
func runJSONLD(v any) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("%w: JSON-LD processing failed: %v", ErrMalformed, r)
		}
	}()
	dataset, err := toDataset(v)
	if err != nil {
		return "", err
	}
	if err := checkQuadCount(dataset); err != nil {
		return "", err
	}
	if err := checkBlankNodes(dataset); err != nil {
		return "", err
	}
	return normalize(dataset)
}

// toDataset expands v and turns it into an RDF dataset, refusing what would be
// lost on the way.
func toDataset(v any) (*ld.RDFDataset, error) {
	var lost error
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = offlineLoader{}
	opts.ProcessingMode = ld.JsonLd_1_1
	// Safe mode refuses a property that would be dropped instead of signed.
	opts.SafeMode = true
	// What toRDF would leave out is refused rather than signed or accepted
	// uncovered (see checkExpandedNode).
	opts.ExpandedElementHandler = func(pointer string, expanded any) {
		if lost == nil {
			lost = checkExpandedNode(pointer, expanded)
		}
	}
	proc := ld.NewJsonLdProcessor()
	ds, err := proc.ToRDF(withCachedContext(v), opts)
	if err != nil {
		return nil, classify(err)
	}
	if lost != nil {
		return nil, lost
	}
	dataset, ok := ds.(*ld.RDFDataset)
	if !ok {
		return nil, fmt.Errorf("%w: JSON-LD to RDF gave %T", ErrMalformed, ds)
	}
	return dataset, nil
}

// normalize runs URDNA2015 (json-gold's default is the older URGNA2012) and
// writes the N-Quads itself: json-gold's Normalize appends each line to a string,
// which copies the output so far once a line — quadratic: 5,000 statements took
// 2 s of CPU that way, against milliseconds written once. The lines are the
// ones json-gold writes (its serializer, one quad at a time, with the canonical
// graph name as Normalize's own output does), in the order it sorted them.
func normalize(dataset *ld.RDFDataset) (string, error) {
	na := ld.NewNormalisationAlgorithm(ld.AlgorithmURDNA2015)
	na.Normalize(dataset)
	var out strings.Builder
	one := &ld.RDFDataset{Graphs: map[string][]*ld.Quad{}}
	var ser ld.NQuadRDFSerializer
	for _, q := range na.Quads() {
		graph := "@default"
		if q.Graph != nil {
			graph = q.Graph.GetValue()
		}
		clear(one.Graphs)
		one.Graphs[graph] = []*ld.Quad{q}
		if err := ser.SerializeTo(&out, one); err != nil {
			return "", fmt.Errorf("%w: write N-Quads: %v", ErrMalformed, err)
		}
	}
	return out.String(), nil
}

// checkExpandedNode refuses an expanded node object holding anything json-gold
// would leave out of the RDF dataset without a word, or would write otherwise
// than other RDFC-1.0 implementations:
//
//   - toRDF skips a node, type, property or value whose IRI is relative, and a
//     blank-node predicate; it then drops every statement with an http(s) IRI
//     its URL pattern rejects (a space in a path, a host starting with '-', more
//     than 2,083 characters …) or a literal with a malformed language tag. Such
//     content would be in the JSON but not in what is signed, so a verifier
//     would accept it unsigned.
//   - json-gold's N-Quads writer escapes only \ " \n \r \t, where canonical
//     N-Quads (RDFC-1.0, and Digital Bazaar's rdf-canonize that verifiers use)
//     also write \b, \f and \uXXXX for the other control characters, and \uXXXX
//     for the characters an IRI may not hold. A credential with such a character
//     would get a signature no other verifier accepts (found by signing test
//     credentials here and verifying them with Digital Bazaar's libraries).
//     So would a base direction ("@direction": json-gold drops it, Digital
//     Bazaar's cryptosuites write it as an i18n datatype).
//
// Both are refused as ErrMalformed.
func checkExpandedNode(pointer string, expanded any) error {
	node, ok := expanded.(map[string]any)
	if !ok {
		return nil
	}
	if pointer == "" {
		pointer = "/"
	}
	bad := func(what, v string) error {
		if len(v) > 80 {
			v = v[:80] + "…"
		}
		return fmt.Errorf("%w: %s: %s %q cannot be canonicalized faithfully", ErrMalformed, pointer, what, v)
	}
	if id, ok := node["@id"].(string); ok && !keptIRI(id) {
		return bad("id", id)
	}
	types, _ := node["@type"].([]any)
	for _, t := range types {
		if s, ok := t.(string); ok && !keptIRI(s) {
			return bad("type", s)
		}
	}
	check := func(props map[string]any) error {
		for k, v := range props {
			if strings.HasPrefix(k, "@") {
				continue
			}
			if strings.HasPrefix(k, "_:") || !keptIRI(k) {
				return bad("property", k)
			}
			if err := checkValues(v, bad); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check(node); err != nil {
		return err
	}
	if rev, ok := node["@reverse"].(map[string]any); ok {
		return check(rev)
	}
	return nil
}

// langTag is the language tag json-gold keeps (any other literal is dropped).
var langTag = regexp.MustCompile(`^[a-zA-Z]+(-[a-zA-Z0-9]+)*$`)

// checkValues checks the expanded values of one property: node references,
// typed or language-tagged literals, lists.
func checkValues(v any, bad func(what, v string) error) error {
	items, _ := v.([]any)
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if id, ok := m["@id"].(string); ok && !keptIRI(id) {
			return bad("id", id)
		}
		if val, isValue := m["@value"]; isValue {
			dt, _ := m["@type"].(string)
			if dt != "" && dt != "@json" && !keptIRI(dt) {
				return bad("datatype", dt)
			}
			if str, ok := val.(string); ok && dt != "@json" && strings.IndexFunc(str, unescapedAlike) >= 0 {
				return bad("text with a control character", str)
			}
			// json-gold drops a base direction; Digital Bazaar's cryptosuites
			// canonicalize it as an i18n datatype (rdfDirection i18n-datatype).
			if dir, ok := m["@direction"].(string); ok {
				return bad("text with a base direction", dir)
			}
			if lang, ok := m["@language"].(string); ok && !langTag.MatchString(lang) {
				return bad("language", lang)
			}
		}
		if list, ok := m["@list"]; ok {
			if err := checkValues(list, bad); err != nil {
				return err
			}
		}
	}
	return nil
}

// keptIRI says whether json-gold's toRDF keeps an IRI: a blank node id, or an
// absolute IRI that, when http(s), also passes its URL pattern. That pattern is a
// costly regular expression and vocabularies repeat the same IRIs in every
// credential, so answers are remembered (a bounded number of them).
func keptIRI(s string) bool {
	if strings.HasPrefix(s, "_:") {
		return true
	}
	if !ld.IsAbsoluteIri(s) || strings.ContainsAny(s, "<>\"{}|^`\\") || strings.IndexFunc(s, func(r rune) bool { return r <= 0x20 || r == 0x7f }) >= 0 {
		return false
	}
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return true
	}
	if ok, seen := urlSeen.Load(s); seen {
		return ok.(bool)
	}
	ok := ld.IsURL(s)
	if urlSeenCount.Add(1) <= maxURLSeen {
		urlSeen.Store(s, ok)
	}
	return ok
}

// unescapedAlike reports the characters of a literal that json-gold and
// canonical N-Quads escape differently: the controls other than \t \n \r.
func unescapedAlike(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}

const maxURLSeen = 4096

var (
	urlSeen      sync.Map // IRI → bool
	urlSeenCount atomic.Int64
)

// classify keeps ErrUnknownContext visible through json-gold's error and calls
// everything else a malformed document.
func classify(err error) error {
	if errors.Is(err, ErrUnknownContext) {
		return fmt.Errorf("%w (%v)", ErrUnknownContext, err)
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}
