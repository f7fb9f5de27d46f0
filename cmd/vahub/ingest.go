package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/user"

	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

func cmdIngest(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("ingest", "ingest [--dry-run] [--json] [--country ISO3] [--year N] FILE...")
	dryRun := fs.Bool("dry-run", false, "validate only; write nothing (no database needed)")
	asJSON := fs.Bool("json", false, "print one JSON object with a report per file on stdout")
	status := fs.String("status", "approved", "status of new reports: approved (feeds the views) or submitted (waits for review)")
	country := fs.String("country", "", "country of the files (ISO code or name): supplies or overrides what they state")
	year := fs.Int("year", 0, "reporting year of the files: supplies or overrides what they state")
	files, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "vahub ingest: name at least one file")
		return exitUsage
	}
	if *status != "approved" && *status != "submitted" {
		fmt.Fprintln(e.stderr, "vahub ingest: --status must be approved or submitted")
		return exitUsage
	}
	opts := ingest.Options{DryRun: *dryRun, RunKind: "cli", StartedBy: whoami(), ReportStatus: *status, Logger: e.log, Year: *year}
	if *country != "" {
		iso, ok := normalize.Country(*country)
		if !ok {
			fmt.Fprintf(e.stderr, "vahub ingest: unknown country %q (use an ISO code such as LAO or a name)\n", *country)
			return exitUsage
		}
		opts.Country = iso
	}
	if *year != 0 && (*year < 1960 || *year > 2200) {
		fmt.Fprintf(e.stderr, "vahub ingest: --year %d is out of range\n", *year)
		return exitUsage
	}
	res, err := ingestFiles(ctx, e, files, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub ingest: %v\n", err)
		return exitInternal
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return exitInternal
		}
	} else {
		printIngest(e, res)
	}
	if !res.OK() {
		return exitFailed
	}
	return exitOK
}

func ingestFiles(ctx context.Context, e *env, files []string, opts ingest.Options) (ingest.Result, error) {
	if opts.DryRun {
		return ingest.Files(ctx, nil, files, opts)
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		return ingest.Result{}, err
	}
	defer db.Close()
	return ingest.Files(ctx, db, files, opts)
}

func printIngest(e *env, res ingest.Result) {
	for _, f := range res.Files {
		where := f.Country
		if f.Period != nil {
			where += " " + f.Period.Start + ".." + f.Period.End
		}
		fmt.Fprintf(e.stdout, "%-10s %s", f.Status, f.Path)
		if where != "" {
			fmt.Fprintf(e.stdout, "  (%s, %d facts)", where, f.Facts)
		}
		fmt.Fprintln(e.stdout)
		for _, is := range f.Issues {
			fmt.Fprintf(e.stdout, "    %s\n", is)
		}
	}
	var n [5]int
	for _, f := range res.Files {
		switch f.Status {
		case "ingested", "superseded":
			n[0]++
		case "duplicate":
			n[1]++
		case "rejected":
			n[2]++
		case "dry_run":
			n[3]++
		}
		n[4] += schema.Issues(f.Issues).Count(schema.SevWarning)
	}
	fmt.Fprintf(e.stdout, "%d file(s): %d ingested, %d duplicate, %d rejected, %d checked (dry run), %d warning(s)\n",
		len(res.Files), n[0], n[1], n[2], n[3], n[4])
	if res.RunID != 0 {
		fmt.Fprintf(e.stdout, "run %d\n", res.RunID)
	}
}

// whoami names the operating-system account that started a run: who did
// what, without personal data beyond a login name.
func whoami() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}
