package ical

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests need Paris, Seoul and São Paulo on any machine
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// write runs Write and checks the framing every output must have, whatever the
// events: CRLF line ends only, no physical line over 75 octets, no rune split
// across lines, and content the library's parser accepts.
func write(t *testing.T, name string, events []Event) ([]byte, *ics.Calendar) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, name, events); err != nil {
		t.Fatalf("Write: %v", err)
	}
	out := buf.Bytes()
	checkFraming(t, out)
	cal, err := ics.ParseCalendar(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parse own output: %v\n%s", err, out)
	}
	return out, cal
}

func checkFraming(t *testing.T, out []byte) {
	t.Helper()
	s := string(out)
	if !strings.HasPrefix(s, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(s, "END:VCALENDAR\r\n") {
		t.Fatalf("not framed by BEGIN/END:VCALENDAR with CRLF:\n%q", s)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	for i, line := range lines {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d: bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d: %d octets, over 75: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d: invalid UTF-8 (rune split by folding?): %q", i+1, line)
		}
		if line == "" {
			t.Errorf("line %d: empty", i+1)
		}
	}
}

// unfold returns the logical content lines (RFC 5545 §3.1), for assertions on
// the exact escaped form that the library's parser hides.
func unfold(out []byte) []string {
	s := strings.ReplaceAll(string(out), "\r\n ", "")
	s = strings.ReplaceAll(s, "\r\n\t", "")
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

func calProp(cal *ics.Calendar, name string) (string, bool) {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == name {
			return p.Value, true
		}
	}
	return "", false
}

func eventByUID(t *testing.T, cal *ics.Calendar, uid string) *ics.VEvent {
	t.Helper()
	for _, ev := range cal.Events() {
		if p := ev.GetProperty(ics.ComponentPropertyUniqueId); p != nil && p.Value == uid {
			return ev
		}
	}
	t.Fatalf("no VEVENT with UID %q", uid)
	return nil
}

func propValue(ev *ics.VEvent, p ics.ComponentProperty) string {
	if prop := ev.GetProperty(p); prop != nil {
		return prop.Value
	}
	return ""
}

func TestWrite_Calendar(t *testing.T) {
	tests := []struct {
		name     string
		calName  string
		wantName string // "" means no X-WR-CALNAME
	}{
		{"plain", "Lectern", "Lectern"},
		{"special characters", `Lectern, été; \ 강의 — Ελλάδα`, `Lectern, été; \ 강의 — Ελλάδα`},
		{"no name", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, cal := write(t, tt.calName, nil)
			want := map[string]string{
				"PRODID":   "-//Lectern//Lectern//EN",
				"VERSION":  "2.0",
				"CALSCALE": "GREGORIAN",
				"METHOD":   "PUBLISH",
			}
			for k, v := range want {
				if got, _ := calProp(cal, k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			got, ok := calProp(cal, "X-WR-CALNAME")
			if tt.wantName == "" && ok {
				t.Errorf("X-WR-CALNAME = %q, want none", got)
			}
			if tt.wantName != "" && got != tt.wantName {
				t.Errorf("X-WR-CALNAME = %q, want %q", got, tt.wantName)
			}
		})
	}
}

func TestWrite_Empty(t *testing.T) {
	for _, events := range [][]Event{nil, {}} {
		out, cal := write(t, "Empty", events)
		if n := len(cal.Components); n != 0 {
			t.Errorf("%d components, want none:\n%s", n, out)
		}
		for _, k := range []string{"PRODID", "VERSION"} {
			if _, ok := calProp(cal, k); !ok {
				t.Errorf("required %s missing:\n%s", k, out)
			}
		}
	}
}

func TestWrite_Event(t *testing.T) {
	updated := time.Date(2026, 11, 20, 14, 30, 15, 0, time.UTC)
	summary := "Crypto, AML; C:\\cases\nDay 2 — 블록체인과 암호자산 범죄 수사"
	tests := []struct {
		name       string
		tz         string // "" for a nil TZ
		start, end time.Time
		cancelled  bool
		location   string
		wantTZID   string // "" means UTC times without TZID
		wantStart  string
		wantEnd    string
	}{
		{
			name: "Paris in winter is CET", tz: "Europe/Paris",
			start: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), end: time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC),
			location:  "Salle Lumière, 12 rue de l’École, Lyon",
			wantTZID:  "Europe/Paris",
			wantStart: "20261203T090000", wantEnd: "20261203T173000",
		},
		{
			name: "Paris in summer is CEST", tz: "Europe/Paris",
			start: time.Date(2026, 7, 2, 7, 0, 0, 0, time.UTC), end: time.Date(2026, 7, 2, 15, 0, 0, 0, time.UTC),
			location:  "Gendarmerie, Paris",
			wantTZID:  "Europe/Paris",
			wantStart: "20260702T090000", wantEnd: "20260702T170000",
		},
		{
			name: "Seoul has no DST", tz: "Asia/Seoul",
			start: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), end: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC),
			location:  "경찰대학, 충청남도 아산시",
			wantTZID:  "Asia/Seoul",
			wantStart: "20260310T090000", wantEnd: "20260310T170000",
		},
		{
			name: "Sao Paulo today, no DST", tz: "America/Sao_Paulo",
			start: time.Date(2026, 9, 15, 12, 0, 0, 0, time.UTC), end: time.Date(2026, 9, 15, 20, 0, 0, 0, time.UTC),
			location:  "Polícia Federal, São Paulo",
			wantTZID:  "America/Sao_Paulo",
			wantStart: "20260915T090000", wantEnd: "20260915T170000",
		},
		{
			name: "Sao Paulo in January 2019, still DST", tz: "America/Sao_Paulo",
			start: time.Date(2019, 1, 10, 11, 0, 0, 0, time.UTC), end: time.Date(2019, 1, 10, 19, 0, 0, 0, time.UTC),
			location:  "Brasília",
			wantTZID:  "America/Sao_Paulo",
			wantStart: "20190110T090000", wantEnd: "20190110T170000",
		},
		{
			name: "cancelled Tel Aviv session", tz: "Asia/Jerusalem", cancelled: true,
			start: time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC), end: time.Date(2026, 10, 1, 14, 0, 0, 0, time.UTC),
			location:  "משטרת ישראל, תל אביב",
			wantTZID:  "Asia/Jerusalem",
			wantStart: "20261001T090000", wantEnd: "20261001T170000",
		},
		{
			name: "nil zone is written in UTC", tz: "",
			start: time.Date(2026, 5, 5, 9, 0, 0, 0, time.UTC), end: time.Date(2026, 5, 5, 17, 0, 0, 0, time.UTC),
			location:  "Αθήνα",
			wantStart: "20260505T090000Z", wantEnd: "20260505T170000Z",
		},
		{
			name: "UTC zone is written in UTC", tz: "UTC",
			start: time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC), end: time.Date(2026, 5, 6, 17, 0, 0, 0, time.UTC),
			location:  "Online",
			wantStart: "20260506T090000Z", wantEnd: "20260506T170000Z",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var loc *time.Location
			if tt.tz != "" {
				loc = mustZone(t, tt.tz)
			}
			in := Event{
				UID:         "session-42@lectern",
				Sequence:    i + 1,
				Summary:     summary,
				Description: "Bring your badge.\nΦέρτε την ταυτότητά σας; 배지를 지참하세요, merci.",
				Location:    tt.location,
				URL:         "https://lectern.example/sessions/42?lang=fr&x=a,b",
				Start:       tt.start,
				End:         tt.end,
				TZ:          loc,
				Cancelled:   tt.cancelled,
				Updated:     updated,
			}
			out, cal := write(t, "Lectern", []Event{in})

			if got, _ := calProp(cal, "METHOD"); got != "PUBLISH" {
				t.Errorf("METHOD = %q, want PUBLISH", got)
			}
			if n := len(cal.Events()); n != 1 {
				t.Fatalf("%d VEVENTs, want 1", n)
			}
			ev := eventByUID(t, cal, in.UID)
			wantStatus := "CONFIRMED"
			if tt.cancelled {
				wantStatus = "CANCELLED"
			}
			for _, c := range []struct {
				prop ics.ComponentProperty
				want string
			}{
				{ics.ComponentPropertySequence, strconv.Itoa(i + 1)},
				{ics.ComponentPropertyStatus, wantStatus},
				{ics.ComponentPropertySummary, in.Summary},
				{ics.ComponentPropertyDescription, in.Description},
				{ics.ComponentPropertyLocation, in.Location},
				{ics.ComponentPropertyUrl, in.URL},
				{ics.ComponentPropertyDtstamp, "20261120T143015Z"},
				{ics.ComponentPropertyLastModified, "20261120T143015Z"},
				{ics.ComponentPropertyDtStart, tt.wantStart},
				{ics.ComponentPropertyDtEnd, tt.wantEnd},
			} {
				if got := propValue(ev, c.prop); got != c.want {
					t.Errorf("%s = %q, want %q", c.prop, got, c.want)
				}
			}
			for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd} {
				got := ev.GetProperty(p).ICalParameters["TZID"]
				switch {
				case tt.wantTZID == "" && len(got) != 0:
					t.Errorf("%s TZID = %q, want none", p, got)
				case tt.wantTZID != "" && (len(got) != 1 || got[0] != tt.wantTZID):
					t.Errorf("%s TZID = %q, want %q", p, got, tt.wantTZID)
				}
			}
			if start, err := ev.GetStartAt(); err != nil || !start.Equal(tt.start) {
				t.Errorf("DTSTART reads back as %v (%v), want %v", start, err, tt.start)
			}
			if end, err := ev.GetEndAt(); err != nil || !end.Equal(tt.end) {
				t.Errorf("DTEND reads back as %v (%v), want %v", end, err, tt.end)
			}
			if n := len(cal.Timezones()); (tt.wantTZID == "") != (n == 0) {
				t.Errorf("%d VTIMEZONEs for zone %q:\n%s", n, tt.tz, out)
			}
		})
	}
}

