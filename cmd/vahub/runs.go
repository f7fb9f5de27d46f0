package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vahub/vahub/schema/pg"
)

func cmdRuns(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("runs", "runs [--limit N] [--json] [RUN-ID]")
	limit := fs.Int("limit", 20, "how many runs to list")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	var one int64
	if len(rest) == 1 {
		if _, err := fmt.Sscanf(rest[0], "%d", &one); err != nil || one <= 0 {
			fmt.Fprintf(e.stderr, "vahub runs: %q is not a run number\n", rest[0])
			return exitUsage
		}
	} else if len(rest) > 1 {
		fmt.Fprintln(e.stderr, "vahub runs: give at most one run number")
		return exitUsage
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub runs: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	if one != 0 {
		return showRun(ctx, e, db, one)
	}
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

// showRun prints one run: its counts, every file attempt with its issues,
// and the stored run report of a crawl.
func showRun(ctx context.Context, e *env, db *pg.DB, id int64) int {
	run, files, err := db.RunDetail(ctx, id)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub runs: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "run %d: %s by %s, %s, started %s\n", run.ID, run.Kind, run.StartedBy, run.Status, run.StartedAt.UTC().Format("2006-01-02 15:04:05"))
	fmt.Fprintf(e.stdout, "files %d: %d ingested, %d duplicate, %d rejected; %d facts, %d issues\n",
		run.FilesSeen, run.FilesIngested, run.FilesDuplicate, run.FilesRejected, run.Facts, run.Issues)
	for _, f := range files {
		fmt.Fprintf(e.stdout, "%-10s %s (%s, %d facts)\n", f.Status, f.Path, f.Format, f.Facts)
		for _, is := range f.Issues {
			fmt.Fprintf(e.stdout, "    %s\n", is)
		}
	}
	if rep, err := db.RunReport(ctx, id); err == nil && rep != "" {
		fmt.Fprintf(e.stdout, "report:\n%s\n", rep)
	}
	return exitOK
}
