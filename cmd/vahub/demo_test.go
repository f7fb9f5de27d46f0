package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/schema"
	svy "github.com/vahub/vahub/schema/survey"
)

// checkDemoSurvey checks the survey path of `vahub demo` (TestDemoEndToEnd
// runs it): the XLSForm and the KoboToolbox export it wrote, the survey
// counts it printed, and the gap workbook's Reconciliation and Disclosure
// sheets, against figures read from the export and the LAO 2024 template
// with excelize alone.
func checkDemoSurvey(t *testing.T, stdout, demoDir string, official input, gap map[string]sheet) {
	form, err := excelize.OpenFile(filepath.Join(demoDir, "vahub-survey.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if got := form.GetSheetList(); !slices.Equal(got, []string{"survey", "choices", "settings"}) {
		t.Errorf("XLSForm sheets %q", got)
	}
	form.Close()

	// The export is what the sample generator writes, byte for byte, so
	// every run of the demo writes the same file.
	path := filepath.Join(demoDir, "survey-kobo-LAO-2024.xlsx")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	ivs, err := sample.WriteSurveyKobo(&want, sample.DemoCountries[0], 2024)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("the demo's survey export differs from sample.WriteSurveyKobo's")
	}

	// Read it as a user would: English label headers and answers.
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		for _, q := range svy.Standard().Questions() {
			if q.Name == name {
				if i := slices.Index(rows[0], q.Label.In("en")); i >= 0 {
					return i
				}
			}
		}
		t.Fatalf("no column for %s in %q", name, rows[0])
		return 0
	}
	consent, needRehab := col("consent"), col("need_rehabilitation")
	cell := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	var accepted, refusals, inNeed int
	for _, r := range rows[1:] {
		switch cell(r, consent) {
		case "Yes":
			accepted++
			if cell(r, needRehab) == "Yes" {
				inNeed++
			}
		case "No":
			refusals++
		default:
			t.Errorf("consent %q", cell(r, consent))
		}
	}
	if len(rows)-1 != len(ivs) || accepted == 0 || refusals == 0 {
		t.Fatalf("%d data rows (%d accepted, %d refusals), the generator wrote %d", len(rows)-1, accepted, refusals, len(ivs))
	}
	for _, line := range []string{
		fmt.Sprintf("a simulated KoboToolbox export of %d interviews in LAO 2024 to %s\n", len(ivs), path),
		fmt.Sprintf("\n   survey LAO 2024: %d accepted, 0 duplicate(s), 0 replaced, %d refusal(s) (no consent), 0 row(s) rejected\n", accepted, refusals),
	} {
		if !strings.Contains(stdout, line) {
			t.Errorf("demo output lacks %q:\n%s", line, stdout)
		}
	}

	// Reconciliation: LAO 2024 only (the one country-year with a survey),
	// the rehabilitation in-need total being the export's yes answers
	// against the template's sum.
	recon := gap["Reconciliation"].rows
	statuses := map[string]int{}
	var found bool
	for _, r := range recon {
		statuses[r["status"]]++
		if r["country"] != "LAO" || r["year"] != "2024" {
			t.Errorf("Reconciliation row for %s %s", r["country"], r["year"])
		}
		if r["pillar"] != "rehabilitation" || r["measure"] != "in_need" || r["level"] != "total" {
			continue
		}
		found = true
		var sum int64
		for g, v := range official.services {
			if strings.HasPrefix(g, "rehabilitation ") && strings.HasSuffix(g, " "+schema.Total) {
				n, err := strconv.ParseInt(v[0], 10, 64)
				if err != nil {
					t.Fatalf("template cell %s: %q", g, v[0])
				}
				sum += n
			}
		}
		diff := int64(inNeed) - sum
		status := "agrees"
		if math.Abs(float64(diff)) > 5 && math.Abs(float64(diff))/float64(sum) > 0.1 {
			status = "differs"
		}
		if r["survey"] != strconv.Itoa(inNeed) || r["official"] != strconv.FormatInt(sum, 10) ||
			r["difference"] != strconv.FormatInt(diff, 10) || r["status"] != status {
			t.Errorf("rehabilitation in need: %v; want survey %d, official %d, %s", r, inNeed, sum, status)
		}
	}
	if !found {
		t.Errorf("no Reconciliation row for the rehabilitation in-need total: %v", recon)
	}
	line := fmt.Sprintf("   Reconciliation sheet: survey vs Form H for LAO 2024: %d pairs: %d agree, %d differ beyond the tolerance",
		len(recon), statuses["agrees"], statuses["differs"])
	if !strings.Contains(stdout, line) || statuses["agrees"] == 0 || statuses["differs"] == 0 {
		t.Errorf("demo output lacks %q (statuses %v):\n%s", line, statuses, stdout)
	}
	if w := statuses["withheld"]; w > 0 && !strings.Contains(stdout, fmt.Sprintf(", %d withheld to protect small survey counts (k = 5;", w)) {
		t.Errorf("demo output does not say %d pairs are withheld:\n%s", w, stdout)
	}

	// Disclosure: the Reconciliation sheet's withheld survey counts.
	var disc map[string]string
	for _, r := range gap["Disclosure"].rows {
		if r["sheet"] == "Reconciliation" {
			disc = r
		}
	}
	p, _ := strconv.Atoi(disc["withheld_primary"])
	c, _ := strconv.Atoi(disc["withheld_complementary"])
	if disc == nil || p+c != statuses["withheld"] {
		t.Errorf("Disclosure row for Reconciliation %v; the sheet withholds %d survey counts", disc, statuses["withheld"])
	}
}
