package vc

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// TestContexts_Pinned re-hashes every vendored context against SOURCES.md and
// checks that index.json, SOURCES.md and the directory name the same files.
func TestContexts_Pinned(t *testing.T) {
	sources, err := os.ReadFile("contexts/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (https://\S+) \| (\S+\.jsonld) \| .* \| ([0-9a-f]{64}) \|$`)
	rows := row.FindAllStringSubmatch(string(sources), -1)
	if len(rows) == 0 {
		t.Fatal("no context rows in SOURCES.md")
	}
	pinned := map[string]bool{}
	for _, r := range rows {
		url, file, want := r[1], r[2], r[3]
		pinned[file] = true
		if contextIndex[url] != file {
			t.Errorf("SOURCES.md maps %s to %s, index.json to %q", url, file, contextIndex[url])
		}
		b, err := os.ReadFile(filepath.Join("contexts", file))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != want {
			t.Errorf("%s: SHA-256 %x, SOURCES.md pins %s", file, got, want)
		}
		embedded, err := ContextDocument(url)
		if err != nil || string(embedded) != string(b) {
			t.Errorf("%s: the embedded copy differs from the file (%v)", url, err)
		}
	}
	if len(rows) != len(contextIndex) {
		t.Errorf("SOURCES.md pins %d contexts, index.json lists %d", len(rows), len(contextIndex))
	}
	files, _ := filepath.Glob("contexts/*.jsonld")
	for _, f := range files {
		if !pinned[filepath.Base(f)] {
			t.Errorf("%s is vendored but not pinned in SOURCES.md", f)
		}
	}
	urls := ContextURLs()
	if !sort.StringsAreSorted(urls) || len(urls) != len(contextIndex) {
		t.Errorf("ContextURLs() = %v", urls)
	}
	for _, must := range []string{
		"https://www.w3.org/ns/credentials/v2",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		"https://w3id.org/security/multikey/v1",
		"https://www.w3.org/ns/did/v1",
		"https://w3id.org/security/data-integrity/v2",
		"https://www.w3.org/ns/credentials/examples/v2",
	} {
		if _, ok := vendored[must]; !ok {
			t.Errorf("%s is not vendored", must)
		}
	}
}

func TestLoader_FailsClosed(t *testing.T) {
	for _, u := range []string{
		"https://example.org/context.jsonld",
		"https://www.w3.org/ns/credentials/v2/",
		"http://www.w3.org/ns/credentials/v2",
		"https://www.w3.org/2018/credentials/v1",
		"",
	} {
		if _, err := (offlineLoader{}).LoadDocument(u); !errors.Is(err, ErrUnknownContext) {
			t.Errorf("LoadDocument(%q) = %v, want ErrUnknownContext", u, err)
		}
		if _, err := ContextDocument(u); !errors.Is(err, ErrUnknownContext) {
			t.Errorf("ContextDocument(%q) = %v, want ErrUnknownContext", u, err)
		}
	}
	// Inline contexts are refused before json-gold reads them (bounds.go); the
	// loader would refuse the URLs inside them too.
	for name, doc := range map[string]string{
		"a remote property-scoped context": `{"@context":["https://www.w3.org/ns/credentials/v2",{"knows":{"@id":"https://example.org/knows","@context":"https://example.org/inner"}}],"knows":{"name":"x"}}`,
		"a remote type-scoped context":     `{"@context":["https://www.w3.org/ns/credentials/v2",{"Thing":{"@id":"https://example.org/Thing","@context":"https://example.org/scoped"}}],"type":"Thing","name":"x"}`,
	} {
		if _, err := Canonicalize([]byte(doc)); !errors.Is(err, ErrUnknownContext) {
			t.Errorf("%s: %v, want ErrUnknownContext", name, err)
		}
		if _, err := runJSONLD(decode(t, doc)); !errors.Is(err, ErrUnknownContext) {
			t.Errorf("%s, past the context check: %v, want ErrUnknownContext from the loader", name, err)
		}
	}
}

func decode(t testing.TB, doc string) map[string]any {
	t.Helper()
	m, err := decodeObject([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLoader_ImportCannotChangeAVendoredContext: json-gold merges an @import into
// the map the loader returned; a document must not be able to change the
// context every later document is read with. Inline contexts are refused before
// json-gold since (bounds.go), so the document is run past that check here:
// the loader's copies still protect the vendored contexts on their own.
func TestLoader_ImportCannotChangeAVendoredContext(t *testing.T) {
	plain := `{"@context":["https://www.w3.org/ns/credentials/examples/v2"],"id":"urn:x","alumniOf":"A"}`
	before, err := Canonicalize([]byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	evil := `{"@context":[{"@import":"https://www.w3.org/ns/credentials/examples/v2","@vocab":"https://evil.example/#"}],"id":"urn:x","alumniOf":"A"}`
	if _, err := Canonicalize([]byte(evil)); !errors.Is(err, ErrUnknownContext) {
		t.Fatalf("an inline context: %v, want ErrUnknownContext", err)
	}
	if _, err := runJSONLD(decode(t, evil)); err != nil {
		t.Fatal(err)
	}
	after, err := Canonicalize([]byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatalf("a document's @import changed the vendored context:\nbefore %s\nafter  %s", before, after)
	}
}
