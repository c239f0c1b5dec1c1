package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "lectern.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openTestPostgres(t *testing.T) *DB {
	t.Helper()
	url := os.Getenv("LECTERN_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must provide LECTERN_TEST_POSTGRES_URL")
		}
		t.Skip("LECTERN_TEST_POSTGRES_URL not set")
	}
	db, err := Open(context.Background(), url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpen_SQLitePragmas(t *testing.T) {
	db := openTest(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1"} {
		var got string
		if err := db.W.Raw("PRAGMA " + pragma).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if err := db.R.Exec("CREATE TABLE nope (x int)").Error; err == nil {
		t.Errorf("the read pool accepted a write")
	}
}

func TestOpen_MigrationsAreVersionedAndIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lectern.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := 0; i < 2; i++ { // a second start must find the schema current
		db, err := Open(context.Background(), path, log)
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.SchemaVersion()
		if err != nil || v != migrations[len(migrations)-1].ID {
			t.Errorf("schema version = %q, %v", v, err)
		}
		db.Close()
	}
}

func TestCourseVersion_SaveAndLoad(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	files := map[string][]byte{"course.md": []byte("---\ntitle: T\n---\n"), "images/a.svg": []byte("<svg/>")}
	hash := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for i := 0; i < 2; i++ { // saving the same version twice is not an error
		if err := db.SaveCourseVersion(ctx, "demo", hash, files); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.CourseVersionFiles(ctx, "demo", hash)
	if err != nil {
		t.Fatal(err)
	}
	if string(got["course.md"]) != string(files["course.md"]) || len(got) != 2 {
		t.Errorf("files = %v", got)
	}
	if _, err := db.CourseVersionFiles(ctx, "demo", "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing version: %v", err)
	}
	if _, err := db.CourseVersionFiles(ctx, "other-course", hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("another course's version: %v", err)
	}
	older := strings.Repeat("f", 64)
	if err := db.SaveCourseVersion(ctx, "demo", older, files); err != nil {
		t.Fatal(err)
	}
	if vs, err := db.CourseVersions(ctx, "demo"); err != nil || len(vs) != 2 {
		t.Errorf("versions of demo: %+v %v", vs, err)
	}
	if vs, err := db.CourseVersions(ctx, "nothing"); err != nil || len(vs) != 0 {
		t.Errorf("versions of a course never seen: %+v %v", vs, err)
	}
}

// TestOpen_PostgreSQL runs the migrations against a real PostgreSQL server when
// LECTERN_TEST_POSTGRES_URL names one (CI starts one; see .ci/run).
func TestOpen_PostgreSQL(t *testing.T) {
	db := openTestPostgres(t)
	ctx := context.Background()
	if db.Dialect != "postgres" {
		t.Errorf("dialect = %s", db.Dialect)
	}
	if v, err := db.SchemaVersion(); err != nil || v != migrations[len(migrations)-1].ID {
		t.Errorf("schema version = %q, %v", v, err)
	}
	hash := fmt.Sprintf("%064x", time.Now().UnixNano())
	if err := db.SaveCourseVersion(ctx, "pg", hash, map[string][]byte{"course.md": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCourseVersion(ctx, "pg", hash, map[string][]byte{"course.md": []byte("x")}); err != nil {
		t.Fatalf("saving a version twice: %v", err)
	}
	if files, err := db.CourseVersionFiles(ctx, "pg", hash); err != nil || string(files["course.md"]) != "x" {
		t.Errorf("files = %v, %v", files, err)
	}
	if vs, err := db.CourseVersions(ctx, "pg"); err != nil || len(vs) == 0 {
		t.Errorf("versions = %v, %v", vs, err)
	}
}

// TestOpen_SQLiteFilesArePrivate: the database holds password hashes and
// second-factor secrets; its file, write-ahead log and shared-memory file are
// the owner's only, and so is a data directory Open creates.
func TestOpen_SQLiteFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "lectern.db")
	db, err := Open(context.Background(), path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateAgency(context.Background(), &Agency{Name: "Private Agency", Country: "SE"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
		st, err := os.Stat(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(name), st.Mode().Perm(), want)
		}
	}
}
