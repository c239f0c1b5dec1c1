package vc

import (
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// Processing a context is the larger half of canonicalizing a credential: the
// VC 2.0 and OB 3.0 contexts define some 200 terms, and json-gold builds every
// definition again for each document (twice per proof: the document and the
// proof configuration). A top-level @context made only of vendored URLs always
// gives the same active context, so it is built once and handed to json-gold
// ready-made (its context processing takes a *ld.Context as an @context entry).
// json-gold writes into the context it is handed (its Values: processing mode,
// version; its caches), so each document gets its own copy (ld.CopyContext:
// fresh maps of term definitions and protected terms, ~10 µs): nothing a
// document does can reach the cached context, whatever json-gold does with the
// copy. The term definitions themselves are shared; json-gold makes new ones
// rather than change one. Safe for concurrent callers:
// TestContextCache_Concurrent under -race; TestContextCache_HostileDocuments.

// contextCacheOn lets a benchmark measure the cost without the cache in the same
// run; it is never switched off outside tests.
var contextCacheOn = true

// maxCachedContexts bounds the cache: keys are lists of vendored URLs only, but
// a stranger can still vary their order; past this, contexts are parsed per call.
const maxCachedContexts = 16

var ctxCache = struct {
	sync.Mutex
	m map[string]*ld.Context
}{m: map[string]*ld.Context{}}

// cacheOptions are the options a cached context is built with and keeps: the
// ones canonicalize uses (safe mode is read from the active context's options),
// without the per-call element handler.
var cacheOptions = func() *ld.JsonLdOptions {
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = offlineLoader{}
	o.ProcessingMode = ld.JsonLd_1_1
	o.SafeMode = true
	return o
}()

// cachedContext returns the active context for a top-level @context value, or
// nil when the value is not a list of distinct vendored URLs (or fails to
// parse): json-gold then processes it itself and reports any error.
func cachedContext(ctx any) *ld.Context {
	urls, ok := vendoredURLs(ctx)
	if !ok {
		return nil
	}
	key := strings.Join(urls, "\n")
	ctxCache.Lock()
	c, hit := ctxCache.m[key]
	ctxCache.Unlock()
	if hit {
		return c
	}
	list := make([]any, len(urls))
	for i, u := range urls {
		list[i] = u
	}
	c, err := ld.NewContext(nil, cacheOptions).Parse(list)
	if err != nil {
		return nil
	}
	ctxCache.Lock()
	defer ctxCache.Unlock()
	if prev, raced := ctxCache.m[key]; raced {
		return prev
	}
	if len(ctxCache.m) < maxCachedContexts {
		ctxCache.m[key] = c
	}
	return c
}

// vendoredURLs reads an @context value that is one vendored URL or a list of
// distinct ones.
func vendoredURLs(ctx any) ([]string, bool) {
	var items []any
	switch t := ctx.(type) {
	case string:
		items = []any{t}
	case []any:
		items = t
	default:
		return nil, false
	}
	if len(items) == 0 || len(items) > len(vendored) {
		return nil, false
	}
	urls := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok || seen[s] {
			return nil, false
		}
		if _, known := vendored[s]; !known {
			return nil, false
		}
		seen[s] = true
		urls = append(urls, s)
	}
	return urls, true
}

// withCachedContext returns v with its top-level @context replaced by the cached
// active context, without changing v; or v itself when there is none to use.
func withCachedContext(v any) any {
	if !contextCacheOn {
		return v
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	ctx, has := m["@context"]
	if !has {
		return v
	}
	c := cachedContext(ctx)
	if c == nil {
		return v
	}
	cp := make(map[string]any, len(m))
	for k, e := range m {
		cp[k] = e
	}
	cp["@context"] = []any{ld.CopyContext(c)}
	return cp
}
