package store

import (
	"database/sql"
	"fmt"
)

// Pools returns the connection pools by name, for their statistics: "write" and
// "read" with SQLite; with PostgreSQL, where both are one pool, only "write".
func (db *DB) Pools() (map[string]*sql.DB, error) {
	w, err := db.W.DB()
	if err != nil {
		return nil, fmt.Errorf("write pool: %w", err)
	}
	pools := map[string]*sql.DB{"write": w}
	if db.R != db.W {
		r, err := db.R.DB()
		if err != nil {
			return nil, fmt.Errorf("read pool: %w", err)
		}
		pools["read"] = r
	}
	return pools, nil
}
