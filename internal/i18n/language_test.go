package i18n

import (
	"testing"
	"testing/fstest"
)

// testCatalog is a catalogue with the nine languages' ui files (one message
// each), whatever the real catalogues hold yet.
func testCatalog(t *testing.T) *Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, lang := range []string{"en", "fr", "es", "pt-BR", "de", "nl", "sv", "ko", "he"} {
		fsys["ui."+lang+".json"] = &fstest.MapFile{Data: []byte(`{"hello": "hello ` + lang + `"}`)}
	}
	// A formats or errors file alone does not offer its language.
	fsys["formats.ja.json"] = &fstest.MapFile{Data: []byte(`{"x": "y"}`)}
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalog_Match(t *testing.T) {
	c := testCatalog(t)
	for _, tc := range []struct {
		name   string
		wanted []string
		want   string
	}{
		{"Portuguese", []string{"pt"}, "pt-BR"},
		{"Portugal", []string{"pt-PT"}, "pt-BR"},
		{"Brazil", []string{"pt-BR"}, "pt-BR"},
		{"Israel", []string{"he-IL"}, "he"},
		{"old Hebrew code", []string{"iw"}, "he"},
		{"Austria", []string{"de-AT"}, "de"},
		{"Quebec", []string{"fr-CA,fr;q=0.9,en;q=0.8"}, "fr"},
		{"q-values", []string{"ja;q=1, ko;q=0.9, en;q=0.5"}, "ko"},
		{"unknown", []string{"ja"}, "en"},
		{"only a formats file", []string{"ja-JP"}, "en"},
		{"nothing", nil, "en"},
		{"garbage", []string{"!!!"}, "en"},
		// Precedence: the first source that fits wins, a later one only when
		// the earlier ones do not (saved, cookie, Accept-Language, default).
		{"saved first", []string{"sv", "de", "fr", "es"}, "sv"},
		{"empty saved skipped", []string{"", "de", "fr"}, "de"},
		{"unoffered saved skipped", []string{"ja", "", "nl-BE,nl;q=0.9", "es"}, "nl"},
		{"default last", []string{"", "", "", "es"}, "es"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Match(tc.wanted...); got != tc.want {
				t.Errorf("Match(%q) = %q, want %q", tc.wanted, got, tc.want)
			}
		})
	}
}

// TestCatalog_LanguageOf: an explicit choice beats everything; a language only
// observed at activation comes after the cookie and Accept-Language (the
// reviewer's case: observed en-US, cookie ko, Accept-Language ko → ko).
func TestCatalog_LanguageOf(t *testing.T) {
	c := testCatalog(t)
	for _, tc := range []struct {
		name string
		r    Reader
		want string
	}{
		{"observed loses to cookie and header", Reader{Saved: "en-US", Cookie: "ko", AcceptLanguage: "ko"}, "ko"},
		{"observed loses to the header", Reader{Saved: "en-US", AcceptLanguage: "sv-SE,sv;q=0.9"}, "sv"},
		{"observed loses to the cookie", Reader{Saved: "de", Cookie: "nl", AcceptLanguage: "fr"}, "nl"},
		{"observed beats the fallbacks", Reader{Saved: "fr-CA", AcceptLanguage: "ja", Fallbacks: []string{"es"}}, "fr"},
		{"chosen beats cookie and header", Reader{Saved: "he", Chosen: true, Cookie: "ko", AcceptLanguage: "ko"}, "he"},
		{"an unoffered choice falls through", Reader{Saved: "ja", Chosen: true, Cookie: "ko"}, "ko"},
		{"mail: chosen", Reader{Saved: "pt-BR", Chosen: true, Fallbacks: []string{"de"}}, "pt-BR"},
		{"mail: observed", Reader{Saved: "pt", Fallbacks: []string{"de"}}, "pt-BR"},
		{"mail: nothing known", Reader{Fallbacks: []string{"", "de"}}, "de"},
		{"nothing at all", Reader{}, "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.LanguageOf(tc.r); got != tc.want {
				t.Errorf("LanguageOf(%+v) = %q, want %q", tc.r, got, tc.want)
			}
		})
	}
}

func TestCatalog_Languages(t *testing.T) {
	c := testCatalog(t)
	want := map[string]string{"en": "English", "fr": "Français", "es": "Español", "pt-BR": "Português (Brasil)",
		"de": "Deutsch", "nl": "Nederlands", "sv": "Svenska", "ko": "한국어", "he": "עברית"}
	got := c.Languages()
	if len(got) != len(want) || got[0].Tag != "en" {
		t.Fatalf("Languages() = %v, want the nine, English first", got)
	}
	for _, l := range got {
		if want[l.Tag] != l.Name {
			t.Errorf("%s is named %q, want %q", l.Tag, l.Name, want[l.Tag])
		}
		if wantDir := map[bool]string{true: "rtl", false: "ltr"}[l.Tag == "he"]; l.Dir != wantDir {
			t.Errorf("%s: dir %q, want %q", l.Tag, l.Dir, wantDir)
		}
		if !c.Offers(l.Tag) {
			t.Errorf("Offers(%q) = false", l.Tag)
		}
	}
	for _, bad := range []string{"", "ja", "pt", "he-IL", "EN", "en;q=1"} {
		if c.Offers(bad) {
			t.Errorf("Offers(%q) = true; only the exact offered tags are", bad)
		}
	}
	if Dir("ar-EG") != "rtl" || Dir("iw") != "rtl" || Dir("x!") != "ltr" {
		t.Error("Dir: Arabic and the old Hebrew code are rtl, nonsense ltr")
	}
	if c.For("he").Dir() != "rtl" || c.For("pt-BR").Dir() != "ltr" || c.For("pt-BR").Lang != "pt-BR" {
		t.Error("For: wrong direction or tag")
	}
	if l := c.For("fr"); l.T("hello") != "hello fr" {
		t.Errorf("For(fr).T = %q", l.T("hello"))
	}
}

// TestLoad_Embedded: the shipped catalogues parse, English is offered first,
// and every offered language has a ui catalogue of its own.
func TestLoad_Embedded(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	langs := c.Languages()
	if len(langs) == 0 || langs[0].Tag != "en" {
		t.Fatalf("Languages() = %v", langs)
	}
	for _, l := range langs {
		if _, err := locales.ReadFile("locales/ui." + l.Tag + ".json"); err != nil {
			t.Errorf("%s offered without a ui catalogue: %v", l.Tag, err)
		}
	}
}
