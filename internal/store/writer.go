package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// writerWait is the observer of the time each write waited for a connection of
// the write pool (ObserveWriterWait); nil observes nothing.
type writerWait = atomic.Pointer[func(time.Duration)]

// ObserveWriterWait has fn called with the time each write transaction or
// statement waited for a writer connection: SQLite's single one, or a
// connection of PostgreSQL's pool (which reads share). It is the queue in front
// of the writer, the part of a save's latency that grows with the load rather
// than with the statement.
func (db *DB) ObserveWriterWait(fn func(time.Duration)) {
	db.wait.Store(&fn)
}

// write runs fn on a connection of the write pool held for its whole length,
// after waiting for one and reporting the wait. It is gorm's Connection with the
// wait measured: fn's statements and any transaction it begins use that
// connection.
func (db *DB) write(ctx context.Context, fn func(*gorm.DB) error) error {
	pool, err := db.W.DB()
	if err != nil {
		return fmt.Errorf("write pool: %w", err)
	}
	start := time.Now()
	conn, err := pool.Conn(ctx)
	if obs := db.wait.Load(); obs != nil {
		(*obs)(time.Since(start))
	}
	if err != nil {
		return fmt.Errorf("wait for the writer: %w", err)
	}
	defer conn.Close()
	g := db.W.WithContext(ctx)
	g.Statement.ConnPool = conn
	return fn(g)
}
