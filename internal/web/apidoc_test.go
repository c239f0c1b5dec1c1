package web

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/courses"
)

// TestAPIDoc_CoversEveryRoute keeps docs/api.md true: every API route registered
// has a "### METHOD /path" section, and every documented route exists.
func TestAPIDoc_CoversEveryRoute(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^### `([A-Z]+) ([^`? ]+)").FindAllStringSubmatch(string(doc), -1) {
		// /{serial}.pdf is the same route as /{serial}, answered by its suffix.
		documented[m[1]+" "+strings.Replace(m[2], "}.pdf", "}", 1)] = true
	}
	ts := startServer(t, courses.FS)
	registered := map[string]bool{}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range ts.Server.echo.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		key := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		registered[key] = true
		if !documented[key] {
			t.Errorf("route %s is not documented in docs/api.md", key)
		}
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("docs/api.md documents %s, which is not a route", key)
		}
	}
}
