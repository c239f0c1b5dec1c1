package typeset

import (
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// Set never leaves a character out: it shrinks, then wraps, breaking an
// address after its '@' (else after a '.') rather than anywhere.
func TestPage_SetKeepsEveryCharacter(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	f := fpdf.New("P", "mm", "A4", "")
	list := NewList()
	texts := []string{"zoe.angstrom.lukasiewicz-van-der-berg@police-judiciaire-paris.interieur.gouv.fr",
		"Zoë Ångström-Łukasiewicz van der Berg-Sánchez de la Fuente y Ørsted", "Ana Novak"}
	for _, s := range texts {
		if b := list.Set(s, "B", 13, 7, 50, 3); len(b.Lines) != 1 || b.Lines[0] != s || b.Size != 13 {
			t.Errorf("listing pass: %+v", b)
		}
	}
	p := list.On(f)
	f.AddPage()
	for _, c := range []struct {
		text  string
		width float64
		want  []string
	}{
		// Wide enough for the part before the '@': the break is there.
		{texts[0], 90, []string{"zoe.angstrom.lukasiewicz-van-der-berg@", "police-judiciaire-paris.interieur.gouv.fr"}},
		// Not wide enough: after a '.', then the '@'.
		{texts[0], 58, []string{"zoe.angstrom.", "lukasiewicz-van-der-berg@", "police-judiciaire-paris.interieur.gouv.fr"}},
		{texts[1], 58, []string{"Zoë Ångström-Łukasiewicz van", "der Berg-Sánchez de la Fuente", "y Ørsted"}},
		{texts[2], 58, []string{"Ana Novak"}},
	} {
		b := p.Set(c.text, "B", 13, 7, c.width, 3)
		if strings.Join(b.Lines, "|") != strings.Join(c.want, "|") || b.Size < 7 || b.Size > 13 {
			t.Errorf("%q in %.0f mm: %.2f pt %q, want %q", c.text, c.width, b.Size, b.Lines, c.want)
		}
		for _, l := range b.Lines {
			if w := p.Width(l, "B", b.Size); w > c.width {
				t.Errorf("%q is %.1f mm wide", l, w)
			}
		}
	}
	// Text too long for maxLines even at the floor gets more lines, whole.
	long := strings.Repeat(texts[0]+" ", 4)
	if b := p.Set(long, "", 8, 7, 58, 3); b.Size != 7 || len(b.Lines) <= 3 || strings.Join(b.Lines, "") != strings.ReplaceAll(long, " ", "") {
		t.Errorf("very long text: %.2f pt %q", b.Size, b.Lines)
	}
}
