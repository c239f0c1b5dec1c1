package auth

import (
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
)

func TestPassword_HashAndCheck(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Errorf("two hashes of one password are equal: salts are not random")
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Errorf("right password rejected")
	}
	for _, bad := range []string{"correct horse batterY", "", "correct horse battery "} {
		if CheckPassword(h, bad) {
			t.Errorf("wrong password %q accepted", bad)
		}
	}
	for _, broken := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=x$salt$hash", strings.Replace(h, "$argon2id$", "$argon2i$", 1)} {
		if CheckPassword(broken, "correct horse battery") {
			t.Errorf("malformed hash %q accepted", broken)
		}
	}
}

func TestValidation(t *testing.T) {
	countries := map[string]bool{"FR": true, "fr": true, "KR": true, "GB": true, "IL": true, "XX": false, "EU": false, "UK": false, "FRA": false, "": false, "ZZ": false}
	for code, ok := range countries {
		var f apperr.Fields
		CheckCountry(&f, "country", code)
		if (len(f) == 0) != ok {
			t.Errorf("country %q: valid = %v, want %v (%v)", code, len(f) == 0, ok, f)
		}
	}
	names := map[string]bool{"Zoë Ångström": true, "김민준": true, "דוד כהן": true, "Γιώργος": true, "Иван Петров": true,
		"": false, "<script>": false, "12345": false, "a\x00b": false, strings.Repeat("n", 201): false,
		"Ana\u202eNovak": false, "Ana\u2066Novak\u2069": false, "Ana\u200bNovak": false, "\ufeffAna": false, "Ana\tNovak": false,
		"Ana\nNovak": false, "Ana\u0085Novak": false, "Ana\u00adNovak": false, "فاطمه\u200cرضایی": true, "Ana\u200dNovak": true}
	for name, ok := range names {
		var f apperr.Fields
		CleanName(&f, "name", name, true)
		if (len(f) == 0) != ok {
			t.Errorf("name %q: valid = %v, want %v (%v)", name, len(f) == 0, ok, f)
		}
	}
	var f apperr.Fields
	if got := CleanName(&f, "name", "  Ana   Mari\u0301a  ", true); got != "Ana Mar\u00eda" {
		t.Errorf("normalised name = %q, want NFC with single spaces", got)
	}
	emails := map[string]bool{"ana@police.example": true, "admin@localhost": true, "ana": false, "Ana <ana@x.org>": false, "ana@nodot": false}
	for e, ok := range emails {
		var f apperr.Fields
		CheckEmail(&f, "email", e)
		if (len(f) == 0) != ok {
			t.Errorf("email %q: valid = %v, want %v", e, len(f) == 0, ok)
		}
	}
}

func TestPolicy_Grants(t *testing.T) {
	agency := int64(7)
	officer := &Actor{UserID: 1, Role: RoleOfficer, AgencyID: &agency}
	if err := Authorize(nil, ActUserRead); !apperr.Is(err, apperr.CodeUnauthorized) {
		t.Errorf("anonymous: %v", err)
	}
	if err := Authorize(officer, ActAgencyCreate); !apperr.Is(err, apperr.CodeForbidden) {
		t.Errorf("officer creating an agency: %v", err)
	}
	if !officer.CanSeeAgency(7) || officer.CanSeeAgency(8) {
		t.Errorf("officer agency scope wrong")
	}
	orphan := &Actor{UserID: 2, Role: RoleCoordinator}
	if orphan.CanSeeAgency(7) {
		t.Errorf("a coordinator without an agency must see no agency")
	}
	other := int64(8)
	coord := &Actor{UserID: 3, Role: RoleCoordinator, AgencyID: &agency}
	if !coord.CanSeeUser(&User{ID: 9, Role: "officer", AgencyID: &agency}) ||
		coord.CanSeeUser(&User{ID: 10, Role: "officer", AgencyID: &other}) ||
		coord.CanSeeUser(&User{ID: 11, Role: "coordinator", AgencyID: &agency}) {
		t.Errorf("coordinator user visibility wrong")
	}
}

func TestNormalizeToken_TypedFromPaper(t *testing.T) {
	for in, want := range map[string]string{
		"K7QW-2M9X-PD4T-RV8H": "K7QW2MXPD4TRVBH", // 9 is not base32: dropped, so the code is refused as too short
		"kjbs l6sv o3ta zkk2": "KJBSL6SVO3TAZKK2",
		"KJBS-L6SV-03TA-ZKK2": "KJBSL6SVO3TAZKK2",
		"I5TT-R5YE-6LJ2-ED5Q": "I5TTR5YE6LJ2ED5Q",
		"15TT R5YE 6LJ2 ED5Q": "I5TTR5YE6LJ2ED5Q",
	} {
		if got := NormalizeToken(in); got != want {
			t.Errorf("NormalizeToken(%q) = %q, want %q", in, got, want)
		}
	}
}

// A name no certificate font can print is refused, naming the characters and
// asking for latin_name, unless latin_name is given.
func TestCheckPrintableName(t *testing.T) {
	cases := []struct {
		name, latin string
		want        []string // field: message fragment
	}{
		{"محمد عبد الله", "", nil},
		{"فاطمه رضایی", "Fatemeh Rezaei", nil},
		{"김민준", "", nil},
		{"Jérôme Nguyễn Văn An", "", nil},
		{"राहुल शर्मा", "", []string{"name: cannot be printed on certificates: no font has र, ा, ह, ल, श, म (Devanagari); give the name in Latin letters in latin_name too"}},
		{"สมชาย 张伟", "", []string{"name: no font has ส, ม, ช, า, ย, 张, 伟 (Thai, Han)"}},
		{"राहुल शर्मा", "Rahul Sharma", nil},
		// A latin_name that is not Latin is refused by CheckLatinName alone.
		{"张伟", "张伟", []string{"latin_name: must use Latin letters only", "name: latin_name too"}},
	}
	for _, c := range cases {
		var f apperr.Fields
		CheckLatinName(&f, "latin_name", c.latin)
		if err := CheckPrintableName(&f, c.name, c.latin); err != nil {
			t.Fatal(err)
		}
		if len(f) != len(c.want) {
			t.Errorf("%q / %q: %v, want %v", c.name, c.latin, f, c.want)
			continue
		}
		for i, w := range c.want {
			field, msg, _ := strings.Cut(w, ": ")
			if f[i].Field != field || !strings.Contains(f[i].Msg.String(), msg) {
				t.Errorf("%q / %q: error %d = %s: %s, want %s", c.name, c.latin, i, f[i].Field, f[i].Msg, w)
			}
		}
	}
}
