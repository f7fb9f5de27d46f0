package sample

import (
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/vahub/vahub/ingest/survey/surveytest"
	"github.com/vahub/vahub/schema"
	svy "github.com/vahub/vahub/schema/survey"
)

// Sample needs-assessment surveys: the interviews a country's survey team
// could have held in a year, drawn from the same country's sample Form H
// report (Report) so that the two sources tell one story. Respondents fall
// into the report's sex-and-age groups in proportion to its persons in
// need, and each says yes to need_<pillar> about as often as the report's
// figure implies, so survey and report agree on in-need counts within
// sampling noise. Coverage is where they part: respondents say they
// received a service less often than the ministry's register says it was
// delivered, by a factor drawn per pillar, and less often still when they
// have a disability; that is what vahub reconcile is for.

// surveyRefusalRate is the share of people approached who decline.
const surveyRefusalRate = 0.06

// surveyNeedShare is how often the pillar with the most persons in need
// gets a yes: the survey is sized so that its respondents can account for
// the report's in-need figures.
const surveyNeedShare = 0.6

// victimShares: survivors, then relatives of someone killed or injured,
// then community members. Only survivors need medical care or
// rehabilitation "because of the incident".
var victimShares = []struct {
	code  string
	share float64
}{{"survivor", 0.88}, {"family_member", 0.09}, {"community_member", 0.03}}

// survivorsOnly are the pillars only a survivor is asked to need in the
// simulation (a relative needs psychosocial or livelihood support, not a
// prosthesis).
var survivorsOnly = map[string]bool{"medical_care": true, "rehabilitation": true}

// admin1 are a few first-level areas where each demo country's incidents
// happen (public place names, no addresses).
var admin1 = map[string][]string{
	"LAO": {"Xiengkhouang", "Houaphanh", "Savannakhet", "Saravane", "Champasack", "Khammouane", "Sekong", "Attapeu"},
	"LBN": {"South", "Nabatieh", "Bekaa", "Mount Lebanon", "North"},
	"COL": {"Antioquia", "Meta", "Caquetá", "Nariño", "Cauca", "Norte de Santander"},
	"TCD": {"Borkou", "Ennedi Ouest", "Tibesti", "Lac"},
	"IRQ": {"Ninewa", "Anbar", "Salah al-Din", "Basrah", "Kirkuk", "Diyala"},
}

// Survey returns the interviews of country c's needs-assessment survey for
// year, the same on every call, in submission order. Refusals (about 6 %)
// keep only consent and country, as the form records them.
func Survey(c Country, year int) []surveytest.Interview {
	rep := Report(c, year)
	h := fnv.New64a()
	h.Write([]byte("survey " + c.Code))
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(year)))

	// The report's in-need and reached figures per pillar and sex-age group.
	need := map[string][]float64{}
	reached := map[string][]float64{}
	for _, p := range svy.ServicePillars {
		need[p], reached[p] = make([]float64, len(sexAge)), make([]float64, len(sexAge))
	}
	for _, s := range rep.Services {
		if _, ok := need[s.Pillar]; !ok || s.Disability != schema.Total {
			continue
		}
		i := slices.Index(sexAge, [2]string{s.Sex, s.AgeGroup})
		if i < 0 || s.People == nil {
			continue
		}
		if s.Measure == schema.MeasureInNeed {
			need[s.Pillar][i] = float64(*s.People)
		} else {
			reached[s.Pillar][i] = float64(*s.People)
		}
	}
	groupNeed := make([]float64, len(sexAge)) // summed over pillars: who is interviewed
	var most, all float64
	for _, p := range svy.ServicePillars {
		var t float64
		for i, v := range need[p] {
			groupNeed[i] += v
			t += v
		}
		most = max(most, t)
		all += t
	}
	respondents := int(math.Ceil(most / surveyNeedShare))
	n := int(math.Round(float64(respondents) / (1 - surveyRefusalRate)))

	// P(need | group) so that respondents × share × P is the report's
	// figure; P(received | need, group) the report's coverage times the
	// pillar's reporting gap.
	pNeed := map[string][]float64{}
	pReceived := map[string][]float64{}
	for _, p := range svy.ServicePillars {
		gap := 0.65 + 0.4*rng.Float64()
		pNeed[p], pReceived[p] = make([]float64, len(sexAge)), make([]float64, len(sexAge))
		for i := range sexAge {
			if groupNeed[i] == 0 {
				continue
			}
			asked := float64(respondents) * groupNeed[i] / all
			if survivorsOnly[p] {
				asked *= victimShares[0].share
			}
			pNeed[p][i] = min(0.97, need[p][i]/asked)
			if need[p][i] > 0 {
				pReceived[p][i] = min(1, reached[p][i]/need[p][i]*gap)
			}
		}
	}

	areas := admin1[c.Code]
	start := time.Date(year, 2, 1, 0, 0, 0, 0, time.UTC)
	fieldDays := time.Date(year, 12, 1, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24
	out := make([]surveytest.Interview, 0, n)
	for range n {
		day := start.AddDate(0, 0, rng.IntN(int(fieldDays)))
		iv := surveytest.Interview{
			UUID: uuid(rng),
			// Sent when the tablet is back online: the same evening or a
			// few days later.
			Submitted: day.Add(time.Duration(10+rng.IntN(96)) * time.Hour).Add(time.Duration(rng.IntN(3600)) * time.Second),
		}
		if rng.Float64() < surveyRefusalRate {
			iv.Answers = map[string]string{"consent": "no", "country": c.Code}
			out = append(out, iv)
			continue
		}
		g := pick(rng, groupNeed)
		sex, age := sexAge[g][0], sexAge[g][1]
		if sex == schema.Unknown {
			sex = "prefer_not_to_say"
		}
		years := 18 + rng.IntN(25) + rng.IntN(25)
		if age == "child" {
			years = 6 + rng.IntN(12) // a parent or caregiver answers
		}
		victim := victimShares[pick(rng, []float64{victimShares[0].share, victimShares[1].share, victimShares[2].share})].code
		a := map[string]string{
			"consent": "yes", "country": c.Code, "interview_date": day.Format(time.DateOnly),
			"sex": sex, "age": strconv.Itoa(years), "victim_type": victim, "cause": cause(rng, rep),
		}
		if len(areas) > 0 {
			a["admin1"] = areas[rng.IntN(len(areas))]
		}
		if y := incidentYear(rng, year, years); y != 0 {
			a["incident_year"] = strconv.Itoa(y)
		}
		disabled := washingtonGroup(rng, a)
		for _, p := range svy.ServicePillars {
			yes := (!survivorsOnly[p] || victim == "survivor") && rng.Float64() < pNeed[p][g]
			if !yes {
				a["need_"+p] = "no"
				continue
			}
			a["need_"+p] = "yes"
			pr := pReceived[p][g]
			if disabled {
				pr *= 0.85 // inaccessible services, as the Monitor finds
			} else {
				pr = min(1, pr*1.1)
			}
			a["received_"+p] = yesNo(rng.Float64() < pr)
		}
		iv.Answers = a
		out = append(out, iv)
	}
	// KoboToolbox numbers submissions (_id, _index) as they arrive.
	slices.SortStableFunc(out, func(x, y surveytest.Interview) int { return x.Submitted.Compare(y.Submitted) })
	return out
}

