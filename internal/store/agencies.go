package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Agency is a police or government body whose officers attend courses.
type Agency struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	Country   string // ISO 3166-1 alpha-2
	CreatedAt time.Time
}

// CreateAgency inserts a new agency.
func (db *DB) CreateAgency(ctx context.Context, a *Agency) error {
	if err := db.write(ctx, func(g *gorm.DB) error { return g.Create(a).Error }); err != nil {
		return fmt.Errorf("create agency %q: %w", a.Name, translate(err))
	}
	return nil
}

// Agency returns one agency. It is on Q because transactions check the
// agencies they name (a session's, a certificate holder's).
func (q Q) Agency(id int64) (*Agency, error) {
	var a Agency
	if err := q.g.Take(&a, id).Error; err != nil {
		return nil, fmt.Errorf("load agency %d: %w", id, translate(err))
	}
	return &a, nil
}

// Agencies lists agencies by name; only is an optional restriction to one id.
func (db *DB) Agencies(ctx context.Context, only *int64) ([]Agency, error) {
	q := db.R.WithContext(ctx).Order("name, id")
	if only != nil {
		q = q.Where("id = ?", *only)
	}
	var out []Agency
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	return out, nil
}
