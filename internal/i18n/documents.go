package i18n

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// What documents (certificates, slips, paper sheets, calendars, e-mails) need
// beyond pages: the embedded catalogues without a caller to hand them over, a
// place as records keep it, and a first guess at what someone reads.

var embedded struct {
	once sync.Once
	c    *Catalog
	err  error
}

// Default is the embedded catalogues, loaded once: what a document renders
// with when no one passes a Catalog (a certificate re-rendered by `lectern
// certs export`, a test).
func Default() (*Catalog, error) {
	embedded.once.Do(func() { embedded.c, embedded.err = Load() })
	return embedded.c, embedded.err
}

// Place is a city and an ISO 3166 country code as the locale writes them:
// "Paris, France", "Paris, Frankreich", "파리, 프랑스" (the city as entered).
func (l *Localizer) Place(city, country string) string {
	name := ""
	if strings.TrimSpace(country) != "" {
		name = l.Country(country)
	}
	switch {
	case strings.TrimSpace(city) == "":
		return name
	case name == "":
		return city
	}
	return city + ", " + name
}

// CountryLanguage is the language most spoken in a country (ISO 3166 code), as
// CLDR's likely subtags have it: "pt" for BR, "he" for IL, "ko" for KR; "" if
// unknown. It guesses what someone reads before they have said (an officer
// invited by their agency, printed a sign-in slip before ever signing in).
func CountryLanguage(country string) string {
	r, err := language.ParseRegion(country)
	if err != nil || !r.IsCountry() {
		return "" // ZZ, EU, 001: no country, no language to guess
	}
	t, err := language.Compose(language.Und, r)
	if err != nil {
		return ""
	}
	base, conf := t.Base()
	if conf == language.No {
		return ""
	}
	return base.String()
}
