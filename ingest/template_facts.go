package ingest

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/ingest/xlsx"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// report builds the report from the loaded cells and validates it.
func (r *templateReader) report() (*schema.Report, error) {
	rep := &schema.Report{SourceType: schema.SourceOfficial, Language: r.lang, FormatVersion: r.m.format, Kind: "annual"}
	cover, err := r.cover(rep)
	if err != nil {
		return nil, err
	}
	if err := r.tables(rep); err != nil {
		return nil, err
	}
	if err := r.commitments(rep); err != nil {
		return nil, err
	}
	sheet := r.sheet(formh.RoleCover)
	numbers := len(rep.Casualties) + len(rep.Services)
	switch {
	case cover.formH == formh.FormHUnchanged && cover.lastYear == 0:
		r.issue(schema.SevWarning, sheet, formh.CoverRef(formh.FieldLastYear), schema.CodeCarriedNoSource+".noyear")
	case cover.formH == formh.FormHUnchanged && numbers == 0:
		rep.CarryForwardFrom = cover.lastYear
		r.issue(schema.SevWarning, sheet, formh.CoverRef(formh.FieldFormH), schema.CodeCarriedNoSource, cover.lastYear)
	case cover.formH == formh.FormHUnchanged:
		carry := func(v *schema.Value) {
			if v.State == schema.StateReported {
				v.State, v.CarriedFrom = schema.StateCarriedForward, cover.lastYear
			}
		}
		for i := range rep.Casualties {
			carry(&rep.Casualties[i].Value)
		}
		for i := range rep.Services {
			carry(&rep.Services[i].Value)
		}
	}
	if rep.FactCount() == 0 {
		switch cover.formH {
		case formh.FormHNotApplicable:
			r.issue(schema.SevWarning, sheet, formh.CoverRef(formh.FieldFormH), schema.CodeNoFacts+".not_applicable")
		case formh.FormHUnchanged: // warned above; the store carries the figures forward
		default:
			r.issue(schema.SevError, sheet, "", schema.CodeNoFacts)
		}
	}
	return rep, nil
}

type coverInfo struct {
	formH    string
	lastYear int
}

func (r *templateReader) cover(rep *schema.Report) (coverInfo, error) {
	ci := coverInfo{formH: formh.FormHChanged}
	sheet := r.sheet(formh.RoleCover)
	at := formh.CoverRef
	text := func(field string) (string, xlsx.Kind, error) { return r.raw(formh.RoleCover, at(field)) }

	// Country.
	v, _, err := text(formh.FieldCountry)
	if err != nil {
		return ci, err
	}
	if v == "" {
		r.issue(schema.SevError, sheet, at(formh.FieldCountry), schema.CodeMissingCountry)
	} else if code, ok := normalize.Country(v); ok {
		rep.Country = code
	} else {
		r.issue(schema.SevError, sheet, at(formh.FieldCountry), schema.CodeUnknownCountry, v)
	}

	// Kind of report: blank reads as annual, the usual case.
	if v, _, err = text(formh.FieldKind); err != nil {
		return ci, err
	}
	if v != "" {
		if k, ok := formh.Match("kind.", schema.ReportKinds, v); ok {
			rep.Kind = k
		} else {
			r.issue(schema.SevError, sheet, at(formh.FieldKind), schema.CodeUnknownCode, v,
				strings.Join(formh.Options(r.lang, "kind.", schema.ReportKinds), " / "))
		}
	}

	// Period.
	start, okS, err := r.date(formh.FieldPeriodStart, true)
	if err != nil {
		return ci, err
	}
	end, okE, err := r.date(formh.FieldPeriodEnd, true)
	if err != nil {
		return ci, err
	}
	if okS && okE {
		rep.PeriodStart, rep.PeriodEnd, rep.Year = start, end, end.Year()
		switch {
		case end.Before(start):
			r.issue(schema.SevError, sheet, at(formh.FieldPeriodEnd), schema.CodeBadPeriod, start.Format("02/01/2006"), end.Format("02/01/2006"))
		case start.Year() != end.Year() && rep.Kind != "initial":
			r.issue(schema.SevWarning, sheet, at(formh.FieldPeriodStart), schema.CodePeriodOutside, start.Format("02/01/2006"), end.Format("02/01/2006"))
		}
	}
	if sub, ok, err := r.date(formh.FieldSubmitted, false); err != nil {
		return ci, err
	} else if ok {
		rep.SubmittedOn = &sub
	}

	// Form H status and the year it is unchanged since.
	if v, _, err = text(formh.FieldFormH); err != nil {
		return ci, err
	}
	if v != "" {
		if s, ok := formh.Match("formh.", formh.FormHStatuses(), v); ok {
			ci.formH = s
		} else {
			r.issue(schema.SevError, sheet, at(formh.FieldFormH), schema.CodeUnknownCode, v,
				strings.Join(formh.Options(r.lang, "formh.", formh.FormHStatuses()), " / "))
		}
	}
	if v, _, err = text(formh.FieldLastYear); err != nil {
		return ci, err
	}
	if v != "" {
		y, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || y != float64(int(y)) || y < 1990 || y > 2200 {
			r.issue(schema.SevError, sheet, at(formh.FieldLastYear), schema.CodeWrongType+".year", v)
		} else {
			ci.lastYear = int(y)
		}
	}
	return ci, nil
}

