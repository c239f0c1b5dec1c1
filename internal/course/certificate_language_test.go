package course

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoad_CertificateLanguages: certificate.language picks one language,
// certificate.languages two for the bilingual layout; the default is the
// course's language; anything else is a lint problem on its line.
func TestLoad_CertificateLanguages(t *testing.T) {
	for _, tc := range []struct {
		name, front string
		want        []string
		problem     string
	}{
		{"default", "language: de\n", []string{"de"}, ""},
		{"default English", "", []string{"en"}, ""},
		{"one", "certificate:\n  language: fr\n", []string{"fr"}, ""},
		{"canonical", "certificate:\n  language: pt-br\n", []string{"pt-BR"}, ""},
		{"bilingual", "certificate:\n  languages: [fr, en]\n", []string{"fr", "en"}, ""},
		{"one in a list", "certificate:\n  languages: [ko]\n", []string{"ko"}, ""},
		{"both keys", "certificate:\n  language: fr\n  languages: [fr, en]\n", []string{"en"}, "c/course.md:5: certificate: give language (one) or languages"},
		{"three", "certificate:\n  languages: [fr, en, de]\n", []string{"en"}, "c/course.md:5: certificate.languages: a certificate is printed in two languages at most, got 3"},
		{"twice", "certificate:\n  languages: [fr, fr]\n", []string{"fr"}, "c/course.md:5: certificate.languages: fr twice"},
		{"bad tag", "certificate:\n  language: french\n", []string{"en"}, "c/course.md:5: certificate.language: \"french\" is not a language tag"},
		{"empty list", "certificate:\n  languages: []\n", []string{"en"}, "c/course.md:5: certificate.languages: name one or two languages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"c/course.md": {Data: []byte("---\ntitle: C\nsummary: S\n" + tc.front + "---\n\nOverview.\n")},
				"c/01-m.md":   {Data: []byte("---\ntitle: M\nduration: 10m\n---\n\nText.\n")},
			}
			c, probs := Load(fsys, "c", "c")
			if tc.problem == "" && len(probs) > 0 {
				t.Fatalf("problems:\n%s", probs)
			}
			if tc.problem != "" && !strings.HasPrefix(probs.String(), tc.problem) {
				t.Fatalf("problems:\n%s\nwant one starting %q", probs, tc.problem)
			}
			if c != nil && !slices.Equal(c.Certificate.Languages, tc.want) {
				t.Errorf("languages = %v, want %v", c.Certificate.Languages, tc.want)
			}
		})
	}
}
