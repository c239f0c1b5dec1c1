package vc

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"

	"github.com/piprate/json-gold/ld"
)

// contextFiles holds the vendored contexts; contexts/SOURCES.md says where each
// file came from and pins its SHA-256.
//
//go:embed contexts/*.jsonld contexts/index.json
var contextFiles embed.FS

// vendored maps each context URL to its parsed JSON. It is read-only after init:
// the loader hands json-gold a deep copy each time, because json-gold writes into
// the maps it is given (an "@import" merges into the imported context), and a
// document we are checking must never be able to change a context that later
// documents are read with.
var contextIndex, vendored = mustLoadContexts()

func mustLoadContexts() (map[string]string, map[string]any) {
	files, docs, err := loadContexts()
	if err != nil {
		panic(err) // the embedded files are part of the binary: a bad one is a build defect
	}
	return files, docs
}

// loadContexts reads index.json (URL → file name) and parses every file it names.
func loadContexts() (map[string]string, map[string]any, error) {
	index, err := contextFiles.ReadFile("contexts/index.json")
	if err != nil {
		return nil, nil, fmt.Errorf("read context index: %w", err)
	}
	var files map[string]string
	if err := json.Unmarshal(index, &files); err != nil {
		return nil, nil, fmt.Errorf("parse context index: %w", err)
	}
	out := make(map[string]any, len(files))
	for url, name := range files {
		data, err := contextFiles.ReadFile(path.Join("contexts", name))
		if err != nil {
			return nil, nil, fmt.Errorf("read context %s: %w", url, err)
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, nil, fmt.Errorf("parse context %s (%s): %w", url, name, err)
		}
		out[url] = doc
	}
	return files, out, nil
}

// ContextURLs lists the context URLs the loader answers, sorted. Any other URL is
// refused with ErrUnknownContext.
func ContextURLs() []string {
	urls := make([]string, 0, len(vendored))
	for u := range vendored {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	return urls
}

// ContextDocument returns the vendored bytes of one context, for a caller that
// must serve or compare them (the Node.js verifier reads the same files from
// internal/vc/contexts/ through index.json).
func ContextDocument(url string) ([]byte, error) {
	name, ok := contextIndex[url]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownContext, url)
	}
	return contextFiles.ReadFile(path.Join("contexts", name))
}

// offlineLoader is the only json-gold DocumentLoader this package uses: it answers
// from the vendored files and nothing else, so no document can make us fetch a URL
// (fail closed; a context inside a context is loaded through it too).
type offlineLoader struct{}

func (offlineLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	doc, ok := vendored[u]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownContext, u)
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: deepCopy(doc)}, nil
}

// deepCopy copies a value decoded by encoding/json into any.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	default:
		return v
	}
}
