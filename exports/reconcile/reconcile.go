// Package reconcile compares, per country and year, the service figures
// derived from individual survey records with the figures the country
// reported on Form H, and flags the differences beyond a tolerance. It is
// pure: the store gives it both sources' rows (pg SourceServices), and the
// survey side arrives already protected by exports/suppress, so a
// comparison never shows a withheld survey count.
package reconcile

import (
	"math"
	"slices"

	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/schema"
)

// Options set when a difference is flagged.
type Options struct {
	// Tolerance is the relative difference |survey − official| ÷ official
	// above which a pair is flagged (default 0.1).
	Tolerance float64
	// MinDiff is the absolute difference at or below which a pair is never
	// flagged, however large relatively (default 5): 2 against 1 is 100 %
	// but says nothing.
	MinDiff int64
}

// Defaults.
const (
	DefaultTolerance = 0.1
	DefaultMinDiff   = 5
)

// WithDefaults fills zero fields.
func (o Options) WithDefaults() Options {
	if o.Tolerance == 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.MinDiff == 0 {
		o.MinDiff = DefaultMinDiff
	}
	return o
}

// Statuses of a comparison.
const (
	StatusAgrees          = "agrees"           // within the tolerance
	StatusDiffers         = "differs"          // beyond the tolerance: flagged
	StatusWithheld        = "withheld"         // the survey count is withheld (small cell)
	StatusNotComparable   = "not_comparable"   // a side gives the figure without a number
	StatusSurveyMissing   = "survey_missing"   // only the official report has it
	StatusOfficialMissing = "official_missing" // only the survey has it
)

// Levels of a comparison: the total, and the one-way breakdowns.
const (
	LevelTotal      = "total"
	LevelSex        = "sex"
	LevelAgeGroup   = "age_group"
	LevelDisability = "disability"
)

// Row is one comparison.
type Row struct {
	Country string `json:"country"`
	Year    int    `json:"year"`
	Pillar  string `json:"pillar"`
	Measure string `json:"measure"`
	Level   string `json:"level"`
	// The group compared: total on every dimension but the level's.
	Sex        string `json:"sex"`
	AgeGroup   string `json:"age_group"`
	Disability string `json:"disability"`
	// Survey is nil when withheld (SurveyWithheld), not reported or
	// missing; Official is nil when not reported or missing.
	Survey         *int64         `json:"survey"`
	SurveyWithheld bool           `json:"survey_withheld"`
	SurveyState    suppress.State `json:"-"` // why it is withheld
	Official       *int64         `json:"official"`
	Difference     *int64         `json:"difference"`          // survey − official
	Relative       *float64       `json:"relative_difference"` // difference ÷ official; nil when official is 0
	Status         string         `json:"status"`
	SurveyID       int64          `json:"survey_source_id"`
	OfficialID     int64          `json:"official_source_id,omitempty"`
}

// Group is the group compared.
func (r Row) Group() schema.GapGroup {
	return schema.GapGroup{Sex: r.Sex, AgeGroup: r.AgeGroup, Disability: r.Disability}
}

// Flagged reports whether the row is a difference beyond the tolerance.
func (r Row) Flagged() bool { return r.Status == StatusDiffers }

// levelGroup is one group compared, with its level.
type levelGroup struct {
	level string
	g     schema.GapGroup
}

// groups lists the comparison groups in output order: the total, then by
// sex, age group and disability.
func groups() []levelGroup {
	t := schema.Total
	out := []levelGroup{{LevelTotal, schema.GapGroup{Sex: t, AgeGroup: t, Disability: t}}}
	for _, s := range schema.Sexes {
		out = append(out, levelGroup{LevelSex, schema.GapGroup{Sex: s, AgeGroup: t, Disability: t}})
	}
	for _, a := range schema.AgeGroups {
		out = append(out, levelGroup{LevelAgeGroup, schema.GapGroup{Sex: t, AgeGroup: a, Disability: t}})
	}
	for _, d := range schema.Disabilities {
		out = append(out, levelGroup{LevelDisability, schema.GapGroup{Sex: t, AgeGroup: t, Disability: d}})
	}
	return out
}

