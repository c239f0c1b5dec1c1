// Package pdftest reads PDFs back for the tests of the packages that print
// them (certify's certificate, paper's sheets and slips), with poppler's
// pdftotext, and holds the names those tests print: one helper set, so a fix
// to how pdftotext is read (right-to-left text, wrapped words) is made once.
// Only tests import it.
package pdftest

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

	"golang.org/x/text/unicode/norm"
)

// ScriptNames are one name per script printed documents promise.
var ScriptNames = map[string]string{
	"latin":    "François Müller-Łukasiewicz",
	"greek":    "Γιώργος Παπαδόπουλος",
	"cyrillic": "Дмитрий Иванов-Щербаков",
	"hebrew":   "דניאל כהן",
	"hangul":   "김민준",
	"arabic":   "محمد عبد الله",
	"persian":  "فاطمه رضایی",
}

// Person is a name, an agency and an address to print.
type Person struct{ Name, Agency, Email string }

// LongPeople are the longest names and addresses we expect, one per script:
// a document carries them whole (smaller, then on more lines — never cut with
// an ellipsis).
var LongPeople = []Person{
	{"Zoë Ångström-Łukasiewicz van der Berg-Sánchez de la Fuente y Ørsted", "Direction régionale de la police judiciaire de Paris — Brigade de lutte contre la cybercriminalité",
		"zoe.angstrom.lukasiewicz-van-der-berg@police-judiciaire-paris.interieur.gouv.fr"},
	{"Παναγιώτης-Κωνσταντίνος Παπαδημητρόπουλος-Χατζηγεωργίου", "Διεύθυνση Δίωξης Ηλεκτρονικού Εγκλήματος Ελληνικής Αστυνομίας",
		"panagiotis-konstantinos.papadimitropoulos-chatzigeorgiou@cybercrime.astynomia.gov.gr"},
	{"Александра-Екатерина Константиновна Преображенская-Долгорукова", "Управление по борьбе с киберпреступностью",
		"aleksandra-ekaterina.preobrazhenskaya-dolgorukova@cyber-police.example.org"},
	{"אברהם-יצחק בן-יהודה רוזנבלום-ויסנברג שטיינמץ", "יחידת הסייבר הארצית של משטרת ישראל",
		"avraham-yitzhak.ben-yehuda.rosenblum-weisenberg@police.gov.il"},
	{"남궁 서연 크리스티나 황보 알렉산드라", "경찰청 국가수사본부 사이버수사국 가상자산범죄수사팀",
		"namgung.seoyeon.christina.hwangbo@police.go.kr"},
	{"عبد الرحمن بن محمد بن عبد العزيز آل سعود القحطاني", "الإدارة العامة لمكافحة الجرائم الإلكترونية وغسل الأموال",
		"abdulrahman.bin.mohammed.bin.abdulaziz.al-qahtani@cybercrime.moi.gov.sa"},
}

// MMPt converts millimetres (the layouts' unit) to points (pdftotext's).
const MMPt = 72 / 25.4

// Tool finds a command-line tool the test needs; CI installs them all.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI", name)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

// File writes a PDF to a file of the test's temporary directory.
func File(t testing.TB, doc []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// Text is a PDF's text as pdftotext extracts it, given flags (-layout, -bbox).
func Text(t testing.TB, doc []byte, flags ...string) string {
	t.Helper()
	args := append(append([]string{"-enc", "UTF-8"}, flags...), File(t, doc), "-")
	out, err := exec.Command(Tool(t, "pdftotext"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// Logical undoes what pdftotext does to right-to-left text it extracts: it
// returns Arabic as the presentation forms drawn (joining forms, lam-alef
// ligatures), in logical order, between embedding marks (U+202B … U+202C).
// NFKC maps the forms back to the letters; the marks are dropped.
func Logical(text string) string {
	text = strings.Map(func(r rune) rune {
		if r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f {
			return -1
		}
		return r
	}, text)
	return norm.NFKC.String(text)
}

// Box is one word pdftotext -bbox finds on a page, in points from the top left.
type Box struct {
	Page                   int
	Text                   string
	XMin, YMin, XMax, YMax float64
}

// Boxes are the words of every page, with where they are drawn.
func Boxes(t testing.TB, doc []byte) []Box {
	t.Helper()
	out, err := exec.Command(Tool(t, "pdftotext"), "-bbox", "-enc", "UTF-8", File(t, doc), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v\n%s", err, out)
	}
	word := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
	var boxes []Box
	for i, page := range strings.Split(string(out), "<page ")[1:] {
		for _, m := range word.FindAllStringSubmatch(page, -1) {
			b := Box{Page: i + 1, Text: html.UnescapeString(m[5])}
			for j, v := range []*float64{&b.XMin, &b.YMin, &b.XMax, &b.YMax} {
				*v, _ = strconv.ParseFloat(m[j+1], 64)
			}
			boxes = append(boxes, b)
		}
	}
	return boxes
}

// Crop is the text pdftotext finds inside a rectangle (millimetres) of a page.
func Crop(t testing.TB, doc []byte, page int, x, y, w, h float64) string {
	t.Helper()
	n := strconv.Itoa(page)
	// -raw: in content order, and keeping a hyphen that ends a line (the
	// default reading joins "Łukasiewicz-" and "van" into one word).
	args := []string{"-raw", "-enc", "UTF-8", "-f", n, "-l", n, "-r", "72",
		"-x", fmt.Sprint(int(x * MMPt)), "-y", fmt.Sprint(int(y * MMPt)), "-W", fmt.Sprint(int(w * MMPt)), "-H", fmt.Sprint(int(h * MMPt)),
		File(t, doc), "-"}
	out, err := exec.Command(Tool(t, "pdftotext"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// squash is text as Logical with every space and line break taken out, so a
// name wrapped onto two lines — at a space or after a hyphen, '@' or '.',
// never with a character added — compares equal to the name.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, Logical(s))
}

// WholeIn reports whether want is all in got (text from pdftotext), line
// breaks aside. pdftotext gives each word of a right-to-left line in logical
// order but the words of a wrapped line in the order drawn, so there every
// word (split at spaces and hyphens) must be there instead.
func WholeIn(got, want string) bool {
	got = squash(got)
	if !strings.ContainsFunc(want, func(r rune) bool { return unicode.In(r, unicode.Hebrew, unicode.Arabic) }) {
		return strings.Contains(got, squash(want))
	}
	for _, w := range strings.FieldsFunc(Logical(want), func(r rune) bool { return unicode.IsSpace(r) || r == '-' }) {
		if !strings.Contains(got, w) {
			return false
		}
	}
	return true
}

// Overlaps reports whether two words are drawn over each other. pdftotext's
// boxes run from the font's ascent to its descent (twice the type size for
// Arabic, whose marks reach far), so lines set close have boxes that touch:
// only the middle halves of the boxes are compared.
func Overlaps(a, b Box) bool {
	const sliver = 0.8 // points
	mid := func(b Box) (float64, float64) { h := (b.YMax - b.YMin) / 4; return b.YMin + h, b.YMax - h }
	aTop, aBottom := mid(a)
	bTop, bBottom := mid(b)
	return a.Page == b.Page && min(a.XMax, b.XMax)-max(a.XMin, b.XMin) > sliver && min(aBottom, bBottom)-max(aTop, bTop) > 0
}
