package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/templates"
)

// TestMessages_EveryKeyExists finds every message id used by a template or a
// handler and checks that the English catalogue defines it, so no page ever
// shows a raw id.
func TestMessages_EveryKeyExists(t *testing.T) {
	raw, err := os.ReadFile("../i18n/locales/ui.en.json")
	if err != nil {
		t.Fatal(err)
	}
	var catalogue map[string]any
	if err := json.Unmarshal(raw, &catalogue); err != nil {
		t.Fatalf("ui.en.json: %v", err)
	}
	used := map[string]string{}
	tmplUse := regexp.MustCompile(`\.L\.T "([^"]+)"`)
	goUse := regexp.MustCompile(`\.T\("([^"]+)"[,)]`)
	names, _ := fs.Glob(templates.FS, "*.html")
	for _, n := range names {
		b, _ := templates.FS.ReadFile(n)
		for _, m := range tmplUse.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = n
		}
	}
	goFiles, _ := filepath.Glob("*.go")
	for _, n := range goFiles {
		b, _ := os.ReadFile(n)
		for _, m := range goUse.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = n
		}
	}
	if len(used) < 10 {
		t.Fatalf("found only %d message ids; is the pattern right?", len(used))
	}
	for id, where := range used {
		if _, ok := catalogue[id]; !ok {
			t.Errorf("%s uses message %q, missing from ui.en.json", where, id)
		}
	}
	// The result page names the review policy that holds the review back.
	for _, p := range []course.ReviewPolicy{course.ReviewAfterSubmit, course.ReviewAfterClose, course.ReviewNever} {
		if _, ok := catalogue["quiz.review_note."+string(p)]; !ok {
			t.Errorf("no message for review policy %s", p)
		}
	}
	for code := range statusCodes {
		if _, ok := catalogue["error.status."+statusCodes[code]]; !ok {
			t.Errorf("no message for status %d", code)
		}
	}
}
