package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

// loginWithCode signs the test admin in through the API with a second-factor
// code and returns the status.
func loginWithCode(t *testing.T, base, code string) (int, string) {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q,"totp":%q}`, testAdminEmail, testAdminPassword, code)
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

// TestSecondFactor_UpgradeBackupRestore, through the real binary: a database
// whose admin has a plain TOTP secret (as before secrets were sealed) is
// sealed when serve starts and the same authenticator code signs in; lectern
// backup carries the secrets key, lectern restore puts it back, and the code
// still signs in on the restored data directory.
func TestSecondFactor_UpgradeBackupRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv("LECTERN_SIGNING_KEY_FILE", "")
	t.Setenv("LECTERN_DATABASE_URL", "")
	ctx := context.Background()
	bin := buildBinary(t)
	data := t.TempDir()
	dbPath := filepath.Join(data, "lectern.db")
	server, _, _ := startBinary(t, bin, "--data", data)
	stop(t, server)

	// Before the upgrade: the secret stored in plain text, written directly.
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Lectern", AccountName: testAdminEmail})
	if err != nil {
		t.Fatal(err)
	}
	plain := key.Secret()
	db, err := store.Open(ctx, dbPath, newLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := db.UserByEmail(ctx, testAdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := db.SetTOTP(ctx, admin.ID, plain, &now, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	stored := func(path string) string {
		t.Helper()
		all, err := store.TOTPSecretsSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return all[admin.ID]
	}
	code := func(offset time.Duration) string {
		c, err := totp.GenerateCode(plain, now.Add(offset))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	_, base, logs := startBinary(t, bin, "--data", data)
	sealed := stored(dbPath)
	if !secrets.IsSealed(sealed) || strings.Contains(sealed, plain) {
		t.Fatalf("after start the row holds %q", sealed)
	}
	if strings.Contains(logs.String(), plain) || strings.Contains(logs.String(), sealed[3:]) {
		t.Errorf("the secret is in the log")
	}
	if status, body := loginWithCode(t, base, code(-30*time.Second)); status != 200 {
		t.Fatalf("the same authenticator after the upgrade: %d %s", status, body)
	}

	out := filepath.Join(t.TempDir(), "b.tar.gz")
	if code, text := runLectern(t, bin, "backup", out, "--data", data); code != 0 || !strings.Contains(text, "secrets key") {
		t.Fatalf("backup: exit %d, %s", code, text)
	}
	target := filepath.Join(t.TempDir(), "restored")
	if code, text := runLectern(t, bin, "restore", out, "--data", target); code != 0 {
		t.Fatalf("restore: exit %d, %s", code, text)
	}
	want, _ := os.ReadFile(filepath.Join(data, secrets.KeyFileName))
	got, err := os.ReadFile(filepath.Join(target, secrets.KeyFileName))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("restored secrets key: %v, equal %v", err, bytes.Equal(got, want))
	}
	if st, _ := os.Stat(filepath.Join(target, secrets.KeyFileName)); st.Mode().Perm() != 0o600 {
		t.Errorf("restored secrets key mode %v", st.Mode())
	}
	_, restored, _ := startBinary(t, bin, "--data", target)
	if status, body := loginWithCode(t, restored, code(0)); status != 200 {
		t.Errorf("the authenticator on the restored data directory: %d %s", status, body)
	}
}
