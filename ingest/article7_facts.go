package ingest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/vahub/vahub/ingest/tables"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// a7Fact is one figure of a discovered table on its way to a fact.
type a7Fact struct {
	dims  tables.Dims
	v     schema.Value
	sheet string
	ref   string
	kind  string
	row   int
	col   int
}

var a7Numeric = regexp.MustCompile(`^[0-9]+(\.([0-9]+))?([eE][+-]?[0-9]+)?$`)

// a7Value reads a figure cell. A plain decimal is the raw value of a
// number cell ("12.0", "1.2E3"), except a dot before exactly three digits
// outside English, which groups thousands as written text would.
func a7Value(raw, lang string) (schema.Value, error) {
	s := strings.TrimSpace(raw)
	if m := a7Numeric.FindStringSubmatch(s); m != nil && !(m[2] != "" && len(m[2]) == 3 && m[3] == "" && lang != "en") {
		return normalize.NumericCount(s)
	}
	return normalize.Count(s, lang)
}

// facts turns the discovered tables into casualty and service facts:
// figures from the cells under known headers; totals rows and columns as
// checks (a wrong total is a warning naming it, the facts come from the
// parts; a total above its parts puts the rest on "unknown", with lineage
// to the total; a total alone is the figure for all).
func (wb *a7Workbook) facts(rep *schema.Report) {
	seen := map[string]*a7Fact{}
	for _, t := range wb.found {
		wb.reportTable(t)
		if t.Kind == "" {
			continue
		}
		for _, f := range wb.tableFacts(t) {
			key := fmt.Sprintf("%s %+v", f.kind, f.dims)
			if prev, ok := seen[key]; ok {
				if !a7SameValue(prev.v, f.v) {
					wb.issue(schema.SevWarning, f.sheet, f.ref, schema.CodeDuplicateFigure,
						fmt.Sprintf("This figure (%s) is also stated in %s!%s with a different value (%s); vahub keeps the one in %s!%s.",
							a7Show(f.v), prev.sheet, prev.ref, a7Show(prev.v), prev.sheet, prev.ref))
				}
				continue
			}
			seen[key] = &f
			wb.addFact(rep, f)
		}
	}
}

func a7SameValue(a, b schema.Value) bool {
	if a.State != b.State || (a.People == nil) != (b.People == nil) {
		return false
	}
	return a.People == nil || *a.People == *b.People
}

func a7Show(v schema.Value) string {
	if v.People != nil {
		return fmt.Sprint(*v.People)
	}
	return string(v.State)
}

func a7Or(v string) string {
	if v == "" {
		return schema.Total
	}
	return v
}

func (wb *a7Workbook) addFact(rep *schema.Report, f a7Fact) {
	d := f.dims
	cell := schema.Cell{Sheet: f.sheet, Ref: f.ref}
	if f.kind == tables.KindService {
		rep.Services = append(rep.Services, schema.Service{Pillar: d.Pillar, Measure: d.Measure, Sex: a7Or(d.Sex),
			AgeGroup: a7Or(d.Age), Disability: a7Or(d.Disability), Value: f.v, Cell: cell})
		return
	}
	rep.Casualties = append(rep.Casualties, schema.Casualty{Scope: "new", Outcome: a7Or(d.Outcome), Sex: a7Or(d.Sex),
		AgeGroup: a7Or(d.Age), Disability: a7Or(d.Disability), Cause: a7Or(d.Cause), CivilianStatus: a7Or(d.Civilian),
		Value: f.v, Cell: cell})
}

// reportTable turns a table's unknown labels and header conflicts into issues.
func (wb *a7Workbook) reportTable(t tables.Table) {
	if len(t.Unknown) > 0 {
		wb.issue(schema.SevError, t.Sheet, t.Unknown[0].Ref, schema.CodeUnknownLabels,
			fmt.Sprintf("vahub does not know these labels, so the figures under or beside them were not read: %s. "+
				"Use the English, French or Spanish labels (men/hommes/hombres, killed/tués/muertos, in need/ayant besoin/necesitan …).",
				a7QuoteLabels(t.Unknown, 20)))
	}
	if len(t.Conflicts) > 0 {
		wb.issue(schema.SevError, t.Sheet, t.Conflicts[0].Ref, schema.CodeHeaderConflict,
			fmt.Sprintf("The row and column headers of these cells contradict each other, so they were not read: %s.",
				a7QuoteLabels(t.Conflicts, 20)))
	}
}

