package ingest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/vahub/vahub/ingest/xlsx"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// IsTemplate reports whether path is a vahub reporting template (any
// version, any language). The error is for files that cannot be read.
func IsTemplate(ctx context.Context, path string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("ingest: template: %w", err)
	}
	f, err := xlsx.Open(path)
	if err != nil {
		return false, fmt.Errorf("ingest: template: %w", err)
	}
	defer f.Close()
	m, err := readMarker(ctx, f)
	if err != nil {
		return false, err
	}
	return m != nil && strings.HasPrefix(m.format, formh.FormatPrefix), nil
}

// ReadTemplate reads a filled vahub reporting template. Problems in the
// file come back as issues worded in the template's language, each located
// to its sheet and cell; the report is returned alongside them (the caller
// rejects it when issues.HasErrors()). A workbook without the vahub marker
// gives a nil report and one not_template issue. The error is only for
// files that cannot be read at all (I/O, not an .xlsx, broken zip); an
// issue describing the problem accompanies it.
func ReadTemplate(ctx context.Context, path string) (*schema.Report, schema.Issues, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("ingest: template: %w", err)
	}
	f, err := xlsx.Open(path)
	if err != nil {
		code, key := schema.CodeUnreadable, schema.CodeUnreadable
		switch {
		case errors.Is(err, xlsx.ErrTooLarge):
			code = schema.CodeTooLarge
		case errors.Is(err, xlsx.ErrUnsupported):
			// Wrong kind of file (CSV, PDF, .xls): say what it is and what we want.
			code, key = schema.CodeNotTemplate, schema.CodeNotTemplate+".file"
		}
		issue := schema.Issue{Severity: schema.SevError, Code: code, Message: formh.Message("en", key, unwrapText(err))}
		return nil, schema.Issues{issue}, fmt.Errorf("ingest: template: %w", err)
	}
	defer f.Close()
	m, err := readMarker(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	if m == nil || !strings.HasPrefix(m.format, formh.FormatPrefix) {
		return nil, schema.Issues{{Severity: schema.SevError, Code: schema.CodeNotTemplate,
			Message: formh.Message("en", schema.CodeNotTemplate)}}, nil
	}
	r := &templateReader{f: f, m: m, lang: formh.Lang(m.lang), vals: map[string]map[string]string{}}
	if m.format != formh.FormatVersion {
		r.issue(schema.SevError, formh.MarkerSheet, "", schema.CodeTemplateVersion, m.format)
		return nil, r.issues, nil
	}
	if err := r.load(ctx); err != nil {
		return nil, nil, err
	}
	if r.issues.HasErrors() { // sheets missing: nothing more to read
		return nil, r.issues, nil
	}
	rep, err := r.report()
	if err != nil {
		return nil, nil, err
	}
	return rep, r.issues, nil
}

// unwrapText keeps the user-facing part of an xlsx error.
func unwrapText(err error) string {
	s := err.Error()
	for _, sentinel := range []error{xlsx.ErrUnsupported, xlsx.ErrTooLarge, xlsx.ErrMalformed} {
		if i := strings.Index(s, sentinel.Error()); i >= 0 {
			return s[i:]
		}
	}
	return s
}

type marker struct {
	format, lang string
	sheets       map[string]string // role -> sheet name
	cells        []formh.Binding
	bad          []string // marker entries that name no known cell
}

var refPattern = regexp.MustCompile(`^[A-Z]{1,3}[1-9][0-9]{0,6}$`)

// readMarker reads the very hidden marker sheet, or returns nil when the
// workbook has none.
func readMarker(ctx context.Context, f *xlsx.File) (*marker, error) {
	ok, err := f.HasSheet(formh.MarkerSheet)
	if err != nil {
		return nil, fmt.Errorf("ingest: template: %w", err)
	}
	if !ok {
		return nil, nil
	}
	m := &marker{sheets: map[string]string{}}
	err = f.EachRow(ctx, formh.MarkerSheet, func(row xlsx.Row) error {
		v := make([]string, 6)
		for _, c := range row.Cells {
			if col := strings.TrimRight(c.Ref, "0123456789"); len(col) == 1 && col[0]-'A' < 6 {
				v[col[0]-'A'] = strings.TrimSpace(c.Value)
			}
		}
		switch v[0] {
		case formh.MarkerFormat:
			m.format = v[1]
		case formh.MarkerLanguage:
			m.lang = v[1]
		case formh.MarkerSheetKey:
			m.sheets[v[1]] = v[2]
		case formh.MarkerCell:
			b := formh.Binding{Role: v[1], Ref: v[2], Table: v[3], Row: v[4], Col: v[5]}
			if !b.Valid() || !refPattern.MatchString(b.Ref) {
				m.bad = append(m.bad, strings.Join(v[1:], " "))
				return nil
			}
			m.cells = append(m.cells, b)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: template: marker: %w", err)
	}
	return m, nil
}

// templateReader holds one template's raw cells and the issues found.
type templateReader struct {
	f        *xlsx.File
	m        *marker
	lang     string
	date1904 bool
	vals     map[string]map[string]string // role -> ref -> raw value
	issues   schema.Issues
}

func (r *templateReader) sheet(role string) string {
	if n := r.m.sheets[role]; n != "" {
		return n
	}
	return formh.SheetName(role, r.lang)
}

func (r *templateReader) issue(sev schema.Severity, sheet, cell, key string, args ...any) {
	r.issues = append(r.issues, schema.Issue{Severity: sev, Sheet: sheet, Cell: cell,
		Code: formh.IssueCode(key), Message: formh.Message(r.lang, key, args...)})
}

// load reads the bound cells of every sheet in one streaming pass per sheet.
func (r *templateReader) load(ctx context.Context) error {
	for _, bad := range r.m.bad {
		r.issue(schema.SevError, formh.MarkerSheet, "", schema.CodeUnknownCode+".marker", bad)
	}
	if len(r.m.cells) == 0 {
		r.m.cells = formh.Bindings()
	}
	want := map[string]map[string]bool{}
	for _, b := range r.m.cells {
		if want[b.Role] == nil {
			want[b.Role] = map[string]bool{}
		}
		want[b.Role][b.Ref] = true
	}
	var err error
	if r.date1904, err = r.f.Date1904(); err != nil {
		return fmt.Errorf("ingest: template: %w", err)
	}
	for _, role := range formh.Roles() {
		if want[role] == nil {
			continue
		}
		name := r.sheet(role)
		ok, err := r.f.HasSheet(name)
		if err != nil {
			return fmt.Errorf("ingest: template: %w", err)
		}
		if !ok {
			r.issue(schema.SevError, name, "", schema.CodeTemplateVersion+".sheet", name)
			continue
		}
		vals := map[string]string{}
		err = r.f.EachRow(ctx, name, func(row xlsx.Row) error {
			for _, c := range row.Cells {
				if want[role][c.Ref] {
					vals[c.Ref] = c.Value
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("ingest: template: %w", err)
		}
		r.vals[role] = vals
	}
	return nil
}

// raw returns a bound cell's raw value and what it stores.
func (r *templateReader) raw(role, ref string) (string, xlsx.Kind, error) {
	v := r.vals[role][ref]
	if strings.TrimSpace(v) == "" {
		return "", xlsx.KindBlank, nil
	}
	k, err := r.f.CellKind(r.sheet(role), ref)
	if err != nil {
		return "", xlsx.KindBlank, fmt.Errorf("ingest: template: %w", err)
	}
	return v, k, nil
}
