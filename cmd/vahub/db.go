package main

import (
	"context"
	"fmt"

	"github.com/vahub/vahub/schema/pg/localpg"
)

func cmdDB(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("db", "db start|stop|url")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprintln(e.stderr, "vahub db: say start, stop or url")
		return exitUsage
	}
	if e.databaseURL != "" {
		fmt.Fprintln(e.stderr, "vahub db: DATABASE_URL is set, so vahub does not manage a server; unset it to use the embedded cluster")
		return exitUsage
	}
	dir, err := e.clusterDir()
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub db: %v\n", err)
		return exitInternal
	}
	switch rest[0] {
	case "start", "url":
		cl, err := localpg.Start(ctx, dir, e.log)
		if err != nil {
			fmt.Fprintf(e.stderr, "vahub db: %v\n", err)
			return exitInternal
		}
		if err := cl.EnsureDatabase(ctx, "vahub"); err != nil {
			fmt.Fprintf(e.stderr, "vahub db: %v\n", err)
			return exitInternal
		}
		if rest[0] == "url" {
			fmt.Fprintln(e.stdout, cl.DSN("vahub"))
		} else {
			fmt.Fprintf(e.stdout, "embedded PostgreSQL running in %s\nconnect with: psql %q\n", cl.Dir(), cl.DSN("vahub"))
		}
		return exitOK
	case "stop":
		cl, err := localpg.Start(ctx, dir, e.log)
		if err != nil {
			fmt.Fprintf(e.stderr, "vahub db: %v\n", err)
			return exitInternal
		}
		if err := cl.Stop(ctx); err != nil {
			fmt.Fprintf(e.stderr, "vahub db: %v\n", err)
			return exitInternal
		}
		fmt.Fprintln(e.stdout, "embedded PostgreSQL stopped")
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "vahub db: unknown action %q\n", rest[0])
		return exitUsage
	}
}
