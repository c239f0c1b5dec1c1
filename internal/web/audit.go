package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// auditChange is one field of an audit event: what it was and what it became.
// Changed marks a field that was there before and differs; the rest is context.
// BeforeCode and AfterCode hold the code as recorded when Before or After is
// its label in the reader's language (codeLabel), else they are empty.
type auditChange struct {
	Field, Before, After  string
	BeforeCode, AfterCode string
	Changed               bool
	// Mono marks a value a person compares character by character (a
	// content hash): shown whole in monospace, wrapped anywhere.
	Mono bool
}

// auditChanges turns an event's before/after JSON into what a person reads: the
// fields that changed, then the reason given, then the rest of "after" for
// context. Anything that is not a JSON object is shown whole. Timestamps are
// shown to the second in the reader's format (l), in zone (a session's time
// zone, or UTC).
// A code of ours (a status, a role …) reads as its label, with the code kept
// beside it; the action's domain says whose status it is.
func auditChanges(l *i18n.Localizer, action, before, after string, zone *time.Location) []auditChange {
	domain, _, _ := strings.Cut(action, ".")
	auditValue := func(field string, v any) string { return auditValueIn(l, field, v, zone) }
	// labelled fills an entry's labels once its texts are settled, so a
	// field compares by what was recorded.
	labelled := func(ch auditChange, before, after any) auditChange {
		ch.Mono = strings.HasSuffix(ch.Field, "_hash")
		if code, ok := after.(string); ok {
			if label, ok := codeLabel(l, domain, ch.Field, code); ok {
				ch.After, ch.AfterCode = label, code
			}
		}
		if code, ok := before.(string); ok && ch.Changed {
			if label, ok := codeLabel(l, domain, ch.Field, code); ok {
				ch.Before, ch.BeforeCode = label, code
			}
		}
		return ch
	}
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
			changed = append(changed, labelled(ch, old, a[k]))
		case k == "reason":
			reason = append(reason, ch)
		default:
			context = append(context, labelled(ch, nil, a[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			changed = append(changed, labelled(auditChange{Field: k, Before: auditValue(k, b[k]), After: "—", Changed: true}, b[k], nil))
		}
	}
	return slices.Concat(changed, reason, context)
}

// auditValueIn prints one JSON value compactly, and whole: a hash is checked
// character by character, and nothing a person must check is cut short (the
// page folds a long value into a disclosure instead). Timestamps read to the
// second in zone.
func auditValueIn(l *i18n.Localizer, field string, v any, zone *time.Location) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "—"
	case string:
		s = x
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			s = auditTime(l, t, zone)
		}
		if s == "" {
			s = "—"
		}
		if field == "reason" {
			return strings.TrimSpace(s)
		}
	case float64:
		s = fmt.Sprint(x)
	default:
		data, _ := json.Marshal(x)
		s = string(data)
	}
	return strings.TrimSpace(s)
}

// codeLabels are the codes an audit event records that the catalogue names:
// per the action's domain ("" for any) and field, each code's message id. A
// "closed" is a session's status and a quiz's state alike, so the domain picks.
var codeLabels = map[[2]string]map[string]string{
	{"session", "status"}: {"scheduled": "status.scheduled", "in_progress": "status.in_progress", "closed": "status.closed", "cancelled": "status.cancelled"},
	{"attendance", "status"}: {"present": "attendance.present", "late": "attendance.late", "absent": "attendance.absent",
		"excused": "attendance.excused", "unmarked": "attendance.unmarked"},
	{"attendance", "source"}:  {"trainer": "role.trainer", "checkin": "attendance.by_checkin"},
	{"enrollment", "status"}:  {"enrolled": "roster.status_enrolled", "waitlisted": "roster.status_waitlist"},
	{"certificate", "status"}: {"valid": "certificate.status.valid", "revoked": "certificate.status.revoked", "expired": "certificate.status.expired"},
	{"mail", "status"}:        {"queued": "outbox.status.queued", "sent": "outbox.status.sent", "failed": "outbox.status.failed"},
	{"mail", "kind"}: {"invitation": "outbox.kind.invitation", "reset": "outbox.kind.reset", "enrolment_confirmed": "outbox.kind.enrolment_confirmed",
		"waitlist_promoted": "outbox.kind.waitlist_promoted", "session_changed": "outbox.kind.session_changed",
		"session_cancelled": "outbox.kind.session_cancelled", "certificate_issued": "outbox.kind.certificate_issued"},
	{"", "role"}: {"admin": "role.admin", "trainer": "role.trainer", "coordinator": "role.coordinator", "officer": "role.officer"},
}

