package store

import (
	"context"
	"fmt"
)

// Contents counts what a database holds. `lectern serve --demo` seeds only a
// database with nothing in it but, at most, its first admin.
type Contents struct {
	Users    int64
	Admins   int64
	Agencies int64
	Sessions int64
}

// Contents counts users, admins, agencies and sessions.
func (db *DB) Contents(ctx context.Context) (Contents, error) {
	var c Contents
	g := db.R.WithContext(ctx)
	if err := g.Model(&User{}).Count(&c.Users).Error; err != nil {
		return c, fmt.Errorf("count users: %w", err)
	}
	if err := g.Model(&User{}).Where("role = ?", "admin").Count(&c.Admins).Error; err != nil {
		return c, fmt.Errorf("count admins: %w", err)
	}
	if err := g.Model(&Agency{}).Count(&c.Agencies).Error; err != nil {
		return c, fmt.Errorf("count agencies: %w", err)
	}
	if err := g.Model(&TrainingSession{}).Count(&c.Sessions).Error; err != nil {
		return c, fmt.Errorf("count sessions: %w", err)
	}
	return c, nil
}
