package i18n

import (
	"testing"
	"time"
)

// TestLocalizer_TimeRange: a range of the clock is written as each language
// does (CLDR's interval patterns) and isolated, first strong, so it keeps its
// order inside a sentence of either direction; Isolate leaves "" alone and
// StripIsolates gives back the text a person reads.
func TestLocalizer_TimeRange(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	start, end := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{
		"en": "06:00–15:00", "he": "06:00–15:00", "de": "06:00–15:00", "fr": "06:00\u2009–\u200915:00",
		"es": "6:00–15:00", "ko": "오전 6:00~오후 3:00", "pt-BR": "06:00\u2009–\u200915:00", "nl": "06:00–15:00", "sv": "06:00–15:00",
	} {
		l := c.For(lang)
		for what, got := range map[string]string{"TimeRange": l.TimeRange(start, end), "TimeRangeOf": l.TimeRangeOf("06:00", "15:00")} {
			if got != FSI+want+PDI {
				t.Errorf("%s %s = %+q, want %+q isolated", lang, what, got, want)
			}
			if StripIsolates(got) != want {
				t.Errorf("%s: StripIsolates(%+q) = %+q", lang, got, StripIsolates(got))
			}
		}
	}
	if Isolate("") != "" || Isolate("Paris") != "\u2068Paris\u2069" {
		t.Errorf("Isolate: %+q, %+q", Isolate(""), Isolate("Paris"))
	}
	if got := StripIsolates("\u2066a\u2069 \u2067b\u2069 \u2068c\u2069"); got != "a b c" {
		t.Errorf("StripIsolates = %+q", got)
	}
}
