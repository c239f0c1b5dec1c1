package auth

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/typeset"
)

// NormalizeEmail lower-cases and trims an address, so "Ana@Police.example" and
// "ana@police.example" are one account.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail validates a normalised e-mail address.
func CheckEmail(f *apperr.Fields, field, email string) {
	if email == "" {
		f.Add(field, "err.field.required")
		return
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") && !strings.HasSuffix(email, "@localhost") {
		f.Add(field, "err.email.invalid")
	}
}

// CleanName normalises a person's or agency's name (NFC, single spaces) and checks
// it: any script is welcome, control characters are not. Every place a name is
// entered (the API, the admin pages, `lectern user add`, roster rows) comes
// through here.
func CleanName(f *apperr.Fields, field, s string, required bool) string {
	// Checked before spaces are normalised, which would turn a tab or a line
	// break into a space and hide that the text was not one line.
	if r, bad := invisibleChar(s); bad {
		f.Add(field, "err.name.invisible", "Char", describeInvisible(r))
		return s
	}
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		if required {
			f.Add(field, "err.field.required")
		}
		return ""
	case n > 200:
		f.Add(field, "err.name.too_long")
		return s
	}
	letters := 0
	for _, r := range s {
		if r == '<' || r == '>' {
			f.Add(field, "err.name.forbidden_chars")
			return s
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		f.Add(field, "err.name.no_letters")
	}
	return s
}

// invisibleNames names the invisible characters most likely to be met, so the
// refusal says which one was found (a character name table for all of Unicode
// would weigh more than the rest of this package).
var invisibleNames = map[rune]string{
	'\t': "CHARACTER TABULATION", '\n': "LINE FEED", '\r': "CARRIAGE RETURN",
	0x00AD: "SOFT HYPHEN", 0x061C: "ARABIC LETTER MARK", 0x200B: "ZERO WIDTH SPACE",
	0x200E: "LEFT-TO-RIGHT MARK", 0x200F: "RIGHT-TO-LEFT MARK", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
	0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2060: "WORD JOINER",
	0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE", 0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
}

// invisibleChar finds the first character a name may not hold: a control
// character (C0, C1: tabs, line breaks, NUL), a line or paragraph separator, or
// a format character — bidi embeddings, overrides, isolates and marks, which
// make a name display reversed on pages, in CSV files and on /verify, the
// zero-width space, the BOM. ZWNJ and ZWJ are format characters too, but
// Persian and other scripts spell words with them, so they are kept.
func invisibleChar(s string) (rune, bool) {
	for _, r := range s {
		if r == 0x200C || r == 0x200D {
			continue
		}
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return r, true
		}
	}
	return 0, false
}

// describeInvisible names r by its Unicode name where known (the same in every
// language), else by what kind of character it is, in the reader's language.
func describeInvisible(r rune) any {
	code := fmt.Sprintf("U+%04X", r)
	if name, ok := invisibleNames[r]; ok {
		return code + " " + name
	}
	if unicode.IsControl(r) {
		return apperr.Msg{ID: "err.name.char_control", Args: []any{"Code", code}}
	}
	return apperr.Msg{ID: "err.name.char_format", Args: []any{"Code", code}}
}

// CheckLatinName refuses letters outside the Latin script.
func CheckLatinName(f *apperr.Fields, field, s string) {
	for _, r := range s {
		if r > unicode.MaxLatin1 && !unicode.In(r, unicode.Latin) {
			f.Add(field, "err.name.latin_only")
			return
		}
	}
}

// CheckPrintableName refuses a name with characters that no font embedded for
// certificates and slips can draw (Devanagari, Thai, Chinese outside the Korean
// font's Hanja, …): it would print with gaps. It is accepted when latin_name
// gives it in Latin letters the fonts can draw, which certificates and slips
// then print instead (see typeset.PrintedName). Both values are as cleaned by
// CleanName.
func CheckPrintableName(f *apperr.Fields, name, latin string) error {
	missing, err := typeset.Uncovered(name)
	if err != nil {
		return fmt.Errorf("check name is printable: %w", err)
	}
	latinMissing, err := typeset.Uncovered(latin)
	if err != nil {
		return fmt.Errorf("check latin_name is printable: %w", err)
	}
	latinRefused := slices.ContainsFunc(*f, func(e apperr.FieldError) bool { return e.Field == "latin_name" })
	if len(latinMissing) > 0 && !latinRefused { // not Latin letters: said already
		f.Add("latin_name", "err.name.latin_unprintable", "Chars", i18n.CharactersOf(latinMissing))
	}
	if len(missing) > 0 && (latin == "" || len(latinMissing) > 0) {
		f.Add("name", "err.name.unprintable", "Chars", i18n.CharactersOf(missing))
	}
	return nil
}

func checkPasswordRules(f *apperr.Fields, field, p string) {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordLen:
		f.Add(field, "err.password.too_short", "Min", MinPasswordLen)
	case len(p) > 1024:
		f.Add(field, "err.password.too_long")
	}
}

// CheckCountry validates an ISO 3166-1 alpha-2 country code ("FR", "KR").
func CheckCountry(f *apperr.Fields, field, code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 2 {
		f.Add(field, "err.country.format")
		return code
	}
	region, err := language.ParseRegion(code)
	switch {
	case err != nil || !region.IsCountry() || region.String() != code:
		f.Add(field, "err.country.unknown", "Code", code)
	case region.Canonicalize() != region || region.ISO3() == "ZZZ":
		// Reserved or replaced codes: UK (use GB), DD (now DE), FX (FR).
		f.Add(field, "err.country.replaced", "Code", code, "Use", region.Canonicalize().String())
	}
	return code
}
