package chart

import (
	"encoding/xml"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/static"
)

// node is an SVG element read back with encoding/xml: the tests look at what a
// browser would get, not at the strings the code wrote.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) num(t *testing.T, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return f
}

func (n node) all(name, class string) []node {
	var out []node
	for _, c := range n.Nodes {
		if c.XMLName.Local == name && (class == "" || c.attr("class") == class) {
			out = append(out, c)
		}
	}
	return out
}

func parse(t *testing.T, h template.HTML) node {
	t.Helper()
	var root node
	if err := xml.Unmarshal([]byte(h), &root); err != nil {
		t.Fatalf("chart is not well-formed XML: %v\n%s", err, h)
	}
	if root.XMLName.Local != "svg" || root.attr("role") != "img" || root.attr("viewBox") == "" {
		t.Fatalf("root is <%s role=%q viewBox=%q>", root.XMLName.Local, root.attr("role"), root.attr("viewBox"))
	}
	if root.attr("width") != "" || root.attr("height") != "" {
		t.Errorf("chart has a fixed size (%s×%s): it must scale by its viewBox", root.attr("width"), root.attr("height"))
	}
	return root
}

func texts(n node) []string {
	var out []string
	for _, t := range n.all("text", "") {
		out = append(out, t.Text)
	}
	return out
}

func opts() Options {
	return Options{ID: "c", Title: "Officers per agency", Desc: "The numbers are in the table"}
}

func TestBars_LengthsProportional(t *testing.T) {
	cases := map[string][]float64{
		"several":   {10, 20, 5, 0},
		"one value": {7},
		"huge":      {1e15, 3e14, 1},
		"all zero":  {0, 0},
	}
	for name, values := range cases {
		t.Run(name, func(t *testing.T) {
			var bars []Bar
			for i, v := range values {
				bars = append(bars, Bar{Label: "Agency " + strconv.Itoa(i), Value: v})
			}
			root := parse(t, must(t)(Bars(bars, opts())))
			rects := root.all("rect", "chart-accent")
			if len(rects) != len(values) {
				t.Fatalf("%d bars for %d values", len(rects), len(values))
			}
			top := 0.0
			for _, v := range values {
				top = math.Max(top, v)
			}
			longest := 0.0
			for _, r := range rects {
				longest = math.Max(longest, r.num(t, "width"))
				if end := r.num(t, "x") + r.num(t, "width"); end > viewW {
					t.Errorf("bar ends at %v, outside the %v-wide picture", end, viewW)
				}
			}
			for i, r := range rects {
				want := 0.0
				if top > 0 {
					want = longest * values[i] / top
				}
				if got := r.num(t, "width"); math.Abs(got-want) > 0.02 {
					t.Errorf("bar %d (value %v) is %v long, want %v", i, values[i], got, want)
				}
			}
			if top > 0 && longest < viewW/2 {
				t.Errorf("the longest bar is %v: the scale wastes the width", longest)
			}
		})
	}
}

func TestBars_Scale(t *testing.T) {
	root := parse(t, must(t)(Bars([]Bar{{"a", 50}, {"b", 25}}, Options{ID: "p", Max: 100, Format: func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " %" }})))
	r := root.all("rect", "chart-accent")
	if w0, w1 := r[0].num(t, "width"), r[1].num(t, "width"); math.Abs(w0-2*w1) > 0.02 || w0 > viewW*0.6 {
		t.Errorf("50 and 25 of 100 are %v and %v long", w0, w1)
	}
	if got := texts(root); !contains(got, "50 %") || !contains(got, "25 %") {
		t.Errorf("values as formatted are missing: %q", got)
	}
}

func TestBars_Empty(t *testing.T) {
	root := parse(t, must(t)(Bars(nil, opts())))
	if n := len(root.all("rect", "")); n != 0 {
		t.Errorf("%d rects without data", n)
	}
}

