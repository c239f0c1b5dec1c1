package typeset

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// codes writes runes as U+XXXX, so a failure shows which form was picked.
func codes(s string) string {
	var out []string
	for _, r := range s {
		out = append(out, fmt.Sprintf("%U", r))
	}
	return strings.Join(out, " ")
}

func TestShapeArabic_JoiningForms(t *testing.T) {
	cases := []struct{ name, in, want string }{
		// Initial, medial, medial, final: all four letters join.
		{"joined word", "محمد", "\ufee3\ufea4\ufee4\ufeaa"},
		// Dal, alef and reh join nothing after them: each stands alone.
		{"non-joining letters", "دار", "\ufea9\ufe8d\ufead"},
		// Lam then alef is one ligature, isolated alone, final after a joining letter.
		{"lam-alef alone", "لا", "\ufefb"},
		{"lam-alef final", "سلام", "\ufeb3\ufefc\ufee1"},
		{"lam-alef hamza", "لأ", "\ufef7"},
		// A word of its own after a space: initial again; alef breaks the lam run.
		{"three words", "عبد الله", "\ufecb\ufe92\ufeaa \ufe8d\ufedf\ufee0\ufeea"},
		// Persian letters (Forms-A): farsi yeh initial then final.
		{"persian", "فاطمه رضایی", "\ufed3\ufe8e\ufec3\ufee4\ufeea \ufead\ufebf\ufe8e\ufbfe\ufbfd"},
		// Urdu: tteh initial, farsi yeh and keheh medial.
		{"urdu", "ٹیکسلا", "\ufb68\ufbff\ufb91\ufeb4\ufefc"},
		// The zero width non-joiner keeps two letters apart and is not drawn.
		{"zwnj", "می\u200cخواهم", "\ufee3\ufbfd\ufea7\ufeee\ufe8d\ufeeb\ufee2"},
		// Harakat (damma, fatha, shadda) are dropped; the letters join across them.
		{"harakat dropped", "مُحَمَّد", "\ufee3\ufea4\ufee4\ufeaa"},
		// Tatweel is a joining stroke on both sides.
		{"tatweel", "بـب", "\ufe91\u0640\ufe90"},
		// Arabic-Indic digits and Latin join nothing and stay as they are.
		{"digits", "شرطة ١٢", "\ufeb7\ufeae\ufec3\ufe94 \u0661\u0662"},
		{"no arabic", "François דניאל 김민준 \u200d", "François דניאל 김민준 \u200d"},
	}
	for _, c := range cases {
		if got := shapeArabic(norm.NFC.String(c.in)); got != c.want {
			t.Errorf("%s: shape %q = %s, want %s", c.name, c.in, codes(got), codes(c.want))
		}
	}
}

func TestLayoutLine_Arabic(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, want string }{
		// Right to left: the last word comes first on the page, each word's
		// letters turned round (the name's first letter, meem initial, drawn last).
		{"محمد عبد الله", "\ufeea\ufee0\ufedf\ufe8d \ufeaa\ufe92\ufecb \ufeaa\ufee4\ufea4\ufee3"},
		// Inside a Latin line the Latin stays on the left.
		{"Agency Alpha · محمد عبد الله", "Agency Alpha · \ufeea\ufee0\ufedf\ufe8d \ufeaa\ufe92\ufecb \ufeaa\ufee4\ufea4\ufee3"},
		// Arabic-Indic digits keep their own order, on the left of an Arabic line.
		{"شرطة ١٢٣", "\u0661\u0662\u0663 \ufe94\ufec3\ufeae\ufeb7"},
	}
	for _, c := range cases {
		var got string
		for _, sg := range layoutLine(c.in) {
			got += sg.text
		}
		if got != c.want {
			t.Errorf("layout %q = %s, want %s", c.in, codes(got), codes(c.want))
		}
	}
	for _, sg := range layoutLine("فاطمه رضایی") {
		if sg.face.family != "notoarabic" {
			t.Errorf("Persian name drawn with %s: %q", sg.face.family, sg.text)
		}
	}
}

// Every presentation form shaping can produce is in the embedded Arabic font,
// so a shaped letter never prints as a box.
func TestShapeArabic_FormsInFont(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	var arabic *face
	for _, f := range faces {
		if f.family == "notoarabic" {
			arabic = f
		}
	}
	var buf sfnt.Buffer
	check := func(letter, r rune) {
		if r != 0 && !arabic.has(&buf, r) {
			t.Errorf("%U (a form of %U) is not in %s", r, letter, arabic.regular)
		}
	}
	for letter, forms := range arabicForms {
		check(letter, letter)
		for _, r := range forms {
			check(letter, r)
		}
	}
	for alef, forms := range lamAlef {
		check(alef, forms[0])
		check(alef, forms[1])
	}
}
