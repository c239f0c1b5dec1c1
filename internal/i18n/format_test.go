package i18n

import (
	"testing"
	"time"
)

// TestLocalizer_Format formats one date, time, number and percentage in the
// nine languages against CLDR's spelling.
func TestLocalizer_Format(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Thursday 19 November 2026, 14:30:05 in Paris; 13:30 UTC.
	at := time.Date(2026, 11, 19, 13, 30, 5, 0, time.UTC).In(paris)
	morning := time.Date(2026, 3, 2, 9, 5, 0, 0, paris)
	type want struct {
		date, weekday, short, monthYear, time, morning, seconds, number, percent, percent0, country string
	}
	for lang, w := range map[string]want{
		"en":    {"19 November 2026", "Thursday 19 November 2026", "19/11/2026", "November 2026", "14:30", "09:05", "14:30:05", "21000000.5", "88.24%", "88%", "Germany"},
		"fr":    {"19 novembre 2026", "jeudi 19 novembre 2026", "19/11/2026", "novembre 2026", "14:30", "09:05", "14:30:05", "21000000,5", "88,24\u202f%", "88\u202f%", "Allemagne"},
		"es":    {"19 de noviembre de 2026", "jueves, 19 de noviembre de 2026", "19/11/2026", "noviembre de 2026", "14:30", "9:05", "14:30:05", "21000000,5", "88,24\u00a0%", "88\u00a0%", "Alemania"},
		"pt-BR": {"19 de novembro de 2026", "quinta-feira, 19 de novembro de 2026", "19/11/2026", "novembro de 2026", "14:30", "09:05", "14:30:05", "21000000,5", "88,24%", "88%", "Alemanha"},
		"de":    {"19. November 2026", "Donnerstag, 19. November 2026", "19.11.2026", "November 2026", "14:30", "09:05", "14:30:05", "21000000,5", "88,24\u00a0%", "88\u00a0%", "Deutschland"},
		"nl":    {"19 november 2026", "donderdag 19 november 2026", "19-11-2026", "november 2026", "14:30", "09:05", "14:30:05", "21000000,5", "88,24%", "88%", "Duitsland"},
		"sv":    {"19 november 2026", "torsdag 19 november 2026", "2026-11-19", "november 2026", "14:30", "09:05", "14:30:05", "21000000,5", "88,24\u00a0%", "88\u00a0%", "Tyskland"},
		"ko":    {"2026년 11월 19일", "2026년 11월 19일 목요일", "2026. 11. 19.", "2026년 11월", "오후 2:30", "오전 9:05", "오후 2:30:05", "21000000.5", "88.24%", "88%", "독일"},
		"he":    {"19 בנובמבר 2026", "יום חמישי, 19 בנובמבר 2026", "19.11.2026", "נובמבר 2026", "14:30", "09:05", "14:30:05", "21000000.5", "88.24%", "88%", "גרמניה"},
	} {
		t.Run(lang, func(t *testing.T) {
			l := c.For(lang)
			for _, g := range []struct{ what, got, want string }{
				{"Date", l.Date(at), w.date},
				{"DateWeekday", l.DateWeekday(at), w.weekday},
				{"DateShort", l.DateShort(at), w.short},
				{"MonthYear", l.MonthYear(at), w.monthYear},
				{"Time", l.Time(at), w.time},
				{"Time (morning)", l.Time(morning), w.morning},
				{"TimeSeconds", l.TimeSeconds(at), w.seconds},
				{"Number", l.Number(21000000.5), w.number},
				{"Percent", l.Percent(0.8824, 2), w.percent},
				{"Percent 0", l.Percent(0.88, 0), w.percent0},
				{"Country", l.Country("DE"), w.country},
			} {
				if g.got != g.want {
					t.Errorf("%s = %q, want %q", g.what, g.got, g.want)
				}
			}
		})
	}
	l := c.For("en")
	if got := l.Number(0.00001); got != "0.00001" {
		t.Errorf("a small number: %q, want no exponent", got)
	}
	if got := l.Number(42); got != "42" {
		t.Errorf("an integer: %q", got)
	}
	var nothing *float64
	if got := l.Number(nothing); got != "" {
		t.Errorf("a nil number: %q", got)
	}
	if got := l.Country("ZZZ"); got != "ZZZ" {
		t.Errorf("an unknown country: %q, want its code", got)
	}
	if got, want := l.Weekday(at), "Thu"; got != want {
		t.Errorf("Weekday = %q, want %q", got, want)
	}
	if got, want := c.For("ko").Time(time.Date(2026, 1, 1, 0, 15, 0, 0, time.UTC)), "오전 12:15"; got != want {
		t.Errorf("ko midnight: %q, want %q", got, want)
	}
}

// TestFormat_Duration: a module's and a quiz's length in each language's
// short units, hours left out under one, minutes when whole hours.
func TestFormat_Duration(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 90 * time.Minute, "1 h 30 min"},
		{"en", 15 * time.Minute, "15 min"},
		{"en", 2 * time.Hour, "2 h"},
		{"en", 0, "0 min"},
		{"fr", 89*time.Minute + 40*time.Second, "1 h 30 min"},
		{"de", 90 * time.Minute, "1 Std. 30 Min."},
		{"ko", 90 * time.Minute, "1시간 30분"},
		{"ko", 15 * time.Minute, "15분"},
		{"he", 2 * time.Hour, "2 שע׳"},
		{"sv", 45 * time.Minute, "45 min"},
	} {
		if got := c.For(tc.lang).Duration(tc.d); got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
}

// TestFormat_Period: a certificate's validity ("3y", "1y6mo" in course.md) in
// words, with each language's plural forms.
func TestFormat_Period(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang    string
		y, m, d int
		want    string
	}{
		{"en", 3, 0, 0, "3 years"},
		{"en", 1, 6, 0, "1 year, 6 months"},
		{"en", 0, 0, 90, "90 days"},
		{"fr", 3, 0, 0, "3 ans"},
		{"fr", 1, 0, 0, "1 an"},
		{"es", 1, 6, 0, "1 año y 6 meses"},
		{"pt-BR", 2, 0, 0, "2 anos"},
		{"de", 3, 0, 0, "3 Jahre"},
		{"nl", 1, 0, 1, "1 jaar en 1 dag"},
		{"sv", 0, 18, 0, "18 månader"},
		{"ko", 3, 0, 0, "3년"},
		{"he", 2, 0, 0, "שנתיים"},
		{"he", 3, 0, 0, "3 שנים"},
		{"en", 0, 0, 0, ""},
	} {
		if got := c.For(tc.lang).Period(tc.y, tc.m, tc.d); got != tc.want {
			t.Errorf("%s %d/%d/%d: %q, want %q", tc.lang, tc.y, tc.m, tc.d, got, tc.want)
		}
	}
}

// TestLocalizer_Percentage: a score kept in percent reads as the locale writes
// a percentage, with at most two decimals and none when whole.
func TestLocalizer_Percentage(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang    string
		percent float64
		want    string
	}{
		{"en", 66.67, "66.67%"},
		{"en", 100, "100%"},
		{"en", 0, "0%"},
		{"en", 50.5, "50.5%"},
		{"fr", 66.67, "66,67\u202f%"},
		{"de", 66.67, "66,67\u00a0%"},
		{"pt-BR", 66.67, "66,67%"},
		{"ko", 66.67, "66.67%"},
		{"he", 100, "100%"},
	} {
		if got := c.For(tc.lang).Percentage(tc.percent); got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.lang, tc.percent, got, tc.want)
		}
	}
}
