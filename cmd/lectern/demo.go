package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/demo"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/web"
)

// checkDemo runs before the first admin is created. A database in use is
// refused, and the server does not start: whoever asked for the demo would find
// neither its data nor its logins. An empty one gives its first admin the demo
// password, unless LECTERN_ADMIN_PASSWORD names one, so the admin is in the table.
func checkDemo(ctx context.Context, cfg *Config, db *store.DB) (demo.State, error) {
	st, err := demo.Check(ctx, db)
	if err != nil {
		return st, err
	}
	switch st {
	case demo.InUse:
		where := "the PostgreSQL database"
		if db.Path != "" {
			where = db.Path
		}
		return st, fmt.Errorf("--demo: %s already holds users, agencies or sessions, and the demo is seeded only into an empty database; "+
			"start with a new data directory (e.g. --data ./lectern-demo), or without --demo", where)
	case demo.Blank:
		if cfg.AdminPassword == "" {
			cfg.AdminPassword = demo.AdminPassword
		}
	}
	return st, nil
}

// startDemo seeds the demo (or finds the one of an earlier start), prints its
// logins, and returns what the web layer shows in demo mode.
func startDemo(ctx context.Context, cfg Config, st demo.State, db *store.DB, a *app.App, log *slog.Logger, stdout io.Writer) (*web.Demo, error) {
	var logins []demo.Login
	if st == demo.Seeded {
		var err error
		if logins, err = demo.Logins(ctx, db); err != nil {
			return nil, err
		}
		log.Info("demo mode: the demo of an earlier start", "accounts", len(logins))
		demo.WriteAgain(stdout, logins, cfg.BaseURL)
	} else {
		seeder := &demo.Seeder{App: a, DB: db}
		res, err := seeder.Seed(ctx)
		if err != nil {
			return nil, fmt.Errorf("seed the demo: %w (if it was partly seeded, start again with a new data directory)", err)
		}
		log.Info("demo seeded", "accounts", len(res.Logins), "today_session", res.Today.ID, "past_session", res.Past.ID,
			"attempts", res.Attempts, "certificates", res.Certificates)
		demo.WriteSummary(stdout, res, cfg.BaseURL)
		logins = res.Logins
	}
	out := &web.Demo{}
	for _, l := range logins {
		out.Logins = append(out.Logins, web.DemoLogin{Role: l.Role, Name: l.Name, Agency: l.Agency, Email: l.Email, Password: l.Password})
	}
	return out, nil
}
