package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/backup"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/secrets"
	"github.com/lectern-platform/lectern/internal/store"
)

const (
	backupUsage  = "usage: lectern backup FILE [--data DIR] [--database DSN]   (SQLite only; the key from LECTERN_SIGNING_KEY_FILE or DIR)"
	restoreUsage = "usage: lectern restore FILE [--data DIR] [--force]   (stop the server first)"
)

// fileAndFlags parses args where the one FILE may come before or after the
// flags (Go's flag package stops at the first non-flag).
func fileAndFlags(flags *flag.FlagSet, args []string) (string, error) {
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := flags.Parse(args); err != nil {
		return "", err
	}
	if file == "" && flags.NArg() == 1 {
		return flags.Arg(0), nil
	}
	if file == "" || flags.NArg() > 0 {
		return "", errors.New("give one FILE")
	}
	return file, nil
}

// cmdBackup is `lectern backup FILE`: the SQLite database, copied consistently
// while the server runs, the signing key and the secrets key, into one file
// (mode 0600).
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dbFlags := databaseFlags(flags)
	out, err := fileAndFlags(flags, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, backupUsage)
		return 2
	}
	dataDir, dsn := dbFlags()
	if strings.Contains(dsn, "://") {
		fmt.Fprintf(stderr, "lectern backup: the database is PostgreSQL, which lectern backup does not copy.\n"+
			"Back it up with pg_dump, e.g.  pg_dump --format=custom --file lectern.dump \"$LECTERN_DATABASE_URL\"\n"+
			"and keep the signing key (%s) with it, as safely: it signs every certificate;\n"+
			"and the secrets key (%s): without it no second factor (TOTP) in the dump can be checked.\n",
			keyFile(dataDir), filepath.Join(dataDir, secrets.KeyFileName))
		return 1
	}
	if _, err := os.Stat(dsn); err != nil {
		fmt.Fprintf(stderr, "lectern backup: no database %s (pass --data DIR of the server)\n", dsn)
		return 1
	}
	began := time.Now()
	m, err := backup.Create(ctx, backup.Options{DatabasePath: dsn, KeyFile: keyFile(dataDir),
		SecretsKeyFile: filepath.Join(dataDir, secrets.KeyFileName), Out: out, Version: version})
	if err != nil {
		fmt.Fprintln(stderr, "lectern backup:", err)
		return 1
	}
	size := int64(0)
	if st, err := os.Stat(out); err == nil {
		size = st.Size()
	}
	keys := "signing key " + m.KeyID
	if m.SecretsKeyID != "" {
		keys += ", secrets key " + m.SecretsKeyID
	}
	fmt.Fprintf(stdout, "backed up %s (%s, schema %s) and %s to %s (%s) in %v\n",
		dsn, mebibytes(m.Files[0].Size), m.Schema, keys, out, mebibytes(size), time.Since(began).Round(time.Millisecond))
	return 0
}

// keyFile is where serve reads the signing key.
func keyFile(dataDir string) string {
	if f := os.Getenv("LECTERN_SIGNING_KEY_FILE"); f != "" {
		return f
	}
	return filepath.Join(dataDir, certify.KeyFileName)
}

func mebibytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// cmdRestore is `lectern restore FILE`: checks a backup and puts its database
// and key into the data directory, which must be empty unless --force.
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("restore", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dataDir := dataDirFlag(flags)
	force := flags.Bool("force", false, "replace the database and key of a data directory that has files (they are moved into DIR/pre-restore-…)")
	file, err := fileAndFlags(flags, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, restoreUsage)
		return 2
	}
	res, err := backup.Restore(ctx, backup.RestoreOptions{Archive: file, DataDir: *dataDir, Force: *force})
	switch {
	case errors.Is(err, backup.ErrNotEmpty):
		fmt.Fprintf(stderr, "lectern restore: %v\nPass --force to replace its database and keys (the old ones are kept in a pre-restore-… folder inside it), or restore into a new --data directory.\n", err)
		return 1
	case errors.Is(err, backup.ErrInUse):
		fmt.Fprintf(stderr, "lectern restore: %v: stop the server using %s first.\n", err, *dataDir)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "lectern restore: %v\nNothing was restored.\n", err)
		return 1
	}
	m := res.Manifest
	fmt.Fprintf(stdout, "restored the backup of %s (Lectern %s, schema %s, signing key %s) into %s\n",
		m.CreatedAt.Format(time.RFC3339), m.LecternVersion, m.Schema, m.KeyID, *dataDir)
	if res.MovedAside != "" {
		fmt.Fprintf(stdout, "the replaced database and keys are in %s\n", res.MovedAside)
	}
	if m.SecretsKeyID == "" {
		fmt.Fprintf(stdout, "the backup has no secrets key (made before second factors were sealed): `lectern serve` creates one at start and seals them\n")
	}
	if m.Schema != store.LatestSchema() {
		fmt.Fprintf(stdout, "its schema is older than this build's (%s): `lectern serve` migrates it at start\n", store.LatestSchema())
	}
	if f := os.Getenv("LECTERN_SIGNING_KEY_FILE"); f != "" {
		if s, err := certify.LoadKey("", f); err != nil || s.KeyID != m.KeyID {
			fmt.Fprintf(stderr, "lectern restore: warning: LECTERN_SIGNING_KEY_FILE=%s is set and is not the restored key %s; serve uses that file, not %s\n",
				f, m.KeyID, filepath.Join(*dataDir, certify.KeyFileName))
		}
	}
	return 0
}
