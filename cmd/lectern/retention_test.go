package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// seedOld writes, into a new data directory, an audit entry and a failed
// sign-in past the default periods (10y, 90d) and one of each inside them.
func seedOld(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "lectern.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	for _, v := range []any{
		&store.AuditEvent{At: now.AddDate(-11, 0, 0), Action: "user.create", After: "{}"},
		&store.AuditEvent{At: now.AddDate(-9, 0, 0), Action: "user.create", After: "{}"},
		&store.LoginFailure{Email: "a@example.org", ClientIP: "10.0.0.1", At: now.AddDate(0, 0, -100)},
		&store.LoginFailure{Email: "a@example.org", ClientIP: "10.0.0.1", At: now.AddDate(0, 0, -1)},
	} {
		if err := db.W.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func countRows(t *testing.T, dir, table string) int64 {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "lectern.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.W.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRetention_DryRunThenApply(t *testing.T) {
	dir := seedOld(t)
	code, out, stderr := runCmd(t, "retention", "--dry-run", "--data", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"(dry run: nothing removed)", "audit ", "login_records ", "1 (login_sessions 0, login_failures 1, checkin_failures 0)", "total: 2 rows would be removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	cutoff := time.Now().UTC().AddDate(-10, 0, 0).Format(time.DateOnly)
	if !strings.Contains(out, "10y") || !strings.Contains(out, cutoff) {
		t.Errorf("dry run output lacks the audit period and cut-off %s:\n%s", cutoff, out)
	}
	if n := countRows(t, dir, "audit_events"); n != 2 {
		t.Errorf("the dry run changed the audit log: %d rows", n)
	}
	if n := countRows(t, dir, "login_failures"); n != 2 {
		t.Errorf("the dry run changed failed sign-ins: %d rows", n)
	}

	code, out, stderr = runCmd(t, "retention", "--data", dir, "--default-policy")
	if code != 0 || !strings.Contains(out, "total: 2 rows removed") {
		t.Fatalf("exit %d, %s\n%s", code, out, stderr)
	}
	if n := countRows(t, dir, "login_failures"); n != 1 {
		t.Errorf("failed sign-ins left: %d, want 1", n)
	}
	if n := countRows(t, dir, "audit_events"); n != 2 { // the recent one and the run's record
		t.Errorf("audit entries left: %d, want 2", n)
	}
	if code, out, _ = runCmd(t, "retention", "--data", dir, "--default-policy"); code != 0 || !strings.Contains(out, "total: 0 rows removed") {
		t.Errorf("second run: exit %d, %s", code, out)
	}

	// A policy keeping the audit log for good: its line says so.
	policy := filepath.Join(t.TempDir(), "privacy.yaml")
	if err := os.WriteFile(policy, []byte("retention:\n  audit: never\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ = runCmd(t, "retention", "--dry-run", "--data", dir, "--privacy", policy); code != 0 || !strings.Contains(out, "audit           never   -") {
		t.Errorf("never: exit %d, %s", code, out)
	}
}

func TestRetention_BadUse(t *testing.T) {
	if code, _, stderr := runCmd(t, "retention", "--dry-run", "--data", filepath.Join(t.TempDir(), "none")); code != 1 || !strings.Contains(stderr, "no data directory") {
		t.Errorf("missing data dir: exit %d, %q", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "privacy.yaml")
	if err := os.WriteFile(bad, []byte("retention:\n  answers: 2 years\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, "retention", "--privacy", bad); code != 2 || !strings.Contains(stderr, bad+":2:") {
		t.Errorf("bad policy: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "retention", "now"); code != 2 || !strings.Contains(stderr, "usage: lectern retention") {
		t.Errorf("extra argument: exit %d, %q", code, stderr)
	}
}

// TestRetention_PolicyInUse: every run says first which policy it applies
// (the file, or the built-in defaults) and its periods; a run that would
// delete with the built-in defaults, no file named, is refused unless
// --default-policy says they are meant (the server may run with a file of its
// own, and deletions cannot be undone): exit 2, nothing removed.
func TestRetention_PolicyInUse(t *testing.T) {
	t.Setenv("LECTERN_PRIVACY_FILE", "")
	dir := seedOld(t)
	code, out, stderr := runCmd(t, "retention", "--data", dir)
	if code != 2 || !strings.Contains(stderr, "--default-policy") || !strings.Contains(stderr, "--privacy") {
		t.Errorf("a run with the built-in defaults, not asked for: exit %d, stdout %q, stderr %q; want exit 2 naming --privacy and --default-policy", code, out, stderr)
	}
	if !strings.Contains(stderr, "policy: built-in defaults") || !strings.Contains(stderr, "audit 10y") {
		t.Errorf("the refusal does not say which policy and periods it would have applied: %q", stderr)
	}
	if n := countRows(t, dir, "audit_events"); n != 2 {
		t.Errorf("the refused run changed the audit log: %d rows", n)
	}
	if n := countRows(t, dir, "login_failures"); n != 2 {
		t.Errorf("the refused run changed failed sign-ins: %d rows", n)
	}

	code, out, stderr = runCmd(t, "retention", "--data", dir, "--dry-run")
	if code != 0 || !strings.HasPrefix(out, "policy: built-in defaults") || !strings.Contains(out, "answers 2y, login_records 90d, sent_emails 30d, audit 10y, expired_tokens 30d") {
		t.Errorf("dry run with the defaults: exit %d, %s%s", code, out, stderr)
	}

	policy := filepath.Join(t.TempDir(), "privacy.yaml")
	if err := os.WriteFile(policy, []byte("retention:\n  audit: never\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LECTERN_PRIVACY_FILE", policy)
	code, out, stderr = runCmd(t, "retention", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "policy: "+policy) || !strings.Contains(out, "audit never") {
		t.Errorf("a run with the file from LECTERN_PRIVACY_FILE: exit %d, %s%s", code, out, stderr)
	}
	if n := countRows(t, dir, "audit_events"); n != 3 { // audit: never; plus the run's record
		t.Errorf("audit entries: %d, want 3", n)
	}
}
