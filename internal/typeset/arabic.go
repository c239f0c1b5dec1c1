package typeset

import (
	"strings"
	"unicode"
)

// Arabic script joins its letters: each is drawn in one of up to four forms
// (isolated, final, initial, medial) depending on whether it connects to the
// letter before and after it, and lam followed by alef becomes one ligature.
// Fonts do this with OpenType tables (GSUB) that fpdf does not read: it maps
// each character to one glyph through the font's character map. So Arabic text
// is turned into the Unicode presentation forms (U+FB50–FDFF, U+FE70–FEFF), one
// character per contextual form, which Noto Sans Arabic maps to the very glyphs
// its GSUB would pick; bidi order and font fallback then treat them like any
// right-to-left letters. (go-text/typesetting's HarfBuzz port shapes properly
// but yields glyph ids, which fpdf cannot draw; its joining data is unexported.)
//
// Vowel marks (harakat) are dropped: without the font's mark positioning (GPOS)
// they would land beside their letter instead of above or below it, and names
// on identity documents are written without them.

// The four forms, in arabicForms' order.
const (
	formIsolated = iota
	formFinal
	formInitial
	formMedial
)

const (
	lam     = 0x0644
	tatweel = 0x0640 // the joining stroke: joins on both sides
	zwnj    = 0x200c // zero width non-joiner: keeps two letters apart
	zwj     = 0x200d // zero width joiner: joins as if a letter were there
)

// joinsBefore reports whether r connects to the character before it (in
// logical order): letters with a final form, the tatweel, the joiner.
func joinsBefore(r rune) bool {
	if r == tatweel || r == zwj {
		return true
	}
	f, ok := arabicForms[r]
	return ok && f[formFinal] != 0
}

// joinsAfter reports whether r connects to the character after it: letters
// with an initial form (dual-joining), the tatweel, the joiner.
func joinsAfter(r rune) bool {
	if r == tatweel || r == zwj {
		return true
	}
	f, ok := arabicForms[r]
	return ok && f[formInitial] != 0
}

// isHaraka reports an Arabic combining mark (harakat, shadda, sukun, Quranic
// annotation signs), which shaping drops.
func isHaraka(r rune) bool {
	return unicode.Is(unicode.Mn, r) && (r >= 0x0610 && r <= 0x06ff || r >= 0x08d3 && r <= 0x08ff)
}

// hasArabic reports whether s has a letter to shape.
func hasArabic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		_, ok := arabicForms[r]
		return ok
	}) >= 0
}

// shapeArabic returns s, in logical order, with every Arabic letter replaced by
// its contextual presentation form, lam-alef by the ligature, harakat and the
// zero-width (non-)joiners removed. Text without Arabic letters is returned
// unchanged, byte for byte.
func shapeArabic(s string) string {
	if !hasArabic(s) {
		return s
	}
	var in []rune
	for _, r := range s {
		if !isHaraka(r) {
			in = append(in, r)
		}
	}
	var out strings.Builder
	for i := 0; i < len(in); i++ {
		r := in[i]
		before := i > 0 && joinsAfter(in[i-1])
		if r == lam && i+1 < len(in) {
			if lig, ok := lamAlef[in[i+1]]; ok {
				if before {
					out.WriteRune(lig[formFinal])
				} else {
					out.WriteRune(lig[formIsolated])
				}
				i++ // the alef is in the ligature, which joins nothing after it
				continue
			}
		}
		forms, ok := arabicForms[r]
		if !ok {
			if r != zwj && r != zwnj {
				out.WriteRune(r)
			}
			continue
		}
		before = before && joinsBefore(r)
		after := i+1 < len(in) && joinsAfter(r) && joinsBefore(in[i+1])
		form := formIsolated
		switch {
		case before && after:
			form = formMedial
		case before:
			form = formFinal
		case after:
			form = formInitial
		}
		out.WriteRune(forms[form])
	}
	return out.String()
}
