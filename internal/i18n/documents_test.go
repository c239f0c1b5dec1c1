package i18n

import "testing"

// TestCountryLanguage: the programme's countries give the language their
// officers most likely read, matched to a catalogue (Brazil's Portuguese is
// pt-BR's); a country with no catalogue's language falls through to the next
// choice.
func TestCountryLanguage(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for country, want := range map[string]string{"FR": "fr", "BR": "pt-BR", "AR": "es", "IL": "he", "KR": "ko", "DE": "de",
		"NL": "nl", "SE": "sv", "GB": "en", "CA": "en", "PH": "de", "": "de", "ZZ": "de", "not a country": "de"} {
		if got := c.Match(CountryLanguage(country), "de"); got != want {
			t.Errorf("%q: %q, want %q", country, got, want)
		}
	}
}

// TestPlace: a city and a country code as each language writes the country.
func TestPlace(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, city, country, want string }{
		{"en", "Paris", "FR", "Paris, France"},
		{"de", "Paris", "FR", "Paris, Frankreich"},
		{"ko", "Paris", "FR", "Paris, 프랑스"},
		{"fr", "", "DE", "Allemagne"},
		{"fr", "Lyon", "", "Lyon"},
		{"fr", "", "", ""},
	} {
		if got := c.For(tc.lang).Place(tc.city, tc.country); got != tc.want {
			t.Errorf("%s %q %q: %q, want %q", tc.lang, tc.city, tc.country, got, tc.want)
		}
	}
}