func TestCharts_RefuseBadNumbers(t *testing.T) {
	for name, v := range map[string]float64{"negative": -1, "NaN": math.NaN(), "infinite": math.Inf(1)} {
		t.Run(name, func(t *testing.T) {
			if _, err := Bars([]Bar{{"a", 1}, {"b", v}}, opts()); err == nil {
				t.Error("Bars drew it")
			}
			if _, err := Columns([]string{"a", "b"}, Series{Name: "x", Values: []float64{1, v}}, Series{}, opts()); err == nil {
				t.Error("Columns drew it")
			}
			if _, err := Columns([]string{"a"}, Series{Name: "x", Values: []float64{1}}, Series{Name: "y", Values: []float64{v}}, opts()); err == nil {
				t.Error("Columns drew it in the line")
			}
			if _, err := Stacked([]Segment{{"a", 1, ToneOK}, {"b", v, ToneBad}}, opts()); err == nil {
				t.Error("Stacked drew it")
			}
		})
	}
	if _, err := Columns([]string{"a", "b"}, Series{Values: []float64{1}}, Series{}, opts()); err == nil {
		t.Error("Columns drew a series shorter than its labels")
	}
	if _, err := Stacked([]Segment{{"a", 1, "pink"}}, opts()); err == nil {
		t.Error("Stacked drew an unknown tone")
	}
}

// A name is data: whatever it holds comes out as text, never as markup.
func TestCharts_EscapeNames(t *testing.T) {
	evil := []string{`<script>alert(1)</script>`, `"&amp;' onload="x`, `]]><b>`}
	o := Options{ID: `x" onload="y`, Title: `<b>T</b>`, Desc: `"&`}
	var charts []template.HTML
	var bars []Bar
	var segs []Segment
	for _, e := range evil {
		bars = append(bars, Bar{e, 1})
		segs = append(segs, Segment{e, 1, ToneOK})
	}
	charts = append(charts, must(t)(Bars(bars, o)), must(t)(Stacked(segs, o)),
		must(t)(Columns(evil, Series{Name: evil[0], Values: []float64{1, 2, 3}}, Series{Name: evil[1], Values: []float64{1, 2, 3}}, o)))
	for i, h := range charts {
		if strings.Contains(string(h), "<script") || strings.Contains(string(h), "<b>") || strings.Contains(string(h), `" onload`) {
			t.Errorf("chart %d lets markup through:\n%s", i, h)
		}
		root := parse(t, h)
		all := strings.Join(texts(root), "\n")
		for _, e := range evil {
			if !strings.Contains(strings.Join(strings.Fields(all), " "), e) {
				t.Errorf("chart %d lost the name %q; texts: %q", i, e, texts(root))
			}
		}
		if got := root.all("title", ""); len(got) != 1 || got[0].Text != o.Title {
			t.Errorf("chart %d title: %+v", i, got)
		}
	}
}

// A long name wraps onto lines that fit the picture; nothing is cut.
func TestBars_LongNamesWrapWhole(t *testing.T) {
	names := []string{
		"Bundeskriminalamt Abteilung Cybercrime und digitale Forensik, Wiesbaden, Referat Kryptowerte",
		"Superintendência Regional da Polícia Federal no Estado do Rio Grande do Sul",
		"서울특별시경찰청사이버수사대가상자산범죄수사팀그리고아주긴이름이계속됩니다끝없이",
		strings.Repeat("x", 200),
	}
	var bars []Bar
	for _, n := range names {
		bars = append(bars, Bar{n, 3})
	}
	root := parse(t, must(t)(Bars(bars, opts())))
	got := strings.Join(texts(root), "")
	for _, n := range names {
		if !strings.Contains(got, strings.ReplaceAll(n, " ", "")) && !strings.Contains(strings.Join(texts(root), " "), n) {
			t.Errorf("name %q is not whole in the texts %q", n, texts(root))
		}
	}
	lines := 0
	for _, tx := range root.all("text", "") {
		if textWidth(tx.Text) > viewW {
			t.Errorf("line %q is wider than the picture", tx.Text)
		}
		lines++
	}
	if lines < len(names)*2 {
		t.Errorf("%d text lines for %d long names: they did not wrap", lines, len(names))
	}
}

