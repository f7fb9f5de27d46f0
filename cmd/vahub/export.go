package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/reconcile"
	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
)

func cmdExport(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "gap" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(e.stdout, "Usage: vahub export gap -o FILE.xlsx [--country A,B] [--from Y] [--to Y] [--suppress-k N] [--tolerance F] [--min-diff N]")
			return exitOK
		}
		fmt.Fprintln(e.stderr, "vahub export: the only export is `gap`: vahub export gap -o FILE.xlsx")
		return exitUsage
	}
	fs := e.newFlags("export gap", "export gap -o FILE.xlsx [--country A,B] [--from Y] [--to Y] [--suppress-k N] [--tolerance F] [--min-diff N]")
	out := fs.String("o", "", "output workbook (.xlsx)")
	countries := fs.String("country", "", "comma-separated countries (ISO codes or names); default all")
	from := fs.Int("from", 0, "first year (default: no bound)")
	to := fs.Int("to", 0, "last year (default: no bound)")
	k := fs.Int("suppress-k", suppress.DefaultK, fmt.Sprintf("withhold survey counts below k (at least %d)", suppress.MinK))
	tol := fs.Float64("tolerance", reconcile.DefaultTolerance, "Reconciliation sheet: relative difference flagged")
	minDiff := fs.Int64("min-diff", reconcile.DefaultMinDiff, "Reconciliation sheet: differences of at most this many people are never flagged")
	rest, done, code := parseFlags(fs, args[1:])
	if done {
		return code
	}
	if *out == "" || len(rest) > 0 {
		fmt.Fprintln(e.stderr, "vahub export gap: give the output file with -o FILE.xlsx")
		return exitUsage
	}
	if *from != 0 && *to != 0 && *to < *from {
		fmt.Fprintln(e.stderr, "vahub export gap: --to must not be before --from")
		return exitUsage
	}
	if *k < suppress.MinK {
		fmt.Fprintf(e.stderr, "vahub export gap: --suppress-k must be at least %d: every export of survey figures suppresses (the reporting views keep exact figures)\n", suppress.MinK)
		return exitUsage
	}
	if *tol <= 0 || *minDiff < 0 {
		fmt.Fprintln(e.stderr, "vahub export gap: --tolerance must be above 0 and --min-diff at least 0")
		return exitUsage
	}
	filter := exports.GapFilter{From: *from, To: *to}
	for _, c := range strings.Split(*countries, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		iso, ok := normalize.Country(c)
		if !ok {
			fmt.Fprintf(e.stderr, "vahub export gap: unknown country %q\n", c)
			return exitUsage
		}
		filter.Countries = append(filter.Countries, iso)
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub export gap: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	n, err := exportGapWith(ctx, db, *out, exports.GapOptions{Filter: filter, SuppressK: *k,
		Reconcile: reconcile.Options{Tolerance: *tol, MinDiff: *minDiff}})
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub export gap: %v\n", err)
		return exitInternal
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d country-years)\n", *out, n)
	return exitOK
}

// exportGap writes the gap workbook from one consistent snapshot of the
// database and returns the number of country-years it summarises.
func exportGap(ctx context.Context, db *pg.DB, path string, filter exports.GapFilter) (int, error) {
	return exportGapWith(ctx, db, path, exports.GapOptions{Filter: filter})
}

// exportGapWith is exportGap with every option of the workbook.
func exportGapWith(ctx context.Context, db *pg.DB, path string, opts exports.GapOptions) (int, error) {
	filter := opts.Filter
	snap, err := db.BeginGap(ctx)
	if err != nil {
		return 0, err
	}
	defer snap.Close()
	counts, err := snap.Counts(ctx, filter)
	if err != nil {
		return 0, err
	}
	err = writeFileAtomic(path, func(w io.Writer) error {
		return exports.WriteGap(ctx, w, countedGap{snap, counts}, opts)
	})
	if err != nil {
		return 0, err
	}
	return counts.Summary, nil
}

// countedGap answers Counts with the counts exportGap already took in the
// same snapshot, so the export does not run every count query twice (a
// quarter of its time at 1,000,000 facts).
type countedGap struct {
	*pg.GapSnapshot
	counts schema.GapCounts
}

func (c countedGap) Counts(context.Context, exports.GapFilter) (schema.GapCounts, error) {
	return c.counts, nil
}
