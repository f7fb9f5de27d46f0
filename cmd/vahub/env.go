package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/localpg"
)

var errHelp = errors.New("help requested")

// env is the configuration and wiring every command receives: no globals.
type env struct {
	databaseURL string
	dataDir     string
	log         *slog.Logger
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
}

func parseGlobal(args []string, getenv func(string) string, stderr io.Writer) (*env, []string, error) {
	fs := flag.NewFlagSet("vahub", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e := &env{}
	fs.StringVar(&e.databaseURL, "database-url", getenv("DATABASE_URL"), "")
	fs.StringVar(&e.dataDir, "data-dir", getenv("VAHUB_DATA_DIR"), "")
	format := fs.String("log-format", firstNonEmpty(getenv("VAHUB_LOG_FORMAT"), "text"), "")
	level := fs.String("log-level", firstNonEmpty(getenv("VAHUB_LOG_LEVEL"), "info"), "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, errHelp
		}
		return nil, nil, err
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return nil, nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch *format {
	case "text":
		e.log = slog.New(slog.NewTextHandler(stderr, opts))
	case "json":
		e.log = slog.New(slog.NewJSONHandler(stderr, opts))
	default:
		return nil, nil, fmt.Errorf("--log-format must be text or json, not %q", *format)
	}
	return e, fs.Args(), nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// migratePolicy says what a command does with a database that lacks migrations.
type migratePolicy int

const (
	// refuseOutOfDate: an external database (DATABASE_URL) is someone's
	// production store; schema changes there happen only with `vahub migrate`.
	refuseOutOfDate migratePolicy = iota
	// migrateAlways: `vahub migrate` and `vahub demo` bring any database up to date.
	migrateAlways
)

// openDB connects to DATABASE_URL or, when it is unset, to vahub's own
// embedded cluster (created and started on first use). The embedded cluster
// is vahub's own, so it is always migrated; an external database is
// migrated only by `vahub migrate` (or the demo).
func (e *env) openDB(ctx context.Context, policy migratePolicy) (*pg.DB, error) {
	dsn := e.databaseURL
	embedded := dsn == ""
	if embedded {
		dir, err := e.clusterDir()
		if err != nil {
			return nil, err
		}
		cl, err := localpg.Start(ctx, dir, e.log)
		if err != nil {
			return nil, err
		}
		if err := cl.EnsureDatabase(ctx, "vahub"); err != nil {
			return nil, err
		}
		dsn = cl.DSN("vahub")
		e.log.Debug("using embedded PostgreSQL", "dir", cl.Dir())
	}
	db, err := pg.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if embedded || policy == migrateAlways {
		applied, err := pg.Migrate(ctx, db.DB.DB)
		if err != nil {
			db.Close()
			return nil, err
		}
		for _, a := range applied {
			e.log.Info("migration applied", "file", a)
		}
		return db, nil
	}
	if err := pg.CheckCurrent(ctx, db.DB.DB); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// clusterDir is where the embedded cluster lives: <data-dir>/postgres, or
// localpg's default.
func (e *env) clusterDir() (string, error) {
	if e.dataDir != "" {
		return filepath.Join(e.dataDir, "postgres"), nil
	}
	return localpg.DefaultDir()
}

// newFlags makes a subcommand's flag set whose --help prints to stdout.
func (e *env) newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: vahub %s\n\nFlags:\n", synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// parseFlags parses a subcommand's flags, allowing flags after positional
// arguments (vahub ingest a.xlsx --json), and maps --help to exit 0 and
// errors to the usage exit code.
func parseFlags(fs *flag.FlagSet, args []string) (positional []string, done bool, code int) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, true, exitOK
			}
			return nil, true, exitUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, false, 0
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), false, 0
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
