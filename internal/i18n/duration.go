package i18n

import "time"

// Duration writes a length of time the way a timetable does, to the minute:
// "1 h 30 min", "1 Std. 30 Min.", "1시간 30분" — CLDR's short units for
// hours and minutes in each language (formats.LANG.json).
func (l *Localizer) Duration(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h > 0 && m > 0:
		return l.T("format.hours_minutes", "Hours", l.Number(h), "Minutes", l.Number(m))
	case h > 0:
		return l.T("format.hours", "Hours", l.Number(h))
	}
	return l.T("format.minutes", "Minutes", l.Number(m))
}

// Period writes a span of calendar units — a certificate's validity, "3y" in
// course.md — in words: "3 years", "3 ans", "3년", "1 year, 6 months".
func (l *Localizer) Period(years, months, days int) string {
	var parts []string
	for _, p := range []struct {
		id string
		n  int
	}{{"format.period_years", years}, {"format.period_months", months}, {"format.period_days", days}} {
		if p.n > 0 {
			parts = append(parts, l.T(p.id, "Count", p.n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := parts[0]
	for _, p := range parts[1:] {
		s = l.T("format.period_join", "First", s, "Second", p)
	}
	return s
}
