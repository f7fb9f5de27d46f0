// Command vahub collects, cleans and analyses data on assistance to victims
// of cluster munitions, landmines and other explosive remnants of war.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit codes shared by every subcommand.
const (
	exitOK       = 0
	exitFailed   = 1 // the command ran and something failed (a file was rejected, …)
	exitUsage    = 2 // the command line was wrong
	exitInternal = 3 // vahub could not do its job (no database, …)
	// exitLocked (4): another nightly run holds the lock (web.go).
)

const usage = `vahub: victim-assistance data hub (CCM Article 7 Form H, Monitor, surveys)

Usage:
  vahub [global flags] <command> [flags] [arguments]

Commands:
  demo        generate sample reports, ingest them and write gap-analysis.xlsx
  template    write the reporting template (Form H) for focal points to fill in
  ingest      validate and load filled templates into the database
  export gap  write the gap-analysis workbook
  reconcile   compare survey-derived service figures with the Form H figures
  crawl       run one web source profile now (art7, monitor)
  nightly     crawl every enabled profile, ingest what is new, write a run report
  runs        list recent ingestion runs (runs ID: one run's report)
  migrate     apply database migrations (migrate status: show them)
  db          manage the embedded PostgreSQL cluster (start, stop, status, url)
  serve       run the web server and JSON API (uploads, facts, gap export)
  user        manage accounts of the web server (add, list, disable, reset-password)
  token       manage API tokens (create, list, revoke)
  survey form write the standard needs-assessment survey as an XLSForm (Kobo, ODK)
  survey purge  cut survey records before a date down to what the aggregates need
  version     print the version

Global flags:
  --database-url URL  PostgreSQL to use (env DATABASE_URL). Unset: vahub runs its
                      own private cluster in the data folder.
  --data-dir DIR      data folder for the embedded cluster (env VAHUB_DATA_DIR)
  --log-format F      text or json (env VAHUB_LOG_FORMAT; default text)
  --log-level L       debug, info, warn, error (default info)

Run 'vahub <command> --help' for a command's flags.
`

// run is main without the process: arguments, streams and environment come
// in, an exit code goes out, so tests drive the whole program.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	env, rest, err := parseGlobal(args, getenv, stderr)
	if err != nil {
		if err == errHelp {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "vahub: %v\n\n%s", err, usage)
		return exitUsage
	}
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	env.stdin, env.stdout, env.stderr = stdin, stdout, stderr
	cmd, cmdArgs := rest[0], rest[1:]
	switch cmd {
	case "demo":
		return cmdDemo(ctx, env, cmdArgs)
	case "template":
		return cmdTemplate(ctx, env, cmdArgs)
	case "ingest":
		return cmdIngest(ctx, env, cmdArgs)
	case "export":
		return cmdExport(ctx, env, cmdArgs)
	case "reconcile":
		return cmdReconcile(ctx, env, cmdArgs)
	case "runs":
		return cmdRuns(ctx, env, cmdArgs)
	case "crawl":
		return cmdCrawl(ctx, env, cmdArgs)
	case "nightly":
		return cmdNightly(ctx, env, cmdArgs)
	case "migrate":
		return cmdMigrate(ctx, env, cmdArgs)
	case "db":
		return cmdDB(ctx, env, cmdArgs)
	case "serve":
		return cmdServe(ctx, env, cmdArgs)
	case "user":
		return cmdUser(ctx, env, cmdArgs)
	case "token":
		return cmdToken(ctx, env, cmdArgs)
	case "survey":
		return cmdSurvey(ctx, env, cmdArgs)
	case "version", "--version":
		fmt.Fprintln(stdout, "vahub", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "vahub: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

var version = "dev" // set with -ldflags "-X main.version=…"
