package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/i18n"
	"github.com/lectern-platform/lectern/internal/store"
)

const certsUsage = "usage: lectern certs export --session ID --out FILE.zip [--data DIR] [--database DSN] [--courses DIR] [--base-url URL]"

// cmdCerts is `lectern certs export`: every certificate of a session, with
// results.csv, into a ZIP, as the operator (who holds the database) sees them.
func cmdCerts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, certsUsage)
		return 2
	}
	flags := flag.NewFlagSet("certs export", flag.ContinueOnError)
	flags.SetOutput(stderr)
	sessionID := flags.Int64("session", 0, "session id (required)")
	out := flags.String("out", "", "ZIP file to write (required)")
	coursesDir := flags.String("courses", os.Getenv("LECTERN_COURSES"), "courses folder, if the server uses one [LECTERN_COURSES]")
	baseURL := flags.String("base-url", os.Getenv("LECTERN_BASE_URL"), "public URL the QR codes point to [LECTERN_BASE_URL]")
	dbFlags := databaseFlags(flags)
	if err := flags.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *sessionID <= 0 || *out == "" || flags.NArg() > 0 {
		fmt.Fprintln(stderr, certsUsage)
		return 2
	}
	if *baseURL == "" {
		*baseURL = "http://localhost:8080"
		fmt.Fprintf(stderr, "lectern certs export: no --base-url: the QR codes will point to %s\n", *baseURL)
	}
	if err := exportCerts(ctx, *sessionID, *out, *coursesDir, *baseURL, dbFlags, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "lectern certs export:", err)
		return 1
	}
	return 0
}

func exportCerts(ctx context.Context, sessionID int64, out, coursesDir, baseURL string, dbFlags func() (string, string), stdout, stderr io.Writer) error {
	dataDir, dsn := dbFlags()
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no data directory %s (pass --data)", dataDir)
	}
	// The key that signed the certificates; never a new one.
	signer, err := certify.LoadKey(dataDir, os.Getenv("LECTERN_SIGNING_KEY_FILE"))
	if err != nil {
		return err
	}
	log := newLogger(io.Discard)
	db, err := store.Open(ctx, dsn, log)
	if err != nil {
		return err
	}
	defer db.Close()
	library, err := openLibrary(ctx, Config{CoursesDir: coursesDir}, db, log)
	if err != nil {
		return err
	}
	operator := &auth.Actor{Role: auth.RoleAdmin, Name: "lectern certs export"}
	// No messages: an export writes no e-mail.
	a, err := app.New(db, library, app.Options{BaseURL: baseURL, Signer: signer, Log: log})
	if err != nil {
		return err
	}
	attempts, certs := a.Attempts, a.Certs
	ex, err := certs.PrepareExport(ctx, operator, sessionID)
	if err != nil {
		return err
	}
	cat, err := i18n.Default()
	if err != nil {
		return err
	}
	// The operator's export is in the programme's default language, as its
	// column names are.
	erased := cat.For(cat.Match()).T("user.erased")
	extras := []certify.ExtraFile{{Name: "results.csv", Write: func(w io.Writer) error {
		return attempts.WriteResultsCSV(ctx, operator, sessionID, w, erased)
	}}}

	// Write beside the target and rename at the end: a failed export leaves no
	// half-written ZIP behind under the name a coordinator will send on.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".lectern-export-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bar := progressbar.NewOptions(ex.Len(), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("certificates"),
		progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	err = certs.WriteZIP(ctx, tmp, ex, extras, func(done, total int) { _ = bar.Set(done) })
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_ = bar.Finish()
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d certificates of session %d (%s, %s), and results.csv\n", out, ex.Len(), sessionID,
		ex.Date, strings.TrimSpace(ex.City))
	return nil
}
