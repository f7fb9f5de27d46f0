// Package ingest turns input files into stored reports: it reads each file,
// recognises its format, validates it, and hands the result to the store in
// one transaction, so a file is ingested entirely or not at all.
package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	svy "github.com/vahub/vahub/schema/survey"
)

// DefaultMaxFileSize caps what one input may weigh. Reports are small; a
// bigger file is almost always the wrong file, and the bytes are kept.
const DefaultMaxFileSize = 100 << 20

// Options configure one ingestion run.
type Options struct {
	DryRun       bool   // validate only: nothing is written, no database needed
	RunKind      string // cli, demo, web, nightly, …
	StartedBy    string // who or what started the run (no personal data beyond a user name)
	ReportStatus string // "approved" (data officer) or "submitted" (focal point upload)
	MaxFileSize  int64
	Logger       *slog.Logger
	SourceURL    string // where the file was downloaded from, kept as its lineage
	// Country (alpha-3) and Year supply or override what files state
	// (--country, --year).
	Country string
	Year    int
	// Mapping is a data officer's mapping file (--mapping), applied to the
	// tables of its layout and stored (source 'officer') when they ingest.
	Mapping *Mapping
	// MappingOut is where a mapping file is written for a table that
	// cannot be mapped (--write-mapping); "" writes <input name>.mapping.json
	// in the current folder.
	MappingOut string
	// Layouts is the layout memory; Files uses the database's when nil
	// (none in a dry run).
	Layouts LayoutStore
}

// FileReport is the per-file result, the JSON object of `vahub ingest --json`.
type FileReport struct {
	Path    string         `json:"path"`
	SHA256  string         `json:"sha256"`
	Status  string         `json:"status"`
	Format  string         `json:"format"`
	Country string         `json:"country"`
	Period  *Period        `json:"period"`
	Facts   int            `json:"facts"`
	Issues  []schema.Issue `json:"issues"`
	// Changes (web pages only): how this version differs from the one it
	// replaces.
	Changes []pg.FactChange `json:"changes,omitempty"`
	// Survey (survey exports only): what the file's records did.
	Survey *SurveyReport `json:"survey,omitempty"`
	// Reports lists the stored reports (one per country and period), not
	// part of the JSON contract.
	Reports []pg.ReportResult `json:"-"`
	// Language (en, fr, es) of the file's first report, "" when unknown;
	// the language feedback in the file itself is worded in.
	Language string `json:"-"`
}

// Period is a report's period as ISO dates.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Result is the outcome of a run over several files.
type Result struct {
	RunID int64        `json:"-"`
	Files []FileReport `json:"files"`
}

// OK reports whether every file was ingested, superseded an earlier version,
// was a duplicate, or (dry run) validated cleanly.
func (r Result) OK() bool {
	for _, f := range r.Files {
		if f.Status == pg.FileRejected {
			return false
		}
	}
	return true
}

// Files ingests paths in one run. db may be nil for a dry run. A file that
// fails does not stop the others; the returned error is for failures of the
// run itself (the database went away), not for bad files.
func Files(ctx context.Context, db *pg.DB, paths []string, opts Options) (Result, error) {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	var res Result
	if !opts.DryRun {
		id, err := db.StartRun(ctx, opts.RunKind, opts.StartedBy, false)
		if err != nil {
			return res, fmt.Errorf("ingest: %w", err)
		}
		res.RunID = id
		if opts.Layouts == nil {
			opts.Layouts = PGLayouts(db)
		}
	}
	runStatus := "succeeded"
	for _, p := range paths {
		fr, err := File(ctx, db, res.RunID, p, opts)
		if err != nil {
			runStatus = "failed"
			if res.RunID != 0 {
				_ = db.FinishRun(context.WithoutCancel(ctx), res.RunID, runStatus)
			}
			return res, err
		}
		if fr.Status == pg.FileRejected {
			runStatus = "partial"
		}
		opts.Logger.Info("file", "path", p, "status", fr.Status, "format", fr.Format,
			"country", fr.Country, "facts", fr.Facts, "issues", len(fr.Issues))
		res.Files = append(res.Files, fr)
	}
	if res.RunID != 0 {
		if err := db.FinishRun(ctx, res.RunID, runStatus); err != nil {
			return res, fmt.Errorf("ingest: %w", err)
		}
	}
	return res, nil
}

