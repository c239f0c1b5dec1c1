package chart

import (
	"fmt"
	"html/template"
)

// Segment is one part of a whole (certificates valid, expiring, expired,
// revoked) drawn in one of the Tone colours.
type Segment struct {
	Label string
	Value float64
	Tone  string
}

// Stacked draws the parts of a whole as one bar cut into segments, in the
// order given, and a legend row per part with its value: colour is never the
// only way to tell parts apart (WCAG 1.4.1). Segments are separated by a gap
// so that two dark neighbours stay distinct.
func Stacked(segs []Segment, o Options) (template.HTML, error) {
	total := 0.0
	for _, sg := range segs {
		if err := check(sg.Value); err != nil {
			return "", err
		}
		if _, ok := fallback[sg.Tone]; !ok || sg.Tone == "ink" || sg.Tone == "line" {
			return "", fmt.Errorf("chart: unknown tone %q", sg.Tone)
		}
		total += sg.Value
	}
	if err := check(total); err != nil {
		return "", err
	}
	type entry struct {
		lines []string
		value string
	}
	entries := make([]entry, len(segs))
	valueW := 0.0
	for i, sg := range segs {
		entries[i].value = o.format(sg.Value)
		valueW = max(valueW, textWidth(entries[i].value))
	}
	height := pad + barH + 8
	for i, sg := range segs {
		entries[i].lines = wrap(sg.Label, viewW-2*pad-18-valueW-8)
		height += float64(len(entries[i].lines))*lineH + 4
	}
	height += pad

	s := &svg{rtl: o.RTL}
	s.open(o, height)
	track := viewW - 2*pad
	fmt.Fprintf(&s.b, `<rect class="chart-track" x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s"/>`, num(pad), num(pad), num(track), num(barH), fallback["line"])
	x := pad
	for _, sg := range segs {
		if sg.Value == 0 || total == 0 {
			continue
		}
		w := track * sg.Value / total
		// The gap comes out of the segment, so the total length stays true.
		s.rect(x, pad, max(w-1, 0.5), barH, sg.Tone)
		x += w
	}
	y := pad + barH + 8
	for i, sg := range segs {
		s.rect(pad, y+3, 12, 12, sg.Tone)
		s.value(viewW-pad, y+lineH-2, entries[i].value, "end")
		for _, l := range entries[i].lines {
			s.name(pad+18, y+lineH-2, l, "chart-text", false)
			y += lineH
		}
		y += 4
	}
	return s.close(), nil
}