func TestWrite_TextEscaping(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	day := time.Date(2026, 12, 3, 9, 0, 0, 0, paris)
	tests := []struct {
		name     string
		in       string
		wantRaw  string // the escaped value on the unfolded SUMMARY line
		wantBack string // what a parser reads back
	}{
		{"comma semicolon backslash", `a,b;c\d`, `a\,b\;c\\d`, `a,b;c\d`},
		{"newline", "one\ntwo", `one\ntwo`, "one\ntwo"},
		{"CRLF and CR become newlines", "one\r\ntwo\rthree", `one\ntwo\nthree`, "one\ntwo\nthree"},
		{"control characters dropped", "bell\x07 and\x00 nul", "bell and nul", "bell and nul"},
		{"invalid UTF-8 replaced", "caf\xe9", "caf\uFFFD", "caf\uFFFD"},
		{"escape-like text stays literal", `\n is not a newline`, `\\n is not a newline`, `\n is not a newline`},
		{"colon and quotes need no escape", `Module 2: "Tracing"`, `Module 2: "Tracing"`, `Module 2: "Tracing"`},
		{"Hangul Hebrew Greek accents", "수사, חקירה; Έρευνα \\ Enquête", `수사\, חקירה\; Έρευνα \\ Enquête`, "수사, חקירה; Έρευνα \\ Enquête"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, cal := write(t, "", []Event{{UID: "u@lectern", Summary: tt.in, Start: day, End: day.Add(8 * time.Hour), TZ: paris}})
			var raw []string
			for _, l := range unfold(out) {
				if v, ok := strings.CutPrefix(l, "SUMMARY:"); ok {
					raw = append(raw, v)
				}
			}
			if len(raw) != 1 || raw[0] != tt.wantRaw {
				t.Errorf("raw SUMMARY = %q, want [%q]", raw, tt.wantRaw)
			}
			if got := propValue(eventByUID(t, cal, "u@lectern"), ics.ComponentPropertySummary); got != tt.wantBack {
				t.Errorf("SUMMARY reads back as %q, want %q", got, tt.wantBack)
			}
		})
	}
}

