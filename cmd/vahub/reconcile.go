package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/reconcile"
	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// cmdReconcile compares survey-derived service figures with the country's
// Form H figures. The survey side is an answer built from individual
// records, so it is protected like every export (--suppress-k).
func cmdReconcile(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("reconcile", "reconcile [--country ISO3,...] [--year Y] [--tolerance 0.1] [--min-diff 5] [--suppress-k 5] [--json]")
	countries := fs.String("country", "", "comma-separated countries (ISO codes or names); default all")
	year := fs.Int("year", 0, "year (default: every year)")
	tol := fs.Float64("tolerance", reconcile.DefaultTolerance, "relative difference |survey − official| ÷ official above which a pair is flagged")
	minDiff := fs.Int64("min-diff", reconcile.DefaultMinDiff, "differences of at most this many people are never flagged")
	k := fs.Int("suppress-k", suppress.DefaultK, fmt.Sprintf("withhold survey counts below k (at least %d)", suppress.MinK))
	asJSON := fs.Bool("json", false, "print JSON")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "vahub reconcile: unexpected argument %q\n", rest[0])
		return exitUsage
	}
	if *k < suppress.MinK {
		fmt.Fprintf(e.stderr, "vahub reconcile: --suppress-k must be at least %d: survey figures are always protected\n", suppress.MinK)
		return exitUsage
	}
	if *tol <= 0 || *minDiff < 0 {
		fmt.Fprintln(e.stderr, "vahub reconcile: --tolerance must be above 0 and --min-diff at least 0")
		return exitUsage
	}
	filter := schema.GapFilter{From: *year, To: *year}
	for _, c := range strings.Split(*countries, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		iso, ok := normalize.Country(c)
		if !ok {
			fmt.Fprintf(e.stderr, "vahub reconcile: unknown country %q\n", c)
			return exitUsage
		}
		filter.Countries = append(filter.Countries, iso)
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub reconcile: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	rows, err := exports.Reconcile(ctx, db, filter, *k, reconcile.Options{Tolerance: *tol, MinDiff: *minDiff})
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub reconcile: %v\n", err)
		return exitInternal
	}
	flagged := 0
	for _, r := range rows {
		if r.Flagged() {
			flagged++
		}
	}
	if *asJSON {
		if rows == nil {
			rows = []reconcile.Row{}
		}
		_ = json.NewEncoder(e.stdout).Encode(struct {
			Tolerance float64         `json:"tolerance"`
			MinDiff   int64           `json:"min_diff"`
			K         int             `json:"suppress_k"`
			Flagged   int             `json:"flagged"`
			Rows      []reconcile.Row `json:"rows"`
		}{*tol, *minDiff, *k, flagged, rows})
		return exitOK
	}
	if len(rows) == 0 {
		fmt.Fprintln(e.stdout, "no country-year with both a survey and service figures to compare")
		return exitOK
	}
	num := func(v *int64, withheld bool) string {
		switch {
		case withheld:
			return "withheld"
		case v == nil:
			return "-"
		}
		return strconv.FormatInt(*v, 10)
	}
	fmt.Fprintf(e.stdout, "%-7s %-4s %-23s %-7s %-26s %8s %8s %8s %7s  %s\n",
		"COUNTRY", "YEAR", "PILLAR", "MEASURE", "GROUP", "SURVEY", "OFFICIAL", "DIFF", "REL", "STATUS")
	for _, r := range rows {
		rel := "-"
		if r.Relative != nil {
			rel = fmt.Sprintf("%+.0f%%", *r.Relative*100)
		}
		if r.SurveyWithheld {
			rel = "withheld"
		}
		fmt.Fprintf(e.stdout, "%-7s %-4d %-23s %-7s %-26s %8s %8s %8s %7s  %s\n",
			r.Country, r.Year, r.Pillar, r.Measure, r.Group().Label(), num(r.Survey, r.SurveyWithheld), num(r.Official, false),
			num(r.Difference, r.SurveyWithheld), rel, r.Status)
	}
	fmt.Fprintf(e.stdout, "%d comparisons, %d beyond the tolerance (%.0f%% and more than %d people); survey counts below %d withheld\n",
		len(rows), flagged, *tol*100, *minDiff, *k)
	return exitOK
}
