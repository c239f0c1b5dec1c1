package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// The functions in this file work on a SQLite file without store.Open: they
// never migrate, so a backup taken with a newer binary cannot change the schema
// under the server that is running, and a restore checks a file as it is.

// openRaw opens one connection to a SQLite file with the given extra DSN
// parameters and no migrations. The file must exist.
func openRaw(path string, params url.Values) (*gorm.DB, func(), error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite path %s: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, nil, fmt.Errorf("sqlite database: %w", err)
	}
	g, err := gorm.Open(sqlite.Open("file:"+abs+"?"+params.Encode()), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	sqlDB.SetMaxOpenConns(1)
	return g, func() { sqlDB.Close() }, nil
}

// SnapshotSQLite writes a consistent copy of the SQLite database at src into the
// new file dest with VACUUM INTO, while a server keeps reading and writing src:
// the copy is one read transaction, which in WAL mode blocks no writer. The
// connection is read-only, so src is never changed. dest is an ordinary
// (rollback-journal) database, compacted, holding every transaction committed
// before the copy began.
func SnapshotSQLite(ctx context.Context, src, dest string) error {
	params := url.Values{}
	params.Set("mode", "ro")
	params.Set("_busy_timeout", "10000")
	g, closeDB, err := openRaw(src, params)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := g.WithContext(ctx).Exec("VACUUM INTO ?", dest).Error; err != nil {
		return fmt.Errorf("copy %s with VACUUM INTO: %w", src, err)
	}
	return nil
}

// CheckSQLite runs PRAGMA integrity_check on a database file and returns the
// id of the last migration it records.
func CheckSQLite(ctx context.Context, path string) (schema string, err error) {
	params := url.Values{}
	params.Set("mode", "ro")
	g, closeDB, err := openRaw(path, params)
	if err != nil {
		return "", err
	}
	defer closeDB()
	var results []string
	if err := g.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&results).Error; err != nil {
		return "", fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if len(results) != 1 || results[0] != "ok" {
		return "", fmt.Errorf("integrity check of %s failed: %v", path, results)
	}
	if err := g.WithContext(ctx).Raw("SELECT id FROM migrations ORDER BY id DESC LIMIT 1").Scan(&schema).Error; err != nil {
		return "", fmt.Errorf("read schema version of %s: %w", path, err)
	}
	if schema == "" {
		return "", fmt.Errorf("%s holds no Lectern migrations", path)
	}
	return schema, nil
}

// ErrInUse is returned by CheckNotInUse when another connection has the
// database open.
var ErrInUse = errors.New("the database is open in another process")

// CheckNotInUse tells whether another process (a running server) has the
// SQLite database at path open. In WAL mode every open connection holds a
// shared lock on the file, so taking an exclusive lock without waiting fails
// while one is open. It is a probe, not a lock: a server may start right after.
func CheckNotInUse(ctx context.Context, path string) error {
	params := url.Values{}
	params.Set("_busy_timeout", "0")
	params.Set("_locking_mode", "EXCLUSIVE")
	g, closeDB, err := openRaw(path, params)
	if err != nil {
		return inUse(path, err)
	}
	defer closeDB()
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("probe %s: %w", path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		return inUse(path, err)
	}
	var n int
	err = conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n)
	conn.ExecContext(ctx, "ROLLBACK")
	if err != nil {
		return inUse(path, err)
	}
	return nil
}

// inUse tells "busy" (another connection holds a lock) from other failures.
func inUse(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
		return fmt.Errorf("%s: %w", path, ErrInUse)
	}
	return fmt.Errorf("probe %s: %w", path, err)
}

// KnownSchema reports whether id is one of this build's migrations: a backup
// whose schema is unknown was made by a newer Lectern.
func KnownSchema(id string) bool {
	for _, m := range migrations {
		if m.ID == id {
			return true
		}
	}
	return false
}

// LatestSchema is the id of this build's newest migration.
func LatestSchema() string { return migrations[len(migrations)-1].ID }

// TOTPSecretsSQLite reads the stored TOTP secrets (user id → stored value) of a
// SQLite file without migrating it, so a backup or restore can check that they
// open with the secrets key that goes with the database. A schema from before
// second factors has none.
func TOTPSecretsSQLite(ctx context.Context, path string) (map[int64]string, error) {
	params := url.Values{}
	params.Set("mode", "ro")
	g, closeDB, err := openRaw(path, params)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	out := map[int64]string{}
	if !g.Migrator().HasColumn("users", "totp_secret") {
		return out, nil
	}
	var rows []struct {
		ID         int64
		TOTPSecret string `gorm:"column:totp_secret"`
	}
	if err := g.WithContext(ctx).Raw("SELECT id, totp_secret FROM users WHERE totp_secret <> ''").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read second-factor secrets of %s: %w", path, err)
	}
	for _, r := range rows {
		out[r.ID] = r.TOTPSecret
	}
	return out, nil
}