// SurveyKoboStyle is how the sample survey is exported: KoboToolbox's XLSX
// export with its default settings (labels, not XML names, for headers and
// answers, in the focal point's language; no group names in headers).
func SurveyKoboStyle(c Country) surveytest.Style {
	return surveytest.Style{Tool: svy.SourceKobo, Labels: true, Values: true, Lang: c.Lang}
}

// WriteSurveyKobo writes Survey(c, year) as KoboToolbox's XLSX export
// (SurveyKoboStyle) and returns the interviews written.
func WriteSurveyKobo(w io.Writer, c Country, year int) ([]surveytest.Interview, error) {
	ivs := Survey(c, year)
	err := surveytest.WriteXLSXTo(w, SurveyKoboStyle(c), len(ivs), func(i int) surveytest.Interview { return ivs[i] })
	if err != nil {
		return nil, fmt.Errorf("sample: survey %s %d: %w", c.Code, year, err)
	}
	return ivs, nil
}

// washingtonGroup answers the six Washington Group questions into a and
// reports whether they make the respondent a person with a disability.
// About 40 % are, as in the report's disability breakdown: mostly walking
// (amputation), then seeing and hearing (blast); about 4 % decline or do
// not know one answer, which leaves their disability unknown.
func washingtonGroup(rng *rand.Rand, a map[string]string) bool {
	for _, d := range svy.WGDomains {
		a[d] = svy.WGNoDifficulty
		if rng.Float64() < 0.15 {
			a[d] = svy.WGSomeDifficulty
		}
	}
	u := rng.Float64()
	switch {
	case u < 0.40:
		d := svy.WGDomains[pick(rng, []float64{0.20, 0.15, 0.55, 0.04, 0.04, 0.02})]
		a[d] = svy.WGALot
		if rng.Float64() < 0.3 {
			a[d] = svy.WGCannot
		}
		if d == "wg_walking" && rng.Float64() < 0.3 {
			a["wg_selfcare"] = svy.WGSomeDifficulty
		}
		return true
	case u < 0.44:
		d := svy.WGDomains[rng.IntN(len(svy.WGDomains))]
		a[d] = svy.WGRefused
		if rng.IntN(2) == 0 {
			a[d] = svy.WGDontKnow
		}
	}
	return false
}

// cause follows the report's casualties by cause; 3 % do not know.
func cause(rng *rand.Rand, rep *schema.Report) string {
	if rng.Float64() < 0.03 {
		return "unknown"
	}
	codes := map[string]string{"cm_attack": "cm_attack", "cm_remnant": "cm_remnant", "mine": "landmine", "erw_other": "other_erw"}
	var names []string
	var weights []float64
	for _, cs := range rep.Casualties {
		code, ok := codes[cs.Cause]
		if !ok || cs.People == nil {
			continue
		}
		if i := slices.Index(names, code); i >= 0 {
			weights[i] += float64(*cs.People)
			continue
		}
		names, weights = append(names, code), append(weights, float64(*cs.People))
	}
	if len(names) == 0 {
		return "unknown"
	}
	return names[pick(rng, weights)]
}

// incidentYear is mostly recent, sometimes decades back (never before the
// respondent was born), and not known for about 4 %; 0 when not known.
func incidentYear(rng *rand.Rand, year, age int) int {
	u := rng.Float64()
	var back int
	switch {
	case u < 0.04:
		return 0
	case u < 0.64:
		back = rng.IntN(5)
	case u < 0.92:
		back = 5 + rng.IntN(15)
	default:
		back = 20 + rng.IntN(25)
	}
	return year - min(back, age)
}

// pick draws an index with probability proportional to its weight.
func pick(rng *rand.Rand, weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	u := rng.Float64() * sum
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// uuid is a random (version 4) UUID from rng, so reruns give the same ids
// and a re-import of the file is recognised record by record.
func uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}
