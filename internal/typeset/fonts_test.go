package typeset

import "testing"

// Text in every script Lectern promises to print (agency names, as they are
// printed beside officers' names).
var everyScript = []string{
	"Gendarmerie nationale — Île-de-France",
	"Ελληνική Αστυνομία",
	"Полиция Республики Беларусь",
	"משטרת ישראל",
	"경찰청 사이버수사국",
	"شرطة دبي",
}

func TestLayoutLine_VisualOrder(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	visual := func(s string) (string, []string) {
		var text string
		var fams []string
		for _, sg := range layoutLine(s) {
			text += sg.text
			fams = append(fams, sg.face.family)
		}
		return text, fams
	}
	cases := []struct{ in, want string }{
		{"François Müller-Łukasiewicz", "François Müller-Łukasiewicz"},
		// Right to left: drawn left to right, the last letter comes first.
		{"דניאל כהן", "ןהכ לאינד"},
		// Digits inside Hebrew keep their own order; the line reads from the right.
		{"משטרת ישראל 2026", "2026 לארשי תרטשמ"},
		// A Hebrew line that starts with digits is still a right-to-left line
		// (its first letter decides): the day rightmost, the year leftmost.
		{"19 בנובמבר 2026", "2026 רבמבונב 19"},
		{"19 בנובמבר 2026 · Paris, צרפת", "תפרצ ,Paris · 2026 רבמבונב 19"},
		// Hebrew inside a Latin line: only the Hebrew turns round, spaces stay put.
		{"Agency אבג unit 7", "Agency גבא unit 7"},
		{"(כהן)", "(ןהכ)"},
		{"김민준", "김민준"},
		// Decomposed accents are composed first, so the font's é is used.
		{"Rene\u0301e", "Renée"},
	}
	for _, c := range cases {
		if got, _ := visual(c.in); got != c.want {
			t.Errorf("layout %q = %q, want %q", c.in, got, c.want)
		}
	}
	if _, fams := visual("김민준 Kim"); fams[0] != "nanumsquare" || fams[len(fams)-1] != "notosans" {
		t.Errorf("Hangul then Latin: faces %v", fams)
	}
	if _, fams := visual("דניאל כהן"); len(fams) != 1 || fams[0] != "notohebrew" {
		t.Errorf("Hebrew name: faces %v", fams)
	}
}

func TestUncovered(t *testing.T) {
	for _, text := range everyScript {
		if u, err := Uncovered(text); err != nil || len(u) != 0 {
			t.Errorf("%q: uncovered %q %v", text, u, err)
		}
	}
	for _, text := range []string{"Ahmed محمد", "فاطمه رضایی", "عمران خان ٹیکسلا", "مُحَمَّد ١٢٣"} {
		if u, err := Uncovered(text); err != nil || len(u) != 0 {
			t.Errorf("%q: uncovered %q %v", text, u, err)
		}
	}
	// Scripts no embedded font has: Devanagari (its vowel signs are marks, not
	// listed), Thai, Chinese outside the Hanja of the Korean font.
	for text, want := range map[string]string{"राहुल Sharma": "राहल", "สมชาย": "สมชาย", "张伟 Zhang": "张伟"} {
		if u, _ := Uncovered(text); string(u) != want {
			t.Errorf("%q: uncovered %q, want %q", text, string(u), want)
		}
	}
}

func TestPrintedName(t *testing.T) {
	cases := []struct{ name, latin, main, aside string }{
		{"דניאל כהן", "Daniel Cohen", "דניאל כהן", "Daniel Cohen"},
		{"محمد عبد الله", "", "محمد عبد الله", ""},
		{"Ana Novak", "Ana Novak", "Ana Novak", ""},
		// No font draws Devanagari: the Latin name is printed, alone.
		{"राहुल शर्मा", "Rahul Sharma", "Rahul Sharma", ""},
		// Without one the name stays (an account from before names were checked).
		{"राहुल शर्मा", "", "राहुल शर्मा", ""},
	}
	for _, c := range cases {
		if main, aside := PrintedName(c.name, c.latin); main != c.main || aside != c.aside {
			t.Errorf("PrintedName(%q, %q) = %q, %q; want %q, %q", c.name, c.latin, main, aside, c.main, c.aside)
		}
	}
}
