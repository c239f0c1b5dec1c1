package certify

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Slips set names with package typeset like the certificate: Arabic and
// Persian names come out joined, in logical order once normalised; a name no
// font has prints as its Latin name.
func TestSlips_ArabicAndUnprintableNames(t *testing.T) {
	var slips []Slip
	for _, name := range []string{scriptNames["arabic"], scriptNames["persian"], "Ana Novak", "张伟"} {
		slips = append(slips, Slip{Name: name, LatinName: map[string]string{"张伟": "Zhang Wei"}[name], Agency: "شرطة دبي", Email: "officer@police.example",
			Link: "https://lectern.example.org/activate/T0KEN", Code: "ABCD-2345", ExpiresAt: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)})
	}
	var buf bytes.Buffer
	err := WriteSlips(&buf, SlipSheet{Programme: "Programme", Course: "Investigating crypto-asset crime", Date: "2026-12-03",
		Venue: "Hall B", City: "Dubai", BaseURL: "https://lectern.example.org", Slips: slips})
	if err != nil {
		t.Fatal(err)
	}
	raw := pdfText(t, buf.Bytes())
	text := logical(raw)
	// 张伟 has no font: the slip prints the Latin name instead.
	for _, want := range []string{"محمد عبد الله", "فاطمه رضایی", "شرطة دبي", "Ana Novak", "Zhang Wei", "ABCD-2345"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not on the slips:\n%s", want, text)
		}
	}
	if strings.Contains(raw, "张") {
		t.Errorf("a name no font has is drawn:\n%s", raw)
	}
	if !strings.Contains(raw, "\ufed3\ufe8e\ufec3\ufee4\ufeea") { // فاطمه joined
		t.Errorf("the Persian name is not drawn in its joining forms:\n%q", raw)
	}
}
