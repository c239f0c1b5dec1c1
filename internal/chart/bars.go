package chart

import (
	"html/template"
	"math"
)

// Bar is one category (an agency, a country, a course) and its value.
type Bar struct {
	Label string
	Value float64
}

// Bars draws one horizontal bar per category, its name on its own lines above
// it and its value at its tip. Horizontal, because names are long and a phone
// is narrow: the name gets the chart's whole width and wraps there.
func Bars(bars []Bar, o Options) (template.HTML, error) {
	scale := o.Max
	for _, b := range bars {
		if err := check(b.Value); err != nil {
			return "", err
		}
		scale = math.Max(scale, b.Value)
	}
	if err := check(o.Max); err != nil {
		return "", err
	}
	values := make([]string, len(bars))
	valueW := 0.0
	for i, b := range bars {
		values[i] = o.format(b.Value)
		valueW = math.Max(valueW, textWidth(values[i]))
	}
	track := viewW - 2*pad - valueW - 6

	type row struct {
		lines []string
		y     float64
	}
	rows := make([]row, len(bars))
	y := pad
	for i, b := range bars {
		rows[i].lines = wrap(b.Label, viewW-2*pad)
		rows[i].y = y
		y += float64(len(rows[i].lines))*lineH + barH + 10
	}
	height := math.Max(y, 2*pad+lineH)

	s := &svg{rtl: o.RTL}
	s.open(o, height)
	for i, b := range bars {
		r := rows[i]
		for j, line := range r.lines {
			s.name(pad, r.y+float64(j+1)*lineH-4, line, "chart-text", true)
		}
		top := r.y + float64(len(r.lines))*lineH
		w := 0.0
		if scale > 0 {
			w = track * b.Value / scale
		}
		s.rect(pad, top, w, barH, ToneAccent)
		s.value(pad+w+4, top+barH-5, values[i], "start")
	}
	s.vline(pad, pad, height-pad, "chart-axis")
	return s.close(), nil
}
