package monitor

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema"
)

func htmlPage(body string) []byte {
	return []byte(`<!DOCTYPE html><html><head><title>Testland | Casualties</title></head><body>
<nav><ul><li>Casualties in 2017</li><li>99 boys</li></ul></nav>
<main>` + body + `</main><footer>3 girls</footer></body></html>`)
}

// Small pages: each markup style the Monitor used, and the prose shapes.
func TestExtractCases(t *testing.T) {
	const url = "https://www.the-monitor.org/en-gb/reports/2018/afghanistan/casualties.aspx"
	cases := []struct {
		name  string
		url   string
		body  string
		facts []string
		codes []string
	}{
		{
			name: "run-in bold labels with colons",
			body: `<h2>Casualties</h2>
<p><strong>Casualties in 2017:</strong> 2,300</p>
<p><strong>Survival outcome:</strong> 797 killed; 1,503 injured</p>
<p><b>Age and gender:</b> 1,030 adults: 160 women; 870 men / 1,270 children: 1,082 boys; 188 girls</p>`,
			facts: []string{"2017 new 2300", "2017 new outcome=killed 797", "2017 new outcome=injured 1503",
				"2017 new age=adult 1030", "2017 new sex=female age=adult 160", "2017 new sex=male age=adult 870",
				"2017 new age=child 1270", "2017 new sex=male age=child 1082", "2017 new sex=female age=child 188"},
		},
		{
			name: "definition list, typo and glued number",
			body: `<h2>Casulaties</h2><dl><dt>Casulaties in 2017</dt><dd>2,300</dd>
<dt>All known casualties by end 2017</dt><dd>30,980 mine/ERW casualties (7,456 killed and 23,524injured)</dd></dl>`,
			facts: []string{"2017 new 2300", "2017 cumulative 30980", "2017 cumulative outcome=killed 7456",
				"2017 cumulative outcome=injured 23524"},
		},
		{
			name:  "parenthesised value without a year label is ignored",
			body:  `<table><tr><td>Casualties in 2017</td><td>2,300 (previously 1,985)</td></tr></table>`,
			facts: []string{"2017 new 2300"},
		},
		{
			name: "qualified key figures",
			body: `<table><tr><td>Casualties in 2017</td><td>At least 2,300</td></tr>
<tr><td>Survival outcome</td><td>over 700 killed; an estimated 1,500 injured</td></tr></table>`,
			facts: []string{"2017 new 2300 at_least", "2017 new outcome=killed 700 at_least", "2017 new outcome=injured 1500 estimate"},
		},
		{
			name: "parts above the total are a warning",
			body: `<table><tr><td>Casualties in 2017</td><td>100</td></tr>
<tr><td>Survival outcome</td><td>80 killed; 30 injured</td></tr></table>`,
			facts: []string{"2017 new 100", "2017 new outcome=killed 80", "2017 new outcome=injured 30"},
			codes: []string{schema.CodeExceedsTotal},
		},
		{
			name: "unknown device wording is reported, not guessed",
			body: `<table><tr><td>Casualties in 2017</td><td>10</td></tr>
<tr><td>Device type</td><td>6 antipersonnel mines; 4 booby-traps</td></tr></table>`,
			facts: []string{"2017 new 10", "2017 new cause=mine 6"},
			codes: []string{schema.CodeUnknownLabels},
		},
		{
			name: "prose list with digits and words",
			body: `<h2>Casualties</h2><p>In 2017, the Monitor recorded 83 casualties: 59 men, 4 women, 16 boys, four girls.</p>`,
			facts: []string{"2017 new 83", "2017 new sex=male age=adult 59", "2017 new sex=female age=adult 4",
				"2017 new sex=male age=child 16", "2017 new sex=female age=child 4"},
		},
		{
			name: "prose qualifiers",
			body: `<h2>Casualties</h2><p>In 2017 there were at least 50 boys, more than twenty-one girls, over 100 civilians and approximately 30 men among the casualties. An estimated 12 women were among them.</p>`,
			facts: []string{"2017 new sex=male age=child 50 at_least", "2017 new sex=female age=child 21 at_least",
				"2017 new status=civilian 100 at_least", "2017 new sex=male age=adult 30 estimate",
				"2017 new sex=female age=adult 12 estimate"},
		},
		{
			name:  "prose partial breakdown",
			body:  `<h2>Casualties</h2><p>In 2017, 19 were children, including one girl.</p>`,
			facts: []string{"2017 new age=child 19", "2017 new sex=female age=child 1"},
		},
		{
			name: "prose about other years and shares is not read",
			body: `<h2>Casualties</h2><table><tr><td>Casualties in 2017</td><td>40</td></tr></table>
<p>In 2016, 31 casualties were children, including seven girls. In 2017, 55% were children. There were six deminer casualties in 2014. One adult male civilian was injured in 2017.</p>`,
			facts: []string{"2017 new 40"},
		},
		{
			name: "prose among civilian casualties",
			body: `<h2>Casualties</h2><p>There were at least 348 military casualties in 2017. Of civilian casualties, 21% (40) were children (32 boys; eight girls).</p>`,
			facts: []string{"2017 new status=military 348 at_least", "2017 new age=child status=civilian 40",
				"2017 new sex=male age=child status=civilian 32", "2017 new sex=female age=child status=civilian 8"},
		},
		{
			name: "prose contradicting key figures keeps the key figure",
			body: `<h2>Casualties</h2><table><tr><td>Casualties in 2017</td><td>40</td></tr></table>
<p>In 2017 the national authority recorded 42 casualties.</p>`,
			facts: []string{"2017 new 40"},
			codes: []string{schema.CodeDuplicateFigure},
		},
		{
			name: "victim assistance section is not casualty prose",
			body: `<h2>Casualties</h2><table><tr><td>Casualties in 2017</td><td>40</td></tr></table>
<h2>Victim Assistance</h2><p>In 2017, rehabilitation centres served 1,200 people, including 300 women and 150 children.</p>`,
			facts: []string{"2017 new 40"},
		},
		{
			name: "summary box with category labels",
			url:  "http://archives.the-monitor.org/index.php/publications/display?url=lm/2008/countries/lao.html",
			body: `<h1>Lao People's Democratic Republic</h1>
<p><b>Mine/ERW casualties in 2007</b></p><p>Total: 100 (2006: 59)</p><p>Mines: 1 (2006: 1)</p><p>ERW: 57 (2006: 14)</p>
<p>Submunitions: 38 (2006: 31)</p><p>Unknown devices: 4 (2006: 13)</p>
<p><b>Casualty analysis</b></p><p>Killed: 31 (2006: 16)</p><p>Injured: 69 (2006: 33)</p><p>Unknown: 0 (2006:10)</p>`,
			facts: []string{"2007 new 100", "2006 new 59", "2007 new cause=mine 1", "2006 new cause=mine 1",
				"2007 new cause=erw_other 57", "2006 new cause=erw_other 14", "2007 new cause=cm_remnant 38",
				"2006 new cause=cm_remnant 31", "2007 new cause=unknown 4", "2006 new cause=unknown 13",
				"2007 new outcome=killed 31", "2006 new outcome=killed 16", "2007 new outcome=injured 69",
				"2006 new outcome=injured 33", "2007 new outcome=unknown 0", "2006 new outcome=unknown 10"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := url
			if tc.url != "" {
				u = tc.url
			}
			res, err := Extract(context.Background(), Page{URL: u, HTML: htmlPage(tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			got, want := facts(res), slices.Sorted(slices.Values(tc.facts))
			if !slices.Equal(got, want) {
				t.Errorf("facts\n got %q\nwant %q", got, want)
			}
			var codes []string
			for _, is := range res.Issues {
				codes = append(codes, is.Code)
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("issues %v, want codes %v", res.Issues, tc.codes)
			}
			for _, r := range res.Reports {
				checkCodes(t, r)
			}
		})
	}
}

func TestExtractNoCountry(t *testing.T) {
	res, err := Extract(context.Background(), Page{URL: "https://example.org/profile/123",
		HTML: []byte(`<html><head><title>Profile</title></head><body><table><tr><td>Casualties in 2017</td><td>40</td></tr></table></body></html>`)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NoData || len(res.Reports) != 0 || !res.Issues.HasErrors() || res.Issues[0].Code != schema.CodeMissingCountry {
		t.Fatalf("want no data and a missing-country error, got %+v", res)
	}
}

func TestExtractCountryFromTitleAndMismatch(t *testing.T) {
	res, err := Extract(context.Background(), Page{URL: "http://www.the-monitor.org/index.php/cp/display/region_profiles/theme/1695",
		HTML: htmlPage(`<h1>Colombia</h1><p>Last Updated: 08 November 2012</p><table><tr><td>Casualties in 2011</td><td>538 (2010: 540)</td></tr></table>`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Country != "COL" || res.Edition != 2012 || len(res.Reports) != 2 {
		t.Fatalf("got %+v", res)
	}
	res, _ = Extract(context.Background(), Page{URL: "https://www.the-monitor.org/en-gb/reports/2018/cambodia/casualties.aspx",
		HTML: htmlPage(`<h1>Colombia</h1><table><tr><td>Casualties in 2017</td><td>5</td></tr></table>`)})
	if res.Country != "KHM" || len(res.Issues) != 1 || res.Issues[0].Code != schema.CodeCountryMismatch {
		t.Fatalf("got %+v", res)
	}
}

func TestExtractEmptyAndCancelled(t *testing.T) {
	res, err := Extract(context.Background(), Page{URL: "https://www.the-monitor.org/en-gb/reports/2018/angola/casualties.aspx"})
	if err != nil || !res.NoData || len(res.Issues) != 1 || !strings.Contains(res.Issues[0].Message, MsgNoFigures) {
		t.Fatalf("empty page: %+v %v", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Extract(ctx, Page{HTML: htmlPage("")}); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

func TestNumberWords(t *testing.T) {
	for s, want := range map[string]int64{
		"one": 1, "seven": 7, "five": 5, "twelve": 12, "twenty": 20, "twenty-one": 21, "twenty one": 21,
		"ninety-nine": 99, "hundred": 100, "a hundred": 100, "one hundred": 100, "one hundred and five": 105,
		"two hundred forty-two": 242, "three thousand": 3000, "a thousand and one": 1001,
		"one thousand two hundred and thirty-four": 1234, "Seven": 7, "zero": 0,
	} {
		if got, ok := ParseNumberWords(s); !ok || got != want {
			t.Errorf("ParseNumberWords(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "and", "a", "seven seven", "twenty twelve", "one two", "thousand", "hundred hundred",
		"one girl", "one million thousand", "five and", "first"} {
		if n, ok := ParseNumberWords(s); ok {
			t.Errorf("ParseNumberWords(%q) = %d, want refusal", s, n)
		}
	}
	for n := int64(0); n < 2000; n++ {
		if got, ok := ParseNumberWords(spellNumber(n)); !ok || got != n {
			t.Errorf("%d spelled %q reads back as %d, %v", n, spellNumber(n), got, ok)
		}
	}
}

func TestTokensReadWordsAndGluedNumbers(t *testing.T) {
	toks := tokenize(cleanText("(6,761 killed and 22,901injured) including one girl[2] and 55% in 2017"))
	var nums []int64
	for _, tk := range toks {
		if tk.count() {
			nums = append(nums, tk.n)
		}
	}
	if !slices.Equal(nums, []int64{6761, 22901, 1}) {
		t.Fatalf("counts %v", nums)
	}
}