// File reads, validates and (unless a dry run) stores one file under runID.
func File(ctx context.Context, db *pg.DB, runID int64, path string, opts Options) (FileReport, error) {
	fr := FileReport{Path: path, Issues: []schema.Issue{}}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	f, issue := readCapped(path, opts.MaxFileSize)
	if issue != nil {
		fr.Issues = append(fr.Issues, *issue)
		fr.Status = pg.FileRejected
		if !opts.DryRun {
			if _, err := db.RecordFile(ctx, pg.FileInput{RunID: runID, Path: path, Name: filepath.Base(path), Issues: fr.Issues}); err != nil {
				return fr, fmt.Errorf("ingest: %s: %w", path, err)
			}
		}
		return fr, nil
	}
	fr.SHA256 = f.sha256
	content := f.content

	parsed, err := parse(ctx, Input{Path: path, Content: content, Size: f.size, Country: opts.Country, Year: opts.Year,
		Mapping: opts.Mapping, Layouts: opts.Layouts, WantMapping: opts.MappingOut != ""})
	if err != nil {
		return fr, fmt.Errorf("ingest: %s: %w", path, err)
	}
	defer parsed.close()
	var span surveySpan
	if parsed.Survey != nil {
		parsed.Survey = span.watch(parsed.Survey)
	}
	if parsed.Draft != nil {
		writeDraftMapping(path, parsed, opts)
	}
	if u := parsed.Layout; u != nil {
		opts.Logger.Info("layout", "path", path, "fingerprint", u.Fingerprint, "mapping", u.Source,
			"columns", mappingJSON(u.Mapping))
	}
	fr.Format = parsed.Format
	fr.Issues = append(fr.Issues, parsed.Issues...)
	fr.Country, fr.Period = summarise(parsed.Reports)
	if len(parsed.Reports) > 0 {
		fr.Language = parsed.Reports[0].Language
	}
	rejected := schema.Issues(fr.Issues).HasErrors() || (len(parsed.Reports) == 0 && parsed.Survey == nil)
	if opts.DryRun {
		fr.Status = pg.FileDryRun
		if rejected {
			fr.Status = pg.FileRejected
		} else if parsed.Survey != nil {
			if err := dryRunSurvey(ctx, parsed, &fr, &span); err != nil {
				return fr, fmt.Errorf("ingest: %s: %w", path, err)
			}
		} else {
			for _, r := range parsed.Reports {
				fr.Facts += r.FactCount()
			}
		}
		return fr, nil
	}
	stored, err := db.RecordFile(ctx, pg.FileInput{
		RunID:        runID,
		Path:         path,
		Name:         filepath.Base(path),
		SHA256:       fr.SHA256,
		Content:      content,
		BodyPath:     path,
		Size:         f.size,
		MediaType:    http.DetectContentType(f.head),
		SourceURL:    opts.SourceURL,
		Format:       parsed.Format,
		Reports:      parsed.Reports,
		Issues:       fr.Issues,
		Survey:       parsed.Survey,
		ReportStatus: opts.ReportStatus,
	})
	if err != nil {
		return fr, fmt.Errorf("ingest: %s: %w", path, err)
	}
	fr.Status = stored.Status
	fr.Facts = stored.Facts
	if parsed.Survey != nil {
		fr.Country, fr.Period = span.summary()
		// The stream's own issues (rows not imported, answers not read)
		// come back with the result.
		fr.Issues = append([]schema.Issue{}, stored.Issues...)
		if stored.Survey != nil {
			c := *stored.Survey
			c.Rejected = parsed.survey.Rejected()
			fr.Survey = &c
		}
	}
	fr.Reports = stored.Reports
	if u := parsed.Layout; u != nil && opts.Layouts != nil && fr.Status != pg.FileRejected {
		if err := opts.Layouts.Put(ctx, StoredLayout{Fingerprint: u.Fingerprint, Format: u.Format,
			Source: u.storeSource(), Mapping: u.Mapping}); err != nil {
			return fr, fmt.Errorf("ingest: %s: %w", path, err)
		}
	}
	return fr, nil
}

// dryRunSurvey streams a survey export without a database: every usable
// record counts as accepted or as a refusal (duplicates and edits are only
// known against the store).
func dryRunSurvey(ctx context.Context, parsed *Parsed, fr *FileReport, span *surveySpan) error {
	var c SurveyReport
	issues, err := parsed.Survey(ctx, func(r *svy.Record) error {
		if r.Refusal() {
			c.NoConsent++
		} else {
			c.Accepted++
		}
		return nil
	})
	if err != nil {
		return err
	}
	fr.Issues = append(fr.Issues, issues...)
	c.Rejected = parsed.survey.Rejected()
	fr.Survey = &c
	fr.Country, fr.Period = span.summary()
	if schema.Issues(fr.Issues).HasErrors() {
		fr.Status = pg.FileRejected
	}
	return nil
}

// surveySpan watches a survey stream for the countries and years its
// records cover, for the per-file report (and the web upload's scope
// check): the one country, or "" when there are several.
type surveySpan struct {
	country          string
	several          bool
	minYear, maxYear int
}

func (s *surveySpan) watch(fn pg.SurveyFunc) pg.SurveyFunc {
	return func(ctx context.Context, emit func(*svy.Record) error) (schema.Issues, error) {
		return fn(ctx, func(r *svy.Record) error {
			switch {
			case s.country == "":
				s.country = r.Country
			case r.Country != s.country:
				s.several = true
			}
			if s.minYear == 0 || r.Year < s.minYear {
				s.minYear = r.Year
			}
			s.maxYear = max(s.maxYear, r.Year)
			return emit(r)
		})
	}
}

