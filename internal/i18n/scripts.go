package i18n

import (
	"maps"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Characters names characters for a person to recognise: each once, then
// their scripts, named in the reader's language — "र, ह, ल (Devanagari)",
// "(dévanâgarî)" in French, "(데바나가리 문자)" in Korean. As an argument of a
// message (a name no certificate font has) it is worded with the message in
// the reader's language (apperr.Localized); an API client gets the characters
// and the scripts' ISO 15924 codes ({"chars": ["र"], "scripts": ["Deva"]}) to
// word them itself.
type Characters struct {
	Chars   []string `json:"chars"`
	Scripts []string `json:"scripts,omitempty"`
}

// CharactersOf lists rs's characters, each once, and their scripts: those of
// Unicode's scripts that ISO 15924 codes (scriptCodes); characters shared by
// scripts (digits, punctuation) name none.
func CharactersOf(rs []rune) Characters {
	var c Characters
	for _, r := range rs {
		if s := string(r); !slices.Contains(c.Chars, s) {
			c.Chars = append(c.Chars, s)
		}
		if code := scriptCode(r); code != "" && !slices.Contains(c.Scripts, code) {
			c.Scripts = append(c.Scripts, code)
		}
	}
	return c
}

// In is the characters with their scripts' names in l's language; a script
// the language has no name for is named in English, else by its code.
func (c Characters) In(l *Localizer) string {
	tag := language.English
	if l != nil {
		tag = l.tag
	}
	names := make([]string, len(c.Scripts))
	for i, code := range c.Scripts {
		names[i] = code
		s, err := language.ParseScript(code)
		if err != nil {
			continue
		}
		if n := display.Scripts(tag).Name(s); n != "" {
			names[i] = n
		} else if n := display.English.Scripts().Name(s); n != "" {
			names[i] = n
		}
	}
	out := strings.Join(c.Chars, ", ")
	if len(names) > 0 {
		out += " (" + strings.Join(names, ", ") + ")"
	}
	return out
}

// String is the characters with their scripts in English, for logs.
func (c Characters) String() string { return c.In(nil) }

// scriptCode is the ISO 15924 code of r's Unicode script ("Deva"), or "" for
// characters shared by scripts and the few scripts scriptCodes lacks.
func scriptCode(r rune) string {
	for _, name := range scriptNames {
		if unicode.Is(unicode.Scripts[name], r) {
			return scriptCodes[name]
		}
	}
	return ""
}

// scriptNames are the Unicode scripts scriptCodes codes, in a fixed order.
var scriptNames = slices.Sorted(maps.Keys(scriptCodes))

// scriptCodes maps Go's Unicode script names (unicode.Scripts) to ISO 15924
// codes, which CLDR names per language (x/text/language/display). Most were
// found by matching Go's name with CLDR's English name of every code; the rest
// (Bengali, Oriya, Nko …, named differently) by hand. TestScriptCodes checks
// every entry against x/text.
var scriptCodes = map[string]string{
	"Adlam": "Adlm", "Ahom": "Ahom", "Anatolian_Hieroglyphs": "Hluw", "Arabic": "Arab",
	"Armenian": "Armn", "Avestan": "Avst", "Balinese": "Bali", "Bamum": "Bamu", "Bassa_Vah": "Bass",
	"Batak": "Batk", "Bengali": "Beng", "Bhaiksuki": "Bhks", "Bopomofo": "Bopo", "Brahmi": "Brah",
	"Braille": "Brai", "Buginese": "Bugi", "Buhid": "Buhd", "Canadian_Aboriginal": "Cans",
	"Carian": "Cari", "Caucasian_Albanian": "Aghb", "Chakma": "Cakm", "Cham": "Cham",
	"Cherokee": "Cher", "Coptic": "Copt", "Cuneiform": "Xsux", "Cypriot": "Cprt",
	"Cyrillic": "Cyrl", "Deseret": "Dsrt", "Devanagari": "Deva", "Egyptian_Hieroglyphs": "Egyp",
	"Elbasan": "Elba", "Ethiopic": "Ethi", "Georgian": "Geor", "Glagolitic": "Glag", "Gothic": "Goth",
	"Grantha": "Gran", "Greek": "Grek", "Gujarati": "Gujr", "Gurmukhi": "Guru", "Han": "Hani",
	"Hangul": "Hang", "Hanunoo": "Hano", "Hatran": "Hatr", "Hebrew": "Hebr", "Hiragana": "Hira",
	"Imperial_Aramaic": "Armi", "Inscriptional_Pahlavi": "Phli",
	"Inscriptional_Parthian": "Prti", "Javanese": "Java", "Kaithi": "Kthi", "Kannada": "Knda",
	"Katakana": "Kana", "Kayah_Li": "Kali", "Kharoshthi": "Khar", "Khmer": "Khmr", "Khojki": "Khoj",
	"Khudawadi": "Sind", "Lao": "Laoo", "Latin": "Latn", "Lepcha": "Lepc", "Limbu": "Limb",
	"Linear_A": "Lina", "Linear_B": "Linb", "Lisu": "Lisu", "Lycian": "Lyci", "Lydian": "Lydi",
	"Mahajani": "Mahj", "Malayalam": "Mlym", "Mandaic": "Mand", "Manichaean": "Mani",
	"Marchen": "Marc", "Masaram_Gondi": "Gonm", "Meetei_Mayek": "Mtei", "Meroitic_Cursive": "Merc",
	"Miao": "Plrd", "Modi": "Modi", "Mongolian": "Mong", "Mro": "Mroo", "Multani": "Mult",
	"Myanmar": "Mymr", "Nabataean": "Nbat", "New_Tai_Lue": "Talu", "Newa": "Newa", "Nko": "Nkoo",
	"Ogham": "Ogam", "Ol_Chiki": "Olck", "Old_Hungarian": "Hung", "Old_Italic": "Ital",
	"Old_North_Arabian": "Narb", "Old_Permic": "Perm", "Old_Persian": "Xpeo",
	"Old_South_Arabian": "Sarb", "Old_Turkic": "Orkh", "Oriya": "Orya", "Osage": "Osge",
	"Osmanya": "Osma", "Pahawh_Hmong": "Hmng", "Palmyrene": "Palm", "Pau_Cin_Hau": "Pauc",
	"Phags_Pa": "Phag", "Phoenician": "Phnx", "Psalter_Pahlavi": "Phlp", "Rejang": "Rjng",
	"Runic": "Runr", "Samaritan": "Samr", "Saurashtra": "Saur", "Sharada": "Shrd", "Shavian": "Shaw",
	"Siddham": "Sidd", "SignWriting": "Sgnw", "Sinhala": "Sinh", "Sora_Sompeng": "Sora",
	"Soyombo": "Soyo", "Sundanese": "Sund", "Syloti_Nagri": "Sylo", "Syriac": "Syrc",
	"Tagalog": "Tglg", "Tagbanwa": "Tagb", "Tai_Le": "Tale", "Tai_Tham": "Lana", "Tai_Viet": "Tavt",
	"Takri": "Takr", "Tamil": "Taml", "Tangut": "Tang", "Telugu": "Telu", "Thaana": "Thaa",
	"Thai": "Thai", "Tibetan": "Tibt", "Tifinagh": "Tfng", "Tirhuta": "Tirh", "Ugaritic": "Ugar",
	"Vai": "Vaii", "Yi": "Yiii", "Zanabazar_Square": "Zanb",
}