// date reads a date field: a number cell is an Excel serial (with the
// workbook's 1904 flag), text is parsed as written.
func (r *templateReader) date(field string, required bool) (time.Time, bool, error) {
	sheet, ref := r.sheet(formh.RoleCover), formh.CoverRef(field)
	v, kind, err := r.raw(formh.RoleCover, ref)
	if err != nil {
		return time.Time{}, false, err
	}
	if v == "" {
		if required {
			key := schema.CodeMissingPeriod + ".start"
			if field == formh.FieldPeriodEnd {
				key = schema.CodeMissingPeriod + ".end"
			}
			r.issue(schema.SevError, sheet, ref, key)
		}
		return time.Time{}, false, nil
	}
	if kind == xlsx.KindNumber {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 2958466 {
			return normalize.ExcelDate(f, r.date1904), true, nil
		}
	} else if kind == xlsx.KindText || kind == xlsx.KindDate {
		if t, err := normalize.Date(v); err == nil {
			return t, true, nil
		}
	}
	r.issue(schema.SevError, sheet, ref, schema.CodeWrongType+".date", v)
	return time.Time{}, false, nil
}

// count reads a count cell. ok is false when the cell holds something that
// is not a count (an issue is then recorded); a blank gives the zero Value.
func (r *templateReader) count(role, ref string) (schema.Value, bool, error) {
	v, kind, err := r.raw(role, ref)
	if err != nil || v == "" {
		return schema.Value{}, err == nil, err
	}
	var val schema.Value
	switch kind {
	case xlsx.KindNumber:
		val, err = normalize.NumericCount(v)
	case xlsx.KindText:
		val, err = normalize.Count(v, r.lang)
	default:
		err = normalize.ErrNotNumber
	}
	if err != nil {
		key := schema.CodeWrongType
		switch {
		case errors.Is(err, normalize.ErrNegative):
			key = schema.CodeNegative
		case errors.Is(err, normalize.ErrFraction):
			key = schema.CodeNotInteger
		}
		r.issue(schema.SevError, r.sheet(role), ref, key, v)
		return schema.Value{}, false, nil
	}
	return val, true, nil
}

func (r *templateReader) commitments(rep *schema.Report) error {
	sheet := r.sheet(formh.RoleCommitments)
	for _, code := range schema.Commitments {
		sref, dref := formh.CommitmentRef(code, formh.ColStatus), formh.CommitmentRef(code, formh.ColDetails)
		status, _, err := r.raw(formh.RoleCommitments, sref)
		if err != nil {
			return err
		}
		detail, _, err := r.raw(formh.RoleCommitments, dref)
		if err != nil {
			return err
		}
		if status == "" && detail == "" {
			continue
		}
		c := schema.Commitment{Code: code, Status: schema.Unknown, Detail: detail, Cell: schema.Cell{Sheet: sheet, Ref: sref}}
		if status != "" {
			s, ok := formh.Match("status.", schema.CommitmentState, status)
			if !ok {
				s, ok = normalize.Status(status)
			}
			if !ok {
				r.issue(schema.SevError, sheet, sref, schema.CodeUnknownCode, status,
					strings.Join(formh.Options(r.lang, "status.", schema.CommitmentState), " / "))
				continue
			}
			c.Status = s
		}
		rep.Commitments = append(rep.Commitments, c)
	}
	return nil
}

// bound maps (row, column) codes of table t to the cells the marker binds them to.
func (r *templateReader) bound(t formh.Table) map[[2]string]string {
	m := map[[2]string]string{}
	for _, b := range r.m.cells {
		if b.Table == t.ID {
			m[[2]string{b.Row, b.Col}] = b.Ref
		}
	}
	return m
}

// tableCell is one read cell of a count table.
type tableCell struct {
	col string
	ref string
	v   schema.Value
}

