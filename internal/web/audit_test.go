package web

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/i18n"
)

func TestAuditChanges(t *testing.T) {
	en := english(t)
	for _, c := range []struct {
		name, before, after string
		want                []auditChange
	}{
		{"changed first, then the reason, then context", `{"passed":false,"score":2,"quiz":"q"}`, `{"passed":true,"score":2,"quiz":"q","reason":"key fixed","content_hash":"0123456789abcdef"}`,
			[]auditChange{{Field: "passed", Before: "false", After: "true", Changed: true}, {Field: "reason", After: "key fixed"},
				{Field: "content_hash", After: "0123456789ab…"}, {Field: "quiz", After: "q"}, {Field: "score", After: "2"}}},
		{"a field that went away", `{"deadline":"12:00","finalised":"submitted"}`, `{"deadline":"12:00"}`,
			[]auditChange{{Field: "finalised", Before: "submitted", After: "—", Changed: true}, {Field: "deadline", After: "12:00"}}},
		{"only an after", ``, `{"status":"closed"}`, []auditChange{{Field: "status", After: "closed"}}},
		{"not JSON objects: shown whole", `[1]`, `{"a":1}`, []auditChange{{Before: "[1]", After: `{"a":1}`, Changed: true}}},
		{"timestamps to the second, an emptied field as a dash", `{"deadline":"2026-11-26T01:06:22.419052927Z","finalised":"submitted"}`, `{"deadline":"2026-11-26T01:39:51.7Z","finalised":""}`,
			[]auditChange{{Field: "deadline", Before: "26/11/2026 01:06:22 UTC", After: "26/11/2026 01:39:51 UTC", Changed: true}, {Field: "finalised", Before: "submitted", After: "—", Changed: true}}},
		{"the reason is never cut", ``, `{"reason":"` + strings.Repeat("why ", 100) + `"}`, []auditChange{{Field: "reason", After: strings.TrimSpace(strings.Repeat("why ", 100))}}},
	} {
		if got := auditChanges(en, c.before, c.after, time.UTC); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// In a session's history, times read on the room's clock, written as the
// reader writes dates and times (Korean's 오후 clock past noon); the offset
// stays digits.
func TestAuditChangesInSessionZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skip(err)
	}
	cat, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang          string
		zone          *time.Location
		before, after string
	}{
		{"en", paris, "26/11/2026 02:06:22 (UTC+01:00)", "26/11/2026 02:36:22 (UTC+01:00)"},
		{"de", paris, "26.11.2026 02:06:22 (UTC+01:00)", "26.11.2026 02:36:22 (UTC+01:00)"},
		{"sv", time.UTC, "2026-11-26 01:06:22 UTC", "2026-11-26 01:36:22 UTC"},
		{"ko", seoul, "2026. 11. 26. 오전 10:06:22 (UTC+09:00)", "2026. 11. 26. 오전 10:36:22 (UTC+09:00)"},
		{"ko", time.UTC, "2026. 11. 26. 오전 1:06:22 UTC", "2026. 11. 26. 오전 1:36:22 UTC"},
	} {
		got := auditChanges(cat.For(c.lang), `{"deadline":"2026-11-26T01:06:22Z"}`, `{"deadline":"2026-11-26T01:36:22Z"}`, c.zone)
		want := []auditChange{{Field: "deadline", Before: c.before, After: c.after, Changed: true}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s in %s: got %+v\nwant %+v", c.lang, c.zone, got, want)
		}
	}
	// The When column goes through the same function: past noon in Seoul.
	if got, want := auditTime(cat.For("ko"), time.Date(2026, 11, 26, 5, 30, 0, 0, time.UTC), seoul), "2026. 11. 26. 오후 2:30:00 (UTC+09:00)"; got != want {
		t.Errorf("auditTime ko: %q, want %q", got, want)
	}
}
