package ingest

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/vahub/vahub/schema"
)

// hxlKey identifies one figure: a casualty count when measure is "", else
// people in need of or reached by a pillar's services.
type hxlKey struct {
	country string
	year    int
	pillar  string
	measure string
	dims    hxlDims
}

type hxlCY struct {
	country string
	year    int
}

func (k hxlKey) cy() hxlCY { return hxlCY{k.country, k.year} }

// describe names a figure for messages: "people reached by rehabilitation
// (female, child) for LAO 2024".
func (k hxlKey) describe() string {
	what := "casualties"
	switch k.measure {
	case schema.MeasureInNeed:
		what = "people in need of " + k.pillar
	case schema.MeasureReached:
		what = "people reached by " + k.pillar
	}
	where := ""
	if k.country != "" {
		where = " " + k.country
	}
	if k.year != 0 {
		where += fmt.Sprintf(" %d", k.year)
	}
	if where != "" {
		where = " for" + where
	}
	return fmt.Sprintf("%s (%s)%s", what, k.dims.describe(), where)
}

type hxlFact struct {
	v     schema.Value
	cell  schema.Cell
	units map[string]schema.Cell // #adm1 rows summed into it
}

// hxlAcc collects figures: national rows as they are, #adm1 rows summed
// per unit, used only where a country and year has no national row.
type hxlAcc struct {
	nat, adm           map[hxlKey]*hxlFact
	natOrder, admOrder []hxlKey
	natCY              map[hxlCY]bool
	admUnits           map[hxlCY]map[string]bool
	admFirst           map[hxlCY]schema.Cell
}

func newHxlAcc() *hxlAcc {
	return &hxlAcc{nat: map[hxlKey]*hxlFact{}, adm: map[hxlKey]*hxlFact{}, natCY: map[hxlCY]bool{},
		admUnits: map[hxlCY]map[string]bool{}, admFirst: map[hxlCY]schema.Cell{}}
}

// add records one figure; false (with an error issue) when another cell
// already gave the same figure: rows are never silently added up.
func (a *hxlAcc) add(r *hxlReader, k hxlKey, rc hxlRowCtx, v schema.Value, cell schema.Cell) bool {
	dup := func(prev schema.Cell) bool {
		r.issue(schema.SevError, cell.Sheet, cell.Ref, schema.CodeDuplicateFact,
			"Two rows give %s for the same group: cells %s and %s. vahub does not add them up; remove one of them or tell the groups apart.",
			k.describe(), cellName(prev, cell.Sheet), cell.Ref)
		return false
	}
	if rc.level == 0 {
		if f, ok := a.nat[k]; ok {
			return dup(f.cell)
		}
		a.nat[k] = &hxlFact{v: v, cell: cell}
		a.natOrder = append(a.natOrder, k)
		a.natCY[k.cy()] = true
		return true
	}
	cy := k.cy()
	if a.admUnits[cy] == nil {
		a.admUnits[cy] = map[string]bool{}
		a.admFirst[cy] = cell
	}
	a.admUnits[cy][rc.adm1] = true
	f, ok := a.adm[k]
	if !ok {
		f = &hxlFact{cell: cell, units: map[string]schema.Cell{}}
		a.adm[k] = f
		a.admOrder = append(a.admOrder, k)
	}
	if prev, ok := f.units[rc.adm1]; ok {
		return dup(prev)
	}
	f.units[rc.adm1] = cell
	f.v = sumValues(f.v, v)
	return true
}

// cellName is a cell reference, with its sheet when that is another sheet.
func cellName(c schema.Cell, sheet string) string {
	if c.Sheet != sheet {
		return fmt.Sprintf("'%s'!%s", c.Sheet, c.Ref)
	}
	return c.Ref
}

// sumValues adds two figures of different areas. A part that is not
// known makes the sum a lower bound; no number at all stays unknown.
func sumValues(a, b schema.Value) schema.Value {
	if a.State == "" {
		return b
	}
	switch {
	case a.People != nil && b.People != nil:
		n := *a.People + *b.People
		return schema.Value{State: schema.StateReported, People: &n, Qualifier: worseQualifier(a.Qualifier, b.Qualifier)}
	case a.People != nil || b.People != nil:
		known, other := a, b
		if b.People != nil {
			known, other = b, a
		}
		n := *known.People
		q := known.Qualifier
		if other.State != schema.StateNotApplicable {
			q = schema.QualAtLeast
		}
		return schema.Value{State: schema.StateReported, People: &n, Qualifier: q}
	case a.State == b.State:
		return a
	}
	return schema.Value{State: schema.StateUnknown}
}

