package ical

import (
	"strconv"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

type observanceWant struct {
	kind     string // STANDARD or DAYLIGHT
	dtstart  string
	from, to string
}

func observances(t *testing.T, vtz *ics.VTimezone) []observanceWant {
	t.Helper()
	var got []observanceWant
	for _, c := range vtz.Components {
		var kind string
		var cb *ics.ComponentBase
		switch c := c.(type) {
		case *ics.Standard:
			kind, cb = "STANDARD", &c.ComponentBase
		case *ics.Daylight:
			kind, cb = "DAYLIGHT", &c.ComponentBase
		default:
			t.Fatalf("unexpected %T in VTIMEZONE", c)
		}
		value := func(p ics.Property) string {
			if prop := cb.GetProperty(ics.ComponentProperty(p)); prop != nil {
				return prop.Value
			}
			t.Fatalf("%s without %s", kind, p)
			return ""
		}
		got = append(got, observanceWant{kind, value(ics.PropertyDtstart), value(ics.PropertyTzoffsetfrom), value(ics.PropertyTzoffsetto)})
	}
	return got
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		t.Fatalf("bad utc-offset %q", s)
	}
	n := func(i int) int {
		v, err := strconv.Atoi(s[i : i+2])
		if err != nil {
			t.Fatalf("bad utc-offset %q", s)
		}
		return v
	}
	secs := n(1)*3600 + n(3)*60
	if len(s) == 7 {
		secs += n(5)
	}
	if s[0] == '-' {
		secs = -secs
	}
	return secs
}

// offsetAt resolves an instant against the VTIMEZONE alone, the way a client
// without an IANA database does: the observance with the latest onset at or
// before the instant wins, its onset being DTSTART read in TZOFFSETFROM.
func offsetAt(t *testing.T, obs []observanceWant, at time.Time) (int, bool) {
	t.Helper()
	found, best, offset := false, time.Time{}, 0
	for _, o := range obs {
		wall, err := time.Parse(localLayout, o.dtstart)
		if err != nil {
			t.Fatalf("bad DTSTART %q: %v", o.dtstart, err)
		}
		onset := wall.Add(-time.Duration(parseOffset(t, o.from)) * time.Second)
		if !onset.After(at) && (!found || onset.After(best)) {
			found, best, offset = true, onset, parseOffset(t, o.to)
		}
	}
	return offset, found
}

