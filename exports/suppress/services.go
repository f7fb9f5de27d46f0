package suppress

import (
	"slices"

	"github.com/vahub/vahub/schema"
)

// ServiceRow is one row of service_facts: a pillar's in-need and reached
// counts for one group (sex, age group, disability; any may be total).
type ServiceRow struct {
	Pillar, Sex, AgeGroup, Disability string
	InNeed, Reached                   *int64
}

// Services are the protected service figures of one source for one country
// and year: per pillar and measure a three-dimensional table sex × age
// group × disability with all its margins.
//
// Every margin counts as published, whether the source stated it or not:
// the gap workbook's Summary (coverage), its Reconciliation sheet (totals by
// sex, age group and disability) and anyone adding up visible rows all use
// them, and a release protected against every margin is safe whichever of
// them a reader gets. Margins the source did not give are the sums of their
// groups (a group with no row counts 0: nobody answered in it).
type Services struct {
	K      int
	tables map[string]*[2]*Table // by pillar: in_need, reached
	odd    map[ServiceKey]bool   // rows whose codes fit no table: withheld whole
}

// ServiceKey names one row.
type ServiceKey struct {
	Pillar, Sex, AgeGroup, Disability string
}

var serviceDims = [3][]string{schema.Sexes, schema.AgeGroups, schema.Disabilities}

func coord(d int, code string) (int, bool) {
	if code == schema.Total {
		return len(serviceDims[d]), true
	}
	i := slices.Index(serviceDims[d], code)
	return i, i >= 0
}

func (s *Services) index(t *Table, sex, age, dis string) (int, bool) {
	var c [3]int
	for d, code := range []string{sex, age, dis} {
		v, ok := coord(d, code)
		if !ok {
			return 0, false
		}
		c[d] = v
	}
	return t.Index(c[:]...), true
}

// ProtectServices builds and protects the tables of rows with threshold k
// (k < MinK: nothing is withheld).
func ProtectServices(k int, rows []ServiceRow) *Services {
	s := &Services{K: k, tables: map[string]*[2]*Table{}, odd: map[ServiceKey]bool{}}
	n := [3]int{len(schema.Sexes), len(schema.AgeGroups), len(schema.Disabilities)}
	for _, r := range rows {
		ts, ok := s.tables[r.Pillar]
		if !ok {
			ts = &[2]*Table{NewTable(n[:]...), NewTable(n[:]...)}
			s.tables[r.Pillar] = ts
		}
		i, ok := s.index(ts[0], r.Sex, r.AgeGroup, r.Disability)
		if !ok {
			s.odd[ServiceKey{r.Pillar, r.Sex, r.AgeGroup, r.Disability}] = true
			continue
		}
		for m, v := range []*int64{r.InNeed, r.Reached} {
			if v == nil {
				ts[m].SetUnknown(i)
			} else {
				ts[m].Set(i, *v)
			}
		}
	}
	for _, ts := range s.tables {
		ts[0].Protect(k)
		ts[1].Protect(k)
	}
	return s
}

// Figure is one measure of one group as it may be shown: its count (nil
// when the source gave none) and its state. ok is false when the source has
// no such figure at all (no pillar, or a group with no row and no row below
// it).
func (s *Services) Figure(pillar, measure, sex, age, dis string) (v *int64, st State, ok bool) {
	if s.odd[ServiceKey{pillar, sex, age, dis}] {
		return nil, Primary, true
	}
	ts, found := s.tables[pillar]
	if !found {
		return nil, Visible, false
	}
	m := 0
	if measure == schema.MeasureReached {
		m = 1
	}
	t := ts[m]
	i, found := s.index(t, sex, age, dis)
	if !found {
		return nil, Visible, false
	}
	switch {
	case !t.Given(i):
		return nil, Visible, false
	case t.kind[i] != number:
		return nil, Visible, true
	}
	val := t.val[i]
	return &val, t.state[i], true
}

// Row is a row's two measures as they may be shown: a withheld count is
// nil with its state set.
func (s *Services) Row(pillar, sex, age, dis string) (inNeed, reached *int64, inNeedState, reachedState State) {
	inNeed, inNeedState, _ = s.Figure(pillar, schema.MeasureInNeed, sex, age, dis)
	reached, reachedState, _ = s.Figure(pillar, schema.MeasureReached, sex, age, dis)
	if inNeedState.Hidden() {
		inNeed = nil
	}
	if reachedState.Hidden() {
		reached = nil
	}
	return inNeed, reached, inNeedState, reachedState
}

// DerivedHidden reports whether figures computed from both measures (unmet
// = in_need − reached, coverage = reached ÷ in_need, parity) must be
// withheld: with either count hidden, they would give it back.
func DerivedHidden(inNeed, reached State) bool { return inNeed.Hidden() || reached.Hidden() }

// Tables returns the in-need and reached tables of a pillar (nil when the
// source has none), for audits.
func (s *Services) Tables(pillar string) (inNeed, reached *Table) {
	ts, ok := s.tables[pillar]
	if !ok {
		return nil, nil
	}
	return ts[0], ts[1]
}

// Pillars lists the pillars the source has figures for, in schema order.
func (s *Services) Pillars() []string {
	var ps []string
	for _, p := range schema.ServicePillars {
		if _, ok := s.tables[p]; ok {
			ps = append(ps, p)
		}
	}
	return ps
}
