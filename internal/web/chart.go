package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/lectern-platform/lectern/internal/attempt"
)

// facilityChart draws the share of officers who got each question right as a
// horizontal bar chart in SVG: drawn on the server, so no chart library reaches
// the browser. Only numbers and "Q1"-style labels go in, so nothing needs escaping.
func facilityChart(an *attempt.Analysis) template.HTML {
	const rowH, labelW, barW = 28, 48, 300
	height := len(an.Items)*rowH + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="Facility per question">`, labelW+barW+70, height)
	for i, it := range an.Items {
		y := 5 + i*rowH
		w := barWidth(it.Facility)
		class := "bar"
		if it.Facility < 0.3 {
			class = "bar low"
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" class="lbl">Q%d</text>`, y+18, it.Number)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" class="track"/>`, labelW, y+3, barW)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" class="%s"/>`, labelW, y+3, w, class)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="val">%s %%</text>`, labelW+barW+8, y+18, pctString(it.Facility))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func pctString(f float64) string { return fmt.Sprintf("%.0f", f*100) }
