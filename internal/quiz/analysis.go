package quiz

import "math"

// ItemStats is how one question behaved across a group of attempts.
type ItemStats struct {
	ID             string  `json:"id"`
	Facility       float64 `json:"facility"`       // mean share of the points earned, 0–1
	Discrimination float64 `json:"discrimination"` // point-biserial: item score vs. rest of the test, −1–1
	Responses      int     `json:"responses"`
}

// Scored is one submitted attempt: the fraction of each question's points earned.
type Scored map[string]float64

// Analyse computes facility and discrimination per question. Discrimination is
// the correlation between the item score and the total of the *other* items
// (corrected point-biserial), so an item does not correlate with itself; with
// fewer than two attempts, or no spread, it is 0.
func Analyse(qs []Question, attempts []Scored) []ItemStats {
	out := make([]ItemStats, 0, len(qs))
	totals := make([]float64, len(attempts))
	for i, a := range attempts {
		for _, q := range qs {
			totals[i] += a[q.ID] * float64(q.Points)
		}
	}
	for _, q := range qs {
		st := ItemStats{ID: q.ID, Responses: len(attempts)}
		if len(attempts) == 0 {
			out = append(out, st)
			continue
		}
		item := make([]float64, len(attempts))
		rest := make([]float64, len(attempts))
		for i, a := range attempts {
			item[i] = a[q.ID]
			rest[i] = totals[i] - a[q.ID]*float64(q.Points)
			st.Facility += item[i]
		}
		st.Facility = round2(st.Facility / float64(len(attempts)))
		st.Discrimination = round2(correlation(item, rest))
		out = append(out, st)
	}
	return out
}

func correlation(x, y []float64) float64 {
	n := float64(len(x))
	if n < 2 {
		return 0
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}
