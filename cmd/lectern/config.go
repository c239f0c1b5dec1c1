package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/mail"
	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/store"
)

// Config is every setting of `lectern serve`, from flags, else the environment,
// else the defaults. Nothing else reads flags or the environment.
type Config struct {
	Addr        string
	DataDir     string
	CoursesDir  string // empty: the courses embedded in the binary
	DatabaseURL string // empty: SQLite in DataDir
	BaseURL     string
	// TrustedProxies: peers (CIDRs) whose X-Forwarded-For names the client.
	TrustedProxies []*net.IPNet
	AdminEmail     string
	AdminPassword  string
	SigningKeyFile string // empty: signing-key.pem in the data directory
	Programme      string // the training programme printed on certificates
	IdleTimeout    time.Duration
	SMTP           *mail.SMTPConfig // nil: no e-mail is sent; it waits in the outbox
	// MetricsAddr serves GET /metrics on a listener of its own (e.g.
	// 127.0.0.1:9090); MetricsToken serves it on the public port to that bearer
	// token. Both empty: no metrics are kept.
	MetricsAddr  string
	MetricsToken string
	// Privacy is the privacy policy: --privacy FILE, else the defaults.
	Privacy privacy.Policy
	// Demo seeds the demo into an empty database (or shows the one seeded at
	// an earlier start) and turns on the banner and the sign-in page's logins.
	Demo bool
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// envDuration reads a duration ("30m", "2h") from the environment; a bad value
// keeps the default here and is refused after parsing (parseServeConfig).
func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return d
	}
	return def
}

// privacyFlag registers --privacy the same way for serve and retention.
func privacyFlag(fs *flag.FlagSet) *string {
	return fs.String("privacy", os.Getenv("LECTERN_PRIVACY_FILE"), "privacy policy (YAML: controller, retention periods, certificate_names); default: the built-in policy [LECTERN_PRIVACY_FILE]")
}

// loadPrivacy reads the policy file named by --privacy, or the defaults.
func loadPrivacy(path string) (privacy.Policy, error) {
	if path == "" {
		return privacy.Default(), nil
	}
	p, err := privacy.Load(path)
	if err != nil {
		return privacy.Policy{}, fmt.Errorf("--privacy / LECTERN_PRIVACY_FILE: %w", err)
	}
	return p, nil
}

// dataDirFlag registers --data the same way for every subcommand that needs it.
func dataDirFlag(fs *flag.FlagSet) *string {
	return fs.String("data", envOr("LECTERN_DATA", "lectern-data"), "data directory (SQLite database, signing key) [LECTERN_DATA]")
}

