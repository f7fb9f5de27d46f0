package monitor

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/vahub/vahub/schema"
)

// Where a figure was read: key figures win over prose for the same group.
const (
	srcKey   = "key figures"
	srcProse = "text"
)

type factKey struct {
	year  int
	scope string
	d     dims
}

type fact struct {
	factKey
	v      schema.Value
	origin string // the label or sentence it came from, for messages
	src    string
}

type pending struct {
	d  dims
	it item
}

// collector gathers facts, dropping repeats and flagging contradictions.
type collector struct {
	facts  []fact
	index  map[factKey]int
	issues schema.Issues
}

func newCollector() *collector { return &collector{index: map[factKey]int{}} }

func (c *collector) issue(sev schema.Severity, code, msg string) {
	for _, i := range c.issues {
		if i.Code == code && i.Message == msg {
			return
		}
	}
	c.issues = append(c.issues, schema.Issue{Severity: sev, Code: code, Message: msg})
}

// add records one figure. The same figure stated twice is one fact; two
// different figures for the same group keep the first (key figures are
// read before prose) and say so.
func (c *collector) add(year int, scope string, d dims, v schema.Value, origin, src string) {
	if year == 0 || v.People == nil {
		return
	}
	k := factKey{year, scope, d.or()}
	if i, ok := c.index[k]; ok {
		old := c.facts[i]
		if *old.v.People != *v.People {
			c.issue(schema.SevWarning, schema.CodeDuplicateFigure,
				fmt.Sprintf("%d %s figure %s: %q says %d, %q says %d; vahub keeps %d.",
					year, scope, describe(k.d), old.origin, *old.v.People, origin, *v.People, *old.v.People))
		}
		return
	}
	c.index[k] = len(c.facts)
	c.facts = append(c.facts, fact{factKey: k, v: v, origin: origin, src: src})
}

// addSummed adds the items of one value, summing items that land on the
// same group ("62 antipersonnel mine; 21 antivehicle mine" are both mine).
func (c *collector) addSummed(year int, scope string, ps []pending, origin, src string) {
	type acc struct {
		n int64
		q schema.Qualifier
	}
	var order []dims
	sums := map[dims]*acc{}
	for _, p := range ps {
		a, ok := sums[p.d]
		if !ok {
			a = &acc{q: p.it.q}
			sums[p.d] = a
			order = append(order, p.d)
		} else {
			a.q = weaker(a.q, p.it.q)
		}
		a.n += p.it.n
	}
	for _, d := range order {
		a := sums[d]
		c.add(year, scope, d, value(a.n, a.q), origin, src)
	}
}

func weaker(a, b schema.Qualifier) schema.Qualifier {
	if a == schema.QualAtLeast || b == schema.QualAtLeast {
		return schema.QualAtLeast
	}
	if a == schema.QualEstimate || b == schema.QualEstimate {
		return schema.QualEstimate
	}
	return schema.QualExact
}

func describe(d dims) string {
	s := ""
	for _, p := range [][2]string{{"outcome", d.outcome}, {"sex", d.sex}, {"age", d.age}, {"cause", d.cause}, {"status", d.civ}} {
		if p[1] != schema.Total && p[1] != "" {
			if s != "" {
				s += ", "
			}
			s += p[0] + "=" + p[1]
		}
	}
	if s == "" {
		return "(total)"
	}
	return "(" + s + ")"
}

// check compares every figure with the figures that break it down on one
// more dimension: parts above their total are flagged (a total stated as
// "at least" may be exceeded).
func (c *collector) check() {
	get := func(d dims, i int) string { return [...]string{d.outcome, d.sex, d.age, d.cause, d.civ}[i] }
	set := func(d dims, i int, v string) dims {
		switch i {
		case 0:
			d.outcome = v
		case 1:
			d.sex = v
		case 2:
			d.age = v
		case 3:
			d.cause = v
		default:
			d.civ = v
		}
		return d
	}
	for _, p := range c.facts {
		if p.v.Qualifier == schema.QualAtLeast {
			continue
		}
		for dim := 0; dim < 5; dim++ {
			if get(p.d, dim) != schema.Total {
				continue
			}
			var sum int64
			var parts int
			for _, f := range c.facts {
				if f.year != p.year || f.scope != p.scope || get(f.d, dim) == schema.Total || set(f.d, dim, schema.Total) != p.d {
					continue
				}
				sum += *f.v.People
				parts++
			}
			if parts > 0 && sum > *p.v.People {
				c.issue(schema.SevWarning, schema.CodeExceedsTotal,
					fmt.Sprintf("%d %s: the figures that break down %s %s add up to %d, more than its %d (%q). Check the page.",
						p.year, p.scope, describe(p.d), []string{"by outcome", "by sex", "by age", "by device", "by status"}[dim], sum, *p.v.People, p.origin))
			}
		}
	}
}

// reports groups the facts by year.
func (c *collector) reports(country string, edition int) []*schema.Report {
	byYear := map[int]*schema.Report{}
	var years []int
	fv := "monitor"
	if edition != 0 {
		fv = fmt.Sprintf("monitor-%d", edition)
	}
	for _, f := range c.facts {
		r, ok := byYear[f.year]
		if !ok {
			r = &schema.Report{
				Country: country, Year: f.year, Kind: "annual", SourceType: schema.SourceWeb,
				PeriodStart: dateOf(f.year, 1, 1), PeriodEnd: dateOf(f.year, 12, 31),
				Language: "en", FormatVersion: fv,
			}
			byYear[f.year] = r
			years = append(years, f.year)
		}
		r.Casualties = append(r.Casualties, schema.Casualty{
			Scope: f.scope, Outcome: f.d.outcome, Sex: f.d.sex, AgeGroup: f.d.age, Disability: schema.Total,
			Cause: f.d.cause, CivilianStatus: f.d.civ, Value: f.v,
		})
	}
	slices.SortFunc(years, func(a, b int) int { return cmp.Compare(b, a) })
	out := make([]*schema.Report, 0, len(years))
	for _, y := range years {
		out = append(out, byYear[y])
	}
	return out
}
