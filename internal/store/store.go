// Package store owns the database: opening SQLite or PostgreSQL through GORM, the
// versioned migrations, and the models and queries of every entity. It is the only
// package that imports GORM.
//
// Files follow table families: each model sits with its queries (sessions.go,
// enrollments.go, users.go, …); tx.go holds the transaction API; migrate*.go the
// migrations.
//
// Queries live on one of two surfaces, never both:
//
//   - Q (no context: the handle carries it) for a step of a unit of work. A
//     query goes on Q when any caller needs it inside db.Tx: a write that must
//     commit with others (and its audit event), or a read whose answer decides
//     a write (a capacity check, a lock). Reads that belong together run on
//     db.Read(ctx). A transaction uses only its Q: a *DB write inside one
//     waits forever for SQLite's one writer connection, and any *DB call there
//     takes a second connection of a PostgreSQL pool while holding one (a
//     burst of such transactions empties the pool and waits on itself).
//   - *DB (takes a context) for an operation complete by itself, never part of
//     a caller's transaction: a read nobody needs in one (sign-in lookups,
//     listings, the outbox sender's polls), or a write that is a unit of work
//     alone. A *DB write of several statements opens its own transaction.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB holds the database handles. With SQLite, writes go through a single connection
// (SQLite allows one writer; queuing in Go beats "database is locked" retries) and
// reads through a pool; with PostgreSQL both are the same pool.
type DB struct {
	W       *gorm.DB
	R       *gorm.DB
	Dialect string // "sqlite" or "postgres"
	Path    string // SQLite file, empty for PostgreSQL

	dsn  string       // PostgreSQL: what Listen connects to
	log  *slog.Logger // Listen's reconnects
	wait writerWait   // ObserveWriterWait's observer
	// schemaTag ends every notification channel's name on PostgreSQL (see
	// channel): notifications are per database, installations per schema.
	schemaTag string
}

// Open connects to dsn: a postgres:// URL, or else a SQLite file path (created if
// missing). Migrations run before it returns.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*DB, error) {
	var db *DB
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		// No GORM statement cache: pgx keeps its own per connection, and GORM's
		// deadlocks once transactions hold every connection of the pool (see
		// gormConfig).
		g, err := gorm.Open(postgres.Open(dsn), gormConfig(false))
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB.SetMaxOpenConns(4 * runtime.NumCPU())
		sqlDB.SetMaxIdleConns(4 * runtime.NumCPU())
		db = &DB{W: g, R: g, Dialect: "postgres", dsn: dsn}
	} else {
		var err error
		if db, err = openSQLite(dsn); err != nil {
			return nil, err
		}
	}
	db.log = log
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.Dialect == "postgres" {
		var schema sql.NullString
		if err := db.W.WithContext(ctx).Raw("SELECT current_schema()").Row().Scan(&schema); err != nil {
			db.Close()
			return nil, fmt.Errorf("current schema: %w", err)
		}
		db.schemaTag = schemaTag(schema.String)
	}
	if err := migrate(db.W); err != nil {
		db.Close()
		return nil, err
	}
	log.Info("database ready", "dialect", db.Dialect, "path", db.Path)
	return db, nil
}

// gormConfig is the GORM configuration of one handle; each gets its own, since
// GORM keeps per-handle state in it. prepare turns on GORM's prepared-statement
// cache, which is safe only where no transaction holds a connection: a
// statement run outside a transaction for the first time is prepared on the
// pool, waiting for a connection, and every other caller of that statement
// waits for it while holding the cache's lock; a transaction that holds the
// pool's last connection and needs a statement of its own then waits for that
// lock, forever (TestTx_ColdBurst). SQLite's reader pool runs no transactions,
// so it keeps the cache; the writer, with its one connection, does without
// (BENCHMARKS.md, "Prepared statements").
func gormConfig(prepare bool) *gorm.Config {
	return &gorm.Config{Logger: logger.Discard, TranslateError: true, PrepareStmt: prepare, SkipDefaultTransaction: true,
		NowFunc: func() time.Time { return time.Now().UTC() }}
}

func openSQLite(file string) (*DB, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("sqlite path %s: %w", file, err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, err
	}
	// The pragmas must be in the DSN to apply to every pooled connection; a bare
	// file name leaves journal_mode=delete and foreign keys off.
	params := url.Values{}
	params.Set("_journal_mode", "WAL")
	params.Set("_busy_timeout", "10000")
	params.Set("_synchronous", "NORMAL")
	params.Set("_foreign_keys", "on")
	params.Set("_txlock", "immediate")
	// Erased and deleted rows are overwritten with zeros, not left in free
	// pages where a copy of the file would still show them (privacy.Eraser;
	// its cost on the autosave benchmark is in BENCHMARKS.md).
	params.Set("_secure_delete", "on")
	w, err := gorm.Open(sqlite.Open("file:"+abs+"?"+params.Encode()), gormConfig(false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	wdb, err := w.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)

	params.Set("_txlock", "deferred")
	params.Set("mode", "ro")
	r, err := gorm.Open(sqlite.Open("file:"+abs+"?"+params.Encode()), gormConfig(true))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s for reading: %w", abs, err)
	}
	rdb, err := r.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s for reading: %w", abs, err)
	}
	rdb.SetMaxOpenConns(2 * runtime.NumCPU())
	return &DB{W: w, R: r, Dialect: "sqlite", Path: abs}, nil
}

// createPrivate creates a missing database file (and its folder) readable by
// the owner only: it holds password hashes and second-factor secrets. SQLite
// would create it 0644, and gives its -wal and -shm files the database file's
// mode, so creating it first makes all three private. An existing file keeps
// the mode its operator chose.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create database folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return f.Close()
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	for _, g := range []*gorm.DB{db.W, db.R} {
		sqlDB, err := g.DB()
		if err != nil {
			return fmt.Errorf("ping database: %w", err)
		}
		if err := sqlDB.PingContext(ctx); err != nil {
			return fmt.Errorf("ping database: %w", err)
		}
	}
	return nil
}

// Close releases every connection.
func (db *DB) Close() error {
	var first error
	for _, g := range []*gorm.DB{db.W, db.R} {
		if sqlDB, err := g.DB(); err == nil {
			if err := sqlDB.Close(); err != nil && first == nil {
				first = err
			}
		}
		if db.R == db.W {
			break
		}
	}
	return first
}
