package exports

import (
	"fmt"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// prefill writes opts.Prefill's values into the input cells.
func (tw *templateWriter) prefill(opts TemplateOptions) error {
	r := opts.Prefill
	if r == nil {
		return nil
	}
	var err error
	if r.PeriodStart.IsZero() == r.PeriodEnd.IsZero() && !r.PeriodStart.IsZero() {
		tw.putDate(&err, formh.FieldPeriodStart, r.PeriodStart)
		tw.putDate(&err, formh.FieldPeriodEnd, r.PeriodEnd)
	}
	cover := tw.sheet(formh.RoleCover)
	if r.Kind != "" {
		tw.put(&err, cover, formh.CoverRef(formh.FieldKind), formh.Label(tw.lang, "kind."+r.Kind), tw.st.text)
	}
	if r.SubmittedOn != nil {
		tw.putDate(&err, formh.FieldSubmitted, *r.SubmittedOn)
	}
	// Form H status: "unchanged since Y" when every figure repeats year Y.
	carried := carriedYear(r)
	status := formh.FormHChanged
	if carried > 0 {
		status = formh.FormHUnchanged
		if err == nil {
			err = tw.x.SetCellInt(cover, formh.CoverRef(formh.FieldLastYear), int64(carried))
		}
	}
	tw.put(&err, cover, formh.CoverRef(formh.FieldFormH), formh.Label(tw.lang, "formh."+status), tw.st.text)
	if err != nil {
		return templateWrap("prefill", err)
	}

	done := map[string]bool{}
	place := func(role, table, row, col string, v schema.Value) error {
		t, _ := formh.TableByID(table)
		ref := t.Ref(indexOf(t.Rows, row), indexOf(t.Cols, col))
		key := role + "!" + ref
		if done[key] {
			return fmt.Errorf("two facts for cell %s!%s", tw.sheet(role), ref)
		}
		done[key] = true
		return tw.putValue(tw.sheet(role), ref, v, carried)
	}
	for _, c := range r.Casualties {
		table, row, col, ok := formh.CasualtyCell(c)
		if !ok {
			return fmt.Errorf("exports: template: prefill: casualty %+v fits no cell of the template", c)
		}
		if err := place(formh.RoleCasualties, table, row, col, c.Value); err != nil {
			return templateWrap("prefill", err)
		}
	}
	for _, s := range r.Services {
		table, row, col, ok := formh.ServiceCell(s)
		if !ok {
			return fmt.Errorf("exports: template: prefill: service %+v fits no cell of the template", s)
		}
		if err := place(formh.RoleServices, table, row, col, s.Value); err != nil {
			return templateWrap("prefill", err)
		}
	}
	sh := tw.sheet(formh.RoleCommitments)
	for _, c := range r.Commitments {
		if !schema.Valid(schema.Commitments, c.Code) || c.Code == schema.Total {
			return fmt.Errorf("exports: template: prefill: unknown commitment %q", c.Code)
		}
		if c.Status != "" {
			tw.put(&err, sh, formh.CommitmentRef(c.Code, formh.ColStatus), formh.Label(tw.lang, "status."+c.Status), tw.st.text)
		}
		if c.Detail != "" {
			// SetCellStr stores a string cell, never a formula, so text
			// starting with = + - @ stays inert and reads back unchanged.
			tw.put(&err, sh, formh.CommitmentRef(c.Code, formh.ColDetails), c.Detail, tw.st.text)
		}
	}
	return templateWrap("prefill", err)
}

// carriedYear is the year every number fact of r is carried forward from,
// or 0 when the figures are not all carried forward from one year.
func carriedYear(r *schema.Report) int {
	year, n := 0, 0
	check := func(v schema.Value) bool {
		if v.State != schema.StateCarriedForward || v.CarriedFrom == 0 || v.People == nil || (year != 0 && v.CarriedFrom != year) {
			return false
		}
		year = v.CarriedFrom
		n++
		return true
	}
	for _, c := range r.Casualties {
		if !check(c.Value) {
			return 0
		}
	}
	for _, s := range r.Services {
		if !check(s.Value) {
			return 0
		}
	}
	if n == 0 {
		return 0
	}
	return year
}

// putValue writes a value the way a focal point would type it: a number, or
// the template language's word for its state or qualifier.
func (tw *templateWriter) putValue(sheet, ref string, v schema.Value, carried int) error {
	word := func(key string, args ...any) error {
		return tw.x.SetCellStr(sheet, ref, fmt.Sprintf(formh.Label(tw.lang, key), args...))
	}
	switch v.State {
	case "":
		return nil
	case schema.StateUnknown:
		return word("value.unknown")
	case schema.StateNotApplicable:
		return word("value.na")
	case schema.StateWithheld:
		return word("value.withheld")
	case schema.StateCarriedForward:
		if carried == 0 || v.People == nil {
			return word("value.carried", v.CarriedFrom)
		}
	}
	if v.People == nil {
		return fmt.Errorf("%s!%s: state %q without a number", sheet, ref, v.State)
	}
	switch v.Qualifier {
	case schema.QualAtLeast:
		return word("value.atleast", *v.People)
	case schema.QualEstimate:
		return word("value.estimate", *v.People)
	}
	return tw.x.SetCellInt(sheet, ref, *v.People)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
