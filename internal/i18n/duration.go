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
