package i18n

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dates and times are formatted from each language's patterns and names in
// formats.LANG.json, compiled once per language on first use: a pattern
// becomes a list of literal text and fields, and month, weekday and am/pm
// names are looked up once. Localising every name on every call (go-i18n
// executes a template per message) cost ~40 µs and ~60 allocations per date;
// a page lists dozens. BenchmarkDateShort measures it against time.Format.

// dateField is a placeholder a date or time pattern may use.
type dateField int

const (
	fieldText dateField = iota // a literal, not a field
	fieldYear
	fieldMonth
	fieldMonthShort
	fieldMonthNumber
	fieldMM
	fieldDay
	fieldDD
	fieldWeekday
	fieldWeekdayShort
	fieldHour
	fieldHH
	fieldHour12
	fieldMinute
	fieldSecond
	fieldPeriod
	fieldDate // format.date_time's
	fieldTime
)

// dateFieldNames are the placeholders' names as the catalogues write them.
var dateFieldNames = map[string]dateField{
	"Year": fieldYear, "Month": fieldMonth, "MonthShort": fieldMonthShort, "MonthNumber": fieldMonthNumber,
	"MM": fieldMM, "Day": fieldDay, "DD": fieldDD, "Weekday": fieldWeekday, "WeekdayShort": fieldWeekdayShort,
	"Hour": fieldHour, "HH": fieldHH, "Hour12": fieldHour12, "Minute": fieldMinute, "Second": fieldSecond,
	"Period": fieldPeriod, "Date": fieldDate, "Time": fieldTime,
}

// datePatternIDs are the messages compiled.
var datePatternIDs = []string{"format.date", "format.date_weekday", "format.date_short", "format.month_year",
	"format.time", "format.time_seconds", "format.date_time"}

type datePart struct {
	field dateField
	text  string // for fieldText
}

// dateFormats are one language's compiled patterns and names.
type dateFormats struct {
	once                    sync.Once
	patterns                map[string][]datePart
	months, monthsShort     [13]string
	weekdays, weekdaysShort [7]string
	am, pm                  string
}

// dates are the localizer's language's formats, compiled the first time the
// language formats a date. The catalogue must not change after that
// (AddMessages is for before serving).
func (l *Localizer) dates() *dateFormats {
	v, ok := l.cat.dates.Load(l.Lang)
	if !ok {
		v, _ = l.cat.dates.LoadOrStore(l.Lang, &dateFormats{})
	}
	d := v.(*dateFormats)
	d.once.Do(func() { d.compile(l) })
	return d
}

// field markers: placeholders are filled with markers, and the text between
// them is the pattern's literal text. No catalogue writes these characters.
const markStart, markEnd = "\x00", "\x01"

func (d *dateFormats) compile(l *Localizer) {
	for m := 1; m <= 12; m++ {
		d.months[m] = l.T("format.month." + strconv.Itoa(m))
		d.monthsShort[m] = l.T("format.month_short." + strconv.Itoa(m))
	}
	for w := 0; w < 7; w++ {
		d.weekdays[w] = l.T("format.weekday." + strconv.Itoa(w))
		d.weekdaysShort[w] = l.T("format.weekday_short." + strconv.Itoa(w))
	}
	d.am, d.pm = l.T("format.am"), l.T("format.pm")
	kv := make([]any, 0, 2*len(dateFieldNames))
	for name := range dateFieldNames {
		kv = append(kv, name, markStart+name+markEnd)
	}
	d.patterns = map[string][]datePart{}
	for _, id := range datePatternIDs {
		d.patterns[id] = parsePattern(l.T(id, kv...))
	}
}

// parsePattern splits a pattern filled with markers into literal text and
// fields.
func parsePattern(s string) []datePart {
	var parts []datePart
	for s != "" {
		i := strings.Index(s, markStart)
		if i < 0 {
			parts = append(parts, datePart{text: s})
			break
		}
		if i > 0 {
			parts = append(parts, datePart{text: s[:i]})
		}
		s = s[i+1:]
		j := strings.Index(s, markEnd)
		if j < 0 { // cannot happen with the markers above; keep the text
			parts = append(parts, datePart{text: s})
			break
		}
		parts = append(parts, datePart{field: dateFieldNames[s[:j]]})
		s = s[j+1:]
	}
	return parts
}

// format writes t with the pattern id; date and clock fill format.date_time's
// Date and Time.
func (d *dateFormats) format(id string, t time.Time, date, clock string) string {
	var b strings.Builder
	b.Grow(32)
	var num [20]byte
	for _, p := range d.patterns[id] {
		switch p.field {
		case fieldText:
			b.WriteString(p.text)
		case fieldYear:
			b.Write(strconv.AppendInt(num[:0], int64(t.Year()), 10))
		case fieldMonth:
			b.WriteString(d.months[t.Month()])
		case fieldMonthShort:
			b.WriteString(d.monthsShort[t.Month()])
		case fieldMonthNumber:
			b.Write(strconv.AppendInt(num[:0], int64(t.Month()), 10))
		case fieldMM:
			writeTwo(&b, int(t.Month()))
		case fieldDay:
			b.Write(strconv.AppendInt(num[:0], int64(t.Day()), 10))
		case fieldDD:
			writeTwo(&b, t.Day())
		case fieldWeekday:
			b.WriteString(d.weekdays[t.Weekday()])
		case fieldWeekdayShort:
			b.WriteString(d.weekdaysShort[t.Weekday()])
		case fieldHour:
			b.Write(strconv.AppendInt(num[:0], int64(t.Hour()), 10))
		case fieldHH:
			writeTwo(&b, t.Hour())
		case fieldHour12:
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.Write(strconv.AppendInt(num[:0], int64(h), 10))
		case fieldMinute:
			writeTwo(&b, t.Minute())
		case fieldSecond:
			writeTwo(&b, t.Second())
		case fieldPeriod:
			if t.Hour() < 12 {
				b.WriteString(d.am)
			} else {
				b.WriteString(d.pm)
			}
		case fieldDate:
			b.WriteString(date)
		case fieldTime:
			b.WriteString(clock)
		}
	}
	return b.String()
}

func writeTwo(b *strings.Builder, n int) {
	b.WriteByte(byte('0' + n/10))
	b.WriteByte(byte('0' + n%10))
}
