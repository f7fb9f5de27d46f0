package sample

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vahub/vahub/schema"
	svy "github.com/vahub/vahub/schema/survey"
)

// The demo's figures must look like a careful country's: reached never above
// in need, and the sex-age and disability breakdowns of a pillar agreeing
// on the total, as the template's reader checks.
func TestReportsAreConsistent(t *testing.T) {
	for _, c := range DemoCountries {
		for y := 2015; y <= 2030; y++ {
			r := Report(c, y)
			type key struct{ pillar, measure string }
			bySexAge, byDisability := map[key]int64{}, map[key]int64{}
			cells := map[[5]string]int64{}
			for _, s := range r.Services {
				k := key{s.Pillar, s.Measure}
				if s.Disability == schema.Total {
					bySexAge[k] += *s.People
				} else {
					byDisability[k] += *s.People
				}
				cells[[5]string{s.Pillar, s.Measure, s.Sex, s.AgeGroup, s.Disability}] = *s.People
			}
			for k, v := range bySexAge {
				if byDisability[k] != v {
					t.Errorf("%s %d %v: sex-age total %d, disability total %d", c.Code, y, k, v, byDisability[k])
				}
			}
			for k, reached := range cells {
				if k[1] != schema.MeasureReached {
					continue
				}
				need := cells[[5]string{k[0], schema.MeasureInNeed, k[2], k[3], k[4]}]
				if reached > need {
					t.Errorf("%s %d %v: reached %d > in need %d", c.Code, y, k, reached, need)
				}
			}
		}
	}
}

// The sample survey must read like a real one: the same on every call,
// unique instance ids, answers the form allows, received_ asked only after
// a yes to need_, interviews in the year, a few refusals, children (a
// caregiver answers), and Washington Group answers that make about 40 %
// persons with disabilities, as the report's disability breakdown says.
func TestSurveyIsPlausible(t *testing.T) {
	form := svy.Standard()
	for _, c := range DemoCountries {
		for _, year := range []int{2022, 2024} {
			ivs := Survey(c, year)
			if again := Survey(c, year); !reflect.DeepEqual(ivs, again) {
				t.Fatalf("%s %d: two calls differ", c.Code, year)
			}
			ids := map[string]bool{}
			var refusals, children, disabled, unknownDisability int
			for i, iv := range ivs {
				if ids[iv.UUID] {
					t.Errorf("%s %d: instance %s twice", c.Code, year, iv.UUID)
				}
				ids[iv.UUID] = true
				if i > 0 && iv.Submitted.Before(ivs[i-1].Submitted) {
					t.Errorf("%s %d: not in submission order at %d", c.Code, year, i)
				}
				a := iv.Answers
				if a["consent"] == "no" {
					refusals++
					if len(a) != 2 || a["country"] != c.Code {
						t.Errorf("%s %d: a refusal keeps more than consent and country: %v", c.Code, year, a)
					}
					continue
				}
				for name, v := range a {
					q, ok := form.Question(name)
					if !ok {
						t.Fatalf("%s %d: answer to %q, not a question of the form", c.Code, year, name)
					}
					if q.Type == svy.TypeSelectOne && q.List != "countries" {
						l, _ := form.List(q.List)
						if !slices.ContainsFunc(l.Choices, func(ch svy.Choice) bool { return ch.Name == v }) {
							t.Errorf("%s %d: %s = %q is not a choice", c.Code, year, name, v)
						}
					}
				}
				for _, p := range svy.ServicePillars {
					if _, asked := a["received_"+p]; asked != (a["need_"+p] == "yes") {
						t.Errorf("%s %d: need_%s %q but received_ asked %v", c.Code, year, p, a["need_"+p], asked)
					}
				}
				d, err := time.Parse(time.DateOnly, a["interview_date"])
				if err != nil || d.Year() != year || iv.Submitted.Before(d) {
					t.Errorf("%s %d: interview %q submitted %v", c.Code, year, a["interview_date"], iv.Submitted)
				}
				age, _ := strconv.Atoi(a["age"])
				if age < 18 {
					children++
				}
				if y, err := strconv.Atoi(a["incident_year"]); a["incident_year"] != "" && (err != nil || y > year || y < year-age) {
					t.Errorf("%s %d: incident year %q for age %d", c.Code, year, a["incident_year"], age)
				}
				wg := map[string]string{}
				for _, dom := range svy.WGDomains {
					wg[dom] = a[dom]
				}
				switch svy.Disability(wg) {
				case "yes":
					disabled++
				case "unknown":
					unknownDisability++
				}
			}
			n := float64(len(ivs))
			consented := n - float64(refusals)
			if len(ivs) < 100 || refusals == 0 || float64(refusals)/n > 0.12 ||
				children == 0 || float64(children)/consented > 0.6 ||
				math.Abs(float64(disabled)/consented-0.4) > 0.1 || unknownDisability == 0 {
				t.Errorf("%s %d: %d interviews, %d refusals, %d children, %d with a disability, %d unknown",
					c.Code, year, len(ivs), refusals, children, disabled, unknownDisability)
			}
		}
	}
}