// Right to left, bars grow from the right edge, and each name keeps its own
// direction and begins at the chart's start side.
func TestBars_RightToLeft(t *testing.T) {
	bars := []Bar{{"משטרת ישראל", 4}, {"Police nationale", 2}}
	for _, rtl := range []bool{false, true} {
		o := opts()
		o.RTL = rtl
		root := parse(t, must(t)(Bars(bars, o)))
		for _, r := range root.all("rect", "chart-accent") {
			start, end := r.num(t, "x"), r.num(t, "x")+r.num(t, "width")
			if rtl && math.Abs(end-(viewW-pad)) > 0.01 || !rtl && math.Abs(start-pad) > 0.01 {
				t.Errorf("rtl=%v: bar spans %v–%v", rtl, start, end)
			}
		}
		for _, tx := range root.all("text", "chart-text") {
			dir, anchor := tx.attr("direction"), tx.attr("text-anchor")
			switch tx.Text {
			case "משטרת ישראל", "Police nationale":
				want := "ltr"
				if tx.Text == "משטרת ישראל" {
					want = "rtl"
				}
				if dir != want {
					t.Errorf("rtl=%v: %q has direction %q", rtl, tx.Text, dir)
				}
				if tx.attr("translate") != "no" {
					t.Errorf("the name %q is not marked as data (translate=no)", tx.Text)
				}
				// Anchored so the name begins at the chart's start side.
				if startsRight := (dir == "rtl") == (anchor == "start"); startsRight != rtl {
					t.Errorf("rtl=%v: %q anchored %s in direction %s", rtl, tx.Text, anchor, dir)
				}
			default:
				if dir != "ltr" {
					t.Errorf("value %q has direction %q", tx.Text, dir)
				}
			}
		}
	}
}

// The scale's top tick is at or above the largest value: a column never
// rises out of the plot (5 once stood over a top tick of 4).
func TestColumns_TopTickCoversTheLargest(t *testing.T) {
	for _, top := range []float64{1, 3, 5, 7, 9, 11, 99, 101, 12345} {
		root := parse(t, must(t)(Columns([]string{"a", "b"}, Series{"x", []float64{top, top / 2}}, Series{}, opts())))
		col := root.all("rect", "chart-accent")[0]
		var tickYs []float64
		for _, l := range root.all("line", "chart-grid") {
			tickYs = append(tickYs, l.num(t, "y1"))
		}
		highest := tickYs[len(tickYs)-1]
		if y := col.num(t, "y"); y < highest-0.01 {
			t.Errorf("max %v: the column's top %v is above the top tick %v", top, y, highest)
		}
	}
}

