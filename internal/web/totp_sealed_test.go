package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/secrets"
)

// totpCode is the authenticator's code at now+offset. Codes are spent one time
// step at a time, each later than the last, so tests walk offsets forward.
func totpCode(t *testing.T, secret string, offset time.Duration) string {
	t.Helper()
	if offset < 0 {
		// The server allows one step of drift, so a code of the previous step
		// is refused once its clock enters the next one. Start clear of a step's
		// last seconds, or a slow request crosses it (a 422 one run in many).
		const period = 30 * time.Second
		if left := period - time.Duration(time.Now().UnixNano())%period; left < 5*time.Second {
			time.Sleep(left + 100*time.Millisecond)
		}
	}
	c, err := totp.GenerateCode(secret, time.Now().Add(offset))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// apiLogin signs in through the API with a second-factor code.
func apiLogin(t *testing.T, ts *testServer, c credentials, code string) (int, string) {
	t.Helper()
	res, body := ts.api(t, "", "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":%q,"totp":%q}`, c.Email, c.Password, code))
	return res.StatusCode, body
}

// storedSecret is what the users table holds for c's second factor.
func (w *world) storedSecret(t *testing.T, c credentials) string {
	t.Helper()
	u, err := w.ts.DB.User(context.Background(), w.idOf(t, c))
	if err != nil {
		t.Fatal(err)
	}
	return u.TOTPSecret
}

func TestSecondFactor_SecretSealed(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testSecretSealed(t, "") })
	t.Run("PostgreSQL", func(t *testing.T) { testSecretSealed(t, postgresDSN(t)) })
}

// testSecretSealed sets up a trainer's second factor through the pages, then
// checks the column never holds the secret, a sealed secret copied to another
// user's row does not work, and a server with another secrets key fails closed.
func testSecretSealed(t *testing.T, dsn string) {
	ctx := context.Background()
	if dsn == "" {
		dsn = filepath.Join(t.TempDir(), "lectern.db")
	}
	ts := startServerOn(t, courses.FS, Config{}, dsn)
	w := newWorldOn(t, ts)
	browser := ts.browser(t, w.trainer)
	secret := startTOTP(t, ts, browser, w.trainer)
	if v := w.storedSecret(t, w.trainer); !secrets.IsSealed(v) || strings.Contains(v, secret) {
		t.Fatalf("pending secret stored as %q", v)
	}
	_, body := activate(t, ts, browser, "/account/security/confirm", url.Values{"code": {totpCode(t, secret, -30*time.Second)}})
	recovery := regexp.MustCompile(`<li>([a-z2-7]{5}-[a-z2-7]{5})</li>`).FindAllStringSubmatch(body, -1)
	if len(recovery) != 10 {
		t.Fatalf("confirm: %d recovery codes", len(recovery))
	}
	sealed := w.storedSecret(t, w.trainer)
	if !secrets.IsSealed(sealed) || strings.Contains(sealed, secret) {
		t.Fatalf("confirmed secret stored as %q", sealed)
	}
	if status, body := apiLogin(t, ts, w.trainer, totpCode(t, secret, 0)); status != 200 {
		t.Fatalf("sign-in with the code: %d %s", status, body)
	}

	t.Run("moved to another user's row", func(t *testing.T) {
		now := time.Now()
		if err := ts.DB.SetTOTP(ctx, w.idOf(t, w.admin), sealed, &now, nil); err != nil {
			t.Fatal(err)
		}
		if status, body := apiLogin(t, ts, w.admin, totpCode(t, secret, 30*time.Second)); status != 401 {
			t.Errorf("the trainer's code signed the admin in with the trainer's sealed secret: %d %s", status, body)
		}
	})

	t.Run("another secrets key", func(t *testing.T) {
		other, _, err := secrets.Generate()
		if err != nil {
			t.Fatal(err)
		}
		wrong := startServerFull(t, courses.FS, Config{}, app.Options{Secrets: other}, dsn, io.Discard)
		status, body := apiLogin(t, wrong, w.trainer, totpCode(t, secret, 30*time.Second))
		if status != 401 || !strings.Contains(body, "cannot be checked") {
			t.Errorf("a right code against another key: %d %s", status, body)
		}
		// Fail closed, with a way out: a recovery code still signs in.
		if status, body := apiLogin(t, wrong, w.trainer, recovery[0][1]); status != 200 {
			t.Errorf("a recovery code against another key: %d %s", status, body)
		}
		// The log names the user, never the secret.
		var logs bytes.Buffer
		accounts := auth.NewService(ts.DB, slog.New(slog.NewTextHandler(&logs, nil)), auth.Options{})
		accounts.Secrets = other
		_, _, err = accounts.Login(ctx, auth.Credentials{Email: w.trainer.Email, Password: w.trainer.Password, TOTP: totpCode(t, secret, 30*time.Second)})
		if err == nil {
			t.Fatal("signed in with another key")
		}
		id := w.idOf(t, w.trainer)
		if !strings.Contains(logs.String(), fmt.Sprintf("user_id=%d", id)) || strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), sealed[3:]) {
			t.Errorf("log: %s", logs.String())
		}
		// The right key still works: nothing was spent or changed.
		if status, body := apiLogin(t, ts, w.trainer, totpCode(t, secret, 30*time.Second)); status != 200 {
			t.Errorf("the right key after the wrong one: %d %s", status, body)
		}
		if v := w.storedSecret(t, w.trainer); v != sealed {
			t.Errorf("the stored secret changed")
		}
	})
}

// TestSecondFactor_PlainSecretsSealedAtStart: a row written before secrets
// were sealed is sealed by the start-up pass (what serve runs), once, and the
// same authenticator app keeps signing in.
func TestSecondFactor_PlainSecretsSealedAtStart(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ts := w.ts
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Lectern", AccountName: w.trainer.Email})
	if err != nil {
		t.Fatal(err)
	}
	plain := key.Secret()
	now := time.Now()
	if err := ts.DB.SetTOTP(ctx, w.idOf(t, w.trainer), plain, &now, nil); err != nil {
		t.Fatal(err)
	}
	sealedSecret := ts.Accounts.SealTOTPSecrets // what serve runs at start
	n, unreadable, err := sealedSecret(ctx)
	if err != nil || n != 1 || len(unreadable) != 0 {
		t.Fatalf("start-up pass: sealed %d, unreadable %v, %v", n, unreadable, err)
	}
	sealed := w.storedSecret(t, w.trainer)
	if !secrets.IsSealed(sealed) || strings.Contains(sealed, plain) {
		t.Fatalf("after the pass the row holds %q", sealed)
	}
	if n, _, err := sealedSecret(ctx); err != nil || n != 0 || w.storedSecret(t, w.trainer) != sealed {
		t.Errorf("second pass: sealed %d, %v, row changed: %v", n, err, w.storedSecret(t, w.trainer) != sealed)
	}
	if status, body := apiLogin(t, ts, w.trainer, totpCode(t, plain, 0)); status != 200 {
		t.Errorf("the same authenticator after the pass: %d %s", status, body)
	}
}
