package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"

	"github.com/vahub/vahub/exports/annotate"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

func cmdIngest(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("ingest", "ingest [--dry-run] [--json] [--country ISO3] [--year N] [--annotate OUT.xlsx] [--mapping FILE.json] [--write-mapping FILE.json] FILE...")
	dryRun := fs.Bool("dry-run", false, "validate only; write nothing (no database needed)")
	asJSON := fs.Bool("json", false, "print one JSON object with a report per file on stdout")
	status := fs.String("status", "approved", "status of new reports: approved (feeds the views) or submitted (waits for review)")
	country := fs.String("country", "", "country of the files (ISO code or name): supplies or overrides what they state")
	year := fs.Int("year", 0, "reporting year of the files: supplies or overrides what they state")
	annotateOut := fs.String("annotate", "", "with exactly one FILE: write a copy of it to this .xlsx with its problem cells highlighted and commented, and an Issues sheet first")
	mappingIn := fs.String("mapping", "", "a mapping file (which column is which dimension) for datasets vahub could not map: applied to files of its layout and remembered")
	mappingOut := fs.String("write-mapping", "", "with exactly one FILE: where to write the mapping file when a dataset cannot be mapped (default: <FILE name>.mapping.json in the current folder)")
	maxMB := fs.Int("max-file-size", ingest.DefaultMaxFileSize>>20, "largest file accepted, in MiB (its bytes are kept in the database)")
	files, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "vahub ingest: name at least one file")
		return exitUsage
	}
	if *annotateOut != "" {
		if len(files) != 1 {
			fmt.Fprintln(e.stderr, "vahub ingest: --annotate OUT.xlsx takes exactly one FILE")
			return exitUsage
		}
		if samePath(*annotateOut, files[0]) {
			fmt.Fprintln(e.stderr, "vahub ingest: --annotate must name a new file, not the input")
			return exitUsage
		}
	}
	if *mappingOut != "" && len(files) != 1 {
		fmt.Fprintln(e.stderr, "vahub ingest: --write-mapping FILE.json takes exactly one FILE")
		return exitUsage
	}
	if *maxMB < 1 || *maxMB > 1000 {
		fmt.Fprintln(e.stderr, "vahub ingest: --max-file-size must be between 1 and 1000 (MiB)")
		return exitUsage
	}
	var mapping *ingest.Mapping
	if *mappingIn != "" {
		m, err := ingest.ReadMappingFile(*mappingIn)
		if err != nil {
			fmt.Fprintf(e.stderr, "vahub ingest: --mapping %s: %v\n", *mappingIn, err)
			return exitUsage
		}
		mapping = m
	}
	if *status != "approved" && *status != "submitted" {
		fmt.Fprintln(e.stderr, "vahub ingest: --status must be approved or submitted")
		return exitUsage
	}
	opts := ingest.Options{DryRun: *dryRun, RunKind: "cli", StartedBy: whoami(), ReportStatus: *status, Logger: e.log, Year: *year,
		Mapping: mapping, MappingOut: *mappingOut, MaxFileSize: int64(*maxMB) << 20}
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
	if *annotateOut != "" && len(res.Files) == 1 {
		f := res.Files[0]
		if err := writeAnnotated(ctx, *annotateOut, f); err != nil {
			fmt.Fprintf(e.stderr, "vahub ingest: %v\n", err)
			return exitInternal
		}
		if !*asJSON {
			fmt.Fprintf(e.stdout, "wrote %s (annotated copy, %d issue(s))\n", *annotateOut, len(f.Issues))
		}
	}
	if !res.OK() {
		return exitFailed
	}
	return exitOK
}

// writeAnnotated writes the focal point's own workbook back with its
// problems marked, worded in the language of the template it was (English
// when that is not known).
func writeAnnotated(ctx context.Context, out string, f ingest.FileReport) error {
	lang := f.Language
	if lang == "" {
		lang = "en"
	}
	return writeFileAtomic(out, func(w io.Writer) error {
		return annotate.Write(ctx, f.Path, f.Issues, lang, w)
	})
}

// samePath reports whether a and b name the same file (or the same path,
// when one does not exist yet).
func samePath(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
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
		if s := f.Survey; s != nil {
			fmt.Fprintf(e.stdout, "    survey: %d accepted, %d duplicate(s), %d replaced, %d refusal(s) (no consent), %d row(s) rejected\n",
				s.Accepted, s.Duplicates, s.Replaced, s.NoConsent, s.Rejected)
		}
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
