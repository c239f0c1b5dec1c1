package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/privacy"
)

const retentionUsage = "usage: lectern retention [--dry-run] [--data DIR] [--database DSN] (--privacy FILE | --default-policy)"

// cmdRetention is `lectern retention`: applies the privacy policy's retention
// periods now (what the daily job of `lectern serve` does), or with --dry-run
// prints what would go, changing nothing. Every run first prints the policy
// it applies; applying the built-in one needs --default-policy.
func cmdRetention(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("retention", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dryRun := flags.Bool("dry-run", false, "print what would be removed, remove nothing")
	defaultPolicy := flags.Bool("default-policy", false, "apply the built-in policy's periods when no --privacy / LECTERN_PRIVACY_FILE is given (required then, except with --dry-run)")
	privacyFile := privacyFlag(flags)
	dbFlags := databaseFlags(flags)
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintln(stderr, retentionUsage)
		return 2
	}
	policy, err := loadPrivacy(*privacyFile)
	if err != nil {
		fmt.Fprintln(stderr, "lectern retention:", err)
		return 2
	}
	// Deletions cannot be undone, and serve may run with a policy file this
	// command was not told of (--privacy is a flag of serve's, not only the
	// environment): deleting by the built-in periods must be asked for.
	if *privacyFile == "" && !*defaultPolicy && !*dryRun {
		printPolicy(stderr, "", policy)
		fmt.Fprintln(stderr, "lectern retention: no policy file given (--privacy FILE or LECTERN_PRIVACY_FILE): give the one lectern serve uses, or --default-policy to apply the built-in periods above; nothing removed")
		fmt.Fprintln(stderr, retentionUsage)
		return 2
	}
	db, err := openExisting(ctx, dbFlags, newLogger(io.Discard))
	if err != nil {
		fmt.Fprintln(stderr, "lectern retention:", err)
		return 1
	}
	defer db.Close()
	a, err := app.New(db, nil, app.Options{Privacy: &policy, Log: newLogger(stderr)})
	if err != nil {
		fmt.Fprintln(stderr, "lectern retention:", err)
		return 1
	}
	var run privacy.Run
	if *dryRun {
		run, err = a.Retention.Preview(ctx)
	} else {
		run, err = a.Retention.Apply(ctx, privacy.RunByCommand)
	}
	if run.At.IsZero() && err != nil {
		fmt.Fprintln(stderr, "lectern retention:", err)
		return 1
	}
	printPolicy(stdout, *privacyFile, policy)
	printRun(stdout, run)
	if err != nil {
		fmt.Fprintln(stderr, "lectern retention:", err)
		return 1
	}
	return 0
}

// printPolicy says which policy a run applies (its file, or the built-in
// defaults) and its periods, so an operator sees it before anything else.
func printPolicy(w io.Writer, file string, p privacy.Policy) {
	if file == "" {
		file = "built-in defaults (no --privacy or LECTERN_PRIVACY_FILE)"
	}
	periods := make([]string, 0, 5)
	for _, pd := range p.Periods() {
		period := "never"
		if !pd.Period.IsZero() {
			period = pd.Period.String()
		}
		periods = append(periods, pd.Category+" "+period)
	}
	fmt.Fprintf(w, "policy: %s\nperiods: %s\n", file, strings.Join(periods, ", "))
}

// printRun writes one line per category: its period, its cut-off and the
// rows removed (or that would be), table by table.
func printRun(w io.Writer, run privacy.Run) {
	verb := "removed"
	if run.DryRun {
		verb = "would be removed"
	}
	fmt.Fprintf(w, "retention at %s UTC", run.At.Format("2006-01-02 15:04"))
	if run.DryRun {
		fmt.Fprint(w, " (dry run: nothing removed)")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "category\tperiod\tbefore\trows")
	for _, rm := range run.Removals {
		if rm.Cutoff.IsZero() {
			fmt.Fprintf(tw, "%s\tnever\t-\tnothing (kept for good)\n", rm.Category)
			continue
		}
		cut := rm.Cutoff.Format("2006-01-02 15:04 UTC")
		if rm.Category == privacy.Answers {
			cut = "sessions before " + rm.Cutoff.Format(time.DateOnly)
		}
		var parts []string
		for _, t := range rm.Tables {
			parts = append(parts, fmt.Sprintf("%s %d", t.Table, t.Rows))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d (%s)\n", rm.Category, rm.Period, cut, rm.Rows, strings.Join(parts, ", "))
	}
	tw.Flush()
	fmt.Fprintf(w, "total: %d rows %s\n", run.Rows(), verb)
}
