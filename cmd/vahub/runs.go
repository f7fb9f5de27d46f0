package main

import (
	"context"
	"encoding/json"
	"fmt"
)

func cmdRuns(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("runs", "runs [--limit N] [--json]")
	limit := fs.Int("limit", 20, "how many runs to list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, done, code := parseFlags(fs, args); done {
		return code
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub runs: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	runs, err := db.RecentRuns(ctx, *limit)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub runs: %v\n", err)
		return exitInternal
	}
	if *asJSON {
		_ = json.NewEncoder(e.stdout).Encode(runs)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%-6s %-8s %-10s %-20s %6s %8s %9s %8s %8s  %s\n", "RUN", "KIND", "STATUS", "STARTED", "FILES", "INGESTED", "DUPLICATE", "REJECTED", "FACTS", "BY")
	for _, r := range runs {
		fmt.Fprintf(e.stdout, "%-6d %-8s %-10s %-20s %6d %8d %9d %8d %8d  %s\n", r.ID, r.Kind, r.Status,
			r.StartedAt.UTC().Format("2006-01-02 15:04:05"), r.FilesSeen, r.FilesIngested, r.FilesDuplicate, r.FilesRejected, r.Facts, r.StartedBy)
	}
	return exitOK
}