func parseServeConfig(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	fs.StringVar(&c.Addr, "addr", envOr("LECTERN_ADDR", ":8080"), "listen address [LECTERN_ADDR]")
	data := dataDirFlag(fs)
	privacyFile := privacyFlag(fs)
	fs.StringVar(&c.CoursesDir, "courses", os.Getenv("LECTERN_COURSES"), "folder of courses to serve and watch; default: the shipped courses [LECTERN_COURSES]")
	fs.StringVar(&c.DatabaseURL, "database", os.Getenv("LECTERN_DATABASE_URL"), "postgres://… URL; default: SQLite in the data directory [LECTERN_DATABASE_URL]")
	fs.StringVar(&c.BaseURL, "base-url", os.Getenv("LECTERN_BASE_URL"), "public URL, used in links and QR codes [LECTERN_BASE_URL]")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", envDuration("LECTERN_IDLE_TIMEOUT", 2*time.Hour), "sign browsers out after this long without activity; 0 never [LECTERN_IDLE_TIMEOUT]")
	fs.StringVar(&c.Programme, "programme", envOr("LECTERN_PROGRAMME", certify.DefaultProgramme), "training programme named on certificates [LECTERN_PROGRAMME]")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", os.Getenv("LECTERN_METRICS_ADDR"), "serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9090, and on a loopback ADDR the Go profiler at /debug/pprof/ too; no token: keep it off the public network; default: off [LECTERN_METRICS_ADDR]")
	demoEnv, demoErr := strconv.ParseBool(envOr("LECTERN_DEMO", "false"))
	fs.BoolVar(&c.Demo, "demo", demoEnv, "seed demo data into a new data directory and show its logins; refused for a database in use [LECTERN_DEMO=1]")
	// No default shown from the environment: the URL may hold a password.
	smtpURL := fs.String("smtp-url", "", "send e-mail through smtp://user:pass@host:587?from=… (STARTTLS) or smtps://…:465 (TLS); default: none, e-mails wait in the outbox [LECTERN_SMTP_URL]")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if *smtpURL == "" {
		*smtpURL = os.Getenv("LECTERN_SMTP_URL")
	}
	if *smtpURL != "" {
		smtp, err := mail.ParseSMTPURL(*smtpURL)
		if err != nil {
			return c, fmt.Errorf("LECTERN_SMTP_URL / --smtp-url: %w", err)
		}
		c.SMTP = smtp
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.DataDir = *data
	policy, err := loadPrivacy(*privacyFile)
	if err != nil {
		return c, err
	}
	c.Privacy = policy
	if v := os.Getenv("LECTERN_IDLE_TIMEOUT"); v != "" {
		if _, err := time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("LECTERN_IDLE_TIMEOUT: %w", err)
		}
	}
	if c.IdleTimeout < 0 {
		return c, fmt.Errorf("--idle-timeout must not be negative")
	}
	if demoErr != nil {
		return c, fmt.Errorf("LECTERN_DEMO: use 1 or 0 (true or false), not %q", os.Getenv("LECTERN_DEMO"))
	}
	proxies, err := parseCIDRs(os.Getenv("LECTERN_TRUSTED_PROXIES"))
	if err != nil {
		return c, err
	}
	c.TrustedProxies = proxies
	c.AdminEmail, c.AdminPassword = os.Getenv("LECTERN_ADMIN_EMAIL"), os.Getenv("LECTERN_ADMIN_PASSWORD")
	c.SigningKeyFile = os.Getenv("LECTERN_SIGNING_KEY_FILE")
	// The token only from the environment: a flag would show it in ps.
	c.MetricsToken = os.Getenv("LECTERN_METRICS_TOKEN")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return c, fmt.Errorf("LECTERN_METRICS_TOKEN: use at least 16 characters (e.g. openssl rand -hex 24)")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost" + portOf(c.Addr)
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "lectern.db")
	}
	return c, nil
}

// parseCIDRs reads a comma-separated list of CIDRs or single addresses.
func parseCIDRs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			if ip := net.ParseIP(item); ip != nil && ip.To4() != nil {
				item += "/32"
			} else {
				item += "/128"
			}
		}
		_, n, err := net.ParseCIDR(item)
		if err != nil {
			return nil, fmt.Errorf("LECTERN_TRUSTED_PROXIES: %q is not a CIDR", item)
		}
		out = append(out, n)
	}
	return out, nil
}

// databaseFlags registers --data and --database, for every subcommand that opens
// the database, and returns a function giving the DSN after parsing.
func databaseFlags(fs *flag.FlagSet) func() (dataDir, dsn string) {
	data := dataDirFlag(fs)
	db := fs.String("database", os.Getenv("LECTERN_DATABASE_URL"), "postgres://… URL; default: SQLite in the data directory [LECTERN_DATABASE_URL]")
	return func() (string, string) {
		if *db != "" {
			return *data, *db
		}
		return *data, filepath.Join(*data, "lectern.db")
	}
}

// openExisting opens the database of a server's data directory for a
// subcommand that works on what serve created: a missing data directory (with
// SQLite) is an error, not a new empty database.
func openExisting(ctx context.Context, dbFlags func() (string, string), log *slog.Logger) (*store.DB, error) {
	dataDir, dsn := dbFlags()
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) && !strings.Contains(dsn, "://") {
		return nil, fmt.Errorf("no data directory %s (start `lectern serve` once, or pass --data)", dataDir)
	}
	return store.Open(ctx, dsn, log)
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ""
}
