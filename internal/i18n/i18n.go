// Package i18n owns every user-facing string: message catalogues per language,
// embedded in the binary, and the lookup that pages and messages use. Strings are
// written once, in English, in locales/AREA.en.json (ui: pages and e-mails; errors:
// domain errors; formats: dates and numbers; documents: PDFs and calendars); a
// translator adds locales/AREA.LANG.json for each area (go-i18n v2 JSON, which
// translation platforms such as Weblate read). One language may span several files.
//
// It also owns the choice of language (language.go) and formatting per locale
// (format.go), so pages, e-mails, PDFs and calendars all agree, with no HTTP in
// sight.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Catalog holds every language's messages.
type Catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	// tags are the languages offered: those with a ui catalogue (a page is
	// mostly ui), English, the source, first.
	tags []language.Tag
	// dates are each language's compiled date and time formats (dates.go),
	// by catalogue tag.
	dates sync.Map
}

// Load reads the embedded catalogues. English is the source language.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(locales, "locales")
	if err != nil {
		return nil, fmt.Errorf("open catalogues: %w", err)
	}
	return load(sub)
}

// load reads every AREA.LANG.json at the top of fsys.
func load(fsys fs.FS) (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := []language.Tag{language.English}
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("list catalogues: %w", err)
	}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", f, err)
		}
		mf, err := b.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("parse catalogue %s: %w", f, err)
		}
		if strings.HasPrefix(path.Base(f), "ui.") && mf.Tag != language.English {
			tags = append(tags, mf.Tag)
		}
	}
	return &Catalog{bundle: b, matcher: language.NewMatcher(tags), tags: tags}, nil
}

// Localizer translates and formats for one language, falling back to English.
type Localizer struct {
	l *i18n.Localizer
	// Lang is the catalogue's tag ("fr", "pt-BR"), as <html lang> wants it.
	Lang string
	tag  language.Tag
	cat  *Catalog
}

// For returns a localizer for lang, a tag as Match returns it.
func (c *Catalog) For(lang string) *Localizer {
	tag, err := language.Parse(lang)
	if err != nil {
		tag, lang = language.English, "en"
	}
	return &Localizer{l: i18n.NewLocalizer(c.bundle, lang, "en"), Lang: lang, tag: tag, cat: c}
}

// T returns the message id with its {{.Name}} placeholders filled from key/value
// pairs: T("course.modules", "Count", 4). A missing message is logged; one
// missing from this language only is shown in English, one missing everywhere
// shows its id, so a gap in a catalogue is visible but never breaks a page.
func (l *Localizer) T(id string, kv ...any) string {
	s, err := l.localize(id, kv...)
	if err != nil {
		slog.Warn("missing translation", "id", id, "lang", l.Lang, "err", err)
		if s == "" { // go-i18n gives the English text with the error when only this language lacks it
			return strings.TrimSpace(id)
		}
	}
	return s
}

// localize fills the message id from key/value pairs; "Count" also picks the
// plural form.
func (l *Localizer) localize(id string, kv ...any) (string, error) {
	var data map[string]any
	var count any
	if len(kv) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k := fmt.Sprint(kv[i])
			data[k] = kv[i+1]
			if k == "Count" {
				var fraction bool
				count, fraction = pluralCount(kv[i+1])
				if fraction { // shown as the locale writes it: "1,5" in French
					data[k] = l.Number(kv[i+1])
				}
			}
		}
	}
	return l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
}

// pluralCount is a count as go-i18n takes it: integers as they are, a
// fraction as its decimal digits ("1.5": CLDR's rules read the visible
// fraction digits, and go-i18n refuses a float64 outright).
// fraction says n was a float.
func pluralCount(n any) (count any, fraction bool) {
	switch v := n.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32), true
	}
	return n, false
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
