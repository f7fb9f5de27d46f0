package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/ingest/crawl"
	"github.com/vahub/vahub/schema/pg"
)

// exitLocked: another nightly run holds the lock; nothing was done.
const exitLocked = 4

func cmdCrawl(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("crawl", "crawl --profile NAME [--url URL] [--profiles FILE] [--json]")
	name := fs.String("profile", "", "source profile to run now: art7 or monitor (or one from --profiles)")
	start := fs.String("url", "", "start from this URL only; the crawl then stays on its host")
	profiles := fs.String("profiles", "", "profile file or folder (default: the shipped profiles)")
	asJSON := fs.Bool("json", false, "print the run report as JSON")
	ua := fs.String("user-agent", os.Getenv("VAHUB_USER_AGENT"), "User-Agent with a contact address (env VAHUB_USER_AGENT)")
	if rest, done, code := parseFlags(fs, args); done || len(rest) > 0 {
		if len(rest) > 0 {
			fmt.Fprintf(e.stderr, "vahub crawl: unexpected argument %q\n", rest[0])
			return exitUsage
		}
		return code
	}
	all, err := crawl.LoadProfiles(*profiles)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub crawl: %v\n", err)
		return exitUsage
	}
	var chosen []crawl.Profile
	for _, p := range all {
		if p.Name == *name {
			chosen = append(chosen, p)
		}
	}
	if len(chosen) == 0 {
		fmt.Fprintf(e.stderr, "vahub crawl: --profile must name a profile (%s)\n", profileNames(all))
		return exitUsage
	}
	return runWeb(ctx, e, ingest.WebOptions{Profiles: chosen, StartURL: *start, RunKind: "crawl", StartedBy: whoami(), UserAgent: *ua}, *asJSON, "")
}

func cmdNightly(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("nightly", "nightly [--profiles FILE] [--report FILE.json] [--json]")
	profiles := fs.String("profiles", "", "profile file or folder (default: the shipped profiles)")
	report := fs.String("report", "", "also write the run report to this file (JSON)")
	asJSON := fs.Bool("json", false, "print the run report as JSON")
	ua := fs.String("user-agent", os.Getenv("VAHUB_USER_AGENT"), "User-Agent with a contact address (env VAHUB_USER_AGENT)")
	if rest, done, code := parseFlags(fs, args); done || len(rest) > 0 {
		if len(rest) > 0 {
			fmt.Fprintf(e.stderr, "vahub nightly: unexpected argument %q\n", rest[0])
			return exitUsage
		}
		return code
	}
	all, err := crawl.LoadProfiles(*profiles)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub nightly: %v\n", err)
		return exitUsage
	}
	return runWeb(ctx, e, ingest.WebOptions{Profiles: all, RunKind: "nightly", StartedBy: whoami(), UserAgent: *ua}, *asJSON, *report)
}

// runWeb runs a crawl under the single-run lock and reports it.
func runWeb(ctx context.Context, e *env, opts ingest.WebOptions, asJSON bool, reportPath string) int {
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	release, err := db.LockRun(ctx)
	if errors.Is(err, pg.ErrRunInProgress) {
		fmt.Fprintln(e.stderr, "vahub: another nightly or crawl run is in progress; this one did nothing")
		return exitLocked
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub: %v\n", err)
		return exitInternal
	}
	defer release()
	if n, err := db.AbandonRuns(ctx); err != nil {
		fmt.Fprintf(e.stderr, "vahub: %v\n", err)
		return exitInternal
	} else if n > 0 {
		e.log.Warn("earlier runs were interrupted; marked failed", "runs", n)
	}
	opts.Logger = e.log
	opts.Progress = progressBar(e.stderr)
	rep, err := ingest.Web(ctx, db, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub: %v\n", err)
		return exitInternal
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	if err := db.SetRunReport(ctx, rep.RunID, js); err != nil {
		fmt.Fprintf(e.stderr, "vahub: %v\n", err)
		return exitInternal
	}
	if reportPath != "" {
		if err := writeFileAtomic(reportPath, func(w io.Writer) error { _, err := w.Write(append(js, '\n')); return err }); err != nil {
			fmt.Fprintf(e.stderr, "vahub: %v\n", err)
			return exitInternal
		}
	}
	if asJSON {
		fmt.Fprintln(e.stdout, string(js))
	} else {
		printWeb(e, rep)
	}
	if !rep.OK() {
		return exitFailed
	}
	return exitOK
}

func printWeb(e *env, rep ingest.WebReport) {
	fmt.Fprintf(e.stdout, "run %d (%v)\n", rep.RunID, rep.Profiles)
	for _, f := range rep.Files {
		fmt.Fprintf(e.stdout, "%-10s %s (%d facts)\n", f.Status, f.Path, f.Facts)
		for _, c := range f.Changes {
			fmt.Fprintf(e.stdout, "    %s %s: %v -> %v\n", c.Kind, c.Fact, deref(c.Before), deref(c.After))
		}
		for _, is := range f.Issues {
			fmt.Fprintf(e.stdout, "    %s\n", is)
		}
	}
	for _, f := range rep.Failed {
		fmt.Fprintf(e.stdout, "FAILED     %s: %s\n", f.URL, f.Error)
	}
	fmt.Fprintf(e.stdout, "%d page(s) or file(s) new or changed, %d unchanged, %d failed, %d skipped by robots.txt, %d document(s) need manual entry\n",
		len(rep.Files), rep.Unchanged, len(rep.Failed), len(rep.Skipped), len(rep.NeedsManualEntry))
	for _, d := range rep.NeedsManualEntry {
		fmt.Fprintf(e.stdout, "  manual entry: %s\n", d.URL)
	}
}

func deref(p *int64) any {
	if p == nil {
		return "—"
	}
	return *p
}

func profileNames(ps []crawl.Profile) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.Name
	}
	return s
}

// progressBar draws "monitor [#####     ] 12/40" on a terminal and nothing
// when stderr is a file or a pipe (cron, systemd), where logs are read.
func progressBar(w io.Writer) func(string, int, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(profile string, done, total int) {
		const width = 30
		n := 0
		if total > 0 {
			n = done * width / total
		}
		fmt.Fprintf(w, "\r%-8s [%s%s] %d/%d", profile, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}
