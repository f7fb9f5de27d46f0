package monitor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/schema"
)

const monitorBase = "http://www.the-monitor.org/en-gb/reports/"

// fact renders one casualty as "2017 new outcome=killed 797", naming only
// the dimensions that are not total; a qualifier other than exact follows.
func renderFact(year int, c schema.Casualty) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", year, c.Scope)
	for _, d := range [][2]string{{"outcome", c.Outcome}, {"sex", c.Sex}, {"age", c.AgeGroup}, {"cause", c.Cause},
		{"status", c.CivilianStatus}, {"disability", c.Disability}} {
		if d[1] != schema.Total {
			fmt.Fprintf(&b, " %s=%s", d[0], d[1])
		}
	}
	if c.People == nil {
		fmt.Fprintf(&b, " %s", c.State)
	} else {
		fmt.Fprintf(&b, " %d", *c.People)
	}
	if c.Qualifier != schema.QualExact {
		fmt.Fprintf(&b, " %s", c.Qualifier)
	}
	return b.String()
}

func facts(res Result) []string {
	var out []string
	for _, r := range res.Reports {
		for _, c := range r.Casualties {
			out = append(out, renderFact(r.Year, c))
		}
	}
	slices.Sort(out)
	return out
}

func extractFile(t testing.TB, name, url string) Result {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Extract(context.Background(), Page{URL: url, HTML: raw, Fetched: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// The expected facts are written by hand from the page texts in
// ../shared/data/the-monitor/*.txt.
var fixtures = []struct {
	name, url   string
	country     string
	edition     int
	dataYear    int
	noData      bool
	facts       []string
	issueCodes  []string
	issueSubstr string
}{
	{
		name: "afghanistan_2018", url: monitorBase + "2018/afghanistan/casualties.aspx",
		country: "AFG", edition: 2018, dataYear: 2017,
		facts: []string{
			// All known casualties (between 1978 and 2017): 30,980 …: 7,456 killed and 23,524 injured
			"2017 cumulative 30980",
			"2017 cumulative outcome=killed 7456",
			"2017 cumulative outcome=injured 23524",
			// Casualties in 2017 / Annual total: 2,300
			"2017 new 2300",
			// Survival outcome: 797 killed; 1,503 injured
			"2017 new outcome=killed 797",
			"2017 new outcome=injured 1503",
			// Device type: 62 antipersonnel mine; 21 antivehicle mine (both "mine": 83); 1,093 improvised mine; 1,124 ERW
			"2017 new cause=mine 83",
			"2017 new cause=improvised_mine 1093",
			"2017 new cause=erw_other 1124",
			// Civilian status: 2,297 civilians; 3 deminers
			"2017 new status=civilian 2297",
			"2017 new status=deminer 3",
			// Age and gender: 1,030 adults: 160 women; 870 men / 1,270 children: 1,082 boys; 188 girls
			"2017 new age=adult 1030",
			"2017 new sex=female age=adult 160",
			"2017 new sex=male age=adult 870",
			"2017 new age=child 1270",
			"2017 new sex=male age=child 1082",
			"2017 new sex=female age=child 188",
			// "Increase from 1,985 in 2016": clearly labelled, a 2016 fact
			"2016 new 1985",
		},
	},
	{
		name: "afghanistan_2017", url: monitorBase + "2017/afghanistan/casualties.aspx",
		country: "AFG", edition: 2017, dataYear: 2016,
		facts: []string{
			// 29,662 … (6,761 killed and 22,901injured) between 1978 and 2016
			"2016 cumulative 29662",
			"2016 cumulative outcome=killed 6761",
			"2016 cumulative outcome=injured 22901",
			// Casualties in 2016: 1,943 (2015: 1,587)
			"2016 new 1943",
			"2015 new 1587",
			// 780 killed; 1,163 injured (2015: 644 killed; 943 injured)
			"2016 new outcome=killed 780",
			"2016 new outcome=injured 1163",
			"2015 new outcome=killed 644",
			"2015 new outcome=injured 943",
			// 137 antipersonnel mine; 46 antivehicle mine; 1,180 improvised mine; 580 ERW
			"2016 new cause=mine 183",
			"2016 new cause=improvised_mine 1180",
			"2016 new cause=erw_other 580",
		},
	},
	{
		name: "cambodia_2017", url: monitorBase + "2017/cambodia/casualties.aspx",
		country: "KHM", edition: 2017, dataYear: 2016,
		facts: []string{
			"2016 cumulative 64662",
			"2016 cumulative outcome=killed 19748",
			"2016 cumulative outcome=injured 44914",
			"2016 new 83",
			"2015 new 111",
			"2016 new outcome=killed 25",
			"2016 new outcome=injured 58",
			"2015 new outcome=killed 18",
			"2015 new outcome=injured 93",
			// 26 antipersonnel mines; 16 antivehicle mines; 41 explosive remnants of war (ERW)
			"2016 new cause=mine 42",
			"2016 new cause=erw_other 41",
			// prose: 76 casualties were civilian, four were demining personnel, and three were military
			"2016 new status=civilian 76",
			"2016 new status=deminer 4",
			"2016 new status=military 3",
			// Adults made up 63 of the casualties (59 men and four women) and children (20; 16 boys and four girls)
			"2016 new age=adult 63",
			"2016 new sex=male age=adult 59",
			"2016 new sex=female age=adult 4",
			"2016 new age=child 20",
			"2016 new sex=male age=child 16",
			"2016 new sex=female age=child 4",
			// Not read: "In 2015, … 100 casualties were civilian", "seven girls and 24 boys" (2015),
			// "six deminer casualties in 2014": prose about other years.
		},
	},
	{
		name: "lao_2015", url: "http://the-monitor.org/en-gb/reports/2015/lao-pdr/casualties-and-victim-assistance.aspx",
		country: "LAO", edition: 2015, dataYear: 2014,
		facts: []string{
			"2014 cumulative 50570 at_least",
			"2014 cumulative outcome=killed 29522",
			"2014 cumulative outcome=injured 21048",
			"2014 new 45",
			"2013 new 42",
			"2014 new outcome=killed 16",
			"2014 new outcome=injured 29",
			"2013 new outcome=killed 13",
			"2013 new outcome=injured 29",
			"2014 new cause=erw_other 24",
			"2014 new cause=cm_remnant 21",
			// children (28; 21 boys and seven girls), … the 17 adult casualties … 12 men and five women
			"2014 new age=child 28",
			"2014 new sex=male age=child 21",
			"2014 new sex=female age=child 7",
			"2014 new age=adult 17",
			"2014 new sex=male age=adult 12",
			"2014 new sex=female age=adult 5",
		},
	},
	{
		name: "lao_2016", url: "https://www.the-monitor.org/en-gb/reports/2016/lao-pdr/casualties-and-victim-assistance.aspx",
		country: "LAO", edition: 2016, dataYear: 2015,
		facts: []string{
			"2015 cumulative 50570 at_least",
			"2015 cumulative outcome=killed 29522",
			"2015 cumulative outcome=injured 21048",
			"2015 new 42",
			"2014 new 45",
			"2015 new outcome=killed 8",
			"2015 new outcome=injured 34",
			"2014 new outcome=killed 16",
			"2014 new outcome=injured 29",
			"2015 new cause=erw_other 24",
			"2015 new cause=cm_remnant 18",
			// The majority of the casualties were male (39). Of the total, 19 were children,
			// including one girl, and 23 were adults, including two women.
			// Partial: no boys (18) and no men (21) are invented.
			"2015 new sex=male 39",
			"2015 new age=child 19",
			"2015 new sex=female age=child 1",
			"2015 new age=adult 23",
			"2015 new sex=female age=adult 2",
		},
	},
	{
		name: "croatia_2014", url: monitorBase + "2014/croatia/casualties-and-victim-assistance.aspx",
		country: "HRV", edition: 2014, dataYear: 2013,
		facts: []string{
			// 1,978 mine/ERW casualties (511 killed; 1,436 injured; and 31 unknown)
			"2013 cumulative 1978",
			"2013 cumulative outcome=killed 511",
			"2013 cumulative outcome=injured 1436",
			"2013 cumulative outcome=unknown 31",
			"2013 new 4",
			"2012 new 3",
			"2013 new outcome=killed 1",
			"2013 new outcome=injured 3",
			"2012 new outcome=killed 2",
			"2012 new outcome=injured 1",
			// 1 antipersonnel mine; 3 cluster munition
			"2013 new cause=mine 1",
			"2013 new cause=cm_remnant 3",
			// Not read: "One adult male civilian was injured …" and "One clearance
			// personnel was killed and two were injured …" cross outcome, sex,
			// age and status in prose.
		},
	},
	{
		name: "cmm2016_table_as_image", url: "https://archives2.the-monitor.org/en-gb/reports/2016/cluster-munition-monitor-2016/casualties-and-victim-assistance.aspx",
		country: "", edition: 2016, dataYear: 2015, noData: true,
		issueCodes: []string{schema.CodeNoVAData}, issueSubstr: MsgImageTable,
	},
}

func TestExtractFixtures(t *testing.T) {
	for _, tc := range fixtures {
		t.Run(tc.name, func(t *testing.T) {
			res := extractFile(t, tc.name, tc.url)
			if res.Country != tc.country || res.Edition != tc.edition || res.DataYear != tc.dataYear || res.NoData != tc.noData {
				t.Errorf("country %q edition %d data year %d nodata %v; want %q %d %d %v",
					res.Country, res.Edition, res.DataYear, res.NoData, tc.country, tc.edition, tc.dataYear, tc.noData)
			}
			got, want := facts(res), slices.Sorted(slices.Values(tc.facts))
			if !slices.Equal(got, want) {
				for _, g := range got {
					if !slices.Contains(want, g) {
						t.Errorf("unexpected fact %q", g)
					}
				}
				for _, w := range want {
					if !slices.Contains(got, w) {
						t.Errorf("missing fact %q", w)
					}
				}
			}
			var codes []string
			for _, is := range res.Issues {
				codes = append(codes, is.Code)
				if tc.issueSubstr == "" {
					t.Errorf("unexpected issue: %s", is)
				}
			}
			if !slices.Equal(codes, tc.issueCodes) {
				t.Errorf("issue codes %v, want %v", codes, tc.issueCodes)
			}
			if tc.issueSubstr != "" && (len(res.Issues) == 0 || !strings.Contains(res.Issues[0].Message, tc.issueSubstr)) {
				t.Errorf("issues %v do not say %q", res.Issues, tc.issueSubstr)
			}
			for _, r := range res.Reports {
				if r.Country != tc.country || r.SourceType != schema.SourceWeb || r.Kind != "annual" || r.Language != "en" ||
					r.FormatVersion != fmt.Sprintf("monitor-%d", tc.edition) ||
					r.PeriodStart != time.Date(r.Year, 1, 1, 0, 0, 0, 0, time.UTC) ||
					r.PeriodEnd != time.Date(r.Year, 12, 31, 0, 0, 0, 0, time.UTC) {
					t.Errorf("report header %+v", *r)
				}
				checkCodes(t, r)
			}
			if len(res.Reports) > 0 && res.Reports[0].Year != tc.dataYear {
				t.Errorf("first report is %d, want the data year %d", res.Reports[0].Year, tc.dataYear)
			}
		})
	}
}

// checkCodes asserts every fact speaks VOCABULARY.md and carries a count.
func checkCodes(t testing.TB, r *schema.Report) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range r.Casualties {
		if !schema.Valid(schema.Outcomes, c.Outcome) || !schema.Valid(schema.Sexes, c.Sex) ||
			!schema.Valid(schema.AgeGroups, c.AgeGroup) || !schema.Valid(schema.Causes, c.Cause) ||
			!schema.Valid(schema.CivilianStatuses, c.CivilianStatus) || c.Disability != schema.Total ||
			(c.Scope != "new" && c.Scope != "cumulative") {
			t.Errorf("bad codes in %+v", c)
		}
		if c.State != schema.StateReported || c.People == nil || *c.People < 0 {
			t.Errorf("fact without a count: %+v", c)
		}
		k := renderFact(r.Year, c)
		k = k[:strings.LastIndex(k, " ")]
		if seen[k] {
			t.Errorf("two facts for one group: %s", k)
		}
		seen[k] = true
	}
}

// The fixtures reproduce the text of the stored pages: every line of each
// .txt (bullets aside) is in the text the extractor sees, and the site
// chrome around it (menus, footer, scripts) is not.
func TestFixturesMatchPageText(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "the-monitor")
	pairs := map[string]string{
		"afghanistan_2018":       "afghanistan_2018_casualties.txt",
		"afghanistan_2017":       "afghanistan_2017_casualties.txt",
		"cambodia_2017":          "cambodia_2017_casualties.txt",
		"lao_2015":               "lao_2015_casualties_va.txt",
		"lao_2016":               "lao_2016_casualties_va.txt",
		"croatia_2014":           "croatia_2014_casualties_va.txt",
		"cmm2016_table_as_image": "cmm2016_casualties_va_table_as_image.txt",
	}
	for fixture, txt := range pairs {
		want, err := os.ReadFile(filepath.Join(dir, txt))
		if err != nil {
			t.Skipf("page texts not available: %v", err)
		}
		raw, err := os.ReadFile(filepath.Join("testdata", fixture+".html"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := parsePage(raw)
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, b := range p.blocks {
			all = append(all, b.text)
		}
		seen := collapse(strings.Join(all, " "))
		for _, line := range strings.Split(string(want), "\n") {
			line = collapse(strings.TrimLeft(strings.TrimSpace(line), "•· \u00a0"))
			if line == "" {
				continue
			}
			if !strings.Contains(seen, line) {
				t.Errorf("%s: the fixture lacks the page's line %q", fixture, line)
			}
		}
		for _, chrome := range []string{"Skip to main content", "Our Research", "Press Room", "All rights reserved", "Select a country", "ga('create'"} {
			if strings.Contains(seen, chrome) {
				t.Errorf("%s: site chrome %q leaked into the text", fixture, chrome)
			}
		}
	}
}

func TestLastUpdatedIsPublicationDate(t *testing.T) {
	for name, want := range map[string]string{
		"afghanistan_2018": "2018-10-11", "afghanistan_2017": "2017-07-13", "cambodia_2017": "2017-07-27",
		"lao_2015": "2015-07-22", "lao_2016": "2017-01-30", "croatia_2014": "2014-12-02", "cmm2016_table_as_image": "",
	} {
		res := extractFile(t, name, "https://www.the-monitor.org/en-gb/reports/2016/lao-pdr/x.aspx")
		got := ""
		if res.Updated != nil {
			got = res.Updated.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("%s: updated %q, want %q", name, got, want)
		}
		for _, r := range res.Reports {
			if r.SubmittedOn != res.Updated {
				t.Errorf("%s: report %d SubmittedOn %v", name, r.Year, r.SubmittedOn)
			}
		}
	}
}
