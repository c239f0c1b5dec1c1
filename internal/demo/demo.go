// Package demo seeds a demonstration of a whole training day into an empty
// database, for `lectern serve --demo`: two agencies, a trainer, a coordinator per
// agency, a dozen officers with names in several scripts, today's session with
// attendance and quiz attempts, and a closed session a week ago with issued
// certificates. Everything goes through the domain services (auth, schedule,
// attempt, certify) with the actor an API call would have, so every record is one
// the application itself could have made; clocks are set back, never rows edited.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/lectern-platform/lectern/internal/store"
)

// Login is one demo account, as printed at start and shown on the sign-in page.
type Login struct {
	Role    string // admin, trainer, coordinator, officer
	Name    string
	Agency  string // empty for admins and trainers
	Country string // the agency's ISO 3166 code
	Email   string
	// Password is empty when the demo does not know it (an admin created before
	// the demo, or from LECTERN_ADMIN_PASSWORD).
	Password string
}

// State is what a database holds, as far as the demo is concerned.
type State int

const (
	// Blank: nothing at all. The first admin, not yet created, may be given
	// the demo admin password.
	Blank State = iota
	// AdminOnly: the first admin and nothing else. The demo may be seeded.
	AdminOnly
	// Seeded: the demo of an earlier start. It is shown again, not re-seeded.
	Seeded
	// InUse: anything else. The demo is never seeded into it.
	InUse
)

func (s State) String() string {
	return [...]string{"blank", "admin only", "seeded", "in use"}[s]
}

// ErrNotEmpty is returned by Seed for a database that holds anything but its
// first admin.
var ErrNotEmpty = errors.New("the database is not empty: the demo is seeded only into a new data directory (or a database with nothing but its first admin)")

// Check tells what db holds: nothing, its first admin only, an earlier demo, or
// real data.
func Check(ctx context.Context, db *store.DB) (State, error) {
	c, err := db.Contents(ctx)
	if err != nil {
		return InUse, fmt.Errorf("demo: %w", err)
	}
	switch {
	case c.Users == 0 && c.Agencies == 0 && c.Sessions == 0:
		return Blank, nil
	case c.Users == 1 && c.Admins == 1 && c.Agencies == 0 && c.Sessions == 0:
		return AdminOnly, nil
	}
	// An earlier demo: every demo account exists and the past session was
	// closed, which is the seeding's last step.
	emails := allEmails()
	users, err := db.Read(ctx).UsersByEmails(emails)
	if err != nil {
		return InUse, fmt.Errorf("demo: %w", err)
	}
	if len(users) != len(emails) {
		return InUse, nil
	}
	closed, err := db.Read(ctx).Sessions(store.SessionFilter{CourseID: CourseID, Status: store.SessionClosed})
	if err != nil {
		return InUse, fmt.Errorf("demo: %w", err)
	}
	if len(closed) == 0 {
		return InUse, nil
	}
	return Seeded, nil
}
