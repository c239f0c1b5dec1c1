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
	if lang, chosen, err := q.UserLanguage(u.ID); err != nil || lang != "" || chosen {
		t.Fatalf("new user's language = %q (chosen %v), %v", lang, chosen, err)
	}
	for _, l := range []string{"ko", "fr"} {
		if err := db.Tx(ctx, func(q Q) error { return q.SetUserLanguage(u.ID, l) }); err != nil {
			t.Fatal(err)
		}
	}
	if lang, chosen, err := q.UserLanguage(u.ID); err != nil || lang != "ko" || chosen {
		t.Errorf("language = %q (chosen %v), %v; want the first one recorded, not chosen", lang, chosen, err)
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
	if got, err := db.User(ctx, u.ID); err != nil || got.Language != "he" || !got.LanguageChosen {
		t.Errorf("language after choosing = %+v, %v; want he, chosen", got, err)
	}
	if err := db.Tx(ctx, func(q Q) error { return q.SetUserLanguage(u.ID, "fr") }); err != nil {
		t.Fatal(err)
	}
	if lang, chosen, err := db.Read(ctx).UserLanguage(u.ID); err != nil || lang != "he" || !chosen {
		t.Errorf("an observation after the choice: %q (chosen %v), %v; want he, chosen", lang, chosen, err)
	}
	if err := db.Tx(ctx, func(q Q) error { return q.ChooseUserLanguage(u.ID+100, "he") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v, want ErrNotFound", err)
	}
}
