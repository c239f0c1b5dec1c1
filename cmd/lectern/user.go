package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

// cmdUser manages accounts from the command line: `lectern user add`.
func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: lectern user add --email E --name N --role R [--agency ID]  (password on stdin)")
		return 2
	}
	flags := flag.NewFlagSet("user add", flag.ContinueOnError)
	flags.SetOutput(stderr)
	email := flags.String("email", "", "e-mail address (required)")
	name := flags.String("name", "", "full name as printed on certificates (required)")
	role := flags.String("role", "", "admin, trainer, coordinator or officer (required)")
	agency := flags.String("agency", "", "agency id (coordinators and officers)")
	latin := flags.String("latin-name", "", "name in Latin letters (optional)")
	dbFlags := databaseFlags(flags)
	if err := flags.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	password, err := readPassword(stdin)
	if err != nil {
		fmt.Fprintln(stderr, "lectern user add:", err)
		return 2
	}
	in := auth.NewUser{Email: *email, Name: *name, Role: *role, LatinName: *latin, Password: password}
	if *agency != "" {
		id, err := strconv.ParseInt(*agency, 10, 64)
		if err != nil {
			fmt.Fprintln(stderr, "lectern user add: --agency must be a number")
			return 2
		}
		in.AgencyID = &id
	}
	log := newLogger(io.Discard)
	db, err := openExisting(ctx, dbFlags, log)
	if err != nil {
		fmt.Fprintln(stderr, "lectern user add:", err)
		return 1
	}
	defer db.Close()
	// No courses, keys or messages: adding an account needs none, and sends no e-mail.
	a, err := app.New(db, nil, app.Options{Log: log})
	if err != nil {
		fmt.Fprintln(stderr, "lectern user add:", err)
		return 1
	}
	u, err := a.Accounts.CreateUserAsSystem(ctx, in)
	if err != nil {
		if de, ok := apperr.As(err); ok {
			for _, d := range de.Details {
				fmt.Fprintf(stderr, "lectern user add: %s: %s\n", d.Field, d.Msg)
			}
			return 1
		}
		fmt.Fprintln(stderr, "lectern user add:", err)
		return 1
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
	return 0
}

// readPassword takes the first line of stdin, so `echo "$PW" | lectern user add …`
// works and the password never appears in the process list.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("give the password on standard input")
	}
	return line, nil
}
