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

const retentionUsage = "usage: lectern retention [--dry-run] [--data DIR] [--database DSN] [--privacy FILE]"

// cmdRetention is `lectern retention`: applies the privacy policy's retention
// periods now (what the daily job of `lectern serve` does), or with --dry-run
// prints what would go, changing nothing.
func cmdRetention(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("retention", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dryRun := flags.Bool("dry-run", false, "print what would be removed, remove nothing")
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
	printRun(stdout, run)
	if err != nil {
		fmt.Fprintln(stderr, "lectern retention:", err)
		return 1
	}
	return 0
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
