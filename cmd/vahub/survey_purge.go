package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// cmdSurveyPurge applies the retention rule to old survey records (see
// pg.PurgeSurvey): what the aggregates need stays, every other answer goes.
func cmdSurveyPurge(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("survey purge", "survey purge --before YYYY-MM-DD [--country A,B] [--dry-run] [--json]")
	before := fs.String("before", "", "interviews before this date (YYYY-MM-DD; the day received when no interview date)")
	var countries countryList
	fs.Var(&countries, "country", "countries (ISO codes or names, comma-separated or repeated); default all")
	dry := fs.Bool("dry-run", false, "count what would be purged; change nothing")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 || *before == "" {
		fmt.Fprintln(e.stderr, "vahub survey purge: give the cut-off date with --before YYYY-MM-DD")
		return exitUsage
	}
	day, err := time.Parse(time.DateOnly, strings.TrimSpace(*before))
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub survey purge: --before %q is not a date YYYY-MM-DD\n", *before)
		return exitUsage
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub survey purge: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	if day.After(db.Now()) {
		fmt.Fprintf(e.stderr, "vahub survey purge: --before %s is in the future: that would purge today's interviews too\n", day.Format(time.DateOnly))
		return exitUsage
	}
	p, err := db.PurgeSurvey(ctx, day, countries, *dry, whoami())
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub survey purge: %v\n", err)
		return exitInternal
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			DryRun bool   `json:"dry_run"`
			Before string `json:"before"`
			Counts any    `json:"counts"`
		}{*dry, day.Format(time.DateOnly), p})
		return exitOK
	}
	verb := "purged"
	if *dry {
		verb = "would purge"
	}
	fmt.Fprintf(e.stdout, "%s interviews before %s: %d records cut down to the aggregates' fields, %d earlier versions deleted, "+
		"%d export files' bytes dropped; %d refusals (already only counted) kept\n",
		verb, day.Format(time.DateOnly), p.Reduced, p.Deleted, p.Files, p.Refusals)
	return exitOK
}
