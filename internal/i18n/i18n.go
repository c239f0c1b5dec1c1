// Package i18n owns every user-facing string: message catalogues per language,
// embedded in the binary, and the lookup that pages and messages use. Strings are
// written once, in English, in locales/AREA.en.json (ui: pages and e-mails; errors:
// domain errors; formats: dates and numbers; documents: PDFs and calendars); a
// translator adds locales/AREA.LANG.json for each area (go-i18n v2 JSON, which
// translation platforms such as Weblate read). One language may span several files.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Catalog holds every language's messages.
type Catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	tags    []language.Tag
}

// Load reads the embedded catalogues. English is the source language.
func Load() (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := []language.Tag{language.English}
	files, err := fs.Glob(locales, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("list catalogues: %w", err)
	}
	for _, f := range files {
		data, err := locales.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", f, err)
		}
		mf, err := b.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("parse catalogue %s: %w", f, err)
		}
		if mf.Tag != language.English {
			tags = append(tags, mf.Tag)
		}
	}
	return &Catalog{bundle: b, matcher: language.NewMatcher(tags), tags: tags}, nil
}

// Match picks the best catalogue language for an Accept-Language header or tag.
func (c *Catalog) Match(accept ...string) string {
	var wanted []language.Tag
	for _, a := range accept {
		if a == "" {
			continue
		}
		ts, _, err := language.ParseAcceptLanguage(a)
		if err == nil {
			wanted = append(wanted, ts...)
		}
	}
	_, i, _ := c.matcher.Match(wanted...)
	base, _ := c.tags[i].Base()
	return base.String()
}

// Localizer translates into one language, falling back to English.
type Localizer struct {
	l    *i18n.Localizer
	Lang string
}

// For returns a localizer for lang.
func (c *Catalog) For(lang string) *Localizer {
	return &Localizer{l: i18n.NewLocalizer(c.bundle, lang, "en"), Lang: lang}
}

// T returns the message id with its {{.Name}} placeholders filled from key/value
// pairs: T("course.modules", "Count", 4). A missing message is logged and its id is
// shown, so a gap in a catalogue is visible but never breaks a page.
func (l *Localizer) T(id string, kv ...any) string {
	var data map[string]any
	var count any
	if len(kv) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k := fmt.Sprint(kv[i])
			data[k] = kv[i+1]
			if k == "Count" {
				count = kv[i+1]
			}
		}
	}
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		slog.Warn("missing translation", "id", id, "lang", l.Lang, "err", err)
		return strings.TrimSpace(id)
	}
	return s
}

// Label is the message id's text when the catalogue has one, else fallback —
// for names that are mostly, not all, translated (audit actions), without
// logging every gap.
func (l *Localizer) Label(id, fallback string) string {
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return fallback
	}
	return s
}