func TestWrite_VTimezone(t *testing.T) {
	paris := []observanceWant{
		{"STANDARD", "20260101T000000", "+0100", "+0100"},
		{"DAYLIGHT", "20260329T020000", "+0100", "+0200"},
		{"STANDARD", "20261025T030000", "+0200", "+0100"},
	}
	tests := []struct {
		name        string
		zone        string
		days        []string // local dates of the sessions, 09:00–17:00
		wantOffsets []int    // Go's offset at each session's start, hard-coded
		want        []observanceWant
	}{
		{
			name: "Paris in winter", zone: "Europe/Paris",
			days: []string{"2026-12-03"}, wantOffsets: []int{3600}, want: paris,
		},
		{
			name: "Paris in summer", zone: "Europe/Paris",
			days: []string{"2026-07-02"}, wantOffsets: []int{7200}, want: paris,
		},
		{
			name: "Paris across new year", zone: "Europe/Paris",
			days: []string{"2025-12-15", "2026-01-20"}, wantOffsets: []int{3600, 3600},
			want: []observanceWant{
				{"STANDARD", "20250101T000000", "+0100", "+0100"},
				{"DAYLIGHT", "20250330T020000", "+0100", "+0200"},
				{"STANDARD", "20251026T030000", "+0200", "+0100"},
				{"DAYLIGHT", "20260329T020000", "+0100", "+0200"},
				{"STANDARD", "20261025T030000", "+0200", "+0100"},
			},
		},
		{
			name: "Seoul has a single STANDARD", zone: "Asia/Seoul",
			days: []string{"2026-03-10", "2026-08-10"}, wantOffsets: []int{9 * 3600, 9 * 3600},
			want: []observanceWant{{"STANDARD", "20260101T000000", "+0900", "+0900"}},
		},
		{
			name: "Sao Paulo without DST since 2019", zone: "America/Sao_Paulo",
			days: []string{"2026-01-15", "2026-09-15"}, wantOffsets: []int{-3 * 3600, -3 * 3600},
			want: []observanceWant{{"STANDARD", "20260101T000000", "-0300", "-0300"}},
		},
		{
			name: "Sao Paulo in its last DST summer", zone: "America/Sao_Paulo",
			days: []string{"2019-01-10"}, wantOffsets: []int{-2 * 3600},
			want: []observanceWant{
				{"DAYLIGHT", "20190101T000000", "-0200", "-0200"},
				{"STANDARD", "20190217T000000", "-0200", "-0300"},
			},
		},
		{
			name: "Sao Paulo in 2018, DST at both ends", zone: "America/Sao_Paulo",
			days: []string{"2018-06-12", "2018-11-20"}, wantOffsets: []int{-3 * 3600, -2 * 3600},
			want: []observanceWant{
				{"DAYLIGHT", "20180101T000000", "-0200", "-0200"},
				{"STANDARD", "20180218T000000", "-0200", "-0300"},
				{"DAYLIGHT", "20181104T000000", "-0300", "-0200"},
			},
		},
		{
			name: "Sydney, southern DST", zone: "Australia/Sydney",
			days: []string{"2026-06-10"}, wantOffsets: []int{10 * 3600},
			want: []observanceWant{
				{"DAYLIGHT", "20260101T000000", "+1100", "+1100"},
				{"STANDARD", "20260405T030000", "+1100", "+1000"},
				{"DAYLIGHT", "20261004T020000", "+1000", "+1100"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustZone(t, tt.zone)
			var events []Event
			for i, d := range tt.days {
				day, err := time.ParseInLocation("2006-01-02 15:04", d+" 09:00", loc)
				if err != nil {
					t.Fatal(err)
				}
				if _, off := day.Zone(); off != tt.wantOffsets[i] {
					t.Fatalf("Go's offset on %s is %d, test expects %d", d, off, tt.wantOffsets[i])
				}
				// A fresh *Location per event: zones are matched by name, not pointer.
				events = append(events, Event{UID: d + "@lectern", Start: day, End: day.Add(8 * time.Hour), TZ: mustZone(t, tt.zone)})
			}
			out, cal := write(t, "", events)

			tzs := cal.Timezones()
			if len(tzs) != 1 {
				t.Fatalf("%d VTIMEZONEs, want 1:\n%s", len(tzs), out)
			}
			if got := tzs[0].GetProperty(ics.ComponentPropertyTzid).Value; got != tt.zone {
				t.Errorf("TZID = %q, want %q", got, tt.zone)
			}
			got := observances(t, tzs[0])
			if len(got) != len(tt.want) {
				t.Fatalf("observances = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("observance %d = %v, want %v", i, got[i], tt.want[i])
				}
			}

			for i, e := range events {
				for _, at := range []time.Time{e.Start, e.End} {
					if off, ok := offsetAt(t, got, at); !ok || off != tt.wantOffsets[i] {
						t.Errorf("VTIMEZONE gives %d (covered %v) at %v, want %d", off, ok, at, tt.wantOffsets[i])
					}
				}
			}
			// Every hour of the described years, not only the sessions: a client
			// uses the VTIMEZONE for any time it converts, e.g. reminders.
			first, last := eventYears(events, loc)
			from := time.Date(first, 1, 1, 0, 0, 0, 0, loc)
			until := time.Date(last+1, 1, 1, 0, 0, 0, 0, loc)
			for at := from; at.Before(until); at = at.Add(time.Hour) {
				_, goOff := at.Zone()
				if off, ok := offsetAt(t, got, at); !ok || off != goOff {
					t.Fatalf("VTIMEZONE gives %d (covered %v) at %v, Go gives %d", off, ok, at.UTC(), goOff)
				}
			}
		})
	}
}

func eventYears(events []Event, loc *time.Location) (first, last int) {
	first, last = 1<<31-1, 0
	for _, e := range events {
		for _, t := range []time.Time{e.Start, e.End} {
			first, last = min(first, t.In(loc).Year()), max(last, t.In(loc).Year())
		}
	}
	return first, last
}

func TestWrite_VTimezonePerZone(t *testing.T) {
	at := func(zone string, y int, m time.Month, d int) Event {
		loc := mustZone(t, zone)
		start := time.Date(y, m, d, 9, 0, 0, 0, loc)
		return Event{UID: zone + start.Format("20060102") + "@lectern", Start: start, End: start.Add(8 * time.Hour), TZ: loc}
	}
	tests := []struct {
		name   string
		events []Event
		want   []string // TZIDs of the VTIMEZONEs, in order
	}{
		{"no events", nil, nil},
		{"UTC needs none", []Event{{UID: "u", Start: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 1, 17, 0, 0, 0, time.UTC), TZ: time.UTC}}, nil},
		{
			"one per distinct zone, in order of first use",
			[]Event{
				at("Europe/Paris", 2026, 12, 3),
				at("Asia/Seoul", 2026, 3, 10),
				at("Europe/Paris", 2026, 7, 2),
				at("America/Sao_Paulo", 2026, 9, 15),
				at("Asia/Seoul", 2027, 3, 10),
			},
			[]string{"Europe/Paris", "Asia/Seoul", "America/Sao_Paulo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, cal := write(t, "", tt.events)
			var got []string
			for _, tz := range cal.Timezones() {
				got = append(got, tz.GetProperty(ics.ComponentPropertyTzid).Value)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("VTIMEZONEs %v, want %v:\n%s", got, tt.want, out)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("VTIMEZONEs %v, want %v", got, tt.want)
				}
			}
			// Every TZID an event refers to must be defined in the file.
			defined := map[string]bool{}
			for _, id := range got {
				defined[id] = true
			}
			for _, ev := range cal.Events() {
				for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd} {
					for _, id := range ev.GetProperty(p).ICalParameters["TZID"] {
						if !defined[id] {
							t.Errorf("%s refers to undefined TZID %q", p, id)
						}
					}
				}
			}
		})
	}
}

func TestWrite_OffsetFormat(t *testing.T) {
	tests := []struct {
		seconds int
		want    string
	}{
		{0, "+0000"},
		{3600, "+0100"},
		{-3 * 3600, "-0300"},
		{5*3600 + 45*60, "+0545"},
		{-(9*3600 + 30*60), "-0930"},
		{561, "+000921"}, // Paris LMT
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := formatOffset(tt.seconds); got != tt.want {
				t.Errorf("formatOffset(%d) = %q, want %q", tt.seconds, got, tt.want)
			}
		})
	}
}
