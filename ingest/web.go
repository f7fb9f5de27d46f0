package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/vahub/vahub/ingest/crawl"
	"github.com/vahub/vahub/ingest/monitor"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
)

// WebOptions configure a crawl of one or more source profiles.
type WebOptions struct {
	Profiles  []crawl.Profile
	StartURL  string // optional: crawl from this URL only, limited to its host
	RunKind   string // crawl or nightly
	StartedBy string
	UserAgent string
	Logger    *slog.Logger
	Crawl     crawl.Options // transport, temp dir, clock (tests)
	// Progress, when set, is told after each page or file of a profile
	// (the command line draws a bar on a terminal, nothing otherwise).
	Progress func(profile string, done, total int)
}

// WebReport is the run report of a crawl: what was found, what changed,
// what failed and what waits for a person. Files holds one object per page
// or file ingested, the same object as `vahub ingest --json` (pages add
// the diff against the version they replace, and may say no_data).
type WebReport struct {
	RunID            int64         `json:"run_id"`
	Profiles         []string      `json:"profiles"`
	Files            []FileReport  `json:"files"`
	NeedsManualEntry []pg.Document `json:"needs_manual_entry"`
	Unchanged        int           `json:"unchanged"`
	Failed           []SourceError `json:"failed"`
	Skipped          []SourceError `json:"skipped"` // robots.txt said no: policy, not failure
}

// SourceError is a failure on one source; it never stops the others.
type SourceError struct {
	Profile string `json:"profile"`
	URL     string `json:"url"`
	Error   string `json:"error"`
}

// OK reports whether nothing failed and no file was rejected.
func (r WebReport) OK() bool {
	if len(r.Failed) > 0 {
		return false
	}
	for _, f := range r.Files {
		if f.Status == pg.FileRejected {
			return false
		}
	}
	return true
}

// Web crawls the profiles, ingests what is new or changed and records the
// run. A failure on one source is reported and the run goes on; the error
// is for failures of the run itself (the database went away).
func Web(ctx context.Context, db *pg.DB, opts WebOptions) (WebReport, error) {
	var rep WebReport
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	co := opts.Crawl
	if opts.UserAgent != "" {
		co.UserAgent = opts.UserAgent
	}
	co.Logger = opts.Logger
	crawler, err := crawl.NewCrawler(co)
	if err != nil {
		return rep, fmt.Errorf("ingest: %w", err)
	}
	fetcher, err := crawl.NewFetcher(co)
	if err != nil {
		return rep, fmt.Errorf("ingest: %w", err)
	}
	runID, err := db.StartRun(ctx, opts.RunKind, opts.StartedBy, false)
	if err != nil {
		return rep, fmt.Errorf("ingest: %w", err)
	}
	rep.RunID = runID
	for _, p := range opts.Profiles {
		if !p.Enabled && opts.StartURL == "" {
			continue
		}
		rep.Profiles = append(rep.Profiles, p.Name)
		if err := webProfile(ctx, db, crawler, fetcher, p, opts, &rep); err != nil {
			_ = db.FinishRun(context.WithoutCancel(ctx), runID, "failed")
			return rep, err
		}
	}
	docs, err := db.NeedsManualEntry(ctx)
	if err != nil {
		return rep, fmt.Errorf("ingest: %w", err)
	}
	rep.NeedsManualEntry = docs
	status := "succeeded"
	if !rep.OK() {
		status = "partial"
	}
	if err := db.FinishRun(ctx, runID, status); err != nil {
		return rep, fmt.Errorf("ingest: %w", err)
	}
	return rep, nil
}

func webProfile(ctx context.Context, db *pg.DB, crawler *crawl.Crawler, fetcher *crawl.Fetcher, p crawl.Profile, opts WebOptions, rep *WebReport) error {
	disc, err := crawler.Run(ctx, p, opts.StartURL)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep.Failed = append(rep.Failed, SourceError{Profile: p.Name, URL: opts.StartURL, Error: err.Error()})
		return nil
	}
	for _, e := range disc.Errors {
		rep.Failed = append(rep.Failed, SourceError{Profile: p.Name, URL: e.URL, Error: e.Error()})
	}
	total, done := len(disc.Pages)+len(disc.Files), 0
	tick := func() {
		done++
		if opts.Progress != nil {
			opts.Progress(p.Name, done, total)
		}
	}
	for _, page := range disc.Pages {
		tick()
		u, err := url.Parse(page.URL)
		// Start and index pages only lead to profile pages and files.
		if p.Extractor != crawl.ExtractorMonitor || err != nil || disc.Profile.Classify(u) != crawl.KindPage {
			continue
		}
		fr, unchanged, err := webPage(ctx, db, rep.RunID, p, page)
		if err != nil {
			return err
		}
		if unchanged {
			rep.Unchanged++
			continue
		}
		rep.Files = append(rep.Files, fr)
	}
	for _, f := range disc.Files {
		tick()
		if err := webFile(ctx, db, fetcher, disc.Profile, f, rep); err != nil {
			return err
		}
	}
	return nil
}

// PageNoData is the status of a page whose figures could not be read (a
// table that is only an image): no facts, and no zeros.
const PageNoData = "no_data"

