package web

import (
	"reflect"
	"testing"
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
	} {
		if got := auditChanges(c.before, c.after); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}
