// Command surveygen writes a KoboToolbox-style XLSX export of vahub's
// standard survey for the survey import benchmark (scripts/bench-survey.sh,
// BENCHMARKS.md "Survey exports"):
//
//	surveygen -o FILE.xlsx -rows 1000000
//
// Rows are pseudo-random but reproducible (-seed): one country (-country,
// as a country office exports its own interviews; "" for five countries),
// 2022 to 2024, about 2% refusals (which, as in the form, have no country:
// they take the file's), every answer in the form's codes, value headers
// with "/" group prefixes and Kobo's metadata columns. The workbook is
// written with excelize's StreamWriter (through surveytest.WriteXLSX), so
// it never sits in memory. It prints the rows written, the refusals and
// the file's size.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/vahub/vahub/ingest/survey/surveytest"
	svy "github.com/vahub/vahub/schema/survey"
)

var (
	countryCodes = []string{"LAO", "KHM", "COL", "BIH", "LBN"}
	sexes        = []string{"female", "male", "male", "prefer_not_to_say"}
	victimTypes  = []string{"survivor", "survivor", "family_member", "community_member"}
	causes       = []string{"cm_attack", "cm_remnant", "landmine", "other_erw", "unknown"}
	wgAnswers    = []string{"no_difficulty", "no_difficulty", "no_difficulty", "some_difficulty", "a_lot_of_difficulty", "cannot_do_at_all", "refused", "dont_know"}
	yesNo        = []string{"yes", "no"}
)

func main() {
	out := flag.String("o", "", "write the workbook to this file")
	rows := flag.Int("rows", 1_000_000, "data rows")
	seed := flag.Uint64("seed", 1, "random seed")
	country := flag.String("country", "LAO", "the interviews' country; \"\" for five countries (refusals are then rejected: the form asks the country after consent)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "surveygen: give -o FILE.xlsx")
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(*seed, 3))
	refusals := 0
	next := func(i int) surveytest.Interview {
		day := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(3*365))
		iv := surveytest.Interview{UUID: fmt.Sprintf("%08x-5b1c-4e2a-9f3d-%012x", *seed, i), Submitted: day.Add(30 * time.Hour)}
		if rng.IntN(50) == 0 {
			refusals++
			iv.Answers = map[string]string{"consent": "no"}
			return iv
		}
		c := *country
		if c == "" {
			c = countryCodes[rng.IntN(len(countryCodes))]
		}
		a := map[string]string{"consent": "yes", "country": c,
			"admin1": "Province " + strconv.Itoa(1+rng.IntN(18)), "interview_date": day.Format(time.DateOnly),
			"sex": sexes[rng.IntN(len(sexes))], "age": strconv.Itoa(rng.IntN(90)), "victim_type": victimTypes[rng.IntN(len(victimTypes))],
			"cause": causes[rng.IntN(len(causes))], "incident_year": strconv.Itoa(1975 + rng.IntN(48))}
		for _, d := range svy.WGDomains {
			a[d] = wgAnswers[rng.IntN(len(wgAnswers))]
		}
		for _, p := range svy.ServicePillars {
			need := yesNo[rng.IntN(2)]
			a["need_"+p] = need
			if need == "yes" {
				a["received_"+p] = yesNo[rng.IntN(2)]
			}
		}
		iv.Answers = a
		return iv
	}
	st := surveytest.Style{Tool: svy.SourceKobo, GroupSep: "/", Lang: "en"}
	if err := surveytest.WriteXLSX(*out, st, *rows, next); err != nil {
		fmt.Fprintln(os.Stderr, "surveygen:", err)
		os.Exit(1)
	}
	fi, err := os.Stat(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "surveygen:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d rows, %d refusals, %.1f MB\n", *out, *rows, refusals, float64(fi.Size())/1e6)
}
