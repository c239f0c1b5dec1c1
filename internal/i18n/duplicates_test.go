package i18n

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestCatalogue_NoDuplicateIDs: an id written twice in one file is silently
// the last one for encoding/json and go-i18n, so the first message is lost —
// as "officers.title" was, twice in ui.en.json for two pages, one of which
// then showed "<no value>: officers".
func TestCatalogue_NoDuplicateIDs(t *testing.T) {
	files, err := filepath.Glob("locales/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogues: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range duplicateKeys(t, f, raw) {
			t.Errorf("%s: %q is written more than once", f, id)
		}
	}
	if got := duplicateKeys(t, "a made-up file", []byte(`{"a": "x", "b": {"one": "y", "other": "z"}, "a": "w"}`)); len(got) != 1 || got[0] != "a" {
		t.Errorf("the check finds %v in a file with \"a\" twice", got)
	}
}

// duplicateKeys lists the top-level keys of a JSON object met more than once.
func duplicateKeys(t *testing.T, name string, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: not a JSON object: %v", name, err)
	}
	seen := map[string]bool{}
	var dups []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		key := tok.(string)
		if seen[key] {
			dups = append(dups, key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%s: %s: %v", name, key, err)
		}
	}
	return dups
}