// codeLabel is what a reader calls a code an audit event recorded in field,
// under an action of domain: the catalogue's label in their language, or a
// country's name for an ISO 3166 code; false for anything else, which is shown
// as stored.
func codeLabel(l *i18n.Localizer, domain, field, code string) (string, bool) {
	for _, d := range []string{domain, ""} {
		if id, ok := codeLabels[[2]string{d, field}][code]; ok {
			return l.T(id), true
		}
	}
	if field == "country" {
		if name := l.Country(code); name != code {
			return name, true
		}
	}
	return "", false
}

// auditTime shows an instant to the second in the reader's format, with its
// zone — the When column and the times an event records alike: "26/11/2026
// 02:06:22 (UTC+01:00)" in a session's time zone, "26/11/2026 01:06:22 UTC" in
// the whole log's UTC. The offset stays digits: it is what a reader compares
// with another zone's clock.
func auditTime(l *i18n.Localizer, t time.Time, zone *time.Location) string {
	if zone == nil || zone == time.UTC {
		t = t.UTC()
		return l.DateShort(t) + " " + l.TimeSeconds(t) + " UTC"
	}
	t = t.In(zone)
	return l.DateShort(t) + " " + l.TimeSeconds(t) + " (UTC" + t.Format("-07:00") + ")"
}

func (s *Server) auditList(c echo.Context) error {
	var sessionID *int64
	if v := c.QueryParam("session_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest)
		}
		sessionID = &id
	}
	return s.renderAudit(c, sessionID, nil)
}

// sessionAuditList is one session's history, for the trainers who run it.
func (s *Server) sessionAuditList(c echo.Context) error {
	_, _, ses, err := s.sessionFromPath(c)
	if err != nil {
		return err
	}
	return s.renderAudit(c, &ses.ID, ses)
}

func (s *Server) renderAudit(c echo.Context, sessionID *int64, ses *schedule.Session) error {
	events, err := s.schedule.AuditEvents(c.Request().Context(), actor(c), sessionID, 500)
	if err != nil {
		return err
	}
	// Show people by name: collect every id the events mention.
	var ids []int64
	for _, e := range events {
		if e.ActorID != nil {
			ids = append(ids, *e.ActorID)
		}
		if e.UserID != nil {
			ids = append(ids, *e.UserID)
		}
	}
	names, err := s.accounts.Names(c.Request().Context(), actor(c), ids)
	if err != nil {
		return err
	}
	// Times read on the room's clock in a session's history, in UTC in the
	// whole log (which spans sessions in many zones).
	zone := time.UTC
	if ses != nil && ses.Location != nil {
		zone = ses.Location
	}
	return s.render(c, http.StatusOK, "audit.html", s.localizer(c).T("audit.title"), map[string]any{"Events": events, "Names": names, "Session": ses, "Zone": zone})
}

func (s *Server) auditListAPI(c echo.Context) error {
	var sessionID *int64
	if v := c.QueryParam("session_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, apperr.Message("err.http.field_number", "Field", "session_id"))
		}
		sessionID = &id
	}
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	list, err := s.schedule.AuditEvents(c.Request().Context(), actor(c), sessionID, limit)
	return jsonOrError(c, http.StatusOK, list, err)
}
