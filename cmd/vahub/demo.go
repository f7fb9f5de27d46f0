package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/reconcile"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/survey"
)

// demoSurveyCountry is the demo country whose survey team exports its
// interviews from KoboToolbox (in its focal point's language).
var demoSurveyCountry = sample.DemoCountries[0]

func cmdDemo(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("demo", "demo [--dir DIR] [-o gap-analysis.xlsx]")
	dir := fs.String("dir", "vahub-demo", "folder for the generated sample reports, survey form and survey export")
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

	// 2. The survey path: the form a survey team would deploy, and what
	// KoboToolbox would export after a year of interviews in a country that
	// also reports on Form H, so the two can be reconciled.
	sc, sy := demoSurveyCountry, *to
	formPath := filepath.Join(*dir, "vahub-survey.xlsx")
	err := writeFileAtomic(formPath, func(w io.Writer) error { return exports.WriteXLSForm(w, survey.Standard()) })
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}
	surveyPath := filepath.Join(*dir, fmt.Sprintf("survey-kobo-%s-%d.xlsx", sc.Code, sy))
	var interviews int
	err = writeFileAtomic(surveyPath, func(w io.Writer) error {
		ivs, err := sample.WriteSurveyKobo(w, sc, sy)
		interviews = len(ivs)
		return err
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}
	files = append(files, surveyPath)
	fmt.Fprintf(e.stdout, "2. wrote the survey form (XLSForm) %s and a simulated KoboToolbox export of %d interviews in %s %d to %s\n",
		formPath, interviews, sc.Code, sy, surveyPath)

	// 3. Ingest them like a data officer would.
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
	fmt.Fprintf(e.stdout, "3. ingested them in run %d: %d new, %d superseded, %d already there, %d rejected; %d facts stored\n",
		res.RunID, counts["ingested"], counts["superseded"], counts["duplicate"], counts["rejected"], facts)
	for _, f := range res.Files {
		switch s := f.Survey; {
		case s != nil:
			fmt.Fprintf(e.stdout, "   survey %s %d: %d accepted, %d duplicate(s), %d replaced, %d refusal(s) (no consent), %d row(s) rejected\n",
				sc.Code, sy, s.Accepted, s.Duplicates, s.Replaced, s.NoConsent, s.Rejected)
		case f.Path == surveyPath && f.Status == pg.FileDuplicate:
			fmt.Fprintf(e.stdout, "   survey %s %d: this export was imported before; its interviews are stored\n", sc.Code, sy)
		}
	}
	if !res.OK() {
		fmt.Fprintln(e.stderr, "vahub demo: some sample files were rejected; this is a bug")
		return exitFailed
	}

	// 4. The gap analysis, with the Reconciliation and Disclosure sheets.
	filter := exports.GapFilter{From: *from, To: *to}
	n, err := exportGap(ctx, db, *out, filter)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintf(e.stdout, "4. wrote the gap analysis (%d country-years) to %s\n", n, abs)
	// The same comparison as the Reconciliation sheet and `vahub reconcile`,
	// with the workbook's defaults (k, tolerance, minimum difference).
	rows, err := exports.Reconcile(ctx, db, filter, suppress.DefaultK, reconcile.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub demo: %v\n", err)
		return exitInternal
	}
	fmt.Fprintf(e.stdout, "   Reconciliation sheet: %s\n", reconcileSummary(rows, suppress.DefaultK))
	fmt.Fprintln(e.stdout, "   Open it in Excel or LibreOffice; `vahub runs` lists the ingestion run.")
	return exitOK
}

// reconcileSummary says in one line what the reconciliation found: which
// country-years were compared and how many pairs agree, differ or could
// not be compared.
func reconcileSummary(rows []reconcile.Row, k int) string {
	if len(rows) == 0 {
		return "no country-year with both a survey and Form H service figures"
	}
	var cys []string
	byStatus := map[string]int{}
	for _, r := range rows {
		if cy := fmt.Sprintf("%s %d", r.Country, r.Year); !slices.Contains(cys, cy) {
			cys = append(cys, cy)
		}
		byStatus[r.Status]++
	}
	parts := []string{}
	for _, st := range []struct{ status, words string }{
		{reconcile.StatusAgrees, "agree"},
		{reconcile.StatusDiffers, "differ beyond the tolerance"},
		{reconcile.StatusWithheld, fmt.Sprintf("withheld to protect small survey counts (k = %d; see the Disclosure sheet)", k)},
		{reconcile.StatusNotComparable, "not comparable"},
		{reconcile.StatusSurveyMissing, "only in Form H"},
		{reconcile.StatusOfficialMissing, "only in the survey"},
	} {
		if c := byStatus[st.status]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, st.words))
		}
	}
	return fmt.Sprintf("survey vs Form H for %s: %d pairs: %s", strings.Join(cys, ", "), len(rows), strings.Join(parts, ", "))
}