func TestWrite_Folding(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	day := time.Date(2026, 4, 14, 9, 0, 0, 0, seoul)
	tests := []struct {
		name string
		text string
	}{
		{"ASCII without spaces", strings.Repeat("abcdefghij", 40)},
		{"ASCII with spaces", strings.Repeat("anti money laundering ", 30)},
		{"Hangul without spaces", strings.Repeat("암호자산범죄수사", 30)},
		{"Hangul with spaces", strings.Repeat("블록체인과 암호자산 범죄 수사 ", 20)},
		{"Hebrew", strings.Repeat("הלבנת הון ומטבעות קריפטוגרפיים ", 15)},
		{"Greek", strings.Repeat("Ξέπλυμα χρήματος και κρυπτοστοιχεία ", 15)},
		{"accented Latin", strings.Repeat("Enquête sur la criminalité liée aux crypto-actifs, à Zürich; ", 8)},
		{"four-byte runes", strings.Repeat("𝔅𝔩𝔬𝔠𝔨🔗", 40)},
		{"mixed with escapes", strings.Repeat("é,;\\\n한", 60)},
		{"one rune past the limit", "SUMMARY:" + strings.Repeat("x", 66) + "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Event{
				UID: "fold@lectern", Summary: tt.text, Description: tt.text, Location: tt.text,
				Start: day, End: day.Add(8 * time.Hour), TZ: seoul,
			}
			out, cal := write(t, tt.text, []Event{in}) // write checks ≤75 octets, CRLF, UTF-8
			if !bytes.Contains(out, []byte("\r\n ")) {
				t.Errorf("no folded line in output:\n%s", out)
			}
			ev := eventByUID(t, cal, in.UID)
			for _, p := range []ics.ComponentProperty{ics.ComponentPropertySummary, ics.ComponentPropertyDescription, ics.ComponentPropertyLocation} {
				if got := propValue(ev, p); got != tt.text {
					t.Errorf("%s reads back as %q, want %q", p, got, tt.text)
				}
			}
			if got, _ := calProp(cal, "X-WR-CALNAME"); got != tt.text {
				t.Errorf("X-WR-CALNAME reads back as %q, want %q", got, tt.text)
			}
		})
	}
}

