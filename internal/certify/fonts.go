package certify

import (
	"embed"
	"fmt"
	"strings"
	"sync"
	"unicode"

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

	regularData, boldData []byte
}

// faces in order of preference: Noto Sans for Latin, Greek and Cyrillic (and the
// digits and punctuation every script uses), then Hebrew, then Hangul.
var faces = []*face{
	{family: "notosans", regular: "NotoSans-Regular.ttf", bold: "NotoSans-Bold.ttf"},
	{family: "notohebrew", regular: "NotoSansHebrew-Regular.ttf", bold: "NotoSansHebrew-Bold.ttf"},
	{family: "nanumsquare", regular: "NanumSquareR.ttf", bold: "NanumSquareB.ttf"},
}

var (
	loadFacesOnce sync.Once
	errLoadFaces  error
)

func loadFaces() error {
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
		}
	})
	return errLoadFaces
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
	if err := loadFaces(); err != nil {
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
// the bidi algorithm's runs put in visual order (right-to-left runs reversed,
// brackets mirrored), then each run cut where the face must change.
func layoutLine(s string) []segment {
	s = norm.NFC.String(strings.TrimSpace(s))
	var runs []string
	var p bidi.Paragraph
	if _, err := p.SetString(s); err != nil {
		runs = []string{s}
	} else if o, err := p.Order(); err != nil {
		runs = []string{s}
	} else {
		rtlParagraph := p.Direction() == bidi.RightToLeft
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
