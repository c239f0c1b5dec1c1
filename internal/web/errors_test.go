package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/courses"
)

// TestErrors_NegotiatedByQValues: an API error is JSON for every client that
// does not prefer HTML by its Accept header's q-values; a browser navigating
// (Sec-Fetch-Mode: navigate) gets the page whatever it accepts.
func TestErrors_NegotiatedByQValues(t *testing.T) {
	ts := startServer(t, courses.FS)
	tests := []struct {
		accept, mode string
		page         bool
	}{
		{"application/json, text/html;q=0.9", "", false},
		{"text/html;q=0.5, application/json", "", false},
		{"text/html, application/json", "", false}, // a tie is no preference for HTML
		{"*/*", "", false},
		{"", "", false},
		{"application/json", "cors", false},
		{"text/html", "cors", false}, // a script's fetch, whatever it accepts
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", true},
		{"application/json;q=0.1, text/html", "", true},
		{"text/*;q=0.9, application/json;q=0.8", "", true},
		{"application/json;q=0, */*;q=0.1", "", true},
		{"application/json", "navigate", true},
	}
	admin := ts.token(t, ts.user(t, "admin", nil, "Admin Accept"))
	for _, tc := range tests {
		// A 422 from the API: a field that fails validation.
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/sessions?from=not-a-date", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		if tc.mode != "" {
			req.Header.Set("Sec-Fetch-Mode", tc.mode)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := new(strings.Builder)
		ioCopy(body, res)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("Accept %q: %d %s (want a 422 to negotiate)", tc.accept, res.StatusCode, body)
		}
		isJSON := strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && strings.Contains(body.String(), `"code":"invalid"`)
		isPage := strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && strings.Contains(body.String(), "<html")
		if tc.page && !isPage || !tc.page && !isJSON {
			t.Errorf("Accept %q, Sec-Fetch-Mode %q: %s, want page=%v", tc.accept, tc.mode, res.Header.Get("Content-Type"), tc.page)
		}
	}
}
