package i18n

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Formatting per locale. Numbers, percentages and country names come from
// x/text's CLDR data; x/text has no dates, so each language's CLDR patterns and
// month and weekday names are in locales/formats.LANG.json (go-i18n messages
// like any other: "format.date" is "{{.Day}} {{.Month}} {{.Year}}" in English,
// "{{.Year}}년 {{.MonthNumber}}월 {{.Day}}일" in Korean). A time is shown in the
// zone it carries: callers pass t.In(the session's zone), as before.

// Date is a date written out: "19 November 2026", "19 novembre 2026",
// "19. November 2026", "2026년 11월 19일", "19 בנובמבר 2026".
func (l *Localizer) Date(t time.Time) string { return l.dates().format("format.date", t, "", "") }

// DateWeekday is Date with the day of the week: "Thursday 19 November 2026",
// "jeudi 19 novembre 2026", "2026년 11월 19일 목요일".
func (l *Localizer) DateWeekday(t time.Time) string {
	return l.dates().format("format.date_weekday", t, "", "")
}

// DateShort is a date in figures: "19/11/2026", "19.11.2026", "2026-11-19" (sv),
// "2026. 11. 19." (ko).
func (l *Localizer) DateShort(t time.Time) string {
	return l.dates().format("format.date_short", t, "", "")
}

// MonthYear heads a month: "November 2026", "noviembre de 2026", "2026년 11월".
func (l *Localizer) MonthYear(t time.Time) string {
	return l.dates().format("format.month_year", t, "", "")
}

// Weekday is the day's name, abbreviated as a calendar column shows it: "Thu",
// "jeu.", "목".
func (l *Localizer) Weekday(t time.Time) string {
	return l.T("format.weekday_short." + strconv.Itoa(int(t.Weekday())))
}

// Time is a time of day as the locale's clock shows it: "14:30"; "오후 2:30" in
// Korean.
func (l *Localizer) Time(t time.Time) string { return l.dates().format("format.time", t, "", "") }

// TimeSeconds is Time with seconds: "14:30:05"; "오후 2:30:05".
func (l *Localizer) TimeSeconds(t time.Time) string {
	return l.dates().format("format.time_seconds", t, "", "")
}

// DateTime is a date and a time: "19 November 2026, 14:30".
func (l *Localizer) DateTime(t time.Time) string {
	d := l.dates()
	return d.format("format.date_time", t, d.format("format.date", t, "", ""), d.format("format.time", t, "", ""))
}

func (l *Localizer) printer() *message.Printer { return message.NewPrinter(l.tag) }

// Number writes x with the locale's decimal sign, up to ten decimals and no
// exponent: "21000000.5" (en), "21000000,5" (fr, de), "0,00001". Digits are
// not grouped: a quiz's numbers are as often years (2008) or block heights as
// amounts, and an answer reads as the officer typed it.
func (l *Localizer) Number(x any) string {
	switch v := x.(type) {
	case *float64:
		if v == nil {
			return ""
		}
		x = *v
	}
	return l.fix(l.printer().Sprint(number.Decimal(x, number.MaxFractionDigits(10), number.NoSeparator())))
}

// Percent writes a fraction (0.8824) as a percentage with the given number
// of decimals: "88.24%" (en), "88,24 %" (fr, a narrow no-break space),
// "88,24 %" (de, a no-break space), "88,24%" (pt-BR).
func (l *Localizer) Percent(fraction float64, decimals int) string {
	return l.fix(l.printer().Sprint(number.Percent(fraction, number.MinFractionDigits(decimals), number.MaxFractionDigits(decimals))))
}

// Percentage writes a number already in percent (a score's 66.67, as results
// keep it, or an extra time's 50) with at most two decimals, none when whole:
// "66.67%", "66,67 %" (fr), "100%", "50 %" (de).
func (l *Localizer) Percentage(percent float64) string {
	return l.fix(l.printer().Sprint(number.Percent(percent/100, number.MaxFractionDigits(2))))
}

// fix brings x/text's CLDR data up to date where it has since changed: French
// groups digits and spaces the percent sign with a narrow no-break space
// (U+202F) since CLDR 34; x/text still has U+00A0.
func (l *Localizer) fix(s string) string {
	if base, _ := l.tag.Base(); base.String() == "fr" {
		return strings.ReplaceAll(s, "\u00a0", "\u202f")
	}
	return s
}

// Country is a country's name in the locale from its ISO 3166 code:
// "Allemagne" for DE in French; the code itself when unknown.
func (l *Localizer) Country(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || len(code) != 2 || r.String() == "ZZ" {
		return code
	}
	if name := display.Regions(l.tag).Name(r); name != "" {
		return name
	}
	return code
}

// DateOf is Date of a calendar date written "2026-11-19" (a session's date as
// stored); anything else is shown as it is.
func (l *Localizer) DateOf(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return l.Date(t)
}

// DateShortOf is DateShort of a date written "2026-11-19".
func (l *Localizer) DateShortOf(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return l.DateShort(t)
}

// TimeOf is Time of a wall-clock time written "14:30" (a session's start and
// end as stored); anything else is shown as it is.
func (l *Localizer) TimeOf(hhmm string) string {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return hhmm
	}
	return l.Time(t)
}
