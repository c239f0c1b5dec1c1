// Package app is Lectern's composition root: New builds every domain service
// (accounts, scheduling, attempts, certificates, the outbox's mailer and
// sender, the daily jobs' runner) over one store and connects them, each given its collaborators at
// construction. `lectern serve`, its subcommands (user add, certs export), the
// demo seeder and the web layer's tests all take an *App built here, so the
// services they act through are wired one way.
//
// It is a package of its own rather than a file of cmd/lectern because the web
// tests and the demo seeder build the same App and cannot import package main.
// It sits between web and the domain packages: web receives an *App and
// reaches the database only through the services and the methods below (Ping),
// never through the store itself, which App keeps unexported.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/jobs"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/metrics"
	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/ratelimit"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

// Options are the settings and keys the services are built with; cmd/lectern
// fills them from its Config, tests from theirs.
type Options struct {
	// BaseURL is the public address links in e-mails and certificates' QR
	// codes point to.
	BaseURL string
	// Programme names the training programme on certificates; empty: the default.
	Programme string
	// IdleTimeout signs a browser out after this long without activity; 0: never.
	IdleTimeout time.Duration
	// Signer signs certificates; nil: there is no certificate service (Certs
	// is nil), as for a command that issues none.
	Signer *certify.Signer
	// Secrets seals second factors' TOTP secrets; nil: they cannot be set up
	// or checked.
	Secrets *secrets.Key
	// Catalog holds the messages e-mails are written in; nil: no e-mail is
	// written (the services' mail hooks do nothing).
	Catalog *i18n.Catalog
	// Metrics, when set, counts attempts, certificates and e-mails, and
	// watches the database pools.
	Metrics *metrics.Metrics
	// SMTP is the server the outbox is delivered through; nil: e-mails stay
	// queued (Sender.Run says so and returns).
	SMTP *mail.SMTPConfig
	// Privacy is the privacy policy (retention periods, the controller,
	// what an erased holder's certificates keep); nil: privacy.Default().
	Privacy *privacy.Policy
	// Log receives the services' logs; nil: they log nothing.
	Log *slog.Logger
}

// App is the application: every domain service, built once over one store.
type App struct {
	db      *store.DB
	opts    Options
	Library *course.Library
	// Catalog is the messages of pages and e-mails (Options.Catalog).
	Catalog  *i18n.Catalog
	Accounts *auth.Service
	Schedule *schedule.Service
	Attempts *attempt.Service
	// Certs is nil without a signing key (Options.Signer).
	Certs *certify.Service
	// Mailer writes every e-mail into the outbox; nil without a catalogue.
	Mailer *mail.Mailer
	// Outbox reads the queued messages back (the admins' outbox page).
	Outbox *mail.Outbox
	// Sender delivers what Mailer wrote (serve runs it).
	Sender *mail.Sender
	// Jobs runs the daily jobs once a day across processes (serve runs it).
	Jobs *jobs.Runner
	// Reports are the programme reports (admins; coordinators their agency).
	Reports *report.Service
	Metrics *metrics.Metrics
	// Privacy is the policy in force (Options.Privacy, else the defaults).
	Privacy privacy.Policy
	// Retention applies the policy's retention periods (the daily job,
	// `lectern retention`, the admins' retention page).
	Retention *privacy.Retention
	// Exporter writes a person's data export (GET /me/data.zip).
	Exporter *privacy.Exporter
	// Eraser erases a person's data on request, by Privacy's certificate rule.
	Eraser *privacy.Eraser
	// AddressLimits counts the per-address limits of public routes in the
	// database, so that processes sharing a PostgreSQL database share them;
	// nil with SQLite (one process per file: each process counts in memory).
	AddressLimits *ratelimit.Limiter
	Log           *slog.Logger
}

// New builds the application over db and the course library (nil for a
// command that reads no course, such as `user add`).
func New(db *store.DB, library *course.Library, o Options) (*App, error) {
	a := build(db, library, o)
	if o.Metrics != nil {
		db.ObserveWriterWait(o.Metrics.WriterWait)
		pools, err := db.Pools()
		if err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		for name, pool := range pools {
			if err := o.Metrics.WatchDB(name, pool); err != nil {
				return nil, fmt.Errorf("metrics for the %s pool: %w", name, err)
			}
		}
	}
	return a, nil
}

