package ingest

import (
	"context"
	"fmt"

	"github.com/vahub/vahub/ingest/survey"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
)

// Formats vahub recognises.
const (
	FormatTemplate = "vahub-template"
	FormatUnknown  = "unknown"
)

// Input is one file as the readers see it.
type Input struct {
	Path    string // as the user named it
	Content []byte // the whole file when it is small (≤ 16 MiB), else nil: read Path
	Size    int64  // the file's size in bytes
	// Country and Year come from --country and --year: they supply what a
	// file does not state, and override what it does.
	Country string
	Year    int
	// Mapping is a data officer's mapping file (--mapping): the dataset
	// reader applies it to the table whose layout it was written for.
	Mapping *Mapping
	// Layouts holds the mappings of layouts read before; nil in dry runs
	// without a database.
	Layouts LayoutStore
	// WantMapping (--write-mapping): write a mapping file for a table the
	// dataset reader cannot map even when nothing in it looks like
	// casualty data.
	WantMapping bool
}

// Parsed is what a reader made of a file it recognised.
type Parsed struct {
	Format  string
	Reports []*schema.Report
	Issues  schema.Issues
	// Layout is how the dataset reader mapped the table it read (nil for
	// other readers); stored after a successful ingest.
	Layout *LayoutUse
	// Draft is the mapping file to write for a table that could not be
	// mapped; the CodeMappingNeeded issue is completed with its path.
	Draft *Mapping
	// Survey streams the records of a survey export (nil for other
	// readers); it runs inside the file's transaction.
	Survey pg.SurveyFunc
	// survey is the open export behind Survey: closed after the file is
	// stored, its rejected-row count goes into the report.
	survey *survey.Export
}

// close releases what a reader left open for the store.
func (p *Parsed) close() {
	if p != nil && p.survey != nil {
		p.survey.Close()
	}
}

// A Reader reads one family of formats. It returns nil, nil for a file
// that is not of its family, so the next reader can try; an error is for a
// failure of the reader itself, problems in the file are issues.
type Reader func(ctx context.Context, in Input) (*Parsed, error)

// readers are tried in order, most specific first.
func readers() []Reader {
	// The survey reader goes first: it claims exports by their header
	// alone, and a million-row workbook must be opened once, not once per
	// reader.
	return []Reader{readSurvey, readTemplateInput, readArticle7, readHxl, readDataset}
}

// parse runs the readers until one recognises the file.
func parse(ctx context.Context, in Input) (*Parsed, error) {
	var notMine schema.Issues
	for _, read := range readers() {
		p, err := read(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		if p == nil {
			continue
		}
		if p.Format == FormatUnknown {
			// The reader could say why the file is not its own; keep the
			// first such explanation in case nobody claims the file.
			if notMine == nil {
				notMine = p.Issues
			}
			continue
		}
		return p, nil
	}
	if notMine == nil {
		notMine = schema.Issues{{Severity: schema.SevError, Code: schema.CodeNotTemplate,
			Message: "vahub does not recognise this file."}}
	}
	return &Parsed{Format: FormatUnknown, Issues: notMine}, nil
}

// readTemplateInput adapts ReadTemplate to the Reader shape.
func readTemplateInput(ctx context.Context, in Input) (*Parsed, error) {
	report, issues, err := ReadTemplate(ctx, in.Path)
	if err != nil {
		// A file the reader could not open (a CSV, a PDF, a damaged zip)
		// comes with an issue saying so: that is a rejection, not a failure.
		if len(issues) > 0 {
			return &Parsed{Format: FormatUnknown, Issues: issues}, nil
		}
		return nil, err
	}
	if report == nil && onlyNotTemplate(issues) {
		return &Parsed{Format: FormatUnknown, Issues: issues}, nil
	}
	p := &Parsed{Format: FormatTemplate, Issues: issues}
	if report != nil {
		applyOverrides(report, in, &p.Issues)
		p.Reports = []*schema.Report{report}
	}
	return p, nil
}

func onlyNotTemplate(issues schema.Issues) bool {
	for _, i := range issues {
		if i.Code != schema.CodeNotTemplate && i.Code != schema.CodeUnreadable {
			return false
		}
	}
	return true
}