// webPage extracts a Monitor page's figures and stores them as a version
// of that page, with the diff against the version it replaces.
func webPage(ctx context.Context, db *pg.DB, runID int64, p crawl.Profile, page crawl.Page) (FileReport, bool, error) {
	fr := FileReport{Path: page.URL, SHA256: page.SHA256, Format: "monitor", Issues: []schema.Issue{}}
	prev, err := db.GetFetchState(ctx, page.URL)
	if err != nil {
		return fr, false, err
	}
	state := pg.FetchState{URL: page.URL, Profile: p.Name, ETag: page.ETag, LastModified: page.LastModified, SHA256: page.SHA256, Status: page.Status}
	if prev != nil && prev.SHA256 == page.SHA256 {
		return fr, true, db.PutFetchState(ctx, state)
	}
	res, err := monitor.Extract(ctx, monitor.Page{URL: page.URL, HTML: page.Body, Fetched: page.FetchedAt})
	if err != nil {
		return fr, false, fmt.Errorf("ingest: extract %s: %w", page.URL, err)
	}
	fr.Issues = append(fr.Issues, res.Issues...)
	for _, r := range res.Reports {
		r.SourceType = p.SourceType
	}
	fr.Country, fr.Period = summarise(res.Reports)
	stored, err := db.RecordFile(ctx, pg.FileInput{
		RunID: runID, Path: page.URL, Name: pageName(page.URL), SHA256: page.SHA256, Content: page.Body,
		MediaType: page.ContentType, SourceURL: page.URL, Format: "monitor", Reports: res.Reports, Issues: fr.Issues,
	})
	if err != nil {
		return fr, false, fmt.Errorf("ingest: %s: %w", page.URL, err)
	}
	fr.Status, fr.Facts, fr.Reports = stored.Status, stored.Facts, stored.Reports
	if (res.NoData || len(res.Reports) == 0) && !schema.Issues(fr.Issues).HasErrors() {
		fr.Status = PageNoData
	}
	for _, rr := range stored.Reports {
		if rr.SupersededID == 0 {
			continue
		}
		ch, err := db.DiffReports(ctx, rr.SupersededID, rr.ReportID)
		if err != nil {
			return fr, false, err
		}
		fr.Changes = append(fr.Changes, ch...)
	}
	return fr, false, db.PutFetchState(ctx, state)
}

// webFile fetches a linked file unless it is unchanged: spreadsheets go
// through the spreadsheet ingest with the URL as source; PDF and Word
// documents are kept and listed for manual entry.
func webFile(ctx context.Context, db *pg.DB, fetcher *crawl.Fetcher, p crawl.Profile, f crawl.FileLink, rep *WebReport) error {
	prev, err := db.GetFetchState(ctx, f.URL)
	if err != nil {
		return err
	}
	var pv crawl.Previous
	if prev != nil {
		pv = crawl.Previous{ETag: prev.ETag, LastModified: prev.LastModified, SHA256: prev.SHA256}
	}
	got, err := fetcher.Fetch(ctx, p, f.URL, pv)
	if errors.Is(err, crawl.ErrRobots) {
		rep.Skipped = append(rep.Skipped, SourceError{Profile: p.Name, URL: f.URL, Error: err.Error()})
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep.Failed = append(rep.Failed, SourceError{Profile: p.Name, URL: f.URL, Error: err.Error()})
		return nil
	}
	defer got.Remove()
	state := pg.FetchState{URL: f.URL, Profile: p.Name, ETag: got.ETag, LastModified: got.LastModified, SHA256: got.SHA256, Status: got.Status}
	if got.Unchanged {
		rep.Unchanged++
		return db.PutFetchState(ctx, state)
	}
	switch strings.ToLower(f.Type) {
	case "xlsx", "csv":
		fr, err := File(ctx, db, rep.RunID, got.Path, Options{SourceURL: f.URL})
		if err != nil {
			return err
		}
		fr.Path = f.URL
		rep.Files = append(rep.Files, fr)
	default:
		content, err := os.ReadFile(got.Path)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		doc := pg.Document{URL: f.URL, Profile: p.Name, MediaType: got.ContentType, SHA256: got.SHA256, Language: guessLanguage(f.URL + " " + f.Text)}
		if c, y := guessCountryYear(f); c != "" {
			doc.Country = &c
			if y != 0 {
				doc.Year = &y
			}
		}
		if _, err := db.PutDocument(ctx, doc, content, pageName(f.URL)); err != nil {
			return err
		}
	}
	return db.PutFetchState(ctx, state)
}

func pageName(u string) string {
	pu, err := url.Parse(u)
	if err != nil || path.Base(pu.Path) == "/" || path.Base(pu.Path) == "." {
		return "page.html"
	}
	return path.Base(pu.Path)
}

// guessCountryYear reads a State and a year from a report link's anchor
// text or file name ("Lao PDR 2023", "CCM_Art7_Lebanon_2022.pdf").
func guessCountryYear(f crawl.FileLink) (string, int) {
	text := f.Text + " " + strings.NewReplacer("_", " ", "-", " ", "%20", " ").Replace(pageName(f.URL))
	words := strings.Fields(strings.TrimSuffix(text, path.Ext(text)))
	country, year := "", 0
	for i := range words {
		for n := 4; n >= 1 && country == ""; n-- {
			if i+n <= len(words) {
				if c, ok := normalize.Country(strings.Join(words[i:i+n], " ")); ok && len(strings.Join(words[i:i+n], " ")) > 3 {
					country = c
				}
			}
		}
		var y int
		if _, err := fmt.Sscanf(words[i], "%4d", &y); err == nil && y >= 2008 && y <= 2100 && len(words[i]) == 4 {
			year = y
		}
	}
	return country, year
}

func guessLanguage(s string) string {
	s = strings.ToLower(s)
	switch {
	case strings.Contains(s, "french") || strings.Contains(s, "français") || strings.Contains(s, "_fr") || strings.Contains(s, "-fr"):
		return "fr"
	case strings.Contains(s, "spanish") || strings.Contains(s, "español") || strings.Contains(s, "_es") || strings.Contains(s, "-es"):
		return "es"
	case strings.Contains(s, "english") || strings.Contains(s, "_en") || strings.Contains(s, "-en"):
		return "en"
	}
	return ""
}
