package paper

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/pdftest"
)

// Slips set names with package typeset like the certificate: Arabic and
// Persian names come out joined, in logical order once normalised; a name no
// font has prints as its Latin name.
func TestSlips_ArabicAndUnprintableNames(t *testing.T) {
	var slips []Slip
	for _, name := range []string{pdftest.ScriptNames["arabic"], pdftest.ScriptNames["persian"], "Ana Novak", "张伟"} {
		slips = append(slips, Slip{Name: name, LatinName: map[string]string{"张伟": "Zhang Wei"}[name], Agency: "شرطة دبي", Email: "officer@police.example",
			Link: "https://lectern.example.org/activate/T0KEN", Code: "ABCD-2345", ExpiresAt: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)})
	}
	var buf bytes.Buffer
	err := WriteSlips(&buf, SlipSheet{L: english(t), Programme: "Programme", Course: "Investigating crypto-asset crime", Date: "2026-12-03",
		Venue: "Hall B", City: "Dubai", BaseURL: "https://lectern.example.org", Slips: slips})
	if err != nil {
		t.Fatal(err)
	}
	raw := pdftest.Text(t, buf.Bytes())
	text := pdftest.Logical(raw)
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

// The longest names and addresses we expect (pdftest.LongPeople): each slip
// carries them whole (smaller, then on more lines — never cut with an
// ellipsis), and every word stays inside its slip's cut lines, clear of the QR
// code and of the other words.
func TestSlips_LongNamesAndAddressesWhole(t *testing.T) {
	const base = "https://lectern.training-programme.europol-cepol.example.org"
	var slips []Slip
	for _, p := range pdftest.LongPeople {
		for _, active := range []bool{true, false} {
			sl := Slip{Name: p.Name, Agency: p.Agency, Email: p.Email}
			if !active {
				sl.Link, sl.Code, sl.ExpiresAt = base+"/activate/T0KEN", "ABCD-2345", time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
			}
			slips = append(slips, sl)
		}
	}
	var buf bytes.Buffer
	err := WriteSlips(&buf, SlipSheet{L: english(t), Programme: "European crypto-asset investigation programme for law-enforcement and judicial authorities",
		Course: "Investigating crypto-asset crime: tracing, seizure and anti-money-laundering cooperation", Date: "2026-12-03",
		Venue: "Centre de conférences Pierre Mendès France, salle 2", City: "Saint-Denis-en-Val", BaseURL: base, Slips: slips})
	if err != nil {
		t.Fatal(err)
	}
	doc := buf.Bytes()
	if text := pdftest.Text(t, doc); strings.ContainsAny(text, "…") {
		t.Errorf("something is cut short with an ellipsis:\n%s", text)
	}
	cellOf := func(i int) (page int, x, y float64) {
		cell := i % (slipCols * slipRows)
		return i/(slipCols*slipRows) + 1, float64(cell%slipCols) * slipW, float64(cell/slipCols) * slipH
	}
	for i, sl := range slips {
		page, x, y := cellOf(i)
		got := pdftest.Crop(t, doc, page, x, y, slipW, slipH)
		want := []string{sl.Name, sl.Agency}
		if sl.Link == "" {
			want = append(want, sl.Email, base+"/login")
		} else {
			want = append(want, strings.TrimPrefix(base, "https://")+"/activate", sl.Code)
		}
		for _, w := range want {
			if !pdftest.WholeIn(got, w) {
				t.Errorf("slip %d: %q is not on it whole:\n%s", i, w, got)
			}
		}
	}
	// Every word inside its slip (2 mm in from the cut lines), none on the QR
	// code, none on another.
	const inset = 2.0
	boxes := pdftest.Boxes(t, doc)
	for i, b := range boxes {
		cx, cy := (b.XMin+b.XMax)/2/pdftest.MMPt, (b.YMin+b.YMax)/2/pdftest.MMPt
		col, row := int(cx/slipW), int(cy/slipH)
		x0, y0 := float64(col)*slipW, float64(row)*slipH
		if b.XMin/pdftest.MMPt < x0+inset || b.XMax/pdftest.MMPt > x0+slipW-inset || b.YMin/pdftest.MMPt < y0+inset || b.YMax/pdftest.MMPt > y0+slipH-inset {
			t.Errorf("page %d: %q (%.1f–%.1f × %.1f–%.1f mm) is not inside its slip (%.0f, %.0f)", b.Page, b.Text,
				b.XMin/pdftest.MMPt, b.XMax/pdftest.MMPt, b.YMin/pdftest.MMPt, b.YMax/pdftest.MMPt, x0, y0)
		}
		qrX, qrY := x0+slipW-slipPad-slipQR, y0+slipPad+6
		if b.XMax/pdftest.MMPt > qrX && b.XMin/pdftest.MMPt < qrX+slipQR && b.YMax/pdftest.MMPt > qrY && b.YMin/pdftest.MMPt < qrY+slipQR {
			t.Errorf("page %d: %q is drawn on the QR code", b.Page, b.Text)
		}
		for _, o := range boxes[i+1:] {
			if pdftest.Overlaps(b, o) {
				t.Errorf("page %d: %q and %q are drawn over each other", b.Page, b.Text, o.Text)
			}
		}
	}
	if dir := os.Getenv("LECTERN_SLIPS_PNG"); dir != "" {
		file := filepath.Join(dir, "slips.pdf")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(pdftest.Tool(t, "pdftoppm"), "-png", "-r", "80", file, filepath.Join(dir, "slips")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}
