// Command lectern runs the Lectern server and its tools. This file only parses the
// command line and wires packages together; the work lives in internal/.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // session time zones work on machines without tz data
)

const usage = `Lectern — training-course delivery and certification.

Usage:
  lectern serve [--addr :8080] [--data DIR] [--courses DIR] [--database DSN] [--base-url URL] [--programme NAME] [--demo]
  lectern lint [DIR]
  lectern import gift FILE.gift --out COURSE_DIR [--module NN-name] [--skip-unsupported] [--force]   Moodle questions → quiz files
  lectern export gift COURSE [--quiz NN-name] [--lang TAG] [--out FILE]                              quizzes → Moodle GIFT
  lectern user add --email E --name N --role R [--agency ID] [--data DIR]   (password on stdin)
  lectern verify FILE.pdf [--trust KEY.pem] [--url URL]   check a certificate offline (exit 0 valid, 1 not)
  lectern verify SERIAL --url URL                          look a serial up on the issuing server
  lectern certs export --session ID --out FILE.zip [--data DIR] [--base-url URL]
  lectern retention [--dry-run] [--data DIR] (--privacy FILE | --default-policy)   apply the retention periods (or print what would go)
  lectern backup FILE [--data DIR]                         copy database, signing and secrets keys while serving (SQLite)
  lectern restore FILE [--data DIR] [--force]              check a backup, put it into a stopped server's data dir

Every serve flag can also be set from the environment: LECTERN_ADDR, LECTERN_DATA,
LECTERN_COURSES, LECTERN_DATABASE_URL, LECTERN_BASE_URL. First start creates the admin
from LECTERN_ADMIN_EMAIL / LECTERN_ADMIN_PASSWORD (or prints a generated password once).
LECTERN_TRUSTED_PROXIES (CIDRs) lists proxies whose X-Forwarded-For is believed.
LECTERN_PROGRAMME (--programme) names the training programme on certificates;
LECTERN_IDLE_TIMEOUT (--idle-timeout, default 2h) signs idle browsers out;
LECTERN_SIGNING_KEY_FILE points to the Ed25519 signing key (default DATA/signing-key.pem).
LECTERN_PRIVACY_FILE (--privacy) is the privacy policy: controller, retention periods.
LECTERN_DEMO=1 (--demo) seeds demo data into a new data directory and prints its logins;
it refuses to start on a database that already holds users, agencies or sessions.
`

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "lint":
		return cmdLint(args[1:], stdout, stderr)
	case "import":
		return cmdImport(args[1:], stdout, stderr)
	case "export":
		return cmdExport(args[1:], stdout, stderr)
	case "user":
		return cmdUser(ctx, args[1:], stdin, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, args[1:], stdout, stderr)
	case "certs":
		return cmdCerts(ctx, args[1:], stdout, stderr)
	case "retention":
		return cmdRetention(ctx, args[1:], stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return cmdRestore(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "lectern", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "lectern: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
