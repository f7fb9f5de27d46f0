package sample

import (
	"testing"

	"github.com/vahub/vahub/schema"
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
