package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/metrics"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/web"
)

// serveApp builds the application `lectern serve` runs from its Config: the
// keys of the data directory (created on first start), the courses, the
// messages, and metrics when they are asked for, over the opened database.
func serveApp(ctx context.Context, cfg Config, db *store.DB, log *slog.Logger) (*app.App, error) {
	secretsKey, created, err := secrets.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	log.Info("secrets key", "key_id", secretsKey.ID, "created", created)
	library, err := openLibrary(ctx, cfg, db, log)
	if err != nil {
		return nil, err
	}
	signer, created, err := certify.LoadOrCreateKey(cfg.DataDir, cfg.SigningKeyFile)
	if err != nil {
		return nil, err
	}
	log.Info("certificate signing key", "key_id", signer.KeyID, "created", created)
	catalog, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	var m *metrics.Metrics
	if cfg.MetricsAddr != "" || cfg.MetricsToken != "" {
		m = metrics.New()
	}
	return app.New(db, library, app.Options{BaseURL: cfg.BaseURL, Programme: cfg.Programme, IdleTimeout: cfg.IdleTimeout,
		Signer: signer, Secrets: secretsKey, Catalog: catalog, Metrics: m, SMTP: cfg.SMTP, Privacy: &cfg.Privacy, Log: log})
}

// webConfig is the web layer's own settings; the keys, programme, idle
// timeout, metrics and SMTP server it takes from the App (without the App's
// metrics, the token serves nothing: /metrics is 404).
func webConfig(cfg Config) web.Config {
	return web.Config{BaseURL: cfg.BaseURL, Version: version, TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken}
}

// sealSecrets seals the second-factor secrets stored in plain text before the
// data directory had its secrets key.
func sealSecrets(ctx context.Context, a *app.App, log *slog.Logger) error {
	sealed, _, err := a.Accounts.SealTOTPSecrets(ctx)
	if err != nil {
		return fmt.Errorf("seal second-factor secrets: %w", err)
	}
	if sealed > 0 {
		log.Info("sealed second-factor secrets stored in plain text", "count", sealed)
	}
	return nil
}
