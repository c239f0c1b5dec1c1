package auth

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
)

// newTestService opens a fresh SQLite file for one test.
func newTestService(t *testing.T) (*Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "lectern.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewService(db, slog.New(slog.DiscardHandler), Options{}), db
}

func TestService_Names(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	agencyA, err := s.CreateAgency(ctx, &Actor{Role: RoleAdmin}, NewAgency{Name: "Agency A", Country: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	agencyB, err := s.CreateAgency(ctx, &Actor{Role: RoleAdmin}, NewAgency{Name: "Agency B", Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	add := func(email, name string, role Role, agency *int64) *User {
		u, err := s.CreateUserAsSystem(ctx, NewUser{Email: email, Name: name, Role: string(role), AgencyID: agency, Password: "a long enough password"})
		if err != nil {
			t.Fatalf("create %s: %v", email, err)
		}
		return u
	}
	trainer := add("trainer@example.org", "Tess Trainer", RoleTrainer, nil)
	coord := add("coord@a.example", "Cora Coordinator", RoleCoordinator, &agencyA.ID)
	officerA := add("officer@a.example", "Zoë Ångström", RoleOfficer, &agencyA.ID)
	officerB := add("officer@b.example", "김민준", RoleOfficer, &agencyB.ID)
	all := []int64{trainer.ID, coord.ID, officerA.ID, officerB.ID, 999999}

	for _, tc := range []struct {
		name  string
		actor *Actor
		want  map[int64]string
	}{
		{"admin names everyone", ActorFor(&User{ID: 0, Role: string(RoleAdmin)}),
			map[int64]string{trainer.ID: "Tess Trainer", coord.ID: "Cora Coordinator", officerA.ID: "Zoë Ångström", officerB.ID: "김민준"}},
		{"trainer names everyone", ActorFor(trainer),
			map[int64]string{trainer.ID: "Tess Trainer", coord.ID: "Cora Coordinator", officerA.ID: "Zoë Ångström", officerB.ID: "김민준"}},
		{"coordinator names staff and own officers", ActorFor(coord),
			map[int64]string{trainer.ID: "Tess Trainer", coord.ID: "Cora Coordinator", officerA.ID: "Zoë Ångström"}},
		{"officer names staff and self", ActorFor(officerA),
			map[int64]string{trainer.ID: "Tess Trainer", officerA.ID: "Zoë Ångström"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Names(ctx, tc.actor, all)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("names = %v, want %v", got, tc.want)
			}
			for id, name := range tc.want {
				if got[id] != name {
					t.Errorf("name of %d = %q, want %q", id, got[id], name)
				}
			}
		})
	}
	t.Run("signed out", func(t *testing.T) {
		if _, err := s.Names(ctx, nil, all); !apperr.Is(err, apperr.CodeUnauthorized) {
			t.Errorf("err = %v, want unauthorized", err)
		}
	})
	t.Run("database error is returned", func(t *testing.T) {
		s, db := newTestService(t)
		db.Close()
		if _, err := s.Names(ctx, ActorFor(trainer), all); err == nil {
			t.Error("a closed database gave names and no error")
		}
	})
}

func TestService_RecordLanguage(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)
	u, err := s.CreateUserAsSystem(ctx, NewUser{Email: "ana@example.org", Name: "Ana", Role: string(RoleAdmin), Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr-CA", "de"} {
		if err := s.RecordLanguage(ctx, u.ID, lang); err != nil {
			t.Fatalf("record %s: %v", lang, err)
		}
	}
	got, chosen, err := db.Read(ctx).UserLanguage(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != "fr-CA" || chosen {
		t.Errorf("language = %q (chosen %v), want the first one recorded, fr-CA, not chosen (a borrowed laptop does not change it)", got, chosen)
	}
}

// TestService_AdoptLanguage: the sign-in page's choice becomes the account's
// over a language only observed, but never over one the user chose; a
// recorded observation never replaces a choice either.
func TestService_AdoptLanguage(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)
	u, err := s.CreateUserAsSystem(ctx, NewUser{Email: "ana@example.org", Name: "Ana", Role: string(RoleAdmin), Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(step, wantLang string, wantChosen bool, wantAudits int) {
		t.Helper()
		got, chosen, err := db.Read(ctx).UserLanguage(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != wantLang || chosen != wantChosen {
			t.Errorf("%s: language %q chosen %v, want %q chosen %v", step, got, chosen, wantLang, wantChosen)
		}
		events, err := db.Read(ctx).AuditEvents(nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range events {
			if e.Action == "user.language" {
				n++
			}
		}
		if n != wantAudits {
			t.Errorf("%s: %d user.language audit events, want %d", step, n, wantAudits)
		}
	}
	if err := s.RecordLanguage(ctx, u.ID, "en-US"); err != nil {
		t.Fatal(err)
	}
	check("observed", "en-US", false, 0)
	if err := s.AdoptLanguage(ctx, u.ID, "ko"); err != nil {
		t.Fatal(err)
	}
	check("adopted over an observation", "ko", true, 1)
	if err := s.AdoptLanguage(ctx, u.ID, "sv"); err != nil {
		t.Fatal(err)
	}
	check("a second cookie does not replace a choice", "ko", true, 1)
	if err := s.SetLanguage(ctx, ActorFor(u), "he"); err != nil {
		t.Fatal(err)
	}
	check("the selector replaces a choice", "he", true, 2)
	if err := s.SetLanguage(ctx, ActorFor(u), "he"); err != nil {
		t.Fatal(err)
	}
	check("the same choice again changes nothing", "he", true, 2)
	if err := s.AdoptLanguage(ctx, u.ID, "not a tag!"); err == nil {
		t.Error("a tag that is none was adopted")
	}
	check("a bad tag changes nothing", "he", true, 2)
}
