// Package typeset sets mixed-script text on PDF pages (fpdf) for every document
// Lectern prints — certificates, sign-in slips, paper quizzes — so a name or a
// question prints the same way in each: the embedded fonts (Latin, Greek,
// Cyrillic, Hebrew, Hangul, Arabic), per-character font fallback, Arabic
// joining (arabic.go), right-to-left order, and the drawing helpers on Page.
// This file holds the fonts.
package typeset

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

//go:embed fonts/*.ttf
var fontFiles embed.FS

// face is one embedded font family in regular and bold. No single font covers
// every script a holder's name may use and fpdf has no fallback, so text is cut
// into runs and each run is drawn with the first face that has all its glyphs.
type face struct {
	family  string // fpdf family name
	regular string // file under fonts/
	bold    string
	sfnt    *sfnt.Font // the regular file, parsed once, to ask which runes it covers
	// base: the characters most certificates draw with this face (nil: none). A
	// cut of the face to them is made once per style and shared by every document
	// whose text needs nothing outside it; see data.
	base *unicode.RangeTable

	regularData, boldData []byte
	baseCut               [2]func() []byte // regular, bold
}

// faces in order of preference: Noto Sans for Latin, Greek and Cyrillic (and the
// digits and punctuation every script uses), then Hebrew, Hangul, Arabic.
var faces = []*face{
	{family: "notosans", regular: "NotoSans-Regular.ttf", bold: "NotoSans-Bold.ttf", base: &unicode.RangeTable{R16: []unicode.Range16{
		{Lo: 0x0020, Hi: 0x007e, Stride: 1}, // ASCII
		{Lo: 0x00a0, Hi: 0x024f, Stride: 1}, // Latin-1, Latin Extended-A and -B
		{Lo: 0x0370, Hi: 0x052f, Stride: 1}, // Greek, Cyrillic
		{Lo: 0x2010, Hi: 0x2027, Stride: 1}, // dashes, quotes, bullets, ellipsis
	}}},
	{family: "notohebrew", regular: "NotoSansHebrew-Regular.ttf", bold: "NotoSansHebrew-Bold.ttf", base: &unicode.RangeTable{R16: []unicode.Range16{
		{Lo: 0x0020, Hi: 0x007e, Stride: 1},
		{Lo: 0x00a0, Hi: 0x00ff, Stride: 1},
		{Lo: 0x0590, Hi: 0x05ff, Stride: 1}, // Hebrew
		{Lo: 0x2010, Hi: 0x2027, Stride: 1},
		{Lo: 0xfb1d, Hi: 0xfb4f, Stride: 1}, // Hebrew presentation forms
	}}},
	// Hangul names share few syllables: this face is cut for each document.
	{family: "nanumsquare", regular: "NanumSquareR.ttf", bold: "NanumSquareB.ttf"},
	// Arabic script (Arabic, Persian, Urdu), drawn in the presentation forms
	// shapeArabic turns letters into. Last, so that no character the faces above
	// already drew changes font.
	{family: "notoarabic", regular: "NotoSansArabic-Regular.ttf", bold: "NotoSansArabic-Bold.ttf", base: &unicode.RangeTable{R16: []unicode.Range16{
		{Lo: 0x0020, Hi: 0x007e, Stride: 1},
		{Lo: 0x00a0, Hi: 0x00ff, Stride: 1},
		{Lo: 0x0600, Hi: 0x06ff, Stride: 1}, // Arabic
		{Lo: 0x2010, Hi: 0x2027, Stride: 1},
		{Lo: 0xfb50, Hi: 0xfbff, Stride: 1}, // the presentation forms of arabic_forms.go
		{Lo: 0xfe70, Hi: 0xfeff, Stride: 1},
	}}},
}

var (
	loadFacesOnce sync.Once
	errLoadFaces  error
)

// Load reads and parses the embedded fonts (once per process). Documents call it
// first, so a broken font file is an error rather than a blank page.
func Load() error {
	loadFacesOnce.Do(func() {
		for _, f := range faces {
			var err error
			if f.regularData, err = fontFiles.ReadFile("fonts/" + f.regular); err != nil {
				errLoadFaces = fmt.Errorf("read font %s: %w", f.regular, err)
				return
			}
			if f.boldData, err = fontFiles.ReadFile("fonts/" + f.bold); err != nil {
				errLoadFaces = fmt.Errorf("read font %s: %w", f.bold, err)
				return
			}
			if f.sfnt, err = sfnt.Parse(f.regularData); err != nil {
				errLoadFaces = fmt.Errorf("parse font %s: %w", f.regular, err)
				return
			}
			if f.base != nil {
				var base []rune
				for _, rg := range f.base.R16 {
					for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
						base = append(base, r)
					}
				}
				for i, data := range [][]byte{f.regularData, f.boldData} {
					f.baseCut[i] = sync.OnceValue(func() []byte { return fpdf.UTF8CutFont(bytes.Clone(data), string(base)) })
				}
			}
		}
	})
	return errLoadFaces
}