func (s *surveySpan) summary() (string, *Period) {
	if s.minYear == 0 {
		return "", nil
	}
	country := s.country
	if s.several {
		country = ""
	}
	return country, &Period{Start: fmt.Sprintf("%04d-01-01", s.minYear), End: fmt.Sprintf("%04d-12-31", s.maxYear)}
}

// writeDraftMapping writes the mapping file of a table that could not be
// mapped and completes the issue that says so with its path.
func writeDraftMapping(path string, parsed *Parsed, opts Options) {
	out := opts.MappingOut
	if out == "" {
		out = filepath.Base(path) + ".mapping.json"
	}
	note := fmt.Sprintf(" A mapping file was written to %s: say there what each unknown column or label means, then run "+
		"`vahub ingest --mapping %s %s` (the mapping is remembered for files with the same layout).", out, out, path)
	if err := WriteMappingFile(out, parsed.Draft); err != nil {
		note = fmt.Sprintf(" vahub could not write a mapping file to %s (%v); give --write-mapping FILE.json.", out, unwrapPath(err))
	}
	for i, is := range parsed.Issues {
		if is.Code == CodeMappingNeeded && is.Severity == schema.SevError {
			parsed.Issues[i].Message += note
			return
		}
	}
}

// summarise gives the country and period a file's reports cover, for the
// per-file report: the one country (or "" when they differ) and the span
// from the earliest start to the latest end.
func summarise(reports []*schema.Report) (string, *Period) {
	if len(reports) == 0 {
		return "", nil
	}
	country := reports[0].Country
	var start, end time.Time
	for _, r := range reports {
		if r.Country != country {
			country = ""
		}
		if r.PeriodStart.IsZero() {
			continue
		}
		if start.IsZero() || r.PeriodStart.Before(start) {
			start = r.PeriodStart
		}
		if r.PeriodEnd.After(end) {
			end = r.PeriodEnd
		}
	}
	if start.IsZero() {
		return country, nil
	}
	return country, &Period{Start: start.Format("2006-01-02"), End: end.Format("2006-01-02")}
}

// readCapped reads a whole file, refusing one over max bytes.
// inlineMax is the largest file held in memory whole; bigger ones are
// hashed and stored streaming, so memory stays flat whatever their size.
const inlineMax = 16 << 20

// cappedFile is a file checked against the size cap and hashed.
type cappedFile struct {
	size    int64
	sha256  string
	head    []byte // the first 512 bytes, for content sniffing
	content []byte // the whole file when it is at most inlineMax, else nil
}

// readCapped checks a file against the cap and hashes it in one streaming
// pass, keeping the bytes only for small files.
func readCapped(path string, max int64) (cappedFile, *schema.Issue) {
	var cf cappedFile
	fi, err := os.Stat(path)
	if err != nil {
		return cf, &schema.Issue{Severity: schema.SevError, Code: schema.CodeUnreadable,
			Message: fmt.Sprintf("The file could not be opened: %v.", unwrapPath(err))}
	}
	if fi.IsDir() {
		return cf, &schema.Issue{Severity: schema.SevError, Code: schema.CodeUnreadable,
			Message: "This is a folder, not a file."}
	}
	if fi.Size() > max {
		return cf, &schema.Issue{Severity: schema.SevError, Code: schema.CodeTooLarge,
			Message: fmt.Sprintf("The file is %d MB; the limit is %d MB. Check that this is the right file.", fi.Size()>>20, max>>20)}
	}
	unreadable := func(err error) (cappedFile, *schema.Issue) {
		return cappedFile{}, &schema.Issue{Severity: schema.SevError, Code: schema.CodeUnreadable,
			Message: fmt.Sprintf("The file could not be read: %v.", unwrapPath(err))}
	}
	file, err := os.Open(path)
	if err != nil {
		return unreadable(err)
	}
	defer file.Close()
	h := sha256.New()
	var w io.Writer = h
	var buf bytes.Buffer
	if fi.Size() <= inlineMax {
		w = io.MultiWriter(h, &buf)
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return unreadable(err)
	}
	cf.head = head[:n]
	w.Write(cf.head)
	rest, err := io.Copy(w, file)
	if err != nil {
		return unreadable(err)
	}
	cf.size = int64(n) + rest
	// A file that grew past the cap while we read it is refused too.
	if cf.size > max {
		return cappedFile{}, &schema.Issue{Severity: schema.SevError, Code: schema.CodeTooLarge,
			Message: fmt.Sprintf("The file is %d MB; the limit is %d MB.", cf.size>>20, max>>20)}
	}
	cf.sha256 = hex.EncodeToString(h.Sum(nil))
	if fi.Size() <= inlineMax {
		cf.content = buf.Bytes()
		if cf.content == nil {
			cf.content = []byte{}
		}
	}
	return cf, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Report is the file's first stored report (templates have exactly one);
// the zero value when nothing was stored.
func (f FileReport) Report() pg.ReportResult {
	if len(f.Reports) == 0 {
		return pg.ReportResult{}
	}
	return f.Reports[0]
}
