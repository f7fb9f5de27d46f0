package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/ingest"
)

func cmdDemo(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("demo", "demo [--dir DIR] [-o gap-analysis.xlsx]")
	dir := fs.String("dir", "vahub-demo", "folder for the generated sample reports")
	out := fs.String("o", "gap-analysis.xlsx", "gap-analysis workbook to write")
	from := fs.Int("from", 2022, "first reporting year")
	to := fs.Int("to", 2024, "last reporting year")
	if rest, done, code := parseFlags(fs, args); done || len(rest) > 0 {
		if len(rest) > 0 {
			fmt.Fprintf(e.stderr, "vahub demo: unexpected argument %q\n", rest[0])
			return exitUsage
		}
		return code
	}
	if *to < *from {
		fmt.Fprintln(e.stderr, "vahub demo: --to must not be before --from")
		return exitUsage
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}

	// 1. Sample reports, filled in the focal points' own languages.
	var files []string
	for _, c := range sample.DemoCountries {
		for y := *from; y <= *to; y++ {
			name := filepath.Join(*dir, fmt.Sprintf("form-h-%s-%d-%s.xlsx", c.Code, y, c.Lang))
			r := sample.Report(c, y)
			err := writeFileAtomic(name, func(w io.Writer) error {
				return exports.WriteTemplate(w, exports.TemplateOptions{Lang: c.Lang, Country: c.Code, Year: y, Prefill: r})
			})
			if err != nil {
				fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
				return exitInternal
			}
			files = append(files, name)
		}
	}
	fmt.Fprintf(e.stdout, "1. wrote %d filled reporting templates (en, fr, es) to %s/\n", len(files), *dir)

	// 2. Ingest them like a data officer would.
	db, err := e.openDB(ctx, migrateAlways)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	res, err := ingest.Files(ctx, db, files, ingest.Options{RunKind: "demo", StartedBy: whoami(), ReportStatus: "approved", Logger: e.log})
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}
	counts := map[string]int{}
	facts := 0
	for _, f := range res.Files {
		counts[f.Status]++
		facts += f.Facts
		for _, is := range f.Issues {
			fmt.Fprintf(e.stdout, "   %s: %s\n", f.Path, is)
		}
	}
	fmt.Fprintf(e.stdout, "2. ingested them in run %d: %d new, %d superseded, %d already there, %d rejected; %d facts stored\n",
		res.RunID, counts["ingested"], counts["superseded"], counts["duplicate"], counts["rejected"], facts)
	if !res.OK() {
		fmt.Fprintln(e.stderr, "vahub demo: some sample files were rejected; this is a bug")
		return exitFailed
	}

	// 3. The gap analysis.
	n, err := exportGap(ctx, db, *out, exports.GapFilter{From: *from, To: *to})
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintf(e.stdout, "3. wrote the gap analysis (%d country-years) to %s\n", n, abs)
	fmt.Fprintln(e.stdout, "   Open it in Excel or LibreOffice; `vahub runs` lists the ingestion run.")
	return exitOK
}
