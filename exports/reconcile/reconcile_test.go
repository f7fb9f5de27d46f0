package reconcile

import (
	"fmt"
	"testing"

	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/schema"
)

func n(v int64) *int64 { return &v }

func off(pillar, sex, age string, inNeed, reached *int64) schema.SourceServiceRow {
	return schema.SourceServiceRow{Country: "LAO", Year: 2024, SourceID: 2, SourceType: "official", Pillar: pillar,
		GapGroup: schema.GapGroup{Sex: sex, AgeGroup: age, Disability: schema.Total}, InNeed: inNeed, Reached: reached}
}

// TestOfficialFigure: a stated row wins; else the coarsest complete finer
// breakdown is summed (men, women, boys, girls give the sexes and the
// total); an incomplete or unknown breakdown gives nothing.
func TestOfficialFigure(t *testing.T) {
	t.Parallel()
	t4 := []schema.SourceServiceRow{
		off("rehabilitation", "female", "adult", n(30), n(20)),
		off("rehabilitation", "female", "child", n(10), n(2)),
		off("rehabilitation", "male", "adult", n(50), n(40)),
		off("rehabilitation", "male", "child", n(8), n(8)),
		off("rehabilitation", "unknown", "total", n(4), nil),
		off("medical_care", "total", "total", n(100), nil),
		off("medical_care", "female", "adult", n(7), n(7)), // no girls: female incomplete
	}
	T := schema.Total
	for _, c := range []struct {
		pillar, measure string
		g               schema.GapGroup
		want            string
	}{
		{"rehabilitation", "in_need", schema.GapGroup{Sex: "female", AgeGroup: T, Disability: T}, "40"},
		{"rehabilitation", "in_need", schema.GapGroup{Sex: T, AgeGroup: "child", Disability: T}, "18"},
		// The total: by sex alone is incomplete (only the unknown row
		// states it), so the sex × age breakdown is summed; the unknown-sex
		// row belongs to the other breakdown and is not added in (as the
		// workbook's Summary sums).
		{"rehabilitation", "in_need", schema.GapGroup{Sex: T, AgeGroup: T, Disability: T}, "98"},
		{"rehabilitation", "reached", schema.GapGroup{Sex: "unknown", AgeGroup: T, Disability: T}, "NULL"},
		{"rehabilitation", "in_need", schema.GapGroup{Sex: T, AgeGroup: T, Disability: "yes"}, "missing"},
		{"medical_care", "in_need", schema.GapGroup{Sex: T, AgeGroup: T, Disability: T}, "100"},
		{"medical_care", "in_need", schema.GapGroup{Sex: "female", AgeGroup: T, Disability: T}, "missing"},
	} {
		v, ok := officialFigure(t4, c.pillar, c.measure, c.g)
		got := "missing"
		if ok {
			got = "NULL"
			if v != nil {
				got = fmt.Sprint(*v)
			}
		}
		if got != c.want {
			t.Errorf("%s %s %v = %s, want %s", c.pillar, c.measure, c.g, got, c.want)
		}
	}
}

// TestCompareStatuses pins the flags: the tolerance is relative and the
// minimum absolute; a withheld survey figure is never compared.
func TestCompareStatuses(t *testing.T) {
	t.Parallel()
	mk := func(sex, age string, in, re int64) suppress.ServiceRow {
		return suppress.ServiceRow{Pillar: "rehabilitation", Sex: sex, AgeGroup: age, Disability: "no", InNeed: n(in), Reached: n(re)}
	}
	// Survey: in need 40 women, 60 men, 3 girls (withheld, with
	// complements); reached 30 / 50 / 0.
	svc := suppress.ProtectServices(5, []suppress.ServiceRow{
		mk("female", "adult", 40, 30), mk("male", "adult", 60, 50), mk("female", "child", 3, 0),
	})
	official := []schema.SourceServiceRow{
		off("rehabilitation", "total", "total", n(110), n(80)),
		off("rehabilitation", "male", "total", n(60), nil),
	}
	rows := Compare("LAO", 2024, 1, svc, 2, official, Options{Tolerance: 0.05, MinDiff: 2})
	var got []string
	for _, r := range rows {
		s := "-"
		if r.Survey != nil {
			s = fmt.Sprint(*r.Survey)
		}
		if r.SurveyWithheld {
			s = "withheld"
		}
		got = append(got, fmt.Sprintf("%s %s %s %s", r.Measure, r.Group().Label(), s, r.Status))
	}
	want := []string{
		"in_need all 103 differs",        // 103 vs 110: −6.4 %, 7 people
		"in_need male 60 agrees",         // equal
		"reached all 80 agrees",          // equal
		"reached male 50 not_comparable", // official reached for men not reported
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows:\n%q\nwant\n%q", got, want)
	}
	// With a wider tolerance the in-need total agrees; with a larger
	// minimum difference too.
	for _, o := range []Options{{Tolerance: 0.1, MinDiff: 2}, {Tolerance: 0.05, MinDiff: 7}} {
		if r := Compare("LAO", 2024, 1, svc, 2, official, o); r[0].Status != StatusAgrees {
			t.Errorf("%+v: %s", o, r[0].Status)
		}
	}
	// No official report: totals only, official_missing.
	rows = Compare("LAO", 2024, 1, svc, 0, nil, Options{})
	if len(rows) != 2 || rows[0].Status != StatusOfficialMissing || rows[0].Level != LevelTotal {
		t.Errorf("survey only: %+v", rows)
	}
	// A survey whose overall count is small: withheld, never compared.
	small := suppress.ProtectServices(5, []suppress.ServiceRow{mk("female", "adult", 3, 1)})
	rows = Compare("LAO", 2024, 1, small, 2, official, Options{})
	if rows[0].Status != StatusWithheld || rows[0].Survey != nil || rows[0].Difference != nil || rows[0].SurveyState != suppress.Primary {
		t.Errorf("small survey: %+v", rows[0])
	}
}
