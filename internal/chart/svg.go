// Package chart draws the programme reports' charts as SVG on the server: no
// charting library and no script reach the browser, and a page that cannot run
// JavaScript still shows them. It knows nothing of reports or languages: the
// caller hands it numbers, names and the words to show, already in the reader's
// language, and whether the reader reads right to left.
//
// Every chart is sized by its viewBox alone, so it scales to the width of a
// phone; its text is text (not paths), so it can be selected, translated by a
// browser and read by a screen reader; names are data, so each one takes its own
// direction (a Hebrew agency in an English page, a French one in a Hebrew page)
// and long ones wrap onto several lines instead of being cut.
package chart

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/width"
)

// Options are what every chart needs besides its numbers.
type Options struct {
	// ID prefixes the ids of the chart's title and description; unique in a page.
	ID string
	// Title names the chart (its accessible name); Desc says where its numbers are.
	Title, Desc string
	// RTL mirrors the chart for a right-to-left reader: bars grow from the right,
	// the value axis sits on the right and months run from right to left.
	RTL bool
	// Format writes a value in the reader's language; the default is plain digits.
	Format func(float64) string
	// Max is the top of the scale (100 for percentages); 0 means the largest value.
	Max float64
}

func (o Options) format(v float64) string {
	if o.Format != nil {
		return o.Format(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Tones name the colours of the stylesheet's palette a chart may use. Each is a
// class the page's stylesheet colours (light and dark schemes) with a fill
// attribute as fallback for the SVG on its own; every one has a contrast of at
// least 3:1 against the page (WCAG 1.4.11), checked by the tests.
const (
	ToneAccent = "accent"
	ToneOK     = "ok"
	ToneWarn   = "warn"
	ToneBad    = "bad"
	ToneMuted  = "muted"
)

// fallback are the light scheme's colours (static/css/lectern.css :root).
var fallback = map[string]string{
	ToneAccent: "#0b5cad",
	ToneOK:     "#1d6b35",
	ToneWarn:   "#8a4b00",
	ToneBad:    "#a3161a",
	ToneMuted:  "#4a5566",
	"ink":      "#1b2330",
	"line":     "#d5dbe3",
	"paper":    "#ffffff",
}

// Geometry, in viewBox units. 360 wide is a phone's width in CSS pixels, so at
// that width a unit is a pixel and the 13-unit font reads as 13 px.
const (
	viewW    = 360.0
	fontSize = 13.0
	lineH    = 16.0
	barH     = 18.0
	pad      = 2.0
)

var (
	errNegative = errors.New("chart: a negative value cannot be drawn as a bar")
	errNaN      = errors.New("chart: a value is not a finite number")
)

func check(vs ...float64) error {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errNaN
		}
		if v < 0 {
			return errNegative
		}
	}
	return nil
}

// svg builds one chart's markup; every piece of text goes through esc.
type svg struct {
	b   strings.Builder
	rtl bool
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func num(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// open writes the root element, its title and description. role="img" with
// aria-labelledby gives the chart one short accessible name and description:
// the numbers themselves are read from the table the page puts beside it.
func (s *svg) open(o Options, height float64) {
	id := esc(o.ID)
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-size="%s" font-family="system-ui, sans-serif">`,
		num(viewW), num(height), id, id, num(fontSize))
	fmt.Fprintf(&s.b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(o.Title), id, esc(o.Desc))
}

func (s *svg) close() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String())
}

// x mirrors a horizontal position for a right-to-left chart.
func (s *svg) x(x float64) float64 {
	if s.rtl {
		return viewW - x
	}
	return x
}

func (s *svg) rect(x, y, w, h float64, tone string) {
	if s.rtl {
		x = viewW - x - w
	}
	fmt.Fprintf(&s.b, `<rect class="chart-%s" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, tone, num(x), num(y), num(w), num(h), fallback[tone])
}

func (s *svg) hline(x1, x2, y float64, class string) {
	fmt.Fprintf(&s.b, `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, class, num(s.x(x1)), num(y), num(s.x(x2)), num(y), fallback["line"])
}

func (s *svg) vline(x, y1, y2 float64, class string) {
	fmt.Fprintf(&s.b, `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, class, num(s.x(x)), num(y1), num(s.x(x)), num(y2), fallback["ink"])
}

// name writes a name (an agency's, a course's; a series' in a legend) at the
// chart's start side x: it takes the direction of its first strong letter, as
// dir="auto" would, and is anchored so that it begins at the start side in
// either direction of the chart. A name that is data (not the interface's
// words) is marked translate="no", as pages mark data, so that a browser's
// translation leaves an agency's name alone.
func (s *svg) name(x, y float64, text, class string, data bool) {
	dir := textDir(text)
	anchor := "start"
	if (dir == "rtl") != s.rtl {
		anchor = "end"
	}
	translate := ""
	if data {
		translate = ` translate="no"`
	}
	fmt.Fprintf(&s.b, `<text class="%s" x="%s" y="%s" direction="%s" text-anchor="%s" fill="%s"%s>%s</text>`,
		class, num(s.x(x)), num(y), dir, anchor, fallback["ink"], translate, esc(text))
}

// value writes a formatted number after position x (before it, seen from a
// right-to-left reader). Numbers run left to right in every language here.
func (s *svg) value(x, y float64, text, anchor string) {
	if s.rtl {
		switch anchor {
		case "start":
			anchor = "end"
		case "end":
			anchor = "start"
		}
	}
	fmt.Fprintf(&s.b, `<text class="chart-text" x="%s" y="%s" direction="ltr" text-anchor="%s" fill="%s">%s</text>`,
		num(s.x(x)), num(y), anchor, fallback["ink"], esc(text))
}

// textDir is a name's own direction: that of its first strong letter, "ltr"
// when it has none (digits only).
func textDir(s string) string {
	for _, r := range s {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			return "ltr"
		case bidi.R, bidi.AL:
			return "rtl"
		}
	}
	return "ltr"
}

// textWidth estimates how wide s is set in the chart's font. It errs wide, so
// that a wrapped name never runs out of the picture: wide (CJK, Hangul)
// characters are a full em, others 0.62 em (system sans-serif fonts average
// nearer 0.55).
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			w += 1
		default:
			w += 0.62
		}
	}
	return w * fontSize
}

// wrap breaks s into lines no wider than max, at spaces where it can and
// inside a word only when the word alone is wider than a line. Nothing is
// dropped: joined with spaces at the space breaks, the lines are s.
func wrap(s string, max float64) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if textWidth(try) <= max {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		for textWidth(word) > max {
			cut := fitRunes(word, max)
			lines = append(lines, word[:cut])
			word = word[cut:]
		}
		line = word
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// fitRunes is the byte length of the longest prefix of s (at least one rune)
// that fits in max.
func fitRunes(s string, max float64) int {
	n := 0
	for i, r := range s {
		if i > 0 && textWidth(s[:i+utf8.RuneLen(r)]) > max {
			break
		}
		n = i + utf8.RuneLen(r)
	}
	return n
}
