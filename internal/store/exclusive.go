package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Names of work that one process at a time does for all of them (Exclusively).
const (
	// LockAttemptSweep: finalising overdue attempts, and the item-score
	// backfill at start (attempt.Service.Sweep).
	LockAttemptSweep = "attempt-sweep"
)

// Exclusively runs fn unless another process sharing the database is running
// work of the same name; it reports whether fn ran. On PostgreSQL the claim
// is a transaction-scoped advisory lock, held by a transaction left open
// beside fn (fn's own queries use other connections) and released when it
// ends — or when the connection does, if this process dies. Advisory locks
// are per database, so the key is the name within the current schema: two
// installations on one database in schemas of their own do not exclude each
// other. With SQLite (one process per file) fn just runs.
//
// It is for periodic work that is safe to skip this time because another
// process is doing it; fn must still be safe to run twice (a lost lock, a
// long pause), as the claim only saves the doubled effort.
func (db *DB) Exclusively(ctx context.Context, name string, fn func() error) (ran bool, err error) {
	if db.Dialect != "postgres" {
		return true, fn()
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var got bool
		if err := tx.Raw("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || ':' || ?))", name).Scan(&got).Error; err != nil {
			return fmt.Errorf("claim %s: %w", name, err)
		}
		if !got {
			return nil
		}
		ran = true
		return fn()
	})
	return ran, err
}
