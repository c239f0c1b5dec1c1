package static

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// cutShort finds the ways a stylesheet can cut text a person must read:
// text-overflow with an ellipsis (or any string), and line clamping. The rule
// is "shrink, then wrap; never an ellipsis" (a name, a status, a title).
var cutShort = regexp.MustCompile(`(?i)text-overflow\s*:\s*(ellipsis|"|')|line-clamp\s*:`)

// TestStyle_NothingCutShort fails if an ellipsis comes back to a stylesheet or
// a script that writes styles.
func TestStyle_NothingCutShort(t *testing.T) {
	found := 0
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".css") || strings.HasSuffix(path, ".js")) {
			return err
		}
		found++
		data, err := fs.ReadFile(FS, path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if cutShort.MatchString(line) || strings.Contains(line, "textOverflow") {
				t.Errorf("%s:%d cuts text short: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil || found == 0 {
		t.Fatalf("no stylesheet read (%d files): %v", found, err)
	}
}