func worseQualifier(a, b schema.Qualifier) schema.Qualifier {
	for _, q := range []schema.Qualifier{schema.QualAtLeast, schema.QualEstimate} {
		if a == q || b == q {
			return q
		}
	}
	return schema.QualExact
}

// reports builds one report per country and year.
func (a *hxlAcc) reports(r *hxlReader) []*schema.Report {
	type bucket struct {
		rep  *schema.Report
		keys []hxlKey
		from map[hxlKey]*hxlFact
	}
	byCY := map[hxlCY]*bucket{}
	get := func(cy hxlCY) *bucket {
		b := byCY[cy]
		if b == nil {
			b = &bucket{rep: &schema.Report{
				Country: cy.country, Year: cy.year, Kind: "annual", SourceType: schema.SourceWeb,
				FormatVersion: FormatHXL,
			}}
			if cy.year != 0 {
				b.rep.PeriodStart = time.Date(cy.year, 1, 1, 0, 0, 0, 0, time.UTC)
				b.rep.PeriodEnd = time.Date(cy.year, 12, 31, 0, 0, 0, 0, time.UTC)
			}
			byCY[cy] = b
		}
		return b
	}
	for _, k := range a.natOrder {
		b := get(k.cy())
		b.keys, b.from = append(b.keys, k), a.nat
	}
	for _, k := range a.admOrder {
		if a.natCY[k.cy()] {
			continue
		}
		b := get(k.cy())
		b.keys, b.from = append(b.keys, k), a.adm
	}
	cys := make([]hxlCY, 0, len(byCY))
	for cy := range byCY {
		cys = append(cys, cy)
	}
	slices.SortFunc(cys, func(x, y hxlCY) int {
		return cmp.Or(cmp.Compare(x.country, y.country), cmp.Compare(x.year, y.year))
	})
	var out []*schema.Report
	for _, cy := range cys {
		b := byCY[cy]
		if units := len(a.admUnits[cy]); units > 0 {
			first := a.admFirst[cy]
			label := cyLabel(cy)
			if a.natCY[cy] {
				r.issue(schema.SevWarning, first.Sheet, first.Ref, schema.CodeHXLRowsSkipped,
					"%s: the rows of %d #adm1 area(s) were not read: vahub's facts are national, and the file's national rows (blank #adm1) give them; adding the areas would count people twice.", label, units)
			} else {
				r.issue(schema.SevWarning, first.Sheet, first.Ref, schema.CodeHXLRowsSkipped,
					"%s: the file has no national row (blank #adm1), so the national figures are the sums of its %d #adm1 area(s); a part not known makes its sum \"at least\".", label, units)
			}
		}
		for _, k := range b.keys {
			f := b.from[k]
			d := k.dims
			if k.measure == "" {
				b.rep.Casualties = append(b.rep.Casualties, schema.Casualty{
					Scope: "new", Outcome: or(d.outcome), Sex: or(d.sex), AgeGroup: or(d.age), AgeBand: d.band,
					Disability: or(d.disability), Cause: or(d.cause), CivilianStatus: or(d.civilian),
					Value: f.v, Cell: f.cell,
				})
				continue
			}
			b.rep.Services = append(b.rep.Services, schema.Service{
				Pillar: k.pillar, Measure: k.measure, Sex: or(d.sex), AgeGroup: or(d.age), AgeBand: d.band,
				Disability: or(d.disability), Value: f.v, Cell: f.cell,
			})
		}
		r.reachedOverNeed(b.from, b.keys)
		out = append(out, b.rep)
	}
	return out
}

func cyLabel(cy hxlCY) string {
	c := cy.country
	if c == "" {
		c = "(no country)"
	}
	if cy.year == 0 {
		return c
	}
	return fmt.Sprintf("%s %d", c, cy.year)
}

// reachedOverNeed flags groups with more people reached than in need.
func (r *hxlReader) reachedOverNeed(from map[hxlKey]*hxlFact, keys []hxlKey) {
	for _, k := range keys {
		if k.measure != schema.MeasureReached {
			continue
		}
		nk := k
		nk.measure = schema.MeasureInNeed
		need, ok := from[nk]
		reached := from[k]
		if !ok || need.v.People == nil || reached.v.People == nil || need.v.Qualifier == schema.QualAtLeast {
			continue
		}
		if *reached.v.People > *need.v.People {
			r.issue(schema.SevError, reached.cell.Sheet, reached.cell.Ref, schema.CodeReachedOverNeed,
				"%d people reached is more than the %d in need (%s) for the same pillar and group.",
				*reached.v.People, *need.v.People, cellName(need.cell, reached.cell.Sheet))
		}
	}
}