// Compare compares one country and year. survey holds the protected survey
// figures (its margins are the sums of its groups); official holds the
// official report's rows (nil when the country has none). The total of
// every pillar and measure either side has is always compared; a breakdown
// group only where both sides have it.
func Compare(country string, year int, surveyID int64, survey *suppress.Services,
	officialID int64, official []schema.SourceServiceRow, opts Options) []Row {
	opts = opts.WithDefaults()
	var pillars []string
	for _, p := range schema.ServicePillars {
		has := slices.Contains(survey.Pillars(), p) || slices.ContainsFunc(official, func(r schema.SourceServiceRow) bool { return r.Pillar == p })
		if has {
			pillars = append(pillars, p)
		}
	}
	var out []Row
	for _, p := range pillars {
		for _, m := range schema.Measures {
			for _, lg := range groups() {
				sv, st, sok := survey.Figure(p, m, lg.g.Sex, lg.g.AgeGroup, lg.g.Disability)
				ov, ook := officialFigure(official, p, m, lg.g)
				if lg.level != LevelTotal && !(sok && ook) {
					continue
				}
				if !sok && !ook {
					continue
				}
				r := Row{Country: country, Year: year, Pillar: p, Measure: m, Level: lg.level,
					Sex: lg.g.Sex, AgeGroup: lg.g.AgeGroup, Disability: lg.g.Disability,
					SurveyID: surveyID, OfficialID: officialID}
				if ook {
					r.Official = ov
				}
				switch {
				case !sok:
					r.Status = StatusSurveyMissing
				case st.Hidden():
					r.SurveyWithheld, r.SurveyState, r.Status = true, st, StatusWithheld
				default:
					r.Survey = sv
				}
				if r.Status == "" {
					switch {
					case !ook:
						r.Status = StatusOfficialMissing
					case r.Survey == nil || r.Official == nil:
						r.Status = StatusNotComparable
					default:
						r.Status = compare(&r, opts)
					}
				}
				out = append(out, r)
			}
		}
	}
	return out
}

func compare(r *Row, opts Options) string {
	d := *r.Survey - *r.Official
	r.Difference = &d
	if *r.Official > 0 {
		rel := float64(d) / float64(*r.Official)
		r.Relative = &rel
	}
	abs := d
	if abs < 0 {
		abs = -abs
	}
	if abs <= opts.MinDiff {
		return StatusAgrees
	}
	if r.Relative != nil && math.Abs(*r.Relative) <= opts.Tolerance {
		return StatusAgrees
	}
	return StatusDiffers
}

// officialFigure is the official figure of a group: the row the report
// states for it, else the sum over the coarsest finer breakdown that is
// complete (every combination of the known codes of the extra dimensions
// present, each with a number; unknown rows added in), as the gap
// workbook's Summary sums coverage. ok is false when neither exists; a
// stated row without a number gives ok with a nil value.
func officialFigure(rows []schema.SourceServiceRow, pillar, measure string, g schema.GapGroup) (*int64, bool) {
	val := func(r schema.SourceServiceRow) *int64 {
		if measure == schema.MeasureReached {
			return r.Reached
		}
		return r.InNeed
	}
	for _, r := range rows {
		if r.Pillar == pillar && r.GapGroup == g {
			return val(r), true
		}
	}
	// Extra dimensions a finer breakdown may add, as bit masks over
	// sex (1), age group (2), disability (4), coarsest first.
	fixed := 0
	for d, c := range []string{g.Sex, g.AgeGroup, g.Disability} {
		if c != schema.Total {
			fixed |= 1 << d
		}
	}
	var masks []int
	for m := 1; m < 8; m++ {
		if m&fixed == 0 {
			masks = append(masks, m)
		}
	}
	slices.SortStableFunc(masks, func(a, b int) int { return bits(a) - bits(b) })
	known := [3][]string{{"female", "male"}, {"child", "adult"}, {"yes", "no"}}
	for _, extra := range masks {
		var sum int64
		seen := map[schema.GapGroup]bool{}
		complete, found := true, false
		for _, r := range rows {
			if r.Pillar != pillar {
				continue
			}
			codes := [3]string{r.Sex, r.AgeGroup, r.Disability}
			want := [3]string{g.Sex, g.AgeGroup, g.Disability}
			match := true
			for d := range 3 {
				switch {
				case fixed&(1<<d) != 0:
					match = match && codes[d] == want[d]
				case extra&(1<<d) != 0:
					match = match && codes[d] != schema.Total
				default:
					match = match && codes[d] == schema.Total
				}
			}
			if !match {
				continue
			}
			found = true
			v := val(r)
			if v == nil {
				complete = false
				break
			}
			sum += *v
			seen[r.GapGroup] = true
		}
		if !found || !complete {
			continue
		}
		// Every combination of the known codes of the extra dimensions.
		need := []schema.GapGroup{g}
		for d := range 3 {
			if extra&(1<<d) == 0 {
				continue
			}
			var next []schema.GapGroup
			for _, n := range need {
				for _, c := range known[d] {
					x := n
					switch d {
					case 0:
						x.Sex = c
					case 1:
						x.AgeGroup = c
					case 2:
						x.Disability = c
					}
					next = append(next, x)
				}
			}
			need = next
		}
		ok := true
		for _, n := range need {
			ok = ok && seen[n]
		}
		if ok {
			return &sum, true
		}
	}
	return nil, false
}

func bits(m int) int {
	n := 0
	for ; m > 0; m >>= 1 {
		n += m & 1
	}
	return n
}
