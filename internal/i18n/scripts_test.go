package i18n

import (
	"encoding/json"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Every script code names a script CLDR knows, under the same code; characters
// shared by scripts name none.
func TestScriptCodes(t *testing.T) {
	for name, code := range scriptCodes {
		s, err := language.ParseScript(code)
		if err != nil || s.String() != code || display.English.Scripts().Name(s) == "" {
			t.Errorf("%s: %q is not a script CLDR names (%v)", name, code, err)
		}
	}
	for _, shared := range []string{"Common", "Inherited"} {
		if _, ok := scriptCodes[shared]; ok {
			t.Errorf("%s has a code: its characters belong to no one script", shared)
		}
	}
}

// Characters name their scripts in the reader's language; the JSON an API
// client gets holds the characters and the codes only.
func TestCharacters(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	c := CharactersOf([]rune("राहुल 张伟 ह1"))
	for _, tc := range []struct{ lang, want string }{
		{"en", "र, ा, ह, ु, ल,  , 张, 伟, 1 (Devanagari, Han)"},
		{"fr", "र, ा, ह, ु, ल,  , 张, 伟, 1 (dévanâgarî, sinogrammes)"},
		{"ko", "र, ा, ह, ु, ल,  , 张, 伟, 1 (데바나가리 문자, 한자)"},
		{"he", "र, ा, ह, ु, ल,  , 张, 伟, 1 (דוואנגרי, האן)"},
	} {
		if got := c.In(cat.For(tc.lang)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got := c.String(); got != "र, ा, ह, ु, ल,  , 张, 伟, 1 (Devanagari, Han)" {
		t.Errorf("String: %q", got)
	}
	data, err := json.Marshal(c)
	if err != nil || string(data) != `{"chars":["र","ा","ह","ु","ल"," ","张","伟","1"],"scripts":["Deva","Hani"]}` {
		t.Errorf("JSON: %s %v", data, err)
	}
	if got := CharactersOf([]rune("1-")).In(cat.For("fr")); got != "1, -" {
		t.Errorf("no script: %q", got)
	}
}
