// Package testfixture gives domain tests the real thing to run against, the way
// `lectern serve` sets it up: a store on a fresh database (a SQLite file in the
// test's temp dir, or a PostgreSQL schema of the test's own) with the app's
// migrations, and the shipped course library. Tests only import it.
package testfixture

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/store"
)

// SQLite is the path of a fresh SQLite database file in the test's temp dir.
func SQLite(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "lectern.db")
}

// PostgresDSN is a database of the test's own on the PostgreSQL server that
// LECTERN_TEST_POSTGRES_URL names (CI starts one; see .ci/run): a fresh schema,
// dropped at the end, which the DSN's search_path puts every table in. Without
// the variable the test is skipped (failed on CI).
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("LECTERN_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must provide LECTERN_TEST_POSTGRES_URL")
		}
		t.Skip("LECTERN_TEST_POSTGRES_URL not set")
	}
	// database/sql with the pgx driver store's PostgreSQL driver registers: not
	// store.Open, whose migrations of the public schema would race the store
	// package's PostgreSQL tests, run at the same time by go test ./...
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("lectern_test_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens the database dsn names (SQLite or PostgreSQL) with the app's
// migrations run, closed when the test ends.
func Open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// OneConnectionLeft takes every connection of db's writer pool but one and
// holds them until the test ends, so that a transaction has only its own: one
// that also reads through db (a second connection while holding one) waits
// until ctx gives up instead of finishing — on PostgreSQL, where reads and
// writes share the pool, the deadlock a burst of such transactions meets. With
// SQLite the writer has one connection and holds none back; reads have a pool
// of their own there, so the mistake cannot show.
func OneConnectionLeft(t testing.TB, db *store.DB) {
	t.Helper()
	w, err := db.W.DB()
	if err != nil {
		t.Fatal(err)
	}
	for range w.Stats().MaxOpenConnections - 1 {
		c, err := w.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
}

var (
	coursesOnce sync.Once
	library     *course.Library
	coursesErr  error
)

// Courses is the shipped course library (courses/), parsed once per test
// binary and shared: tests only read it. Course versions are not stored in any
// database; a test that needs them loads its own library with OnLoad set.
func Courses(t testing.TB) *course.Library {
	t.Helper()
	coursesOnce.Do(func() {
		library = course.NewLibrary(courses.FS, ".", "courses", slog.New(slog.DiscardHandler))
		coursesErr = library.Reload()
	})
	if coursesErr != nil {
		t.Fatalf("load the shipped courses: %v", coursesErr)
	}
	return library
}
