package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Config is every setting of `lectern serve`, from flags, else the environment,
// else the defaults. Nothing else reads flags or the environment.
type Config struct {
	Addr        string
	DataDir     string
	CoursesDir  string // empty: the courses embedded in the binary
	DatabaseURL string // empty: SQLite in DataDir
	BaseURL     string
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
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
	fs.StringVar(&c.CoursesDir, "courses", os.Getenv("LECTERN_COURSES"), "folder of courses to serve and watch; default: the shipped courses [LECTERN_COURSES]")
	fs.StringVar(&c.DatabaseURL, "database", os.Getenv("LECTERN_DATABASE_URL"), "postgres://… URL; default: SQLite in the data directory [LECTERN_DATABASE_URL]")
	fs.StringVar(&c.BaseURL, "base-url", os.Getenv("LECTERN_BASE_URL"), "public URL, used in links and QR codes [LECTERN_BASE_URL]")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.DataDir = *data
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost" + portOf(c.Addr)
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "lectern.db")
	}
	return c, nil
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ""
}
