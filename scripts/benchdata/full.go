package benchdata

import (
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// FullFacts is how many facts a FullReport yields once ingested: every
// count cell but the Totals (which check out, so they are not facts of
// their own) plus the seven commitments.
const FullFacts = 3*5 + 3*3 + 6*3 + 4*3 + 10*5 + 10*3 + 7

// FullReport is the report of a focal point who filled in every cell of
// the template: every casualty table (by sex and age, disability, cause,
// civilian status) and both service tables, with Totals that agree with
// their parts and reached never above in need (S2's Total column is left
// blank: S1's states the same people). variant changes the figures, so two reports of the same country
// and year are different files. When offYear is true the reporting period
// runs from 1 July of the year before to 30 June, which ingest accepts
// with a period_outside_year warning, as a fiscal-year country's report.
// The same arguments give the same report.
func FullReport(c sample.Country, year, variant int, offYear bool) *schema.Report {
	h := fnv.New64a()
	h.Write([]byte(c.Code))
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(year)<<16|uint64(variant)))
	r := &schema.Report{
		Country:     c.Code,
		Year:        year,
		Kind:        "annual",
		SourceType:  schema.SourceOfficial,
		PeriodStart: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC),
		PeriodEnd:   time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC),
		Language:    c.Lang,
	}
	if offYear {
		r.PeriodStart = time.Date(year-1, 7, 1, 0, 0, 0, 0, time.UTC)
		r.PeriodEnd = time.Date(year, 6, 30, 0, 0, 0, 0, time.UTC)
	}
	scale := max(c.Scale, 5)
	n := func(base float64) int64 { return int64(base*(0.5+rng.Float64())) + 1 }
	for _, t := range formh.Tables() {
		for _, row := range t.Rows {
			if t.Role != formh.RoleCasualties {
				continue
			}
			var sum int64
			for _, col := range t.Cols {
				f := formh.CasualtyAt(t, row, col)
				var v int64
				if col == formh.ColTotal {
					v = sum
				} else {
					v = n(float64(scale) / float64(len(t.Cols)*len(t.Rows)) * 4)
					sum += v
				}
				f.Value = count(v)
				r.Casualties = append(r.Casualties, f)
			}
		}
	}
	s1, _ := formh.TableByID("S1")
	s2, _ := formh.TableByID("S2")
	parts := func(t formh.Table) []string { return t.Cols[:len(t.Cols)-1] } // all but Total
	for _, p := range schema.ServicePillars {
		coverage := 0.3 + 0.6*rng.Float64()
		needRow, reachedRow := formh.ServiceRow(p, schema.MeasureInNeed), formh.ServiceRow(p, schema.MeasureReached)
		var need, reached int64
		for _, col := range parts(s1) {
			nd := n(float64(scale) * 0.6)
			rc := int64(float64(nd) * coverage)
			need, reached = need+nd, reached+rc
			r.Services = append(r.Services, service(s1, needRow, col, nd), service(s1, reachedRow, col, rc))
		}
		r.Services = append(r.Services, service(s1, needRow, formh.ColTotal, need), service(s1, reachedRow, formh.ColTotal, reached))
		// The same people by disability: in need split 40/55/5, reached
		// spread in proportion, never above in need in any column.
		dNeed := []int64{need * 40 / 100, 0, need * 5 / 100}
		dNeed[1] = need - dNeed[0] - dNeed[2]
		dReached := make([]int64, 3)
		left := reached
		for i := range dNeed {
			dReached[i] = min(dNeed[i], reached*dNeed[i]/max(need, 1))
			left -= dReached[i]
		}
		for i := range dReached { // rounding leftovers, where there is room
			add := min(left, dNeed[i]-dReached[i])
			dReached[i] += add
			left -= add
		}
		for i, col := range parts(s2) {
			r.Services = append(r.Services, service(s2, needRow, col, dNeed[i]), service(s2, reachedRow, col, dReached[i]))
		}
	}
	statuses := []string{"yes", "partial", "no", "unknown"}
	for i, code := range schema.Commitments {
		cm := schema.Commitment{Code: code, Status: statuses[rng.IntN(len(statuses))]}
		if i%3 == 0 {
			cm.Detail = "See the national plan, section " + string(rune('A'+rng.IntN(6)))
		}
		r.Commitments = append(r.Commitments, cm)
	}
	return r
}

func service(t formh.Table, row, col string, v int64) schema.Service {
	s := formh.ServiceAt(t, row, col)
	s.Value = count(v)
	return s
}

func count(n int64) schema.Value {
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: schema.QualExact}
}
