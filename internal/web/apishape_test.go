package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// TestAPIShapes_AccountsAndAudit pins the JSON keys of a user, an agency and an
// audit event as docs/api.md and clients know them: the API answers with domain
// types, not storage rows, and a field added to or dropped from either must not
// change what clients read (nor let a secret such as a password hash, a TOTP
// secret or a calendar token out).
func TestAPIShapes_AccountsAndAudit(t *testing.T) {
	ts := startServer(t, courses.FS)
	ctx := context.Background()
	ag := ts.agency(t, "Garda Síochána", "IE")
	admin := ts.token(t, ts.user(t, auth.RoleAdmin, nil, "Admin"))
	officer := ts.user(t, auth.RoleOfficer, &ag.ID, "Seán Ó Briain")

	userKeys := []string{"id", "email", "name", "role", "agency_id", "language_chosen", "created_at"}
	keys := func(t *testing.T, what, body string) [][]string {
		t.Helper()
		var one map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &one); err == nil {
			return [][]string{slices.Sorted(maps.Keys(one))}
		}
		var many []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &many); err != nil {
			t.Fatalf("%s: %v in %s", what, err, body)
		}
		var out [][]string
		for _, m := range many {
			out = append(out, slices.Sorted(maps.Keys(m)))
		}
		return out
	}
	get := func(t *testing.T, token, path string) string {
		t.Helper()
		res, body := ts.api(t, token, http.MethodGet, path, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
		}
		return body
	}
	want := func(t *testing.T, what string, got [][]string, keys ...string) {
		t.Helper()
		slices.Sort(keys)
		if len(got) == 0 {
			t.Fatalf("%s: nothing to check", what)
		}
		for _, g := range got {
			if !slices.Equal(g, keys) {
				t.Errorf("%s keys = %v, want %v", what, g, keys)
			}
		}
	}

	t.Run("User", func(t *testing.T) {
		res, body := ts.api(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"email": officer.Email, "password": officer.Password})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("login: %d %s", res.StatusCode, body)
		}
		var login struct {
			Token string
			User  json.RawMessage
		}
		if err := json.Unmarshal([]byte(body), &login); err != nil {
			t.Fatal(err)
		}
		want(t, "login", keys(t, "login", body), "token", "user")
		want(t, "login user", keys(t, "login user", string(login.User)), userKeys...)
		me := get(t, login.Token, "/api/v1/me")
		want(t, "me", keys(t, "me", me), userKeys...)
		var u struct{ ID int64 }
		if err := json.Unmarshal([]byte(me), &u); err != nil {
			t.Fatal(err)
		}
		want(t, "users", keys(t, "users", get(t, admin, fmt.Sprintf("/api/v1/users?agency_id=%d", ag.ID))), userKeys...)

		// Every optional field set: the same keys a stored user had, secrets left out.
		res, body = ts.api(t, admin, http.MethodPost, "/api/v1/users", map[string]any{"email": "ana@test.example", "name": "Ana María García",
			"given_name": "Ana María", "family_name": "García", "latin_name": "Ana Maria Garcia", "role": "trainer", "password": testPassword})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create user: %d %s", res.StatusCode, body)
		}
		full := append(slices.Clone(userKeys), "given_name", "family_name", "latin_name")
		want(t, "created user", keys(t, "created user", body), full...)
		var created struct{ ID int64 }
		if err := json.Unmarshal([]byte(body), &created); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		if err := ts.DB.W.Exec("UPDATE users SET totp_secret = ?, totp_enabled_at = ?, totp_last_step = 7, privacy_accepted_at = ?, calendar_token = ? WHERE id = ?",
			"sealed-secret", now, now, "calendar-token", created.ID).Error; err != nil {
			t.Fatal(err)
		}
		body = get(t, admin, fmt.Sprintf("/api/v1/users/%d", created.ID))
		want(t, "user with a second factor", keys(t, "user", body), append(full, "totp_enabled_at", "privacy_accepted_at")...)
		for _, secret := range []string{"sealed-secret", "calendar-token", "argon2id"} {
			if strings.Contains(body, secret) {
				t.Errorf("user JSON holds %q: %s", secret, body)
			}
		}
	})

	t.Run("Agency", func(t *testing.T) {
		want(t, "agency", keys(t, "agency", get(t, admin, fmt.Sprintf("/api/v1/agencies/%d", ag.ID))), "id", "name", "country", "created_at")
		want(t, "agencies", keys(t, "agencies", get(t, admin, "/api/v1/agencies")), "id", "name", "country", "created_at")
	})

	t.Run("AuditEvent", func(t *testing.T) {
		actor, session, user := int64(1), int64(99), int64(2)
		if err := ts.DB.Tx(ctx, func(q store.Q) error {
			return q.Audit(&store.AuditEvent{At: time.Now().UTC(), ActorID: &actor, Action: "test.full", SessionID: &session, UserID: &user,
				Before: `{"a":1}`, After: `{"a":2}`})
		}); err != nil {
			t.Fatal(err)
		}
		if err := ts.DB.Tx(ctx, func(q store.Q) error {
			return q.Audit(&store.AuditEvent{At: time.Now().UTC(), Action: "test.bare"})
		}); err != nil {
			t.Fatal(err)
		}
		got := keys(t, "audit", get(t, admin, "/api/v1/audit?limit=2"))
		if len(got) != 2 {
			t.Fatalf("audit: %d events, want the 2 written", len(got))
		}
		want(t, "bare audit event", got[:1], "id", "at", "actor_id", "action")
		want(t, "full audit event", got[1:], "id", "at", "actor_id", "action", "session_id", "user_id", "before", "after")
	})
}
