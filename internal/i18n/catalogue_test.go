package i18n

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// complete lists, per area, the languages whose AREA.LANG.json holds every id of
// AREA.en.json. A translator adds their language to an area once its file is
// complete; from then on TestCatalogue_Complete keeps it so as ids land. Per
// area, so that a new area (errors) lands in English first without failing the
// languages complete in the others (an area not listed needs only en, which
// every area has). Languages not listed are still checked for placeholders and
// plural forms in what they have.
var complete = map[string][]string{
	"ui":        {"en", "es", "fr", "ko", "he", "pt-BR", "sv", "de", "nl"},
	"documents": {"en", "ko", "he", "pt-BR", "sv", "de", "nl", "es", "fr"},
	"errors":    {"en", "de", "ko", "he", "nl", "es", "fr", "pt-BR", "sv"},
	"formats":   {"en", "fr", "es", "pt-BR", "de", "nl", "sv", "ko", "he"},
}

// catalogueFile is one AREA.LANG.json: each id's forms ("other" alone for a
// plain string; "one", "other", … for a plural message).
type catalogueFile struct {
	area, lang string
	msgs       map[string]map[string]string
}

// pluralKeys are go-i18n's plural forms; a message object with any of them is
// a plural message (other keys, such as "description", are notes).
var pluralKeys = []string{"zero", "one", "two", "few", "many", "other"}

func readCatalogues(t *testing.T) map[string]map[string]*catalogueFile {
	t.Helper()
	files, err := filepath.Glob("locales/*.json")
	if err != nil {
		t.Fatal(err)
	}
	byArea := map[string]map[string]*catalogueFile{}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".json"), ".")
		if len(parts) != 2 {
			t.Errorf("%s: want AREA.LANG.json", f)
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		cf := &catalogueFile{area: parts[0], lang: parts[1], msgs: map[string]map[string]string{}}
		for id, v := range m {
			forms := map[string]string{}
			switch v := v.(type) {
			case string:
				forms["other"] = v
			case map[string]any:
				for k, s := range v {
					if str, ok := s.(string); ok && slices.Contains(pluralKeys, k) {
						forms[k] = str
					}
				}
			}
			if len(forms) == 0 {
				t.Errorf("%s: %q is neither a string nor plural forms", f, id)
				continue
			}
			cf.msgs[id] = forms
		}
		if byArea[cf.area] == nil {
			byArea[cf.area] = map[string]*catalogueFile{}
		}
		byArea[cf.area][cf.lang] = cf
	}
	if byArea["ui"]["en"] == nil {
		t.Fatal("no ui.en.json")
	}
	return byArea
}

// TestCatalogue_Complete: every id of every AREA.en.json is in AREA.LANG.json
// for each language listed in complete, and no language has ids English does
// not (a renamed or removed id left behind).
func TestCatalogue_Complete(t *testing.T) {
	byArea := readCatalogues(t)
	// Every language that has a catalogue is offered by the selector, so it must
	// be complete in every area, not only where its translator has got to.
	shipped := map[string]bool{}
	for _, langs := range byArea {
		for lang := range langs {
			shipped[lang] = true
		}
	}
	for area := range byArea {
		for lang := range shipped {
			if !slices.Contains(complete[area], lang) {
				t.Errorf("%s has catalogues but is not listed complete in %s: translate %s.en.json into %s.%s.json and list it", lang, area, area, area, lang)
			}
		}
	}
	for area, langs := range byArea {
		en := langs["en"]
		if en == nil {
			t.Errorf("%s: translations without %s.en.json", area, area)
			continue
		}
		for _, lang := range complete[area] {
			cf := langs[lang]
			if cf == nil {
				t.Errorf("%s is listed complete but has no %s.%s.json", lang, area, lang)
				continue
			}
			var missing []string
			for id := range en.msgs {
				if _, ok := cf.msgs[id]; !ok {
					missing = append(missing, id)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s.%s.json misses %d ids: %s", area, lang, len(missing), strings.Join(missing, ", "))
			}
		}
		for lang, cf := range langs {
			for id := range cf.msgs {
				if _, ok := en.msgs[id]; !ok {
					t.Errorf("%s.%s.json has %q, which %s.en.json does not", area, lang, id, area)
				}
			}
		}
	}
}

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func placeholders(forms map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, s := range forms {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			out[m[1]] = true
		}
	}
	return out
}

