package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// auditChange is one field of an audit event: what it was and what it became.
// Changed marks a field that was there before and differs; the rest is context.
type auditChange struct {
	Field, Before, After string
	Changed              bool
}

// auditChanges turns an event's before/after JSON into what a person reads: the
// fields that changed, then the reason given, then the rest of "after" for
// context. Anything that is not a JSON object is shown whole.
func auditChanges(before, after string) []auditChange {
	var b, a map[string]any
	if (before != "" && json.Unmarshal([]byte(before), &b) != nil) || (after != "" && json.Unmarshal([]byte(after), &a) != nil) {
		return []auditChange{{Before: before, After: after, Changed: true}}
	}
	var changed, reason, context []auditChange
	for _, k := range slices.Sorted(maps.Keys(a)) {
		ch := auditChange{Field: k, After: auditValue(k, a[k])}
		old, had := b[k]
		switch {
		case had && auditValue(k, old) != ch.After:
			ch.Before, ch.Changed = auditValue(k, old), true
			changed = append(changed, ch)
		case k == "reason":
			reason = append(reason, ch)
		default:
			context = append(context, ch)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			changed = append(changed, auditChange{Field: k, Before: auditValue(k, b[k]), After: "—", Changed: true})
		}
	}
	return slices.Concat(changed, reason, context)
}

// auditValue prints one JSON value compactly: hashes shortened (their start
// identifies a version), long values cut.
func auditValue(field string, v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "—"
	case string:
		s = x
		if strings.HasSuffix(field, "_hash") && len(s) > 12 {
			s = s[:12] + "…"
		}
	case float64:
		s = fmt.Sprint(x)
	default:
		data, _ := json.Marshal(x)
		s = string(data)
	}
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return strings.TrimSpace(s)
}