func TestColumns_Heights(t *testing.T) {
	months := []string{"Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024"}
	trained := []float64{4, 8, 0, 2}
	certified := []float64{2, 8, 0, 1}
	for _, rtl := range []bool{false, true} {
		o := opts()
		o.RTL = rtl
		root := parse(t, must(t)(Columns(months, Series{"Trained", trained}, Series{"Certified", certified}, o)))
		cols := root.all("rect", "chart-accent")
		cols = cols[:len(cols)-1] // the legend's swatch
		if len(cols) != len(trained) {
			t.Fatalf("%d columns for %d months", len(cols), len(trained))
		}
		base := cols[0].num(t, "y") + cols[0].num(t, "height")
		for i, c := range cols {
			if got, want := c.num(t, "height"), cols[1].num(t, "height")*trained[i]/8; math.Abs(got-want) > 0.02 {
				t.Errorf("month %d: column %v high, want %v", i, got, want)
			}
			if b := c.num(t, "y") + c.num(t, "height"); math.Abs(b-base) > 0.01 {
				t.Errorf("month %d stands on %v, not the base %v", i, b, base)
			}
		}
		if x0, x1 := cols[0].num(t, "x"), cols[1].num(t, "x"); (x0 > x1) != rtl {
			t.Errorf("rtl=%v: January at %v, February at %v", rtl, x0, x1)
		}
		dots := root.all("circle", "")
		if len(dots) != len(certified) {
			t.Fatalf("%d dots for %d months", len(dots), len(certified))
		}
		for i, d := range dots {
			if got, want := base-d.num(t, "cy"), cols[1].num(t, "height")*certified[i]/8; math.Abs(got-want) > 0.02 {
				t.Errorf("month %d: dot %v high, want %v", i, got, want)
			}
		}
		got := texts(root)
		for _, want := range append(months, "Trained", "Certified", "0") {
			if !contains(got, want) {
				t.Errorf("text %q missing: %q", want, got)
			}
		}
	}
}

// Three years of months on a phone: labels are thinned so they do not overlap,
// and ticks of a count are whole numbers.
func TestColumns_ManyMonthsAndSmallCounts(t *testing.T) {
	var months []string
	var vs []float64
	for i := range 36 {
		months = append(months, "Sept. "+strconv.Itoa(2024+i/12))
		vs = append(vs, float64(i%2))
	}
	root := parse(t, must(t)(Columns(months, Series{"Trained", vs}, Series{}, opts())))
	var xs []float64
	for _, tx := range root.all("text", "chart-text") {
		if strings.HasPrefix(tx.Text, "Sept.") {
			xs = append(xs, tx.num(t, "x"))
		}
		if _, err := strconv.ParseFloat(tx.Text, 64); err == nil && strings.Contains(tx.Text, ".") {
			t.Errorf("tick %q of a count is not whole", tx.Text)
		}
	}
	if len(xs) < 2 || len(xs) >= 36 {
		t.Fatalf("%d month labels of 36", len(xs))
	}
	for i := 1; i < len(xs); i++ {
		if xs[i]-xs[i-1] < textWidth("Sept. 2024") {
			t.Errorf("labels %d and %d overlap: %v apart", i-1, i, xs[i]-xs[i-1])
		}
	}
	empty := parse(t, must(t)(Columns(nil, Series{Name: "Trained"}, Series{}, opts())))
	if n := len(empty.all("rect", "chart-accent")); n != 1 { // the legend's swatch
		t.Errorf("%d rects without data", n)
	}
}

func TestStacked_Segments(t *testing.T) {
	segs := []Segment{{"Valid", 60, ToneOK}, {"Expiring", 10, ToneWarn}, {"Expired", 0, ToneMuted}, {"Revoked", 30, ToneBad}}
	root := parse(t, must(t)(Stacked(segs, opts())))
	track := viewW - 2*pad
	want := map[string]float64{"chart-ok": 60, "chart-warn": 10, "chart-bad": 30}
	total := 0.0
	for class, v := range want {
		rs := root.all("rect", class)
		if len(rs) != 2 { // segment and legend swatch
			t.Fatalf("%s: %d rects", class, len(rs))
		}
		if got := rs[0].num(t, "width") + 1; math.Abs(got-track*v/100) > 0.02 {
			t.Errorf("%s is %v long, want %v", class, got, track*v/100)
		}
		total += rs[0].num(t, "width") + 1
	}
	if math.Abs(total-track) > 0.05 {
		t.Errorf("segments add up to %v, not the track's %v", total, track)
	}
	if n := len(root.all("rect", "chart-muted")); n != 1 {
		t.Errorf("a zero segment is drawn: %d muted rects", n)
	}
	got := texts(root)
	for _, w := range []string{"Valid", "60", "Expired", "0", "Revoked", "30"} {
		if !contains(got, w) {
			t.Errorf("legend lacks %q: %q", w, got)
		}
	}
	none := parse(t, must(t)(Stacked([]Segment{{"Valid", 0, ToneOK}}, opts())))
	if n := len(none.all("rect", "chart-ok")); n != 1 {
		t.Errorf("an empty whole draws %d ok rects (want the swatch only)", n)
	}
}