// TestCatalogue_Placeholders: a translation uses the English message's
// placeholders, all of them and no others (a page passes only those), in every
// language, complete or not. They are compared across a message's forms
// together: a plural form may leave Count out ("one module", "שני מודולים").
// Date and time patterns (formats) are left out: each locale picks among the
// same parts ("{{.Day}}. {{.Month}}", "{{.Year}}년 {{.MonthNumber}}월").
func TestCatalogue_Placeholders(t *testing.T) {
	for area, langs := range readCatalogues(t) {
		en := langs["en"]
		if en == nil || area == "formats" {
			continue
		}
		for lang, cf := range langs {
			if lang == "en" {
				continue
			}
			for id, forms := range cf.msgs {
				enForms, ok := en.msgs[id]
				if !ok {
					continue // reported by TestCatalogue_Complete
				}
				want, got := placeholders(enForms), placeholders(forms)
				for p := range want {
					if !got[p] {
						t.Errorf("%s.%s.json %q: placeholder {{.%s}} missing", area, lang, id, p)
					}
				}
				for p := range got {
					if !want[p] {
						t.Errorf("%s.%s.json %q: placeholder {{.%s}} is not in English", area, lang, id, p)
					}
				}
			}
		}
	}
}

// pluralCounts cover CLDR's categories in the nine languages: zero, one,
// two (Hebrew), the teens, round hundreds and a fraction (1.5, a float64
// as a caller passes it: localize hands go-i18n its decimal digits).
var pluralCounts = []any{0, 1, 2, 3, 11, 100, float64(1.5)}

// TestCatalogue_Plurals localises every plural message of the English
// catalogues with each count in every language. Where a language has the
// message (always, once it is complete) it must yield text, not an error or a
// raw id: a missing plural form for that language's rules fails here.
func TestCatalogue_Plurals(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	byArea := readCatalogues(t)
	checked := 0
	for area, langs := range byArea {
		en := langs["en"]
		if en == nil {
			continue
		}
		for lang, cf := range langs {
			l := c.For(lang)
			for id, enForms := range en.msgs {
				if _, plural := enForms["one"]; !plural {
					continue
				}
				if _, ok := cf.msgs[id]; !ok {
					continue // reported by TestCatalogue_Complete when lang is listed
				}
				for _, n := range pluralCounts {
					args := []any{"Count", n}
					for p := range placeholders(enForms) {
						if p != "Count" {
							args = append(args, p, "x")
						}
					}
					s, err := l.localize(id, args...)
					if err != nil || s == "" || s == id {
						t.Errorf("%s.%s.json %q with Count %v: %q, %v", area, lang, id, n, s, err)
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no plural message found; is the check reading the catalogues?")
	}
}

// TestLocalizer_CountKinds: a count given as a float64 (a quiz of 90 seconds
// is 1.5 minutes) picks its plural form like an integer does, in English and
// in a language whose rules read the fraction (French: 1.5 is "one"), never
// falling back to the raw id; and login.throttled's one minute is singular.
func TestLocalizer_CountKinds(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		id   string
		kv   []any
		want string
	}{
		{"en", "quiz.minutes", []any{"Count", 1.5}, "1.5 minutes"},
		{"en", "quiz.minutes", []any{"Count", float64(1)}, "1 minute"},
		{"en", "quiz.minutes", []any{"Count", float32(2)}, "2 minutes"},
		{"fr", "quiz.minutes", []any{"Count", 1.5}, "1,5 minute"},
		{"en", "login.throttled", []any{"Minutes", 1, "Count", 1}, "Too many failed attempts. Try again in 1 minute."},
		{"en", "login.throttled", []any{"Minutes", 15, "Count", 15}, "Too many failed attempts. Try again in 15 minutes."},
	} {
		if got := c.For(tc.lang).T(tc.id, tc.kv...); got != tc.want {
			t.Errorf("%s %s %v = %q, want %q", tc.lang, tc.id, tc.kv, got, tc.want)
		}
	}
	he := c.For("he").T("login.throttled", "Minutes", 1, "Count", 1)
	if !strings.Contains(he, "דקה") || strings.Contains(he, "דקות") {
		t.Errorf("he login.throttled for 1: %q, want the singular דקה", he)
	}
}
