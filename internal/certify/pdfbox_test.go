package certify

import (
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// mmPt converts millimetres (the layout's unit) to points (pdftotext's).
const mmPt = 72 / 25.4

// pdfBox is one word pdftotext -bbox finds on a page, in points from the top left.
type pdfBox struct {
	page                   int
	text                   string
	xMin, yMin, xMax, yMax float64
}

func pdfBoxes(t *testing.T, doc []byte) []pdfBox {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdftotext"), "-bbox", "-enc", "UTF-8", writePDF(t, doc), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v\n%s", err, out)
	}
	word := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
	var boxes []pdfBox
	for i, page := range strings.Split(string(out), "<page ")[1:] {
		for _, m := range word.FindAllStringSubmatch(page, -1) {
			b := pdfBox{page: i + 1, text: html.UnescapeString(m[5])}
			for j, v := range []*float64{&b.xMin, &b.yMin, &b.xMax, &b.yMax} {
				*v, _ = strconv.ParseFloat(m[j+1], 64)
			}
			boxes = append(boxes, b)
		}
	}
	return boxes
}

// cropText is the text pdftotext finds inside a rectangle (millimetres) of a page.
func cropText(t *testing.T, doc []byte, page int, x, y, w, h float64) string {
	t.Helper()
	n := strconv.Itoa(page)
	// -raw: in content order, and keeping a hyphen that ends a line (the
	// default reading joins "Łukasiewicz-" and "van" into one word).
	args := []string{"-raw", "-enc", "UTF-8", "-f", n, "-l", n, "-r", "72",
		"-x", fmt.Sprint(int(x * mmPt)), "-y", fmt.Sprint(int(y * mmPt)), "-W", fmt.Sprint(int(w * mmPt)), "-H", fmt.Sprint(int(h * mmPt)),
		writePDF(t, doc), "-"}
	out, err := exec.Command(needTool(t, "pdftotext"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func writePDF(t *testing.T, doc []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// squash is text as logical (see logical) with every space and line break
// taken out, so a name wrapped onto two lines — at a space or after a hyphen,
// '@' or '.', never with a character added — compares equal to the name.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, logical(s))
}

// wholeIn reports whether want is all in got (text from pdftotext), line
// breaks aside. pdftotext gives each word of a right-to-left line in logical
// order but the words of a wrapped line in the order drawn, so there every
// word (split at spaces and hyphens) must be there instead.
func wholeIn(got, want string) bool {
	got = squash(got)
	if !strings.ContainsFunc(want, func(r rune) bool { return unicode.In(r, unicode.Hebrew, unicode.Arabic) }) {
		return strings.Contains(got, squash(want))
	}
	for _, w := range strings.FieldsFunc(logical(want), func(r rune) bool { return unicode.IsSpace(r) || r == '-' }) {
		if !strings.Contains(got, w) {
			return false
		}
	}
	return true
}

// overlaps reports whether two words are drawn over each other. pdftotext's
// boxes run from the font's ascent to its descent (twice the type size for
// Arabic, whose marks reach far), so lines set close have boxes that touch:
// only the middle halves of the boxes are compared.
func overlaps(a, b pdfBox) bool {
	const sliver = 0.8 // points
	mid := func(b pdfBox) (float64, float64) { h := (b.yMax - b.yMin) / 4; return b.yMin + h, b.yMax - h }
	aTop, aBottom := mid(a)
	bTop, bBottom := mid(b)
	return a.page == b.page && min(a.xMax, b.xMax)-max(a.xMin, b.xMin) > sliver && min(aBottom, bBottom)-max(aTop, bTop) > 0
}
