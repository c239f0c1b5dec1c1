// Package web is Lectern's HTTP layer: the echo server, its routes, handlers,
// middleware and page rendering. It calls the domain packages and owns nothing
// but the translation between HTTP and them.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/report"
	"github.com/lectern-platform/lectern/internal/schedule"
)

// Config is what the HTTP layer alone needs to know about its deployment. The
// keys, programme, idle timeout, metrics and SMTP server are the App's
// (app.Options), read from it in New, so the pages and the services cannot
// disagree about them.
type Config struct {
	BaseURL string // public URL, e.g. https://lectern.example.org
	Version string
	// TrustedProxies are the peers whose X-Forwarded-For is believed; without
	// them the client address is the TCP peer's.
	TrustedProxies []*net.IPNet
	// MetricsToken, when set and the App counts metrics, serves GET /metrics
	// on this server to a bearer of this token; empty: /metrics is 404 here.
	MetricsToken string
	// Demo, when set, is demo mode: a banner on every page and the demo
	// accounts on the sign-in page.
	Demo *Demo
}

// Server is the HTTP application: one struct holding every dependency.
type Server struct {
	cfg Config
	// opts are the settings the App was built with: its signing key (published),
	// secrets key (the CSRF key derives from it), programme, idle timeout (for
	// the pages' idle.js), metrics and SMTP server (named on the outbox page).
	opts     app.Options
	app      *app.App
	accounts *auth.Service
	schedule *schedule.Service
	attempts *attempt.Service
	certs    *certify.Service
	library  *course.Library
	catalog  *i18n.Catalog
	mailer   *mail.Mailer
	outbox   *mail.Outbox
	reports  *report.Service
	log      *slog.Logger
	views    *views
	echo     *echo.Echo
	csrfProt *csrfProtection
	// routeSet and metricsHandler serve the metrics (metrics.go).
	routeSet       map[routeKey]struct{}
	metricsHandler http.Handler
	// checks bounds the presented credentials checked at once, and
	// checkWait how long one waits for its turn (credentials.go).
	checks    chan struct{}
	checkWait time.Duration
}

// New builds the server over the application's services and registers every
// route. It builds no service itself: a (internal/app) is the one place they are
// made and connected.
func New(cfg Config, a *app.App) (*Server, error) {
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, opts: a.Options(), app: a, accounts: a.Accounts, schedule: a.Schedule, attempts: a.Attempts, certs: a.Certs,
		library: a.Library, catalog: a.Catalog, mailer: a.Mailer, outbox: a.Outbox, reports: a.Reports, log: a.Log, views: v, echo: echo.New(),
		checks: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)), checkWait: 5 * time.Second}
	if s.csrfProt, err = newCSRFProtection(s.opts.Secrets, cfg.BaseURL); err != nil {
		return nil, err
	}
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	if err := s.useMetrics(); err != nil {
		return nil, err
	}
	s.routes()
	s.indexRoutes()
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.echo }

// HTTPServer returns an http.Server with timeouts suited to phones on venue Wi-Fi:
// slow clients are tolerated, stuck ones are not.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "courses": "ok"}
	status := http.StatusOK
	if err := s.app.Ping(ctx); err != nil {
		// The probe is public: the database's own words (its address, its
		// user) are for the operator's log only.
		s.log.Error("readiness: database unreachable", "err", err)
		checks["database"] = "unavailable"
		status = http.StatusServiceUnavailable
	}
	if !s.library.Loaded() {
		checks["courses"] = "not loaded"
		status = http.StatusServiceUnavailable
	}
	return c.JSON(status, checks)
}

// signingKey publishes the certificate signing key, so that anyone can check a
// certificate offline (`lectern verify --url`).
func (s *Server) signingKey(c echo.Context) error {
	if s.opts.Signer == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	pemBytes, err := s.opts.Signer.PublicKeyPEM()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSON(http.StatusOK, map[string]string{"key_id": s.opts.Signer.KeyID, "algorithm": "Ed25519", "public_key_pem": string(pemBytes)})
}
