package survey

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/vahub/vahub/schema"
	svy "github.com/vahub/vahub/schema/survey"
)

// Options of one export's reading.
type Options struct {
	// Country (alpha-3) and Year supply what a record lacks (--country,
	// --year); they never override an answer: an interview's country and
	// date are what the enumerator recorded.
	Country string
	Year    int
	// Size is the file's size in bytes (it scales the zip-bomb limit of a
	// workbook); 0 when not known.
	Size int64
}

// Export is an export of the standard form, ready to stream.
type Export struct {
	Tool   string // ToolKobo or ToolODK
	Kind   string // xlsx, csv or zip
	Sheet  string // the sheet or CSV read
	Layout *Layout
	// Issues are what the header says (missing questions, unknown
	// columns); errors mean the export cannot be read.
	Issues schema.Issues

	t        *table
	name     string
	formID   string
	opts     Options
	close    func() error
	rejected int
}

// maxPendingRefusals bounds the refusals held back until the file's
// country is known (the form asks the country only after consent).
const maxPendingRefusals = 100_000

// Open recognises a survey export. It returns:
//   - nil, nil, nil for a file that is not a KoboToolbox or ODK export;
//   - nil and error issues for an export of another form (which standard
//     questions it lacks) or one that cannot be read;
//   - an Export (Close it) and warnings for an export of the standard form.
//
// It reads headers only; Stream reads the rows.
func Open(ctx context.Context, path string, opts Options) (exp *Export, issues schema.Issues, err error) {
	name := filepath.Base(path)
	kind, err := sniffKind(path)
	if err != nil {
		return nil, nil, fmt.Errorf("survey: %w", err)
	}
	var tables []*table
	closer := func() error { return nil }
	formID := ""
	switch kind {
	case "zip":
		workbook, marked, csvs, zerr := zipContents(path)
		switch {
		case zerr != nil:
			return nil, nil, nil //nolint:nilerr // a damaged zip is the other readers' to report
		case workbook && !marked:
			return nil, nil, nil
		case workbook:
			kind = "xlsx"
			tables, closer, err = openXLSX(ctx, path, opts.Size)
			if err != nil {
				return nil, schema.Issues{{Severity: schema.SevError, Code: schema.CodeUnreadable,
					Message: fmt.Sprintf("%s looks like a KoboToolbox/ODK export but the workbook cannot be read: %v.", name, err)}}, nil
			}
		case len(csvs) > 0:
			tables, err = openZipCSVs(ctx, path, csvs)
			if err != nil {
				return nil, nil, nil //nolint:nilerr // not a readable CSV zip: not ours to judge
			}
		default:
			return nil, nil, nil
		}
	case "csv":
		t, err := openCSVFile(ctx, path)
		if err != nil || t == nil {
			return nil, nil, nil //nolint:nilerr // not a readable CSV: the other readers say why
		}
		tables = []*table{t}
	default:
		return nil, nil, nil
	}
	keep := false
	defer func() {
		if !keep {
			closer()
		}
	}()

	var best, other *table
	var bestL, otherL *Layout
	for _, t := range tables {
		l := ClassifyHeader(t.header)
		switch {
		case l.Standard():
			if bestL == nil || len(l.Questions) > len(bestL.Questions) {
				best, bestL = t, l
			}
		case l.Exportish():
			if otherL == nil || len(l.Questions) > len(otherL.Questions) {
				other, otherL = t, l
			}
		}
	}
	if best == nil {
		if other == nil {
			return nil, nil, nil
		}
		return nil, otherForm(name, other, otherL, len(tables)), nil
	}
	if kind == "zip" {
		formID = formIDFromZip(best.name)
	}
	exp = &Export{Tool: bestL.Tool, Kind: kind, Sheet: best.name, Layout: bestL, t: best, name: name,
		formID: formID, opts: opts, close: closer}
	exp.Issues = headerIssues(name, best, bestL, opts)
	if exp.Issues.HasErrors() {
		return nil, exp.Issues, nil
	}
	keep = true
	return exp, exp.Issues, nil
}

// otherForm words the rejection of an export of another form.
func otherForm(name string, t *table, l *Layout, sheets int) schema.Issues {
	tool := "KoboToolbox/ODK data export"
	if l.Tool == ToolODK {
		tool = "KoboToolbox/ODK data export (ODK Central)"
	}
	found := "none of its questions"
	if len(l.Questions) > 0 {
		found = fmt.Sprintf("only %d of its %d questions (%s)", len(l.Questions), len(l.Questions)+len(l.Missing),
			strings.Join(l.Questions, ", "))
	}
	where := fmt.Sprintf("sheet '%s'", t.name)
	if sheets > 1 {
		where = fmt.Sprintf("sheet '%s' (the best of %d sheets)", t.name, sheets)
	}
	return schema.Issues{{Severity: schema.SevError, Sheet: t.name, Code: schema.CodeNoVAData,
		Message: fmt.Sprintf("%s is a %s of a survey that is not vahub's standard survey: %s has %s; missing: %s. "+
			"It holds no victim-assistance figures vahub can read; vahub imports exports of its standard form "+
			"(`vahub survey form`) without mapping.", name, tool, where, found, strings.Join(l.Missing, ", "))}}
}

