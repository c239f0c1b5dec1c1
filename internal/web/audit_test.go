package web

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAuditChanges(t *testing.T) {
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
			[]auditChange{{Field: "deadline", Before: "2026-11-26 01:06:22 UTC", After: "2026-11-26 01:39:51 UTC", Changed: true}, {Field: "finalised", Before: "submitted", After: "—", Changed: true}}},
		{"the reason is never cut", ``, `{"reason":"` + strings.Repeat("why ", 100) + `"}`, []auditChange{{Field: "reason", After: strings.TrimSpace(strings.Repeat("why ", 100))}}},
	} {
		if got := auditChanges(c.before, c.after); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// In a session's history, times read on the room's clock.
func TestAuditChangesInSessionZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	got := auditChanges(`{"deadline":"2026-11-26T01:06:22Z"}`, `{"deadline":"2026-11-26T01:36:22Z"}`, paris)
	want := []auditChange{{Field: "deadline", Before: "2026-11-26 02:06:22 (UTC+01:00)", After: "2026-11-26 02:36:22 (UTC+01:00)", Changed: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
