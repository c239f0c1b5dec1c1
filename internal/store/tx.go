package store

import (
	"context"

	"gorm.io/gorm"
)

// Q runs queries on one handle: a pool, or a transaction in progress.
type Q struct {
	g         *gorm.DB
	postgres  bool
	schemaTag string // DB.schemaTag, for Q.Notify
}

// Read returns queries on the read pool.
func (db *DB) Read(ctx context.Context) Q {
	return Q{g: db.R.WithContext(ctx), postgres: db.Dialect == "postgres", schemaTag: db.schemaTag}
}

// Tx runs fn in one write transaction. With SQLite it begins IMMEDIATE (one writer
// at a time), so a read-then-write such as a capacity check cannot race.
func (db *DB) Tx(ctx context.Context, fn func(Q) error) error {
	return db.write(ctx, func(g *gorm.DB) error {
		return g.Transaction(func(tx *gorm.DB) error {
			return fn(Q{g: tx, postgres: db.Dialect == "postgres", schemaTag: db.schemaTag})
		})
	})
}
