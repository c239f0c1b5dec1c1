package course

import "testing"

// TestLookupLang: a translation is found as the catalogues find a language:
// a pt-BR quiz for "pt" and "pt-PT", fr for fr-CA, he for the old code iw;
// nothing for another language.
func TestLookupLang(t *testing.T) {
	m := map[string]string{"pt-BR": "pt-BR", "fr": "fr", "he": "he", "es": "es"}
	for lang, want := range map[string]string{
		"pt-BR": "pt-BR", "pt": "pt-BR", "pt-PT": "pt-BR", "fr-CA": "fr", "fr": "fr",
		"iw": "he", "he-IL": "he", "es-AR": "es", "es-419": "es",
		"ja": "", "de": "", "": "", "!!": "",
	} {
		got, ok := lookupLang(m, lang)
		if got != want || ok != (want != "") {
			t.Errorf("lookupLang(%q) = %q, %v; want %q", lang, got, ok, want)
		}
	}
}
