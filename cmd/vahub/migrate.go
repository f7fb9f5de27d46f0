package main

import (
	"context"
	"fmt"

	"github.com/vahub/vahub/schema/pg"
)

func cmdMigrate(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("migrate", "migrate [up|status]")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	action := "up"
	if len(rest) > 0 {
		action = rest[0]
	}
	switch action {
	case "up":
		db, err := e.openDB(ctx, migrateAlways)
		if err != nil {
			fmt.Fprintf(e.stderr, "vahub migrate: %v\n", err)
			return exitInternal
		}
		defer db.Close()
		fmt.Fprintln(e.stdout, "database is up to date")
		return exitOK
	case "status":
		db, err := e.openDB(ctx, refuseOutOfDate)
		if err != nil {
			if err == pg.ErrOutOfDate {
				fmt.Fprintln(e.stdout, "migrations pending: run `vahub migrate`")
				return exitFailed
			}
			fmt.Fprintf(e.stderr, "vahub migrate: %v\n", err)
			return exitInternal
		}
		defer db.Close()
		fmt.Fprintln(e.stdout, "database is up to date")
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "vahub migrate: unknown action %q (up or status)\n", action)
		return exitUsage
	}
}
