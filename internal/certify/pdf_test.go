package certify

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/store"
)

func testSigner(t testing.TB) *Signer {
	s, _, err := LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signedCertificate builds a certificate record as CloseSession would.
func signedCertificate(t testing.TB, s *Signer, holder, agency string) *store.Certificate {
	t.Helper()
	issued := time.Date(2026, 12, 3, 16, 5, 0, 0, time.UTC)
	expires := time.Date(2029, 12, 3, 0, 0, 0, 0, time.UTC)
	c := &store.Certificate{Serial: "K7QW2M9XPD4TRV8H", Title: "Certificate of attendance and achievement",
		Programme: "European crypto-asset investigation programme", HolderName: holder, AgencyName: agency,
		CourseTitle: "Investigating crypto-asset crime", CourseHash: "ab12cd", SessionDate: "2026-12-03", City: "Paris", Country: "FR",
		Minutes: 390, Trainers: "Anna Schmidt, Kofi Mensah", IssuedAt: issued, ExpiresAt: &expires, Status: "valid"}
	signed, err := s.Sign(Payload{Serial: c.Serial, Holder: holder, Agency: agency, Course: c.CourseTitle, CourseHash: c.CourseHash,
		SessionDate: c.SessionDate, City: c.City, Country: c.Country, IssuedAt: issued.Format(time.RFC3339), ExpiresAt: expires.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	c.Payload, c.Signature = signed.Payload, signed.Signature
	return c
}

func renderForTest(t testing.TB, s *Signer, c *store.Certificate) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.WritePDF(&buf, c, "https://lectern.example.org"); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every script's name comes back out of the PDF as text, and the file verifies.
// (Visual order of Hebrew: render with `pdftoppm -png` and look; see the note in
// TestLayoutLine_VisualOrder for what the test can check without eyes.)
func TestPDF_EveryScriptRoundTrips(t *testing.T) {
	s := testSigner(t)
	trusted := map[string]ed25519.PublicKey{s.KeyID: s.PublicKey()}
	for script, name := range pdftest.ScriptNames {
		t.Run(script, func(t *testing.T) {
			c := signedCertificate(t, s, name, "Agency Alpha")
			doc := renderForTest(t, s, c)
			if !bytes.HasPrefix(doc, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", doc[:20])
			}
			// Subsetting keeps certificates small even with the 730 KB Hangul font.
			if len(doc) > 64<<10 {
				t.Errorf("%s certificate is %d bytes; fonts are not subset?", script, len(doc))
			}
			t.Logf("%s: %d bytes", script, len(doc))
			p, err := VerifyPDF(doc, trusted)
			if err != nil || p.Holder != name {
				t.Fatalf("verify: %v %+v", err, p)
			}
			text := pdftest.Logical(pdftest.Text(t, doc))
			for _, want := range []string{name, "Agency Alpha", "Investigating crypto-asset crime", "K7QW2M9XPD4TRV8H", "3 December 2026", "Paris, France", "6.5 hours", "3 December 2029", "Anna Schmidt, Kofi Mensah", "https://lectern.example.org/verify/K7QW2M9XPD4TRV8H"} {
				if !strings.Contains(text, want) {
					t.Errorf("%q not in the extracted text:\n%s", want, text)
				}
			}
		})
	}
}

// pdfWord is one word pdftotext -bbox finds: its text as drawn, left to right,
// and where it starts.
type pdfWord struct {
	text       string
	xMin, yMin float64
}

func pdfWords(t *testing.T, doc []byte) []pdfWord {
	t.Helper()
	out, err := exec.Command(pdftest.Tool(t, "pdftotext"), "-bbox", "-enc", "UTF-8", pdftest.File(t, doc), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v\n%s", err, out)
	}
	var words []pdfWord
	re := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)"[^>]*>([^<]*)</word>`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		words = append(words, pdfWord{text: html.UnescapeString(m[3]), xMin: x, yMin: y})
	}
	return words
}

// An Arabic name is drawn joined (the letters' contextual forms, not the
// isolated letters) and right to left: its first word rightmost, each word's
// letters drawn last to first; beside Latin text in one line, the Latin keeps
// the left. (The PNGs of TestPDF_RenderPNGsByHand show the same to the eye.)
func TestPDF_ArabicJoinsRightToLeft(t *testing.T) {
	s := testSigner(t)
	name := pdftest.ScriptNames["arabic"]
	doc := renderForTest(t, s, signedCertificate(t, s, name, "Agency Alpha · "+name))
	// Meem initial, hah medial, meem medial, dal final: the joined word.
	if text := pdftest.Text(t, doc); !strings.Contains(text, "\ufee3\ufea4\ufee4\ufeaa") {
		t.Errorf("محمد is not drawn in its joining forms:\n%q", text)
	}
	lines := map[float64][]pdfWord{} // by baseline: the name, then the agency line
	for _, w := range pdfWords(t, doc) {
		lines[w.yMin] = append(lines[w.yMin], w)
	}
	var found int
	for _, line := range lines {
		var visual []string
		for _, w := range line { // pdftotext lists a line's words left to right
			r := []rune(w.text)
			slices.Reverse(r)
			visual = append(visual, norm.NFKC.String(string(r)))
		}
		got := strings.Join(visual, " ")
		switch got {
		case "الله عبد محمد":
			found++
		case "Agency Alpha · الله عبد محمد":
			found++
			if line[0].xMin >= line[3].xMin {
				t.Errorf("Latin is not on the left: %+v", line)
			}
		}
	}
	if found != 2 {
		t.Errorf("want the name alone and after Agency Alpha, right to left; lines: %v", lines)
	}
}

func TestPDF_SameCertificateSameBytes(t *testing.T) {
	s := testSigner(t)
	c := signedCertificate(t, s, pdftest.ScriptNames["hangul"], "경찰청")
	a, b := renderForTest(t, s, c), renderForTest(t, s, c)
	if !bytes.Equal(a, b) {
		t.Errorf("two renders differ (%d and %d bytes)", len(a), len(b))
	}
}

// Changing any byte of the file — text, fonts, payload, signature line — fails.
func TestVerifyPDF_EveryFlippedByteFails(t *testing.T) {
	s := testSigner(t)
	trusted := map[string]ed25519.PublicKey{s.KeyID: s.PublicKey()}
	doc := renderForTest(t, s, signedCertificate(t, s, pdftest.ScriptNames["latin"], "Agency Alpha"))
	if _, err := VerifyPDF(doc, trusted); err != nil {
		t.Fatalf("untouched: %v", err)
	}
	step := 1
	if testing.Short() {
		step = 97
	}
	tampered := bytes.Clone(doc)
	for i := 0; i < len(doc); i += step {
		tampered[i] ^= 0x01
		if p, err := VerifyPDF(tampered, trusted); err == nil {
			t.Fatalf("byte %d flipped (%q → %q) still verifies: %+v", i, doc[i], tampered[i], p)
		}
		tampered[i] = doc[i]
	}
	// Cut short, or something appended after the signature.
	for _, bad := range [][]byte{doc[:len(doc)-1], doc[:len(doc)/2], append(bytes.Clone(doc), "%extra\n"...), nil, []byte("%PDF-1.4\n")} {
		if _, err := VerifyPDF(bad, trusted); err == nil {
			t.Errorf("a damaged file (%d bytes) verifies", len(bad))
		}
	}
}

func TestVerifyPDF_OtherKeys(t *testing.T) {
	s, other := testSigner(t), testSigner(t)
	doc := renderForTest(t, s, signedCertificate(t, s, pdftest.ScriptNames["greek"], "Ελληνική Αστυνομία"))
	p, err := VerifyPDF(doc, map[string]ed25519.PublicKey{other.KeyID: other.PublicKey()})
	if !errors.Is(err, ErrUntrustedKey) || p == nil || p.KeyID != s.KeyID {
		t.Errorf("untrusted key: %v %+v", err, p)
	}
	// A forger re-signs the file with their own key but keeps the issuer's key id.
	forged := bytes.Clone(doc)
	cut := bytes.LastIndex(forged[:len(forged)-1], []byte("\n")) + 1
	forged = append(forged[:cut], signatureMarker+s.KeyID+" "+"AAAA"+strings.Repeat("A", 84)+"\n"...)
	if _, err := VerifyPDF(forged, map[string]ed25519.PublicKey{s.KeyID: s.PublicKey()}); err == nil {
		t.Errorf("a forged signature line verifies")
	}
}

// Hand check (not run by default): LECTERN_CERT_PNG=dir writes one PNG per script
// with pdftoppm, to look at the Hebrew order and the layout.
func TestPDF_RenderPNGsByHand(t *testing.T) {
	dir := os.Getenv("LECTERN_CERT_PNG")
	if dir == "" {
		t.Skip("set LECTERN_CERT_PNG=dir to write PNGs")
	}
	pdftoppm := pdftest.Tool(t, "pdftoppm")
	s := testSigner(t)
	for script, name := range pdftest.ScriptNames {
		doc := renderForTest(t, s, signedCertificate(t, s, name, "Agency Alpha · "+name))
		file := filepath.Join(dir, script+".pdf")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(pdftoppm, "-png", "-r", "60", "-singlefile", file, filepath.Join(dir, script)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}

// Concurrent renders (a ZIP while officers download theirs) must not share
// mutable font data: each comes out byte for byte as a render done alone.
func TestPDF_ConcurrentRendersAreIndependent(t *testing.T) {
	s := testSigner(t)
	var certs []*store.Certificate
	var want [][]byte
	for _, name := range []string{pdftest.ScriptNames["hangul"], pdftest.ScriptNames["hebrew"], "이서연", pdftest.ScriptNames["latin"]} {
		c := signedCertificate(t, s, name, "경찰청 · Police")
		certs = append(certs, c)
		want = append(want, renderForTest(t, s, c))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var buf bytes.Buffer
			if err := s.WritePDF(&buf, certs[i%len(certs)], "https://lectern.example.org"); err != nil {
				errs <- err.Error()
			} else if !bytes.Equal(buf.Bytes(), want[i%len(certs)]) {
				errs <- fmt.Sprintf("render %d differs from the same certificate rendered alone", i)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// A name no embedded font can draw prints as its Latin name, the main name and
// without brackets, never as gaps; a printable name keeps its Latin name in
// brackets below.
func TestPDF_UnprintableNamePrintsLatinName(t *testing.T) {
	s := testSigner(t)
	for _, c := range []struct{ name, latin, want, not string }{
		{"राहुल शर्मा", "Rahul Sharma", "Rahul Sharma", "(Rahul Sharma)"},
		{"דניאל כהן", "Daniel Cohen", "(Daniel Cohen)", ""},
	} {
		cert := signedCertificate(t, s, c.name, "Agency Alpha")
		cert.LatinName = c.latin
		text := pdftest.Logical(pdftest.Text(t, renderForTest(t, s, cert)))
		if !strings.Contains(text, c.want) || c.not != "" && strings.Contains(text, c.not) {
			t.Errorf("%s: want %q (and not %q) in:\n%s", c.name, c.want, c.not, text)
		}
		if strings.ContainsRune(text, 'र') {
			t.Errorf("%s: Devanagari drawn, with no font for it:\n%s", c.name, text)
		}
	}
}

// The longest names we expect, in every script, with a long agency name and a
// long list of trainers: all printed whole (smaller, then on more lines, never
// cut with an ellipsis), inside the frame, no line over another, and the name
// no smaller than 16 pt.
func TestPDF_LongNamesWhole(t *testing.T) {
	s := testSigner(t)
	trainers := "Anna Schmidt-Wojciechowska, Kofi Mensah-Bonsu, Jean-Baptiste de La Rochefoucauld, Παναγιώτα Αλεξανδροπούλου"
	for i, p := range append(pdftest.LongPeople, pdftest.Person{Name: strings.Repeat("Zoë Ångström-Łukasiewicz ", 8), Agency: "Agency Alpha"}) {
		c := signedCertificate(t, s, strings.TrimSpace(p.Name), p.Agency)
		c.Trainers = trainers
		doc := renderForTest(t, s, c)
		text := pdftest.Text(t, doc)
		if strings.Contains(text, "…") {
			t.Errorf("%d: something is cut short:\n%s", i, text)
		}
		raw := pdftest.Crop(t, doc, 1, 0, 0, pageW, pageH)
		for _, want := range []string{c.HolderName, p.Agency, trainers} {
			if !pdftest.WholeIn(raw, want) {
				t.Errorf("%d: %q is not on the certificate whole:\n%s", i, want, raw)
			}
		}
		boxes := pdftest.Boxes(t, doc)
		for k, b := range boxes {
			if b.XMin/pdftest.MMPt < 14 || b.XMax/pdftest.MMPt > pageW-14 || b.YMin/pdftest.MMPt < 14 || b.YMax/pdftest.MMPt > pageH-14 {
				t.Errorf("%d: %q (%.1f–%.1f × %.1f–%.1f mm) is outside the frame", i, b.Text, b.XMin/pdftest.MMPt, b.XMax/pdftest.MMPt, b.YMin/pdftest.MMPt, b.YMax/pdftest.MMPt)
			}
			for _, o := range boxes[k+1:] {
				if pdftest.Overlaps(b, o) {
					t.Errorf("%d: %q and %q are drawn over each other", i, b.Text, o.Text)
				}
			}
			// Noto Sans boxes are 1.36 em tall; the name's first word:
			if first := strings.Fields(c.HolderName)[0]; b.Text == first && (b.YMax-b.YMin)/1.36 < 16 {
				t.Errorf("%d: the name is set at %.1f pt", i, (b.YMax-b.YMin)/1.36)
			}
		}
	}
}
