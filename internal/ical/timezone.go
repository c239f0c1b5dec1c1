package ical

import (
	"fmt"
	"strconv"
	"time"

	ics "github.com/arran4/golang-ical"
)

// zone is one time zone used by the calendar's events, with the span of local
// years its VTIMEZONE has to describe.
type zone struct {
	loc         *time.Location
	first, last int
}

// collectZones returns one zone per distinct zone name, in order of first use.
// Zones are keyed by name because callers load the same zone more than once and
// a TZID must appear in one VTIMEZONE only. Each VTIMEZONE is built from the zone
// loaded by that name, since the name is all that Google Calendar and Outlook
// look at; an event whose zone disagrees with it (a time.FixedZone named "CET")
// is refused rather than shown at another hour than Lectern shows it.
func collectZones(events []Event) ([]*zone, error) {
	var zones []*zone
	byName := map[string]*zone{}
	for i := range events {
		e := &events[i]
		if isUTC(e.TZ) {
			continue
		}
		name := e.TZ.String()
		z, ok := byName[name]
		if !ok {
			loc, err := loadZone(name)
			if err != nil {
				return nil, fmt.Errorf("event %d (%q): %w", i, e.UID, err)
			}
			y := e.Start.In(loc).Year()
			z = &zone{loc: loc, first: y, last: y}
			byName[name] = z
			zones = append(zones, z)
		}
		for _, t := range []time.Time{e.Start, e.End} {
			_, want := t.In(e.TZ).Zone()
			if _, got := t.In(z.loc).Zone(); got != want {
				return nil, fmt.Errorf("event %d (%q): time zone %q has offset %s at %s, the IANA zone of that name %s",
					i, e.UID, name, formatOffset(want), t.UTC().Format(time.RFC3339), formatOffset(got))
			}
			y := t.In(z.loc).Year()
			z.first = min(z.first, y)
			z.last = max(z.last, y)
		}
	}
	return zones, nil
}

// loadZone refuses zones whose name is no IANA name (time.Local, most
// time.FixedZone), because clients could not resolve the TZID.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name: %w", name, err)
	}
	return loc, nil
}

// vtimezone describes the zone from 1 January of its first year to the end of
// its last year: one observance in force on 1 January (TZOFFSETFROM equal to
// TZOFFSETTO, as it starts nothing new), then one per transition Go knows in that
// span. Explicit onsets rather than RRULEs, because Go does not expose the rule
// behind its transitions and guessing one would be wrong for zones whose rules
// changed (America/Sao_Paulo dropped DST in 2019). A zone without DST thus gets a
// single STANDARD.
func (z *zone) vtimezone() *ics.VTimezone {
	tz := ics.NewTimezone(z.loc.String())
	from := time.Date(z.first, time.January, 1, 0, 0, 0, 0, z.loc)
	until := time.Date(z.last+1, time.January, 1, 0, 0, 0, 0, z.loc)

	name, offset := from.Zone()
	tz.Components = append(tz.Components, observance(from.IsDST(), from.Format(localLayout), offset, offset, name))
	for t := from; ; {
		_, next := t.ZoneBounds()
		if next.IsZero() || !next.Before(until) {
			break
		}
		_, before := t.Zone()
		name, after := next.Zone()
		// RFC 5545: the onset is given in the local time in force before it.
		onset := next.UTC().Add(time.Duration(before) * time.Second).Format(localLayout)
		tz.Components = append(tz.Components, observance(next.IsDST(), onset, before, after, name))
		t = next
	}
	return tz
}

func observance(dst bool, onset string, from, to int, name string) ics.Component {
	var cb ics.ComponentBase
	cb.AddProperty(ics.ComponentPropertyDtStart, onset)
	cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), formatOffset(from))
	cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), formatOffset(to))
	if name != "" {
		cb.AddProperty(ics.ComponentProperty(ics.PropertyTzname), cleanText(name))
	}
	if dst {
		return &ics.Daylight{ComponentBase: cb}
	}
	return &ics.Standard{ComponentBase: cb}
}

// formatOffset renders a UTC offset in seconds as RFC 5545 utc-offset
// ("+0100", "-0300"); seconds appear only for historical LMT-style offsets.
func formatOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign = "-"
		seconds = -seconds
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	out := sign + pad2(h) + pad2(m)
	if s != 0 {
		out += pad2(s)
	}
	return out
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
