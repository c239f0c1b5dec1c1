package gift

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from what Parse returns")

// golden is what a corpus file must parse to.
type golden struct {
	Questions []Question `json:"questions"`
	Problems  []Problem  `json:"problems"`
}

// TestParse_Corpus parses every testdata/*.gift and compares questions and
// problems with its .golden.json (rewrite them with -update, then read the diff).
func TestParse_Corpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.gift"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			qs, problems := Parse(file, bytes.NewReader(data))
			got, err := json.MarshalIndent(golden{qs, problems}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			want := strings.TrimSuffix(file, ".gift") + ".golden.json"
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			expected, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/gift -run Corpus -update)", err)
			}
			if !bytes.Equal(got, expected) {
				t.Errorf("%s parses differently from %s:\n%s", file, want, got)
			}
		})
	}
}