// headerIssues checks what an export of the standard form must have.
func headerIssues(name string, t *table, l *Layout, opts Options) schema.Issues {
	var is schema.Issues
	if !l.hasID() {
		is = append(is, schema.Issue{Severity: schema.SevError, Sheet: t.name, Code: schema.CodeSurveyNoInstanceID,
			Message: fmt.Sprintf("%s has no column that identifies a submission (meta/instanceID, meta-instanceID, KEY or _uuid): "+
				"without it a re-import could not be told from new interviews. Export again with the metadata columns.", name)})
	}
	if l.col("country") < 0 && opts.Country == "" {
		is = append(is, schema.Issue{Severity: schema.SevError, Sheet: t.name, Code: schema.CodeSurveyNoCountry,
			Message: fmt.Sprintf("%s has no country column; give the interviews' country with --country.", name)})
	}
	if len(l.Missing) > 0 {
		is = append(is, schema.Issue{Severity: schema.SevWarning, Sheet: t.name, Code: schema.CodeSurveyColumns,
			Message: fmt.Sprintf("%s has no column for %s: these questions are read as unanswered (never as \"no\").",
				name, strings.Join(l.Missing, ", "))})
	}
	if len(l.Duplicates) > 0 {
		is = append(is, schema.Issue{Severity: schema.SevWarning, Sheet: t.name, Code: schema.CodeSurveyColumns,
			Message: fmt.Sprintf("%s: columns %s repeat a question that already has a column; the first column is read.",
				name, quote(l.Duplicates, 10))})
	}
	if len(l.Unknown) > 0 {
		is = append(is, schema.Issue{Severity: schema.SevWarning, Sheet: t.name, Code: schema.CodeSurveyColumns,
			Message: fmt.Sprintf("%s: %d column(s) are not questions of the standard form nor tool metadata and are not read: %s.",
				name, len(l.Unknown), quote(l.Unknown, 10))})
	}
	return is
}

func quote(s []string, n int) string {
	q := make([]string, 0, min(len(s), n))
	for _, v := range s[:min(len(s), n)] {
		q = append(q, "'"+truncate(v, 60)+"'")
	}
	if len(s) > n {
		q = append(q, fmt.Sprintf("and %d more", len(s)-n))
	}
	return strings.Join(q, ", ")
}

// Close releases the workbook (and excelize's temp files).
func (e *Export) Close() error {
	if e.close == nil {
		return nil
	}
	err := e.close()
	e.close = nil
	return err
}

// Rejected is how many rows the last Stream could not use.
func (e *Export) Rejected() int { return e.rejected }

// Stream reads the rows and calls emit once per usable record, in file
// order; it has the shape of pg.SurveyFunc. Rows it cannot use are counted
// (Rejected) and named in warnings.
func (e *Export) Stream(ctx context.Context, emit func(*svy.Record) error) (schema.Issues, error) {
	n := newNotes(e.name)
	conv := newConverter(e.t, e.Layout, e.formID, e.opts.Country, e.opts.Year, n)
	var pending []*svy.Record
	country, countries := "", 0
	err := e.t.each(ctx, func(num int, cols []string) error {
		rec, ok, pend := conv.convert(num, cols)
		if !ok {
			return nil
		}
		if pend {
			if len(pending) >= maxPendingRefusals {
				n.reject(e.t.name, ref(0, num), "a refusal without a country, beyond the 100,000 held while the file's country is read; give --country")
				return nil
			}
			pending = append(pending, rec)
			return nil
		}
		if rec.Consent == "yes" && rec.Country != country {
			if countries < 2 {
				countries++
			}
			if country == "" {
				country = rec.Country
			}
		}
		if err := emit(rec); err != nil {
			return fmt.Errorf("survey: %s row %d: %w", e.t.name, num, err)
		}
		return nil
	})
	if err != nil {
		e.rejected = n.rejected
		return n.finish(), err
	}
	// A refusal has no country (the form asks it after consent): it is the
	// file's, when all its interviews are in one country.
	for _, rec := range pending {
		if countries == 1 {
			rec.Country = country
			if err := emit(rec); err != nil {
				return n.finish(), fmt.Errorf("survey: %s row %d: %w", e.t.name, rec.Row, err)
			}
			continue
		}
		why := "a refusal without a country, in a file whose interviews are in several countries (or none); give --country"
		n.reject(e.t.name, ref(0, rec.Row), why)
	}
	e.rejected = n.rejected
	return n.finish(), nil
}
