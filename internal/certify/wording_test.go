package certify

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/pdftest"
	"github.com/lectern-platform/lectern/internal/store"
)

// languageCourse loads a course written in English with a French course page,
// its certificate worded as front (the certificate: block's extra lines).
func languageCourse(t *testing.T, front string) *course.Course {
	t.Helper()
	return loadCourse(t, languageFS(front))
}

// languageFS is languageCourse's files.
func languageFS(front string) fstest.MapFS {
	return fstest.MapFS{
		"c/course.md": {Data: []byte("---\ntitle: Investigating crypto-asset crime\nsummary: S\nlanguage: en\n" +
			"certificate:\n  title: Certificate of attendance and achievement\n" + front + "---\n\nOverview.\n")},
		"c/course.fr.md": {Data: []byte("---\ntitle: Enquêter sur la criminalité liée aux crypto-actifs\nsummary: S\n" +
			"certificate:\n  title: Certificat de présence et de réussite\n---\n\nVue d'ensemble.\n")},
		"c/01-m.md": {Data: []byte("---\ntitle: M\nduration: 390m\n---\n\nText.\n")},
	}
}

// loadCourse loads the course in fsys's directory c.
func loadCourse(t *testing.T, fsys fstest.MapFS) *course.Course {
	t.Helper()
	c, probs := course.Load(fsys, "c", "c")
	if len(probs) > 0 {
		t.Fatalf("course problems:\n%s", probs)
	}
	return c
}

