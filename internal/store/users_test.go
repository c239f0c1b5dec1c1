package store

import (
	"context"
	"errors"
	"testing"
)

func TestUserLanguage_FirstKnownIsKept(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u := &User{Email: "k@example.org", Name: "김민준", Role: "officer"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	q := db.Read(ctx)
	if lang, err := q.UserLanguage(u.ID); err != nil || lang != "" {
		t.Fatalf("new user's language = %q, %v", lang, err)
	}
	for _, l := range []string{"ko", "fr"} {
		if err := db.Tx(ctx, func(q Q) error { return q.SetUserLanguage(u.ID, l) }); err != nil {
			t.Fatal(err)
		}
	}
	if lang, err := q.UserLanguage(u.ID); err != nil || lang != "ko" {
		t.Errorf("language = %q, %v; want the first one recorded", lang, err)
	}
}

func TestUserLanguage_ChosenReplaces(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u := &User{Email: "h@example.org", Name: "נועה כהן", Role: "officer"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(q Q) error { return q.SetUserLanguage(u.ID, "en-US") }); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(q Q) error { return q.ChooseUserLanguage(u.ID, "he") }); err != nil {
		t.Fatal(err)
	}
	if got, err := db.User(ctx, u.ID); err != nil || got.Language != "he" {
		t.Errorf("language after choosing = %+v, %v; want he", got, err)
	}
	if err := db.Tx(ctx, func(q Q) error { return q.ChooseUserLanguage(u.ID+100, "he") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v, want ErrNotFound", err)
	}
}
