package certify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

// A certificate is worded in the course's certificate language, or in two for
// the bilingual layout (course.CertificateRule.Languages). Its title and
// course title in each are fixed when it is issued (store.Certificate.Wording),
// so a course edited later never changes a certificate already handed out;
// the catalogue's words (documents.*.json) and the formats of dates and
// places are applied when it is printed. What is signed (Payload) stays the
// course language's record and means the same in every language.

// wording is a certificate's text in one of its languages.
type wording struct {
	Lang   string `json:"lang"`
	Title  string `json:"title"`
	Course string `json:"course"`
}

// wordingFor is what a certificate of course c is printed in, in each of its
// certificate languages: the course's translation into that language
// (course.LANG.md's certificate title and title) where one exists, else the
// course's own title and, for the certificate's, the catalogue's generic one
// in that language.
func wordingFor(c *course.Course, cat *i18n.Catalog) []wording {
	langs := c.Certificate.Languages
	if len(langs) == 0 {
		langs = []string{c.Language}
	}
	out := make([]wording, 0, len(langs))
	for _, lang := range langs {
		w := wording{Lang: lang, Title: c.Certificate.Title, Course: c.Title}
		if !strings.EqualFold(lang, c.Language) {
			w.Title = ""
			if t := c.Text(lang); t.Language != c.Language {
				w.Title, w.Course = t.CertificateTitle, t.Title
			}
		}
		if w.Title == "" {
			w.Title = cat.For(cat.Match(lang)).T("documents.certificate.title")
		}
		out = append(out, w)
	}
	return out
}

// readWording is what a stored certificate is printed in; one issued before
// certificates had languages is printed in English, as it always was.
func readWording(c *store.Certificate) ([]wording, error) {
	if len(c.Wording) == 0 {
		return []wording{{Lang: "en", Title: c.Title, Course: c.CourseTitle}}, nil
	}
	var ws []wording
	if err := json.Unmarshal(c.Wording, &ws); err != nil {
		return nil, fmt.Errorf("certificate %s wording: %w", c.Serial, err)
	}
	if len(ws) == 0 || len(ws) > 2 {
		return nil, fmt.Errorf("certificate %s wording: %d languages, want 1 or 2", c.Serial, len(ws))
	}
	return ws, nil
}

// courseTitles is the course title by language a certificate is printed in.
func courseTitles(ws []wording) map[string]string {
	out := make(map[string]string, len(ws))
	for _, w := range ws {
		out[w.Lang] = w.Course
	}
	return out
}