// tableFacts reads the figures of one table and checks its totals.
func (wb *a7Workbook) tableFacts(t tables.Table) []a7Fact {
	var cells []tables.Cell
	if t.Kind == tables.KindService {
		measure := ""
		for _, l := range append(slices.Clone(t.Corner), t.Context...) {
			if measure = tables.MeasureIn(l.Text); measure != "" {
				break
			}
		}
		var missing []string
		for _, c := range t.Cells {
			if c.Dims.Measure == "" {
				c.Dims.Measure = measure
			}
			switch {
			case c.Dims.Measure == "" || c.Dims.Pillar == "":
				missing = append(missing, c.Ref)
				continue
			case !schema.IsServicePillar(c.Dims.Pillar):
				missing = append(missing, c.Ref)
				continue
			}
			cells = append(cells, c)
		}
		if len(missing) > 0 {
			wb.issue(schema.SevWarning, t.Sheet, missing[0], schema.CodeMissingDimension,
				fmt.Sprintf("The figures in %s were not read: a service figure needs a service pillar (medical care, rehabilitation, psychosocial support, socio-economic inclusion, data collection) and whether the people were in need or reached.",
					strings.Join(missing, ", ")))
		}
	} else {
		cells = t.Cells
	}

	var base, rowTotals, colTotals, both []a7Fact
	for _, c := range cells {
		v, err := a7Value(c.Raw, wb.lang)
		if err != nil {
			key := schema.CodeWrongType
			switch {
			case errors.Is(err, normalize.ErrNegative):
				key = schema.CodeNegative
			case errors.Is(err, normalize.ErrFraction):
				key = schema.CodeNotInteger
			}
			wb.localized(schema.SevError, t.Sheet, c.Ref, key, c.Raw)
			continue
		}
		if v.State == "" {
			continue
		}
		f := a7Fact{dims: c.Dims, v: v, sheet: t.Sheet, ref: c.Ref, kind: t.Kind, row: c.Row, col: c.Col}
		switch {
		case c.RowTotal && c.ColTotal:
			both = append(both, f)
		case c.RowTotal:
			rowTotals = append(rowTotals, f)
		case c.ColTotal:
			colTotals = append(colTotals, f)
		default:
			base = append(base, f)
		}
	}
	out := append([]a7Fact(nil), base...)
	var extra []a7Fact
	for _, tot := range colTotals {
		extra = append(extra, wb.check(tot, partsOf(base, tot, func(p a7Fact) bool { return p.row == tot.row }), true, &out)...)
	}
	for _, tot := range rowTotals {
		extra = append(extra, wb.check(tot, partsOf(base, tot, func(p a7Fact) bool { return p.col == tot.col }), true, &out)...)
	}
	out = append(out, extra...)
	for _, tot := range both {
		out = append(out, wb.check(tot, partsOf(out, tot, func(a7Fact) bool { return true }), false, &out)...)
	}
	return out
}

func partsOf(facts []a7Fact, tot a7Fact, same func(a7Fact) bool) []a7Fact {
	var parts []a7Fact
	for _, f := range facts {
		if same(f) && f.dims.Refines(tot.dims) && f.dims != tot.dims {
			parts = append(parts, f)
		}
	}
	return parts
}

// check compares a stated total with its parts and returns the facts it
// adds: the total itself when it stands alone, or the rest on "unknown".
// remainder says whether the rest may go on "unknown" (a total of one
// row or column) or is only checked (a grand total).
func (wb *a7Workbook) check(tot a7Fact, parts []a7Fact, remainder bool, facts *[]a7Fact) []a7Fact {
	if len(parts) == 0 {
		return []a7Fact{tot} // a total alone: the figure for all
	}
	if tot.v.People == nil {
		return nil // "unknown" total next to parts: the parts stand
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
	stated := *tot.v.People
	switch {
	case sum > stated && tot.v.Qualifier != schema.QualAtLeast:
		wb.issue(schema.SevWarning, tot.sheet, tot.ref, schema.CodeTotalMismatch,
			fmt.Sprintf("The total in %s is %d but the figures it adds up come to %d; vahub keeps the figures and not the total. Check the total.",
				tot.ref, stated, sum))
		return nil
	case sum >= stated:
		return nil // the total checks out
	case !allNumbers:
		if remainder {
			return []a7Fact{tot} // parts not known: the total is a breakdown of its own
		}
		return nil
	case !remainder:
		wb.issue(schema.SevWarning, tot.sheet, tot.ref, schema.CodeTotalMismatch,
			fmt.Sprintf("The total in %s is %d but the figures it adds up come to %d. Check the total.", tot.ref, stated, sum))
		return nil
	}
	// The rest goes on "unknown" on the dimensions the parts break down.
	var varying []string
	for _, p := range parts {
		for _, d := range p.dims.Varying(tot.dims) {
			if !strings.Contains(strings.Join(varying, " "), d) {
				varying = append(varying, d)
			}
		}
	}
	unknownDims := tot.dims
	for _, d := range varying {
		if d == "measure" || d == "pillar" {
			wb.issue(schema.SevWarning, tot.sheet, tot.ref, schema.CodeTotalMismatch,
				fmt.Sprintf("The total in %s is %d but the figures it adds up come to %d. Check the total.", tot.ref, stated, sum))
			return nil
		}
		unknownDims.Set(d, schema.Unknown)
	}
	rest := stated - sum
	q := tot.v.Qualifier
	if q == schema.QualExact && !exact {
		q = schema.QualEstimate
	}
	for i, f := range *facts {
		if f.dims == unknownDims && f.v.People != nil && f.sheet == tot.sheet {
			rest += *f.v.People
			*facts = append((*facts)[:i], (*facts)[i+1:]...)
			break
		}
	}
	wb.issue(schema.SevWarning, tot.sheet, tot.ref, schema.CodeTotalMismatch,
		fmt.Sprintf("The total in %s is %d, %d more than the figures it adds up (%d); vahub records those %d as unknown, with this cell as their source.",
			tot.ref, stated, stated-sum, sum, stated-sum))
	n := rest
	return []a7Fact{{dims: unknownDims, v: schema.Value{State: tot.v.State, People: &n, Qualifier: q}, sheet: tot.sheet,
		ref: tot.ref, kind: tot.kind, row: tot.row, col: tot.col}}
}
