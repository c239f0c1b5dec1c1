package privacy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// ErasedMarker replaces a person's name or address wherever a record that
// stays held it: an erased holder's certificates (ErasePrintedName), audit
// values, e-mails to others, what they typed in an answer. It is a code, not
// words: pages show "Erased user" in the reader's language instead.
const ErasedMarker = "[erased]"

// ErasedEmail is the address an erased user's row keeps: unique (the column
// is), and nobody's (.invalid is reserved, RFC 2606).
func ErasedEmail(userID int64) string { return fmt.Sprintf("erased-%d@erased.invalid", userID) }

// EraserUsers is what the eraser needs of the accounts service
// (*auth.Service): the one visibility rule, and dropping a user's cached
// sign-ins so their tokens stop at once.
type EraserUsers interface {
	Users
	ForgetUser(userID int64)
}

// EraserOptions are the eraser's settings and collaborators (internal/app).
type EraserOptions struct {
	// Names is the programme's rule for erased holders' certificates
	// (Policy.CertificateNames); empty: ErasePrintedName.
	Names NameRule
	Users EraserUsers
}

// Eraser erases a person's data on request (GDPR Art. 17) while keeping what
// others rely on: the user row stays, nameless, so enrolments, attendance,
// attempts and certificates keep counting; the audit trail keeps every event.
type Eraser struct {
	EraserOptions
	db  *store.DB
	log *slog.Logger
	Now func() time.Time
}

// NewEraser returns the eraser over db.
func NewEraser(db *store.DB, log *slog.Logger, opts EraserOptions) *Eraser {
	if opts.Names == "" {
		opts.Names = ErasePrintedName
	}
	return &Eraser{EraserOptions: opts, db: db, log: log, Now: func() time.Time { return time.Now().UTC() }}
}

// Erased is the answer to an erasure (POST /api/v1/users/{id}/erase).
type Erased struct {
	UserID   int64     `json:"user_id"`
	ErasedAt time.Time `json:"erased_at"`
	// CertificateNames is the rule applied to their certificates: "keep"
	// (the printed name stays for verification) or "erase".
	CertificateNames NameRule `json:"certificate_names"`
}

// Preview is what the confirmation page shows before an erasure.
type Preview struct {
	User             *auth.User
	Certificates     int64
	CertificateNames NameRule
}

// authorize lets admins erase; a user the actor cannot see is not found, one
// they can see (a coordinator's officer) is forbidden to erase.
func (e *Eraser) authorize(ctx context.Context, a *auth.Actor, userID int64) (*auth.User, error) {
	u, err := e.Users.User(ctx, a, userID)
	if err != nil {
		return nil, err
	}
	if err := auth.Authorize(a, auth.ActUserErase); err != nil {
		if apperr.Is(err, apperr.CodeForbidden) {
			return nil, apperr.Forbidden("err.user.erase_forbidden")
		}
		return nil, err
	}
	return u, nil
}

// Preview returns what the confirmation page shows; an erased user is a 409.
func (e *Eraser) Preview(ctx context.Context, a *auth.Actor, userID int64) (*Preview, error) {
	u, err := e.authorize(ctx, a, userID)
	if err != nil {
		return nil, err
	}
	certs, err := e.db.Read(ctx).Certificates(store.CertificateFilter{UserID: &userID})
	if err != nil {
		return nil, err
	}
	return &Preview{User: u, Certificates: int64(len(certs)), CertificateNames: e.Names}, nil
}

// Erase erases one user's personal data, with a reason (recorded; the audit
// event holds the user's id and the reason, never their name or address).
// Admins cannot erase themselves nor the last admin; erasing an erased user
// is a conflict.
func (e *Eraser) Erase(ctx context.Context, a *auth.Actor, userID int64, reason string) (*Erased, error) {
	if _, err := e.authorize(ctx, a, userID); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return nil, apperr.Invalid("reason", "err.user.erase_reason")
	}
	if userID == a.UserID {
		return nil, apperr.Conflict("err.user.erase_self")
	}
	now := e.Now()
	err := e.db.Tx(ctx, func(q store.Q) error {
		u, err := q.UserForUpdate(userID)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFound("user")
		} else if err != nil {
			return err
		}
		if u.ErasedAt != nil {
			return apperr.Conflict("err.user.erased")
		}
		if u.Role == string(auth.RoleAdmin) {
			n, err := q.CountActiveAdmins()
			if err != nil {
				return err
			}
			if n <= 1 {
				return apperr.Conflict("err.user.erase_last_admin")
			}
		}
		strs, whole := personalStrings(u), identifyingStrings(u)
		actorID, uid := a.UserID, u.ID
		after, err := json.Marshal(map[string]any{"user_id": u.ID, "reason": scrub(strs, reason), "certificate_names": e.Names})
		if err != nil {
			return err
		}
		return q.EraseUser(store.Erasure{UserID: u.ID, Email: ErasedEmail(u.ID), At: now,
			KeepPrintedName: e.Names == KeepPrintedName, HolderMarker: ErasedMarker,
			Needles: needles(whole), Scrub: func(text string) string { return forgetClient(scrub(strs, text)) },
			ScrubOthers: func(text string) string { return scrub(whole, text) },
			Audit:       &store.AuditEvent{At: now, ActorID: &actorID, Action: "user.erased", UserID: &uid, After: string(after)}})
	})
	if err != nil {
		return nil, fmt.Errorf("erase user %d: %w", userID, err)
	}
	e.Users.ForgetUser(userID)
	// The erased rows are zeroed in the database file (secure_delete), but
	// their old pages stay in the write-ahead log until a checkpoint: the
	// erasure is not done while a copy of the log still holds them. A busy
	// server may keep the checkpoint from truncating the log; the next
	// erasure, or SQLite's own checkpoints, finish it, so this is logged, not
	// returned: the erasure itself has committed.
	if err := e.db.ForgetFreedSpace(ctx); err != nil {
		e.log.Error("erasure committed, write-ahead log not truncated", "user_id", userID, "err", err)
	}
	e.log.Info("user erased", "user_id", userID, "by", a.UserID, "certificate_names", e.Names)
	return &Erased{UserID: userID, ErasedAt: now, CertificateNames: e.Names}, nil
}