func TestWrite_Stamps(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	day := time.Date(2026, 12, 3, 9, 0, 0, 0, paris)
	t.Run("updated in a zone is stamped in UTC", func(t *testing.T) {
		_, cal := write(t, "", []Event{{UID: "a", Start: day, End: day, TZ: paris, Updated: time.Date(2026, 7, 1, 12, 0, 0, 999, paris)}})
		ev := eventByUID(t, cal, "a")
		for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtstamp, ics.ComponentPropertyLastModified} {
			if got := propValue(ev, p); got != "20260701T100000Z" {
				t.Errorf("%s = %q, want 20260701T100000Z", p, got)
			}
		}
	})
	t.Run("zero updated still gets a DTSTAMP", func(t *testing.T) {
		before := time.Now().Truncate(time.Second)
		_, cal := write(t, "", []Event{{UID: "b", Start: day, End: day, TZ: paris}})
		ev := eventByUID(t, cal, "b")
		stamp, err := time.Parse(utcLayout, propValue(ev, ics.ComponentPropertyDtstamp))
		if err != nil || stamp.Before(before) || stamp.After(time.Now()) {
			t.Errorf("DTSTAMP %v (%v), want now", stamp, err)
		}
		if ev.HasProperty(ics.ComponentPropertyLastModified) {
			t.Errorf("LAST-MODIFIED written for a zero Updated")
		}
	})
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWrite_Invalid(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, paris)
	ok := Event{UID: "ok@lectern", Start: start, End: start.Add(8 * time.Hour), TZ: paris}
	tests := []struct {
		name   string
		mutate func(*Event)
		want   string
	}{
		{"empty UID", func(e *Event) { e.UID = " " }, "empty UID"},
		{"negative sequence", func(e *Event) { e.Sequence = -1 }, "negative SEQUENCE"},
		{"zero start", func(e *Event) { e.Start = time.Time{} }, "zero start"},
		{"end before start", func(e *Event) { e.End = e.Start.Add(-time.Minute) }, "before start"},
		{"relative URL", func(e *Event) { e.URL = "/sessions/42" }, "not absolute"},
		{"URL with a newline", func(e *Event) { e.URL = "https://x.example/\nBEGIN:VEVENT" }, "URL"},
		{"local zone", func(e *Event) { e.TZ = time.Local }, "not an IANA zone name"},
		{"fixed zone", func(e *Event) { e.TZ = time.FixedZone("UTC+1", 3600) }, "not an IANA zone name"},
		{"fixed zone under an IANA name", func(e *Event) {
			e.TZ = time.FixedZone("Europe/Paris", 3600)
			e.Start = time.Date(2026, 7, 2, 9, 0, 0, 0, e.TZ)
			e.End = e.Start.Add(8 * time.Hour)
		}, "the IANA zone of that name +0200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := ok
			tt.mutate(&bad)
			var buf bytes.Buffer
			err := Write(&buf, "Lectern", []Event{ok, bad})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error = %v, want one mentioning %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
	t.Run("writer failure", func(t *testing.T) {
		err := Write(failWriter{}, "Lectern", []Event{ok})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("Write error = %v, want the writer's error wrapped", err)
		}
	})
}
