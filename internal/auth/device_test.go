package auth

import (
	"context"
	"testing"

	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

// A device cookie names the password its browser signed in with, which only
// auth reads: the User that Login returns carries that password's epoch (and
// no hash), and NewDevice refuses any other User rather than seal a cookie
// that would never be accepted.
func TestDevice_FromASignInOnly(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)
	key, _, err := secrets.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Secrets = key
	const password = "a long enough password"
	created, err := s.CreateUserAsSystem(ctx, NewUser{Email: "tess@example.org", Name: "Tess Trainer", Role: string(RoleTrainer), Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.NewDevice(created); err == nil || v != "" {
		t.Errorf("NewDevice for a user not from a sign-in = %q, %v; want an error", v, err)
	}

	_, u, err := s.Login(ctx, Credentials{Email: "Tess@example.org", Password: password, Kind: KindBrowser})
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := s.NewDevice(u)
	if err != nil || cookie == "" {
		t.Fatalf("NewDevice after a sign-in = %q, %v", cookie, err)
	}
	row, err := db.UserByEmail(ctx, "tess@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if s.device(row, cookie) == "" {
		t.Error("the cookie of a fresh sign-in is not accepted")
	}

	hash, err := HashPassword("another long password")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(q store.Q) error { return q.SetPassword(row.ID, hash, nil) }); err != nil {
		t.Fatal(err)
	}
	if row, err = db.UserByEmail(ctx, "tess@example.org"); err != nil {
		t.Fatal(err)
	}
	if s.device(row, cookie) != "" {
		t.Error("the cookie outlived a password change")
	}
}