// tables reads every count table, row by row, turning cells into facts:
// parts are facts; a Total alone is a fact on dimension "total"; a Total
// equal to its parts is a check; a Total above its parts adds the rest to
// the row's unknown category, with lineage to the Total's cell; parts above
// the Total are an error.
func (r *templateReader) tables(rep *schema.Report) error {
	for _, t := range formh.Tables() {
		refs := r.bound(t)
		sheet := r.sheet(t.Role)
		rowCells := map[string][]tableCell{}
		for _, row := range t.Rows {
			var cells []tableCell
			for _, col := range t.Cols {
				ref, ok := refs[[2]string{row, col}]
				if !ok {
					continue
				}
				v, good, err := r.count(t.Role, ref)
				if err != nil {
					return err
				}
				if good && v.State != "" {
					cells = append(cells, tableCell{col: col, ref: ref, v: v})
				}
			}
			rowCells[row] = cells
			for _, c := range r.rowFacts(t, sheet, cells) {
				if t.Role == formh.RoleCasualties {
					f := formh.CasualtyAt(t, row, c.col)
					f.Value, f.Cell = c.v, schema.Cell{Sheet: sheet, Ref: c.ref}
					rep.Casualties = append(rep.Casualties, f)
				} else {
					f := formh.ServiceAt(t, row, c.col)
					f.Value, f.Cell = c.v, schema.Cell{Sheet: sheet, Ref: c.ref}
					rep.Services = r.addService(rep.Services, f)
				}
			}
		}
		if t.RowDim == formh.DimService {
			r.reachedOverNeed(t, sheet, rowCells)
		}
	}
	return nil
}

// rowFacts turns one row's non-blank cells into the cells that become facts.
func (r *templateReader) rowFacts(t formh.Table, sheet string, cells []tableCell) []tableCell {
	i := slices.IndexFunc(cells, func(c tableCell) bool { return c.col == formh.ColTotal })
	if i < 0 {
		return cells
	}
	total, parts := cells[i], slices.Delete(slices.Clone(cells), i, i+1)
	if len(parts) == 0 {
		return []tableCell{total} // a Total alone: the fact on dimension "total"
	}
	if total.v.People == nil {
		return parts // "unknown" total next to parts: the parts stand
	}
	var sum int64
	allNumbers, exact := true, true
	for _, p := range parts {
		if p.v.People == nil {
			allNumbers = false
			continue
		}
		sum += *p.v.People
		exact = exact && p.v.Qualifier == schema.QualExact
	}
	stated := *total.v.People
	switch {
	case sum > stated && total.v.Qualifier != schema.QualAtLeast:
		r.issue(schema.SevError, sheet, total.ref, schema.CodeExceedsTotal, sum, stated, total.ref)
		return parts
	case sum >= stated:
		return parts // the Total checks out: not another fact
	case !allNumbers:
		// Parts not known: the rest can't be put on "unknown"; the Total is
		// a breakdown of its own.
		return append(parts, total)
	}
	rest := stated - sum
	q := total.v.Qualifier
	if q == schema.QualExact && !exact {
		q = schema.QualEstimate
	}
	if j := slices.IndexFunc(parts, func(c tableCell) bool { return c.col == formh.ColUnknown }); j >= 0 {
		rest += *parts[j].v.People
		if parts[j].v.Qualifier != schema.QualExact && q == schema.QualExact {
			q = parts[j].v.Qualifier
		}
		parts = slices.Delete(parts, j, j+1)
	}
	n := rest
	return append(parts, tableCell{col: formh.ColUnknown, ref: total.ref, v: schema.Value{State: total.v.State, People: &n, Qualifier: q, CarriedFrom: total.v.CarriedFrom}})
}

// addService appends s unless the same people were already counted: S1's
// and S2's Total columns both state a pillar's total.
func (r *templateReader) addService(list []schema.Service, s schema.Service) []schema.Service {
	for _, o := range list {
		if o.Pillar != s.Pillar || o.Measure != s.Measure || o.Sex != s.Sex || o.AgeGroup != s.AgeGroup || o.Disability != s.Disability {
			continue
		}
		if o.People != nil && s.People != nil && *o.People != *s.People {
			r.issue(schema.SevError, s.Sheet, s.Ref, schema.CodeTotalMismatch, *s.People, *o.People, o.Ref)
		}
		return list
	}
	return append(list, s)
}

// reachedOverNeed flags cells where more people were reached than were in
// need, for the same pillar and column.
func (r *templateReader) reachedOverNeed(t formh.Table, sheet string, rows map[string][]tableCell) {
	for _, p := range schema.ServicePillars {
		need := rows[formh.ServiceRow(p, schema.MeasureInNeed)]
		for _, reached := range rows[formh.ServiceRow(p, schema.MeasureReached)] {
			j := slices.IndexFunc(need, func(c tableCell) bool { return c.col == reached.col })
			if j < 0 || reached.v.People == nil || need[j].v.People == nil || need[j].v.Qualifier == schema.QualAtLeast {
				continue
			}
			if *reached.v.People > *need[j].v.People {
				r.issue(schema.SevError, sheet, reached.ref, schema.CodeReachedOverNeed, *reached.v.People, *need[j].v.People, need[j].ref)
			}
		}
	}
}
