// Package sample generates plausible, deterministic Form H reports for the
// demo, tests and benchmarks. The figures are invented; their shapes (who
// is killed or injured, how coverage falls for girls and for people with
// disabilities) follow what the Monitor reports.
package sample

import (
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/vahub/vahub/schema"
)

// Country is one demo country: its code, the language its focal point
// reports in, and a scale for its figures.
type Country struct {
	Code  string
	Lang  string
	Scale int // typical casualties a year
}

// DemoCountries report in all three template languages.
var DemoCountries = []Country{
	{Code: "LAO", Lang: "en", Scale: 60},
	{Code: "LBN", Lang: "fr", Scale: 25},
	{Code: "COL", Lang: "es", Scale: 110},
	{Code: "TCD", Lang: "fr", Scale: 30},
	{Code: "IRQ", Lang: "en", Scale: 90},
}

// sexAge are the columns of the template's sex-and-age tables.
var sexAge = [][2]string{{"male", "adult"}, {"female", "adult"}, {"male", "child"}, {"female", "child"}, {schema.Unknown, schema.Unknown}}

// Report returns the report of country c for year, the same on every call.
func Report(c Country, year int) *schema.Report {
	h := fnv.New64a()
	h.Write([]byte(c.Code))
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(year)))
	r := &schema.Report{
		Country:     c.Code,
		Year:        year,
		Kind:        "annual",
		SourceType:  schema.SourceOfficial,
		PeriodStart: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC),
		PeriodEnd:   time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC),
		Language:    c.Lang,
	}
	// Casualties: outcome by sex and age. Men and boys dominate, as the
	// Monitor finds year after year.
	shares := []float64{0.45, 0.08, 0.35, 0.09, 0.03}
	for _, outcome := range []string{"killed", "injured"} {
		base := float64(c.Scale) * (0.8 + 0.4*rng.Float64())
		if outcome == "killed" {
			base *= 0.35
		}
		for i, sa := range sexAge {
			n := int64(base*shares[i] + rng.Float64()*2)
			r.Casualties = append(r.Casualties, casualty(outcome, sa[0], sa[1], schema.Total, schema.Total, n))
		}
	}
	// By cause: remnants far more than attacks in peacetime.
	for _, outcome := range []string{"killed", "injured"} {
		var total int64
		for _, cs := range r.Casualties {
			if cs.Outcome == outcome {
				total += *cs.People
			}
		}
		remnant := total * 6 / 10
		mine := total * 3 / 10
		r.Casualties = append(r.Casualties,
			casualty(outcome, schema.Total, schema.Total, "cm_remnant", schema.Total, remnant),
			casualty(outcome, schema.Total, schema.Total, "mine", schema.Total, mine),
			casualty(outcome, schema.Total, schema.Total, "erw_other", schema.Total, total-remnant-mine))
	}
	// Services: persons in need and reached per pillar. Coverage is lower
	// for women and girls and for persons with disabilities.
	coverage := []float64{0.8, 0.6, 0.75, 0.5, 0.4}
	for pi, pillar := range schema.ServicePillars {
		pillarCov := 0.55 + 0.4*rng.Float64()
		if pi == 4 {
			pillarCov *= 0.6 // socio-economic inclusion lags everywhere
		}
		var needAll, reachedAll int64
		for i, sa := range sexAge {
			need := int64(float64(c.Scale)*3*shares[i]*(0.7+0.6*rng.Float64())) + 1
			reached := int64(float64(need) * pillarCov * coverage[i] / 0.8)
			if reached > need {
				reached = need
			}
			needAll += need
			reachedAll += reached
			r.Services = append(r.Services,
				service(pillar, schema.MeasureInNeed, sa[0], sa[1], schema.Total, need),
				service(pillar, schema.MeasureReached, sa[0], sa[1], schema.Total, reached))
		}
		// The same people broken down by disability: the totals agree, and
		// persons with disabilities are reached less often.
		needD := needAll * 4 / 10
		reachedN := min(needAll-needD, reachedAll*75/100)
		reachedD := reachedAll - reachedN // ≤ needD because reachedAll ≤ needAll
		r.Services = append(r.Services,
			service(pillar, schema.MeasureInNeed, schema.Total, schema.Total, "yes", needD),
			service(pillar, schema.MeasureReached, schema.Total, schema.Total, "yes", reachedD),
			service(pillar, schema.MeasureInNeed, schema.Total, schema.Total, "no", needAll-needD),
			service(pillar, schema.MeasureReached, schema.Total, schema.Total, "no", reachedN))
	}
	statuses := []string{"yes", "yes", "partial", "no", "unknown"}
	for _, code := range schema.Commitments {
		r.Commitments = append(r.Commitments, schema.Commitment{Code: code, Status: statuses[rng.IntN(len(statuses))]})
	}
	return r
}

func casualty(outcome, sex, age, cause, disability string, n int64) schema.Casualty {
	return schema.Casualty{
		Scope: "new", Outcome: outcome, Sex: sex, AgeGroup: age, Disability: disability,
		Cause: cause, CivilianStatus: schema.Total, Value: number(n),
	}
}

func service(pillar, measure, sex, age, disability string, n int64) schema.Service {
	return schema.Service{Pillar: pillar, Measure: measure, Sex: sex, AgeGroup: age, Disability: disability, Value: number(n)}
}

func number(n int64) schema.Value {
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: schema.QualExact}
}