// data returns the font file (style "" or "B") to add to a document whose text
// uses the characters in runes: the face cut down to those it has (or to its
// base). fpdf parses the whole file it is given in every document and subsets it
// again on output; given the full Hangul font, that was half of a Hangul
// certificate's time. The PDF embeds the same glyphs, with the same metrics,
// either way.
//
// The file returned is the document's own: fpdf's subsetting writes into the
// file it reads when a font's last glyphs share one advance width (NanumSquare
// Regular does), so shared bytes are never handed to it.
func (f *face) data(style string, runes []rune) []byte {
	full, i := f.regularData, 0
	if style == "B" {
		full, i = f.boldData, 1
	}
	var buf sfnt.Buffer
	var need []rune
	inBase := f.base != nil
	for _, r := range runes {
		if f.has(&buf, r) {
			need = append(need, r)
			inBase = inBase && unicode.Is(f.base, r)
		}
	}
	if inBase {
		return bytes.Clone(f.baseCut[i]())
	}
	return fpdf.UTF8CutFont(bytes.Clone(full), string(need))
}

// faceFor returns the first face with a glyph for r; characters no face has fall
// back to the first face (and are reported by Uncovered).
func faceFor(buf *sfnt.Buffer, r rune) *face {
	for _, f := range faces {
		if f.has(buf, r) {
			return f
		}
	}
	return faces[0]
}

func (f *face) has(buf *sfnt.Buffer, r rune) bool {
	g, err := f.sfnt.GlyphIndex(buf, r)
	return err == nil && g != 0
}

// Uncovered lists the characters of s that no embedded font can draw, so a name
// that would print as boxes is caught when it is entered, not on the certificate.
func Uncovered(s string) ([]rune, error) {
	if err := Load(); err != nil {
		return nil, err
	}
	var buf sfnt.Buffer
	var out []rune
	for _, r := range norm.NFC.String(s) {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Mn, r) {
			continue
		}
		if f := faceFor(&buf, r); !f.has(&buf, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// segment is a piece of a line in visual (left-to-right drawing) order, all in
// one face.
type segment struct {
	face *face
	text string
}

// layoutLine turns logical text into segments to draw left to right: Unicode NFC,
// Arabic letters in their joining forms (shapeArabic), the bidi algorithm's runs
// put in visual order (right-to-left runs reversed, brackets mirrored), then each
// run cut where the face must change.
func layoutLine(s string) []segment {
	s = shapeArabic(norm.NFC.String(strings.TrimSpace(s)))
	var runs []string
	var p bidi.Paragraph
	if _, err := p.SetString(s); err != nil {
		runs = []string{s}
	} else if o, err := p.Order(); err != nil {
		runs = []string{s}
	} else {
		// The paragraph's direction is its first strong character's (UBA rule
		// P2): "19 בנובמבר 2026" is a Hebrew line that starts with digits.
		// (Ordering.Direction is only the first run's, left to right there.)
		rtlParagraph := firstStrongRTL(s)
		for i := 0; i < o.NumRuns(); i++ {
			run := o.Run(i)
			text := run.String()
			if run.Direction() == bidi.RightToLeft {
				text = reverseRun(text, rtlParagraph)
			}
			runs = append(runs, text)
		}
		if rtlParagraph {
			for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
				runs[i], runs[j] = runs[j], runs[i]
			}
		}
	}
	var buf sfnt.Buffer
	var out []segment
	for _, run := range runs {
		for _, r := range run {
			f := faceFor(&buf, r)
			if unicode.IsSpace(r) && len(out) > 0 && out[len(out)-1].face.has(&buf, r) {
				f = out[len(out)-1].face // a space keeps the face it follows: fewer font switches
			}
			if len(out) > 0 && out[len(out)-1].face == f {
				out[len(out)-1].text += string(r)
			} else {
				out = append(out, segment{face: f, text: string(r)})
			}
		}
	}
	return out
}

// firstStrongRTL reports whether the first letter of s with a direction of its
// own (not a digit, a space or punctuation) is written right to left.
func firstStrongRTL(s string) bool {
	for _, r := range s {
		props, _ := bidi.LookupRune(r)
		switch props.Class() {
		case bidi.R, bidi.AL:
			return true
		case bidi.L:
			return false
		}
	}
	return false
}

// reverseRun puts a right-to-left run in drawing order. Inside a left-to-right
// line the spaces at the run's edges stay where they are (they separate it from
// its neighbours); in a right-to-left line the whole run turns around.
func reverseRun(s string, rtlParagraph bool) string {
	if rtlParagraph {
		return bidi.ReverseString(s)
	}
	core := strings.TrimSpace(s)
	lead := s[:strings.Index(s, core)]
	trail := s[len(lead)+len(core):]
	return lead + bidi.ReverseString(core) + trail
}

// FontFile returns an embedded font file by name (e.g. "NotoSans-Regular.ttf"),
// for benchmarks that measure fpdf without this package around it.
func FontFile(name string) ([]byte, error) {
	data, err := fontFiles.ReadFile("fonts/" + name)
	if err != nil {
		return nil, fmt.Errorf("read font %s: %w", name, err)
	}
	return data, nil
}

// FontsDigest is the SHA-256 of every embedded font file, in name order: a
// part of what a printed document is made of that a sample render shows only
// for the glyphs it draws (certify's render key hashes it).
var FontsDigest = sync.OnceValues(func() ([32]byte, error) {
	h := sha256.New()
	err := fs.WalkDir(fontFiles, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fontFiles.ReadFile(name)
		if err != nil {
			return err
		}
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(data)
		return nil
	})
	if err != nil {
		return [32]byte{}, fmt.Errorf("digest of the embedded fonts: %w", err)
	}
	return [32]byte(h.Sum(nil)), nil
})
