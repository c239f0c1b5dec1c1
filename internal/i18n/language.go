package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Match picks the catalogue language for the first of wanted that one fits:
// each is a tag or a whole Accept-Language header, so a caller passes its
// sources in order of precedence (a saved preference, a cookie, the browser's
// header, a course's language). Empty and unparseable ones are skipped; when
// none fits, English. The result is the catalogue's own tag: "pt-BR" for a
// Portuguese or Brazilian browser, "he" for he-IL, "de" for de-AT.
func (c *Catalog) Match(wanted ...string) string {
	for _, w := range wanted {
		if lang, ok := c.match(w); ok {
			return lang
		}
	}
	return c.tags[0].String()
}

func (c *Catalog) match(wanted string) (string, bool) {
	if strings.TrimSpace(wanted) == "" {
		return "", false
	}
	tags, _, err := language.ParseAcceptLanguage(wanted)
	if err != nil || len(tags) == 0 {
		return "", false
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return "", false
	}
	return c.tags[i].String(), true
}

// Offers reports whether lang is exactly one of the languages offered (what a
// selector may send).
func (c *Catalog) Offers(lang string) bool {
	for _, t := range c.tags {
		if t.String() == lang {
			return true
		}
	}
	return false
}

// Language is one offered language as a selector shows it.
type Language struct {
	Tag  string // "pt-BR"
	Name string // in the language itself: "Português (Brasil)"
	Dir  string // "ltr" or "rtl"
}

// Languages lists the languages offered (those with a ui catalogue), English
// first, each named in itself so a reader finds theirs whatever the page's.
func (c *Catalog) Languages() []Language {
	out := make([]Language, 0, len(c.tags))
	for _, t := range c.tags {
		out = append(out, Language{Tag: t.String(), Name: Endonym(t.String()), Dir: Dir(t.String())})
	}
	return out
}

// Endonym is a language's name in itself, capitalised as it starts a menu item:
// "Français", "Deutsch", "한국어", "עברית", and "Português (Brasil)" for a tag
// with a region (CLDR's own name for pt-BR drops the region).
func Endonym(lang string) string {
	t, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	base, _ := t.Base()
	name := display.Self.Name(language.Make(base.String()))
	if r, conf := t.Region(); conf == language.Exact {
		name += " (" + display.Regions(t).Name(r) + ")"
	}
	if name == "" {
		return lang
	}
	first, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(first)) + name[n:]
}

// Dir is the writing direction of a language: "rtl" for Hebrew (and Arabic,
// Persian, Urdu … should a catalogue ever come), else "ltr".
func Dir(lang string) string {
	t, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	base, _ := t.Base()
	switch base.String() {
	case "ar", "he", "fa", "ur", "yi", "ps", "sd", "dv", "ug", "ckb":
		return "rtl"
	}
	return "ltr"
}

// Dir is the localizer's writing direction, for <html dir>.
func (l *Localizer) Dir() string { return Dir(l.Lang) }

// Reader is what is known of the language one person reads, from every source
// Lectern has. LanguageOf orders them; pages, API errors, e-mails, slips and
// calendar feeds all go through it, so they agree.
type Reader struct {
	// Saved is the account's language, and Chosen whether the person chose it
	// (the selector, PUT /me/language, or the sign-in page's choice carried into
	// the account) or it was only observed (the browser's first language when
	// they activated their account).
	Saved  string
	Chosen bool
	// Cookie is the selector's cookie and AcceptLanguage the browser's header;
	// both empty outside a request (an e-mail, a calendar feed).
	Cookie         string
	AcceptLanguage string
	// Fallbacks come last, in order: a course's language, the agency's
	// country's, a site default.
	Fallbacks []string
}

// LanguageOf is the catalogue language for r: an explicit choice, else the
// cookie, else Accept-Language, else the observed language, else the
// fallbacks, else English. An observed language ranks below what the browser
// in hand says: it was a guess made once, perhaps on a borrowed laptop, and a
// person who never chose reads what their browser (or their cookie) asks for.
// Without a request, explicit and observed are all there is, in that order.
func (c *Catalog) LanguageOf(r Reader) string {
	var chosen, observed string
	if r.Chosen {
		chosen = r.Saved
	} else {
		observed = r.Saved
	}
	wanted := append([]string{chosen, r.Cookie, r.AcceptLanguage, observed}, r.Fallbacks...)
	return c.Match(wanted...)
}