// personalStrings is what identifies the user in text: their names and
// address, longest first (so a full name goes before its parts).
func personalStrings(u *store.User) []string {
	var out []string
	for _, s := range []string{u.Name, u.GivenName, u.FamilyName, u.LatinName, u.Email} {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// identifyingStrings are the strings that name the user on their own: the
// full name, the Latin name and the address. A given or family name alone
// ("Paul", "Martin") is someone else's too, so it is taken out only of rows
// about the user (their answers, audit events whose subject they are), never
// out of other people's records.
func identifyingStrings(u *store.User) []string {
	var out []string
	for _, s := range []string{u.Name, u.LatinName, u.Email} {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// needles are the forms the strings may be stored in: as typed, JSON-escaped
// (json.Marshal escapes <, > and &), HTML-escaped (an e-mail's HTML part).
func needles(strs []string) []string {
	var out []string
	for _, s := range strs {
		j, _ := json.Marshal(s)
		for _, v := range []string{s, string(j[1 : len(j)-1]), html.EscapeString(s)} {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// scrub returns text with every occurrence of the strings, in any case, as a
// whole word (a short given name is not cut out of a longer word), replaced
// by ErasedMarker. JSON text (audit values, answers) is scrubbed value by
// value, so it stays JSON; anything else (e-mail bodies) as text, in its
// plain and HTML-escaped forms.
func scrub(strs []string, text string) string {
	if len(strs) == 0 || text == "" {
		return text
	}
	if t := strings.TrimSpace(text); (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
		if out, ok := scrubJSON(strs, t); ok {
			return out
		}
	}
	var forms []string
	for _, s := range strs {
		forms = append(forms, s)
		if h := html.EscapeString(s); h != s {
			forms = append(forms, h)
		}
	}
	return scrubText(forms, text)
}

func scrubJSON(strs []string, text string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	changed := false
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case string:
			if s := scrubText(strs, t); s != t {
				changed = true
				return s
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		}
		return x
	}
	v = walk(v)
	if !changed {
		return text, true
	}
	out, err := encodeJSON(v)
	return out, err == nil
}

// encodeJSON writes v back as compact JSON, leaving <, > and & as they were
// typed (json.Marshal would escape them, changing text nobody erased).
func encodeJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// forgetClient blanks the client address that sign-in events about the
// person recorded ({"client": "203.0.113.7"}): it is login history, which
// erasure removes, though the event itself stays in the trail. Used only on
// rows about the erased person: an event about someone else keeps theirs.
func forgetClient(text string) string {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") || !strings.Contains(t, `"client"`) {
		return text
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return text
	}
	if c, ok := v["client"]; !ok || c == "" {
		return text
	}
	v["client"] = ErasedMarker
	out, err := encodeJSON(v)
	if err != nil {
		return text
	}
	return out
}

// scrubText replaces whole-word, case-insensitive occurrences of forms.
func scrubText(forms []string, text string) string {
	alts := make([]string, 0, len(forms))
	for _, f := range forms {
		alts = append(alts, regexp.QuoteMeta(f))
	}
	re := regexp.MustCompile(`(?i)(^|[^\pL\pN])(` + strings.Join(alts, "|") + `)([^\pL\pN]|$)`)
	// A match consumes the character after it, so "Ann Ann" needs a second
	// pass for the second; each pass removes at least one occurrence.
	for range 8 {
		next := re.ReplaceAllString(text, "${1}"+ErasedMarker+"${3}")
		if next == text {
			break
		}
		text = next
	}
	return text
}
