package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// RateWindow counts one key's requests in one fixed window (package
// ratelimit): the limits that several processes on one database share. Key
// is a digest of the limit's name and the client address, not the address
// itself, and a row lives a window or two (DeleteRateWindowsBefore).
type RateWindow struct {
	Key   string `gorm:"primaryKey"`
	Start int64  `gorm:"primaryKey;autoIncrement:false"` // window start, Unix seconds
	Hits  int
}

// HitRateWindow counts one request of key in the window starting at start and
// returns the window's count with it: one statement, so that processes
// counting at once each see their own increment.
func (db *DB) HitRateWindow(ctx context.Context, key string, start int64) (int, error) {
	var hits int
	err := db.write(ctx, func(g *gorm.DB) error {
		return g.Raw(`INSERT INTO rate_windows (key, start, hits) VALUES (?, ?, 1)
		ON CONFLICT (key, start) DO UPDATE SET hits = rate_windows.hits + 1 RETURNING hits`, key, start).Scan(&hits).Error
	})
	if err != nil {
		return 0, fmt.Errorf("count request in rate window: %w", err)
	}
	return hits, nil
}

// DeleteRateWindowsBefore deletes windows that started before start.
func (db *DB) DeleteRateWindowsBefore(ctx context.Context, start int64) (int64, error) {
	var n int64
	err := db.write(ctx, func(g *gorm.DB) error {
		res := g.Where("start < ?", start).Delete(&RateWindow{})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("delete old rate windows: %w", err)
	}
	return n, nil
}

// Migration "20261208-d1-rate-windows": per-address limits shared by the
// processes on one database; the index serves the cleanup.
func migrateRateWindows(tx *gorm.DB) error {
	type RateWindow struct {
		Key   string `gorm:"primaryKey;size:64"`
		Start int64  `gorm:"primaryKey;autoIncrement:false;index"`
		Hits  int    `gorm:"not null"`
	}
	return tx.AutoMigrate(&RateWindow{})
}

func rollbackRateWindows(tx *gorm.DB) error { return tx.Migrator().DropTable("rate_windows") }

// Migration "20261208-state1-rate-windows-unlogged": on PostgreSQL the windows
// need no crash safety (losing a few seconds' counts lets a client a few more
// requests), so the table is UNLOGGED: its writes skip the WAL and commit
// without waiting for a flush to disk.
func migrateRateWindowsUnlogged(tx *gorm.DB) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.Exec("ALTER TABLE rate_windows SET UNLOGGED").Error
}

func rollbackRateWindowsUnlogged(tx *gorm.DB) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.Exec("ALTER TABLE rate_windows SET LOGGED").Error
}
