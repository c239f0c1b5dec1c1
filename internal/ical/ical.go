// Package ical owns Lectern's iCalendar (RFC 5545) output: the .ics file of one
// session and the per-user calendar feed. It turns sessions into a VCALENDAR that
// Google Calendar, Outlook and Apple Calendar import as-is, with the session's own
// time zone described inline so that clients without an IANA database still show
// the right wall-clock time.
//
// The encoding (text escaping, 75-octet UTF-8-safe line folding) is done by
// github.com/arran4/golang-ical; this package decides what goes into the file and
// guards the library's inputs (line endings, control characters, invalid UTF-8)
// so that its output is always well-formed.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// productID names Lectern as the producer of every calendar it writes.
const productID = "-//Lectern//Lectern//EN"

// Event is one session as a calendar entry.
type Event struct {
	UID         string // stable across changes, e.g. "session-42@lectern"
	Sequence    int    // bumped by the caller on every change
	Summary     string
	Description string
	Location    string
	URL         string
	Start, End  time.Time      // instants
	TZ          *time.Location // the session's IANA zone; DTSTART/DTEND are written in it with TZID
	Cancelled   bool           // STATUS:CANCELLED (and METHOD stays PUBLISH)
	Updated     time.Time      // DTSTAMP / LAST-MODIFIED
}

const (
	// Floating local time: the zone comes from the TZID parameter.
	localLayout = "20060102T150405"
	utcLayout   = "20060102T150405Z"
)

// serialization is fixed rather than the library's default because the default
// line ending is the platform's ("\n" on Unix), and RFC 5545 requires CRLF.
var serialization = &ics.SerializationConfiguration{
	MaxLength:         75,
	PropertyMaxLength: 75,
	NewLine:           "\r\n",
}

// Write writes a VCALENDAR (PRODID "-//Lectern//Lectern//EN", VERSION 2.0,
// CALSCALE GREGORIAN, METHOD PUBLISH, X-WR-CALNAME name) holding the events, with
// one VTIMEZONE per distinct zone used, built from Go's tz database.
//
// An event whose TZ is nil or UTC is written with UTC ("Z") times and needs no
// VTIMEZONE. An event with a zero Updated gets the current time as DTSTAMP (the
// property is mandatory) and no LAST-MODIFIED. X-WR-CALNAME is left out when name
// is empty. Nothing is written to w unless the whole calendar could be built.
func Write(w io.Writer, name string, events []Event) error {
	cal := &ics.Calendar{}
	cal.SetProductId(productID)
	cal.SetVersion("2.0")
	cal.SetCalscale("GREGORIAN")
	// PUBLISH even for cancelled sessions: CANCEL is an iTIP scheduling message to
	// attendees, and subscribed feeds or downloaded files are not scheduling.
	cal.SetMethod(ics.MethodPublish)
	if name != "" {
		cal.SetXWRCalName(cleanText(name))
	}

	// Validated up front because the time zones are described over the years the
	// events span, which is meaningless (and costly) for a zero time.
	for i := range events {
		if err := events[i].validate(); err != nil {
			return fmt.Errorf("write calendar %q: event %d (%q): %w", name, i, events[i].UID, err)
		}
	}
	zones, err := collectZones(events)
	if err != nil {
		return fmt.Errorf("write calendar %q: %w", name, err)
	}
	for _, z := range zones {
		cal.AddVTimezone(z.vtimezone())
	}
	now := time.Now()
	for i := range events {
		cal.AddVEvent(vevent(&events[i], now))
	}

	// Buffered so that a half-written calendar never reaches the client when
	// serialisation fails part-way; the library ignores some write errors.
	var buf bytes.Buffer
	if err := cal.SerializeTo(&buf, serialization); err != nil {
		return fmt.Errorf("write calendar %q: encode: %w", name, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write calendar %q: %w", name, err)
	}
	return nil
}

func vevent(e *Event, now time.Time) *ics.VEvent {
	ev := ics.NewEvent(cleanText(e.UID))
	ev.SetSequence(e.Sequence)
	stamp := e.Updated
	if stamp.IsZero() {
		stamp = now
	}
	ev.SetDtStampTime(stamp.Truncate(time.Second))
	if !e.Updated.IsZero() {
		ev.SetModifiedAt(e.Updated.Truncate(time.Second))
	}
	setTime(ev, ics.ComponentPropertyDtStart, e.Start, e.TZ)
	setTime(ev, ics.ComponentPropertyDtEnd, e.End, e.TZ)
	setText(ev, ics.ComponentPropertySummary, e.Summary)
	setText(ev, ics.ComponentPropertyDescription, e.Description)
	setText(ev, ics.ComponentPropertyLocation, e.Location)
	if e.URL != "" {
		// URL is a URI value: the library does not escape it, which is right, and
		// validate has already refused anything that could break the line.
		ev.SetURL(e.URL)
	}
	status := ics.ObjectStatusConfirmed
	if e.Cancelled {
		status = ics.ObjectStatusCancelled
	}
	ev.SetStatus(status)
	return ev
}

func (e *Event) validate() error {
	switch {
	case strings.TrimSpace(e.UID) == "":
		return errors.New("empty UID")
	case e.Sequence < 0:
		return fmt.Errorf("negative SEQUENCE %d", e.Sequence)
	case e.Start.IsZero() || e.End.IsZero():
		return errors.New("zero start or end time")
	case e.End.Before(e.Start):
		return fmt.Errorf("end %s before start %s", e.End.Format(time.RFC3339), e.Start.Format(time.RFC3339))
	}
	if e.URL != "" {
		u, err := url.Parse(e.URL)
		if err != nil {
			return fmt.Errorf("URL: %w", err)
		}
		if !u.IsAbs() {
			// Calendar clients have no base to resolve a relative link against.
			return fmt.Errorf("URL %q is not absolute", e.URL)
		}
		if strings.ContainsAny(e.URL, " \t") || !utf8.ValidString(e.URL) {
			return fmt.Errorf("URL %q contains white space or invalid UTF-8", e.URL)
		}
	}
	return nil
}

// setTime writes t as wall-clock time in loc with a TZID, or in UTC when the
// event has no zone of its own.
func setTime(ev *ics.VEvent, prop ics.ComponentProperty, t time.Time, loc *time.Location) {
	if isUTC(loc) {
		ev.SetProperty(prop, t.UTC().Format(utcLayout))
		return
	}
	ev.SetProperty(prop, t.In(loc).Format(localLayout), ics.WithTZID(loc.String()))
}

func setText(ev *ics.VEvent, prop ics.ComponentProperty, s string) {
	if s == "" {
		return
	}
	ev.SetProperty(prop, cleanText(s))
}

func isUTC(loc *time.Location) bool {
	return loc == nil || loc == time.UTC || loc.String() == "UTC"
}

var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// cleanText makes s safe to hand to the library's TEXT escaping, which handles
// "\n" but passes CR and other control characters through raw, and which folds
// by rune so it must only ever see valid UTF-8.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = lineBreaks.Replace(s)
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