// issueFor is a certificate of course c as CloseSession words and signs it
// (the session on 19 November 2026 in Paris, issued that evening).
func issueFor(t *testing.T, s *Signer, c *course.Course, holder string) *store.Certificate {
	t.Helper()
	cat, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	wording, err := json.Marshal(wordingFor(c, cat))
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, 11, 19, 17, 30, 0, 0, time.UTC)
	cert := &store.Certificate{Serial: "K7QW2M9XPD4TRV8H", Title: c.Certificate.Title, Programme: "European crypto-asset investigation programme",
		HolderName: holder, AgencyName: "Police nationale", CourseTitle: c.Title, CourseHash: c.Hash, SessionDate: "2026-11-19",
		City: "Paris", Country: "FR", Minutes: int(c.Duration().Minutes()), Trainers: "Anna Schmidt, Kofi Mensah", IssuedAt: issued,
		Status: store.CertificateValid, Wording: wording}
	signed, err := s.Sign(Payload{Serial: cert.Serial, Holder: holder, Agency: cert.AgencyName, Course: cert.CourseTitle, CourseHash: cert.CourseHash,
		SessionDate: cert.SessionDate, City: cert.City, Country: cert.Country, IssuedAt: issued.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	cert.Payload, cert.Signature = signed.Payload, signed.Signature
	return cert
}

// TestPDF_CertificateLanguage: a course whose certificate is in French prints
// the French course page's certificate title and course title, dates and the
// country in French; a bilingual one prints both languages, the first above;
// Korean and Hebrew certificates render, Hebrew right to left. Every one still
// verifies, with the same signed payload (the course language's record).
func TestPDF_CertificateLanguage(t *testing.T) {
	s := testSigner(t)
	trusted := map[string]ed25519.PublicKey{s.KeyID: s.PublicKey()}
	for _, tc := range []struct {
		name, front string
		want, not   []string
	}{
		{"French", "  language: fr\n",
			[]string{"Certificat de présence et de réussite", "Enquêter sur la criminalité liée aux crypto-actifs", "19 novembre 2026", "Paris, France", "6,5"},
			[]string{"Certificate of attendance and achievement", "19 November 2026"}},
		{"English by default", "",
			[]string{"Certificate of attendance and achievement", "This is to certify that", "19 November 2026", "6.5 hours", "no expiry",
				"Scan to verify, or visit", "lectern verify certificate.pdf"},
			[]string{"Certificat de", "novembre"}},
		{"Bilingual", "  languages: [fr, en]\n",
			[]string{"Certificat de présence et de réussite", "Certificate of attendance and achievement",
				"Enquêter sur la criminalité liée aux crypto-actifs", "Investigating crypto-asset crime",
				"19 novembre 2026", "19 November 2026", "6.5 hours", "This is to certify that", "Scan to verify, or visit"}, nil},
		{"Korean", "  language: ko\n", []string{"2026년 11월 19일", "프랑스"}, []string{"19 November 2026"}},
		{"Hebrew and English", "  languages: [he, en]\n", []string{"19 בנובמבר 2026", "צרפת", "19 November 2026"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := languageCourse(t, tc.front)
			cert := issueFor(t, s, c, pdftest.ScriptNames["hebrew"])
			doc := renderForTest(t, s, cert)
			p, err := VerifyPDF(doc, trusted)
			if err != nil || p.Course != "Investigating crypto-asset crime" || p.Holder != cert.HolderName {
				t.Fatalf("verify: %v %+v", err, p)
			}
			text := pdftest.Text(t, doc)
			for _, want := range tc.want {
				if !pdftest.WholeIn(text, want) {
					t.Errorf("%q not in the certificate:\n%s", want, pdftest.Logical(text))
				}
			}
			for _, not := range tc.not {
				if strings.Contains(pdftest.Logical(text), not) {
					t.Errorf("%q in the certificate:\n%s", not, pdftest.Logical(text))
				}
			}
			// One page, every word on it, none drawn over another.
			boxes := pdftest.Boxes(t, doc)
			for i, a := range boxes {
				if a.Page != 1 || a.XMin < 0 || a.YMin < 0 || a.XMax > 297*pdftest.MMPt || a.YMax > 210*pdftest.MMPt {
					t.Errorf("%q is off the page: %+v", a.Text, a)
				}
				for _, b := range boxes[i+1:] {
					if pdftest.Overlaps(a, b) {
						t.Errorf("%q and %q are drawn over each other", a.Text, b.Text)
					}
				}
			}
		})
	}
}

// TestPDF_HebrewCertificateReadsRightToLeft: on a Hebrew certificate the
// date's words are drawn right to left: the day rightmost, the year leftmost.
func TestPDF_HebrewCertificateReadsRightToLeft(t *testing.T) {
	s := testSigner(t)
	doc := renderForTest(t, s, issueFor(t, s, languageCourse(t, "  language: he\n"), "Daniel Cohen"))
	var day, year *pdftest.Box
	boxes := pdftest.Boxes(t, doc)
	for i := range boxes {
		if boxes[i].Text == "19" && day == nil {
			day = &boxes[i]
		}
	}
	for i := range boxes {
		if day != nil && boxes[i].Text == "2026" && boxes[i].YMin == day.YMin {
			year = &boxes[i]
		}
	}
	if day == nil || year == nil {
		t.Fatalf("no Hebrew date line found in %+v", boxes)
	}
	if !(year.XMax <= day.XMin) {
		t.Errorf("the year (%v) is not left of the day (%v): not drawn right to left", year, day)
	}
}

// TestPDF_RightToLeftBottomMirrored: a certificate in a right-to-left
// language mirrors its bottom — the labels (issued, serial …) on the right
// with their values to their left, the QR code's address on the left — and a
// bilingual Hebrew and English one keeps the English labels under the Hebrew
// ones; an English certificate keeps the labels on the left, the address on
// the right. LECTERN_CERT_PNG=dir writes each as a PNG to look at.
func TestPDF_RightToLeftBottomMirrored(t *testing.T) {
	s := testSigner(t)
	const mid = pageW / 2 * pdftest.MMPt // the page's middle, in points
	for _, tc := range []struct {
		name, front string
		rtl         bool
		labels      []string // a word of each label, as pdftotext reads it
	}{
		{"he", "  language: he\n", true, []string{"סידורי", "הנפקה", "בתוקף", "מדריכים"}},
		{"he-en", "  languages: [he, en]\n", true, []string{"סידורי", "הנפקה", "Serial", "Issued", "Trainers"}},
		{"en", "", false, []string{"Serial", "Issued", "Trainers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := renderForTest(t, s, issueFor(t, s, languageCourse(t, tc.front), "Daniel Cohen"))
			if dir := os.Getenv("LECTERN_CERT_PNG"); dir != "" {
				file := filepath.Join(dir, "bottom-"+tc.name+".pdf")
				if err := os.WriteFile(file, doc, 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(pdftest.Tool(t, "pdftoppm"), "-png", "-r", "60", "-singlefile", file, strings.TrimSuffix(file, ".pdf")).CombinedOutput(); err != nil {
					t.Fatalf("pdftoppm: %v %s", err, out)
				}
			}
			boxes := pdftest.Boxes(t, doc)
			// pdftotext gives a Hebrew word alone in a box as drawn, last
			// letter first.
			find := func(word string) *pdftest.Box {
				r := []rune(word)
				slices.Reverse(r)
				for i := range boxes {
					if got := pdftest.Logical(boxes[i].Text); got == word || got == string(r) {
						return &boxes[i]
					}
				}
				t.Fatalf("%q not on the certificate: %+v", word, boxes)
				return nil
			}
			serialValue := find("K7QW2M9XPD4TRV8H")
			var address *pdftest.Box
			for i := range boxes {
				if strings.Contains(boxes[i].Text, "lectern.example.org/verify/") {
					address = &boxes[i]
				}
			}
			if address == nil {
				t.Fatalf("no verify address on the certificate")
			}
			for _, w := range tc.labels {
				label := find(w)
				if tc.rtl && (label.XMin < mid || label.XMin < serialValue.XMax) {
					t.Errorf("label %q at x %.0f–%.0f: not on the right of the page (middle %.0f) and of the values (serial ends at %.0f)", w, label.XMin, label.XMax, mid, serialValue.XMax)
				}
				if !tc.rtl && (label.XMax > mid || label.XMax > serialValue.XMin) {
					t.Errorf("label %q at x %.0f–%.0f: not on the left of the page and of the values (serial starts at %.0f)", w, label.XMin, label.XMax, serialValue.XMin)
				}
			}
			if tc.rtl != (serialValue.XMin > mid) {
				t.Errorf("the serial's value at x %.0f–%.0f: on the wrong half for rtl=%v", serialValue.XMin, serialValue.XMax, tc.rtl)
			}
			if tc.rtl != (address.XMax < mid) {
				t.Errorf("the verify address at x %.0f–%.0f: on the wrong half for rtl=%v (the QR code goes with it)", address.XMin, address.XMax, tc.rtl)
			}
		})
	}
}