func build(db *store.DB, library *course.Library, o Options) *App {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	a := &App{db: db, opts: o, Library: library, Catalog: o.Catalog, Metrics: o.Metrics, Privacy: privacy.Default(), Log: o.Log}
	if o.Privacy != nil {
		a.Privacy = *o.Privacy
	}
	// The services test their collaborators against nil: a nil pointer in a
	// non-nil interface would be called, so absent ones stay untyped nil.
	var (
		courses        courseSource
		accountsMail   auth.Mailer
		attemptMetrics attempt.Metrics
		certMetrics    certify.Metrics
		senderMetrics  mail.Metrics
	)
	if library != nil {
		courses = library
	}
	if o.Catalog != nil {
		a.Mailer = mail.NewMailer(o.Catalog, o.BaseURL) // every e-mail goes to the outbox; Sender delivers it
		accountsMail = a.Mailer
	}
	if o.Metrics != nil {
		attemptMetrics, certMetrics, senderMetrics = o.Metrics, o.Metrics, o.Metrics
	}
	a.Accounts = auth.NewService(db, o.Log, auth.Options{BaseURL: o.BaseURL, IdleTimeout: o.IdleTimeout, Secrets: o.Secrets, Mailer: accountsMail})
	a.Eraser = privacy.NewEraser(db, o.Log, privacy.EraserOptions{Names: a.Privacy.CertificateNames, Users: a.Accounts})
	a.Schedule = schedule.NewService(db, courses, o.Log, schedule.Options{Invite: a.Accounts.InviteAsSystem, Mail: a.Mailer, Catalog: o.Catalog})
	a.Attempts = attempt.NewService(db, courses, schedule.Access{}, attemptMetrics, o.Log)
	if o.Signer != nil {
		certOpts := certify.Options{BaseURL: o.BaseURL, Programme: o.Programme, Mail: a.Mailer, Metrics: certMetrics, Catalog: o.Catalog}
		if o.Secrets != nil {
			// Every process holds the same secrets key, so a credential's
			// salt is the same whichever process makes it.
			certOpts.SaltKey = o.Secrets.Derive("credential-salt")
		}
		a.Certs = certify.NewService(db, courses, o.Signer, a.Attempts, schedule.Access{}, o.Log, certOpts)
	}
	exportOpts := privacy.ExportOptions{Accounts: a.Accounts, CertificateStatus: certify.Status, Catalog: o.Catalog, Policy: a.Privacy, BaseURL: o.BaseURL, Log: o.Log,
		Attempt: func(ctx context.Context, actor *auth.Actor, id int64) (any, error) {
			v, err := a.Attempts.Get(ctx, actor, id)
			if err != nil {
				return nil, err
			}
			return v, nil
		}}
	if a.Certs != nil {
		exportOpts.Certificates = a.Certs
	}
	a.Exporter = privacy.NewExporter(db, exportOpts)
	a.Outbox = mail.NewOutbox(db)
	a.Retention = privacy.NewRetention(db, a.Privacy, o.Log)
	a.Reports = report.NewService(db, courses)
	a.Sender = mail.NewSender(db, o.SMTP, senderMetrics, o.Log)
	if db.Dialect == "postgres" {
		a.AddressLimits = ratelimit.New(db, ratelimit.AddressLimit, ratelimit.AddressWindow)
		if o.Secrets != nil {
			a.AddressLimits.Pepper = o.Secrets.Derive("rate-windows")
		}
	}
	a.Jobs = jobs.New(db, nil, o.Log)
	a.Jobs.Daily("retention", func(ctx context.Context, _ time.Time) error {
		_, err := a.Retention.Apply(ctx, privacy.RunByJob)
		return err
	})
	if a.Certs != nil {
		a.Jobs.Daily(certify.ReminderJob, a.Certs.SendReminders)
	}
	return a
}

// courseSource is what every service reads of the library; one interface so
// that a nil library is passed to them as a nil interface.
type courseSource interface {
	Course(id string) (*course.Course, bool)
}

// Quiet returns services of their own over the same store and courses that log
// nothing, write no e-mail and count nothing: for the demo seeder, which sets
// their clocks back and speaks for people nobody reads mail for.
func (a *App) Quiet() *App {
	o := a.opts
	o.Log, o.Catalog, o.Metrics, o.SMTP = nil, nil, nil, nil
	return build(a.db, a.Library, o)
}

// Options are the settings and keys the App was built with; the web layer
// reads its signing and secrets keys, programme, idle timeout, metrics and
// SMTP server from here, so it has no copies of its own to disagree.
func (a *App) Options() Options { return a.opts }

// Ping checks that the database answers (GET /readyz).
func (a *App) Ping(ctx context.Context) error { return a.db.Ping(ctx) }
