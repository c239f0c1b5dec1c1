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
		Signer: signer, Secrets: secretsKey, Catalog: catalog, Metrics: m, SMTP: cfg.SMTP, Log: log})
}

// webConfig is the web layer's settings: the keys, programme, idle timeout and
// metrics are the App's own, so the pages and the services cannot disagree.
func webConfig(cfg Config, a *app.App) web.Config {
	o := a.Options()
	w := web.Config{BaseURL: cfg.BaseURL, Version: version, TrustedProxies: cfg.TrustedProxies, Signer: o.Signer, Secrets: o.Secrets,
		Programme: o.Programme, IdleTimeout: o.IdleTimeout, Metrics: o.Metrics}
	if o.Metrics != nil {
		w.MetricsToken = cfg.MetricsToken
	}
	if cfg.SMTP != nil {
		w.SMTP = cfg.SMTP.String()
	}
	return w
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
