package chart

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Series is one named row of values, one per month.
type Series struct {
	Name   string
	Values []float64
}

// Columns draws a time series: one column per month for cols, and line (when
// it has a name) as a line with a dot per month over them, with a legend. The
// value axis has a few round ticks; month labels are thinned out so that they
// never overlap (the table beside the chart has every month).
func Columns(labels []string, cols Series, line Series, o Options) (template.HTML, error) {
	if len(cols.Values) != len(labels) || (line.Name != "" && len(line.Values) != len(labels)) {
		return "", errors.New("chart: a series has not one value per label")
	}
	if err := check(o.Max); err != nil {
		return "", err
	}
	top := o.Max
	for _, vs := range [][]float64{cols.Values, line.Values} {
		if err := check(vs...); err != nil {
			return "", err
		}
		for _, v := range vs {
			top = math.Max(top, v)
		}
	}
	step := niceStep(top)
	if whole(cols.Values) && whole(line.Values) && o.Max == 0 {
		step = math.Max(step, 1) // counts: no tick at half an officer
	}
	// Ticks up to the first at or above the largest value, so that every
	// column stands inside the plot.
	ticks := []float64{0}
	for i := 1; step > 0 && ticks[len(ticks)-1] < top; i++ {
		ticks = append(ticks, float64(i)*step)
	}
	scale := ticks[len(ticks)-1]

	tickW := 0.0
	tickText := make([]string, len(ticks))
	for i, t := range ticks {
		tickText[i] = o.format(t)
		tickW = math.Max(tickW, textWidth(tickText[i]))
	}
	const plotTop, plotH = 8.0, 150.0
	left := pad + tickW + 6
	plotW := viewW - pad - left
	base := plotTop + plotH

	legend := []Series{cols}
	if line.Name != "" {
		legend = append(legend, line)
	}
	height := base + 6 + lineH + pad
	for _, sr := range legend {
		height += float64(len(wrap(sr.Name, viewW-2*pad-18)))*lineH + 4
	}

	s := &svg{rtl: o.RTL}
	s.open(o, height)
	for i, t := range ticks {
		y := base - plotH*t/math.Max(scale, 1e-300)
		if scale == 0 {
			y = base
		}
		s.hline(left, left+plotW, y, "chart-grid")
		s.value(left-4, y+4, tickText[i], "end")
	}
	n := len(labels)
	slot := 0.0
	if n > 0 {
		slot = plotW / float64(n)
	}
	height0 := func(v float64) float64 {
		if scale == 0 {
			return 0
		}
		return plotH * v / scale
	}
	for i, v := range cols.Values {
		h := height0(v)
		s.rect(left+slot*float64(i)+slot*0.15, base-h, slot*0.7, h, ToneAccent)
	}
	if line.Name != "" && n > 0 {
		var pts []string
		for i, v := range line.Values {
			pts = append(pts, num(s.x(left+slot*(float64(i)+0.5)))+","+num(base-height0(v)))
		}
		// A halo in the page's colour keeps the line and its dots apart from
		// the columns they cross (both colours are dark on a light page).
		fmt.Fprintf(&s.b, `<polyline class="chart-halo" points="%s" fill="none" stroke="%s" stroke-width="5"/>`, strings.Join(pts, " "), fallback["paper"])
		fmt.Fprintf(&s.b, `<polyline class="chart-line" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), fallback[ToneOK])
		for i, v := range line.Values {
			fmt.Fprintf(&s.b, `<circle class="chart-ok chart-dot" cx="%s" cy="%s" r="4" fill="%s" stroke="%s" stroke-width="2"/>`,
				num(s.x(left+slot*(float64(i)+0.5))), num(base-height0(v)), fallback[ToneOK], fallback["paper"])
		}
	}
	s.vline(left, plotTop, base, "chart-axis")

	// Month labels: every k-th, k the smallest that keeps them apart.
	labelW := 0.0
	for _, l := range labels {
		labelW = math.Max(labelW, textWidth(l))
	}
	k := 1
	if slot > 0 {
		k = int(math.Ceil((labelW + 6) / slot))
	}
	for i := 0; i < n; i += max(k, 1) {
		x := left + slot*(float64(i)+0.5)
		fmt.Fprintf(&s.b, `<text class="chart-text" x="%s" y="%s" direction="%s" text-anchor="middle" fill="%s">%s</text>`,
			num(s.x(x)), num(base+lineH), textDir(labels[i]), fallback["ink"], esc(labels[i]))
	}

	y := base + 6 + lineH
	for i, sr := range legend {
		if i == 0 {
			s.rect(pad, y+3, 12, 12, ToneAccent)
		} else {
			fmt.Fprintf(&s.b, `<line class="chart-line" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"/>`,
				num(s.x(pad)), num(y+9), num(s.x(pad+12)), num(y+9), fallback[ToneOK])
		}
		for _, l := range wrap(sr.Name, viewW-2*pad-18) {
			s.name(pad+18, y+lineH-2, l, "chart-text", false)
			y += lineH
		}
		y += 4
	}
	return s.close(), nil
}

// niceStep is a round tick step (1, 2 or 5 times a power of ten) that covers
// top in at most four steps.
func niceStep(top float64) float64 {
	if top <= 0 {
		return 0
	}
	raw := top / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func whole(vs []float64) bool {
	for _, v := range vs {
		if v != math.Trunc(v) {
			return false
		}
	}
	return true
}
