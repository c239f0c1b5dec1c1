package i18n

import (
	"strings"
	"time"
)

// Bidirectional text. A piece of data (a person's or an agency's name, a
// course title in another language, a venue, an e-mail address, a serial, a
// time range) set inside a sentence of another direction is scrambled by the
// Unicode bidi algorithm unless it is isolated: in a Hebrew sentence
// "06:00–15:00" comes out "15:00–06:00", and "salle Vauban, Paris" puts its
// comma on the wrong side. Pages isolate what they place themselves with
// <bdi> (or dir="auto" on an element that holds nothing else); a string made
// in Go, or data handed to a catalogue message as a placeholder, is isolated
// here, with the Unicode isolates U+2068 FIRST STRONG ISOLATE … U+2069 POP
// DIRECTIONAL ISOLATE: invisible, and right in plain-text e-mails too. First
// strong means the piece takes the direction of its first letter, and a piece
// with no letter at all (a range of digits) runs left to right.
const (
	FSI = "\u2068"
	PDI = "\u2069"
)

// Isolate wraps a piece of data in FSI … PDI; "" stays "".
func Isolate(s string) string {
	if s == "" {
		return s
	}
	return FSI + s + PDI
}

// StripIsolates removes the isolates Isolate adds (and LRI, RLI), for a
// comparison of text as a person reads it.
func StripIsolates(s string) string {
	return isolates.Replace(s)
}

var isolates = strings.NewReplacer("\u2066", "", "\u2067", "", FSI, "", PDI, "")

// TimeRange is a span of the clock, isolated so that it reads start to end
// in a right-to-left sentence too: "09:00–17:00", "오전 9:00~오후 5:00".
func (l *Localizer) TimeRange(start, end time.Time) string {
	return Isolate(l.T("format.time_range", "Start", l.Time(start), "End", l.Time(end)))
}

// TimeRangeOf is TimeRange of wall-clock times written "14:30" (a session's
// start and end as stored).
func (l *Localizer) TimeRangeOf(start, end string) string {
	return Isolate(l.T("format.time_range", "Start", l.TimeOf(start), "End", l.TimeOf(end)))
}
