package store

import (
	"context"
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