// TestPalette_Contrast checks that every colour a chart fills with has 3:1
// against the page, in the SVG's fallback and in both schemes of the
// stylesheet that colours it in a page.
func TestPalette_Contrast(t *testing.T) {
	css, err := static.FS.ReadFile("css/lectern.css")
	if err != nil {
		t.Fatal(err)
	}
	light, dark := cssVars(t, string(css))
	rule := regexp.MustCompile(`svg\.chart \.chart-(\w+) \{ (?:fill|stroke): var\(--(\w+)\); \}`)
	seen := map[string]bool{}
	for _, m := range rule.FindAllStringSubmatch(string(css), -1) {
		tone, v := m[1], m[2]
		if tone == "track" || tone == "dot" {
			continue // an outline of the whole, a halo in the page's colour: no value is read from them
		}
		seen[tone] = true
		for scheme, vars := range map[string]map[string]string{"light": light, "dark": dark} {
			if c := contrast(vars[v], vars["paper"]); c < 3 {
				t.Errorf("%s scheme: .chart-%s (--%s %s) on %s: contrast %.2f < 3", scheme, tone, v, vars[v], vars["paper"], c)
			}
		}
	}
	for _, tone := range []string{ToneAccent, ToneOK, ToneWarn, ToneBad, ToneMuted} {
		if !seen[tone] {
			t.Errorf("no stylesheet rule colours .chart-%s", tone)
		}
		if c := contrast(fallback[tone], "#ffffff"); c < 3 {
			t.Errorf("fallback %s %s: contrast %.2f < 3", tone, fallback[tone], c)
		}
		if fallback[tone] != light[map[string]string{ToneAccent: "accent", ToneOK: "ok", ToneWarn: "warn", ToneBad: "bad", ToneMuted: "muted"}[tone]] {
			t.Errorf("fallback %s %s is not the stylesheet's", tone, fallback[tone])
		}
	}
}

func cssVars(t *testing.T, css string) (light, dark map[string]string) {
	decl := regexp.MustCompile(`--([a-z-]+): (#[0-9a-f]{6})`)
	read := func(block string) map[string]string {
		m := map[string]string{}
		for _, d := range decl.FindAllStringSubmatch(block, -1) {
			m[d[1]] = d[2]
		}
		return m
	}
	i := strings.Index(css, ":root {")
	j := strings.Index(css, "@media (prefers-color-scheme: dark)")
	k := strings.Index(css[j:], "}\n}")
	if i < 0 || j < 0 || k < 0 {
		t.Fatal("stylesheet's colour blocks not found")
	}
	light = read(css[i:j])
	dark = read(css[i:j])
	for k2, v := range read(css[j : j+k]) {
		dark[k2] = v
	}
	return light, dark
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	ch := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(hex[1:3]) + 0.7152*ch(hex[3:5]) + 0.0722*ch(hex[5:7])
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func must(t *testing.T) func(template.HTML, error) template.HTML {
	return func(h template.HTML, err error) template.HTML {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
}

func TestWrap(t *testing.T) {
	for _, s := range []string{"", "a", "one two three four five six seven eight nine ten eleven twelve", strings.Repeat("é", 300), "מ" + strings.Repeat(" שם", 80)} {
		lines := wrap(s, 100)
		if got := strings.Join(lines, " "); strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(s), " ") && strings.Join(lines, "") != s {
			t.Errorf("wrap(%q) = %q: not the whole name", s, lines)
		}
		for _, l := range lines {
			if textWidth(l) > 100 {
				t.Errorf("line %q too wide", l)
			}
		}
	}
}
