package i18n

import (
	"testing"
	"time"
)

// BenchmarkDateShort formats a date in figures through the catalogue, against
// time.Format of the same layout as the floor, in one run (BENCHMARKS.md).
func BenchmarkDateShort(b *testing.B) {
	c, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 19, 14, 30, 5, 0, time.UTC)
	b.Run("Localizer", func(b *testing.B) {
		b.ReportAllocs()
		l := c.For("fr") // one per request; a page formats many dates with it
		for b.Loop() {
			if l.DateShort(at) != "19/11/2026" {
				b.Fatal("wrong date")
			}
		}
	})
	b.Run("Floor_TimeFormat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if at.Format("02/01/2006") != "19/11/2026" {
				b.Fatal("wrong date")
			}
		}
	})
	b.Run("DateWeekday", func(b *testing.B) {
		b.ReportAllocs()
		l := c.For("ko")
		for b.Loop() {
			l.DateWeekday(at)
		}
	})
}

// TestDates_CompiledOnceConcurrently: a language's formats are compiled by the
// first of many requests at once, and every one reads the same date.
func TestDates_CompiledOnceConcurrently(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 19, 14, 30, 5, 0, time.UTC)
	got := make(chan string, 16)
	for range 16 {
		go func() { got <- c.For("de").DateTime(at) }()
	}
	for range 16 {
		if s := <-got; s != c.For("de").DateTime(at) || s == "" {
			t.Errorf("a concurrent first use read %q", s)
		}
	}
}
