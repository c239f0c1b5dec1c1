package app

import (
	"context"
	"log/slog"
	"testing"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestSharedCourses_Behind: on PostgreSQL a folder read at start is behind
// when its version was stored before and another is current now (A published
// v2, B restarts with v1: B must not roll everyone back to v1); new content,
// the current version, or a course nobody published yet is not. With SQLite
// (one process) a folder is never behind.
func TestSharedCourses_Behind(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range map[string]func(testing.TB) string{"SQLite": testfixture.SQLite, "PostgreSQL": testfixture.PostgresDSN} {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(ctx, dsn(t), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			shared := SharedCourses(db)
			v := func(hash string) *course.Course {
				return &course.Course{ID: "demo", Hash: hash, Sources: map[string][]byte{"demo/01-a.md": []byte(hash)}}
			}
			behind := func(c *course.Course) bool {
				t.Helper()
				b, err := shared.Behind(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			if behind(v("aaaaaaaaaaaaaaaa1")) {
				t.Error("a course nobody published yet is behind")
			}
			for _, h := range []string{"aaaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaa2"} {
				if err := shared.Publish(ctx, v(h)); err != nil {
					t.Fatal(err)
				}
			}
			want := name == "PostgreSQL"
			if got := behind(v("aaaaaaaaaaaaaaaa1")); got != want {
				t.Errorf("v1 stored, v2 current: behind = %v, want %v", got, want)
			}
			if behind(v("aaaaaaaaaaaaaaaa2")) || behind(v("aaaaaaaaaaaaaaaa3")) {
				t.Error("the current version, or new content, is behind")
			}
		})
	}
}
