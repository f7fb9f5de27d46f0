package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/vahub/vahub/schema"
)

// hxlCSV writes text as a CSV file (Windows-1252 when cp1252 is set).
func hxlCSV(t testing.TB, name, text string, cp1252 bool) string {
	t.Helper()
	b := []byte(text)
	if cp1252 {
		var err error
		if b, err = charmap.Windows1252.NewEncoder().Bytes(b); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hxlXLSX writes rows to sheet "Data" of a workbook; numbers stay numbers.
func hxlXLSX(t testing.TB, rows [][]any, extraSheets ...string) string {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", "Data"); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Data", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range extraSheets {
		if _, err := x.NewSheet(s); err != nil {
			t.Fatal(err)
		}
		_ = x.SetCellValue(s, "A1", "Notes about the data")
	}
	path := filepath.Join(t.TempDir(), "hxl.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// hxlFacts renders a parse's facts, sorted: "LAO 2024 c killed female child
// total total total 0-17 = 3 exact @Data!C3"; lineage is left out when
// withCell is false.
func hxlFacts(p *Parsed, withCell bool) []string {
	var out []string
	val := func(v schema.Value) string {
		if v.People == nil {
			return string(v.State)
		}
		return fmt.Sprintf("%d %s", *v.People, v.Qualifier)
	}
	at := func(c schema.Cell) string {
		if !withCell {
			return ""
		}
		return " @" + c.Sheet + "!" + c.Ref
	}
	for _, r := range p.Reports {
		if r.Kind != "annual" || r.SourceType != schema.SourceWeb || r.FormatVersion != FormatHXL ||
			r.PeriodStart.Year() != r.Year || r.PeriodEnd.Year() != r.Year || r.PeriodEnd.YearDay() < 365 {
			out = append(out, fmt.Sprintf("BAD REPORT %+v", r))
		}
		for _, c := range r.Casualties {
			out = append(out, strings.TrimSpace(fmt.Sprintf("%s %d c %s %s %s %s %s %s %s = %s%s", r.Country, r.Year,
				c.Outcome, c.Sex, c.AgeGroup, c.Disability, c.Cause, c.CivilianStatus, c.AgeBand, val(c.Value), at(c.Cell))))
		}
		for _, s := range r.Services {
			out = append(out, strings.TrimSpace(fmt.Sprintf("%s %d s %s %s %s %s %s %s = %s%s", r.Country, r.Year,
				s.Pillar, s.Measure, s.Sex, s.AgeGroup, s.Disability, s.AgeBand, val(s.Value), at(s.Cell))))
		}
	}
	for i, s := range out {
		out[i] = strings.Join(strings.Fields(s), " ")
	}
	slices.Sort(out)
	return out
}

// wantIssue is code[:substring[@cell]] of an expected issue.
type wantIssue struct {
	sev  schema.Severity
	code string
	sub  string
	cell string
}

func errIs(code, sub, cell string) wantIssue { return wantIssue{schema.SevError, code, sub, cell} }
func warnIs(code, sub, cell string) wantIssue {
	return wantIssue{schema.SevWarning, code, sub, cell}
}

var hxlWideRows = [][]any{
	{"Country", "Year", "Girls killed", "Men killed", "Injured", "Injured (sex/age unknown)", "Killed by remnants", "Notes", "Rehab: women in need", "Rehab: women reached"},
	{"#country+code", "#date+year", "#affected+killed+f+children", "#affected+killed+m+adults", "#affected+injured", "#affected+injured+unknown", "#affected+killed+cm_remnant", "", "#inneed+rehabilitation+f+adults", "#reached+rehabilitation+f+adults"},
	{"LAO", 2024, 3, 5, 10, "unknown", 4, "from the provincial registry", 40, 25},
	{"Lao PDR", 2023, 1, nil, "at least 7", 2, nil, "", nil, nil},
}

var hxlWideWant = []string{
	"LAO 2023 c injured total total total total total = 7 at_least",
	"LAO 2023 c injured unknown unknown total total total = 2 exact",
	"LAO 2023 c killed female child total total total = 1 exact",
	"LAO 2024 c injured total total total total total = 10 exact",
	"LAO 2024 c injured unknown unknown total total total = unknown",
	"LAO 2024 c killed female child total total total = 3 exact",
	"LAO 2024 c killed male adult total total total = 5 exact",
	"LAO 2024 c killed total total total cm_remnant total = 4 exact",
	"LAO 2024 s rehabilitation in_need female adult total = 40 exact",
	"LAO 2024 s rehabilitation reached female adult total = 25 exact",
}

// shuffle reorders the columns of rows by perm.
func shuffle(rows [][]any, perm []int) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		for _, j := range perm {
			out[i] = append(out[i], r[j])
		}
	}
	return out
}

func TestReadHxl(t *testing.T) {
	t.Parallel()
	hno := func(rows ...string) string {
		return "Admin 1 PCode,Admin 2 PCode,Sector,Gender,Age Group,Disabled,Population Group,In Need,Targeted,Reached\n" +
			"#adm1+code,#adm2+code,#sector+code,#gender+code,#age_group+code,#is_disabled,#population_group+code,#inneed,#targeted,#reached\n" +
			strings.Join(rows, "\n") + "\n"
	}
	for _, tc := range []struct {
		name   string
		path   func(t *testing.T) string
		in     Input
		want   []string // facts without lineage; nil with rejected
		cells  []string // some facts with lineage
		issues []wantIssue
		reject bool
	}{
		{
			name: "wide xlsx",
			path: func(t *testing.T) string { return hxlXLSX(t, hxlWideRows, "About") },
			want: hxlWideWant,
			cells: []string{
				"LAO 2024 c killed female child total total total = 3 exact @Data!C3",
				"LAO 2023 c injured total total total total total = 7 at_least @Data!E4",
			},
			issues: []wantIssue{warnIs(schema.CodeHXLRowsSkipped, `Sheet "About" has no HXL hashtag row`, "")},
		},
		{
			name: "tags in another column order",
			path: func(t *testing.T) string {
				return hxlXLSX(t, shuffle(hxlWideRows, []int{7, 9, 4, 1, 6, 0, 3, 8, 2, 5}))
			},
			want:  hxlWideWant,
			cells: []string{"LAO 2024 c killed female child total total total = 3 exact @Data!I3"},
		},
		{
			name: "wide csv, semicolons, windows-1252",
			path: func(t *testing.T) string {
				return hxlCSV(t, "liban.csv", "Pays;Année;Tués (femmes);Blessés (hommes);Blessés handicapés;Remarque\n"+
					"#country+name;#date;#affected+killed+f;#affected+injured+m;#affected+injured+disabled;\n"+
					"Liban;31/12/2022;1 234;inconnu;12;données préliminaires\n"+
					"Liban;2023-06-30;2;5;;\n", true)
			},
			want: []string{
				"LBN 2022 c injured male total total total total = unknown",
				"LBN 2022 c injured total total yes total total = 12 exact",
				"LBN 2022 c killed female total total total total = 1234 exact",
				"LBN 2023 c injured male total total total total = 5 exact",
				"LBN 2023 c killed female total total total total = 2 exact",
			},
			cells: []string{"LBN 2022 c killed female total total total total = 1234 exact @liban!C3"},
		},
		{
			name: "long HNO-style, national and adm1 rows",
			path: func(t *testing.T) string {
				return hxlCSV(t, "hno.csv", hno(
					",,rehabilitation,t,all,,all,500,400,300",
					",,rehabilitation,f,0-17,,all,100,,60",
					",,rehabilitation,m,18-64,,all,150,,",
					",,rehabilitation,t,65+,,all,50,,20",
					",,rehabilitation,t,all,y,all,80,,",
					",,rehabilitation,f,0-17,,idps,30,,10",
					",,Psychosocial support,t,all,,all,,,75",
					",,FSC,t,all,,all,9000,,8000",
					",,PRO_MIN,t,all,,all,700,,",
					"AF01,,rehabilitation,t,all,,all,200,,100",
					"AF01,AF0101,rehabilitation,t,all,,all,20,,10",
				), false)
			},
			in: Input{Country: "AFG", Year: 2024},
			want: []string{
				"AFG 2024 s psychosocial_support reached total total total = 75 exact",
				"AFG 2024 s rehabilitation in_need female child total 0-17 = 100 exact",
				"AFG 2024 s rehabilitation in_need male adult total 18-64 = 150 exact",
				"AFG 2024 s rehabilitation in_need total adult total 65+ = 50 exact",
				"AFG 2024 s rehabilitation in_need total total total = 500 exact",
				"AFG 2024 s rehabilitation in_need total total yes = 80 exact",
				"AFG 2024 s rehabilitation reached female child total 0-17 = 60 exact",
				"AFG 2024 s rehabilitation reached total adult total 65+ = 20 exact",
				"AFG 2024 s rehabilitation reached total total total = 300 exact",
			},
			issues: []wantIssue{
				warnIs(schema.CodeHXLRowsSkipped, "AFG 2024: the rows of 1 #adm1 area(s) were not read", "H12"),
				warnIs(schema.CodeHXLRowsSkipped, "1 row(s) below #adm1 level", "H13"),
				warnIs(schema.CodeHXLRowsSkipped, "population subgroups (#population_group idps)", "G8"),
				warnIs(schema.CodeHXLRowsSkipped, "sectors FSC, PRO_MIN were not read", "C10"),
				warnIs(schema.CodeHXLColumnIgnored, "#targeted is not read", "I2"),
			},
		},
		{
			name: "long table with adm1 rows only: summed",
			path: func(t *testing.T) string {
				return hxlCSV(t, "adm.csv", "Country,Year,Province,Sector,In need,Reached\n"+
					"#country+code,#date+year,#adm1+name,#sector,#inneed,#reached\n"+
					"KHM,2024,Battambang,medical_care,100,80\n"+
					"KHM,2024,Pailin,medical_care,50,unknown\n"+
					"KHM,2024,Pailin,rehabilitation,,5\n", false)
			},
			want: []string{
				"KHM 2024 s medical_care in_need total total total = 150 exact",
				"KHM 2024 s medical_care reached total total total = 80 at_least",
				"KHM 2024 s rehabilitation reached total total total = 5 exact",
			},
			issues: []wantIssue{warnIs(schema.CodeHXLRowsSkipped, "sums of its 2 #adm1 area(s)", "E3")},
		},
		{
			name: "malformed tag reported, never guessed",
			path: func(t *testing.T) string {
				return hxlCSV(t, "bad.csv", "Country,Year,Killed,Aid workers killed,Injured\n"+
					"#country+code,#date+year,#affected+killed,#affected aidworker +killed,#affected+injured++m\n"+
					"COL,2024,7,99,3\n", false)
			},
			want: []string{"COL 2024 c killed total total total total total = 7 exact"},
			issues: []wantIssue{
				warnIs(schema.CodeBadHXLTag, "column D (Aid workers killed): '#affected aidworker +killed' is not a valid HXL tag", "D2"),
				warnIs(schema.CodeBadHXLTag, "column E (Injured): '#affected+injured++m' is not a valid HXL tag", "E2"),
			},
		},
		{
			name: "unknown tags: one warning listing them",
			path: func(t *testing.T) string {
				return hxlCSV(t, "unk.csv", "#country+code,#date+year,#org,#affected+killed,#explosives_lauuch_type,#affected+killed+healthworker\n"+
					"COL,2024,HI,7,IED,2\n", false)
			},
			want: []string{"COL 2024 c killed total total total total total = 7 exact"},
			issues: []wantIssue{
				warnIs(schema.CodeUnknownHXLTag, "ignored: #org (C), #explosives_lauuch_type (E).", "A1"),
				warnIs(schema.CodeHXLColumnIgnored, "+healthworker", "F1"),
			},
		},
		{
			name: "no country: rejected",
			path: func(t *testing.T) string {
				return hxlCSV(t, "nc.csv", "#date+year,#affected+killed\n2024,7\n", false)
			},
			issues: []wantIssue{errIs(schema.CodeMissingCountry, "no #country column and no --country given", "A1")},
			reject: true,
		},
		{
			name: "--country supplies it",
			path: func(t *testing.T) string {
				return hxlCSV(t, "nc.csv", "#date+year,#affected+killed\n2024,7\n", false)
			},
			in:   Input{Country: "SYR"},
			want: []string{"SYR 2024 c killed total total total total total = 7 exact"},
		},
		{
			name: "--country and --year override what the file states",
			path: func(t *testing.T) string {
				return hxlCSV(t, "o.csv", "#country+code,#date+year,#affected+killed\nLAO,2023,7\n", false)
			},
			in:   Input{Country: "KHM", Year: 2024},
			want: []string{"KHM 2024 c killed total total total total total = 7 exact"},
			issues: []wantIssue{
				warnIs(schema.CodeCountryMismatch, "--country KHM overrides it", "A2"),
				warnIs(schema.CodePeriodOutside, "--year 2024 overrides it", "B2"),
			},
		},
		{
			name: "no year: rejected",
			path: func(t *testing.T) string {
				return hxlCSV(t, "ny.csv", "#country+code,#affected+killed\nLAO,7\n", false)
			},
			issues: []wantIssue{errIs(schema.CodeMissingPeriod, "no #date column and no --year given", "A1")},
			reject: true,
		},
		{
			name: "blank country in a row",
			path: func(t *testing.T) string {
				return hxlCSV(t, "bc.csv", "#country+code,#date+year,#affected+killed\n,2024,7\n", false)
			},
			issues: []wantIssue{errIs(schema.CodeMissingCountry, "no country under #country+code", "A2")},
			reject: true,
		},
		{
			name: "sectors that are not pillars: rejected with the reason",
			path: func(t *testing.T) string {
				return hxlCSV(t, "ns.csv", "#country+code,#date+year,#sector+code,#inneed,#reached\n"+
					"SDN,2024,FSC,100,50\nSDN,2024,WASH,10,5\nSDN,2024,PRO_MIN,10,5\n", false)
			},
			issues: []wantIssue{errIs(schema.CodeNoVAData, "this HXL file holds no victim-assistance figures: sectors FSC, PRO_MIN, WASH are not victim-assistance pillars", "A1")},
			reject: true,
		},
		{
			name: "bad values located to their cells",
			path: func(t *testing.T) string {
				return hxlXLSX(t, [][]any{
					{"#country+code", "#date+year", "#affected+killed", "#affected+injured", "#affected+killed+f"},
					{"LAO", 2024, -3, "lots", 2.5},
					{"LAO", 2023, 0, "none", "n/a"},
				})
			},
			issues: []wantIssue{
				errIs(schema.CodeNegative, "'-3' is negative", "C2"),
				errIs(schema.CodeWrongType, "'lots' is not a count", "D2"),
				errIs(schema.CodeNotInteger, "'2.5' is not a whole number", "E2"),
			},
			want: []string{
				"LAO 2023 c injured total total total total total = 0 exact",
				"LAO 2023 c killed female total total total total = not_applicable",
				"LAO 2023 c killed total total total total total = 0 exact",
			},
			reject: true,
		},
		{
			name: "two rows for the same group",
			path: func(t *testing.T) string {
				return hxlCSV(t, "d.csv", "#country+code,#date+year,#affected+killed\nLAO,2024,7\nLao PDR,2024,8\n", false)
			},
			issues: []wantIssue{errIs(schema.CodeDuplicateFact, "Two rows give casualties (killed) for LAO 2024 for the same group: cells C2 and C3", "C3")},
			want:   []string{"LAO 2024 c killed total total total total total = 7 exact"},
			reject: true,
		},
		{
			name: "reached above in need",
			path: func(t *testing.T) string {
				return hxlCSV(t, "r.csv", "#country+code,#date+year,#inneed+medical_care,#reached+medical_care\nLAO,2024,10,12\n", false)
			},
			issues: []wantIssue{errIs(schema.CodeReachedOverNeed, "12 people reached is more than the 10 in need (C2)", "D2")},
			want: []string{
				"LAO 2024 s medical_care in_need total total total = 10 exact",
				"LAO 2024 s medical_care reached total total total = 12 exact",
			},
			reject: true,
		},
		{
			name: "vahub's own export: #meta group columns",
			path: func(t *testing.T) string {
				return hxlCSV(t, "gap.csv", "Country,Year,Pillar,Sex,Age,Disability,In need,Reached,Unmet,Coverage\n"+
					"#country+code,#date+year,#sector,#meta+sex,#meta+age_group,#meta+disability,#inneed,#reached,#inneed+unmet,#reached+pct\n"+
					"LAO,2024,rehabilitation,female,child,total,10,5,5,0.5\n"+
					"LAO,2024,rehabilitation,male,child,,8,8,0,1\n"+
					"LAO,2024,rehabilitation,boys,child,,8,8,0,1\n", false)
			},
			want: []string{
				"LAO 2024 s rehabilitation in_need female child total = 10 exact",
				"LAO 2024 s rehabilitation in_need male child total = 8 exact",
				"LAO 2024 s rehabilitation reached female child total = 5 exact",
				"LAO 2024 s rehabilitation reached male child total = 8 exact",
			},
			issues: []wantIssue{
				warnIs(schema.CodeHXLColumnIgnored, "+unmet", "I2"),
				warnIs(schema.CodeHXLColumnIgnored, "+pct", "J2"),
				errIs(schema.CodeUnknownCode, "'boys' is not a vahub sex code", "D5"),
			},
			reject: true,
		},
		{
			name: "long codes that are not codes",
			path: func(t *testing.T) string {
				return hxlCSV(t, "lc.csv", "#country+code,#date+year,#sector,#gender+code,#age_group+code,#is_disabled,#inneed\n"+
					"LAO,2024,rehabilitation,x,all,,5\nLAO,2024,rehabilitation,f,10-24,,5\nLAO,2024,rehabilitation,f,all,maybe,5\n"+
					"LAO,2024,rehabilitation,f,all,n,5\n", false)
			},
			issues: []wantIssue{
				errIs(schema.CodeUnknownCode, "'x' is not a #gender code", "D2"),
				errIs(schema.CodeUnknownCode, "'10-24' is not an #age_group", "E3"),
				errIs(schema.CodeUnknownCode, "'maybe' is not an #is_disabled code", "F4"),
			},
			want:   []string{"LAO 2024 s rehabilitation in_need female total no = 5 exact"},
			reject: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in
			in.Path = tc.path(t)
			p, err := readHxl(t.Context(), in)
			if err != nil || p == nil {
				t.Fatalf("readHxl = %v, %v", p, err)
			}
			if p.Format != FormatHXL {
				t.Errorf("format %q", p.Format)
			}
			if got := p.Issues.HasErrors(); got != tc.reject {
				t.Errorf("rejected %v, want %v: %v", got, tc.reject, p.Issues)
			}
			if tc.want != nil || !tc.reject {
				if got := hxlFacts(p, false); !slices.Equal(got, tc.want) {
					t.Errorf("facts:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "))
				}
			}
			all := hxlFacts(p, true)
			for _, c := range tc.cells {
				if !slices.Contains(all, c) {
					t.Errorf("no fact %q in\n%s", c, strings.Join(all, "\n"))
				}
			}
			for _, w := range tc.issues {
				found := slices.ContainsFunc(p.Issues, func(i schema.Issue) bool {
					return i.Severity == w.sev && i.Code == w.code && strings.Contains(strings.ToLower(i.Message), strings.ToLower(w.sub)) &&
						(w.cell == "" || i.Cell == w.cell)
				})
				if !found {
					t.Errorf("no %s %s at %q saying %q in\n%s", w.sev, w.code, w.cell, w.sub, p.Issues)
				}
			}
			for _, i := range p.Issues {
				if i.Sheet == "" {
					t.Errorf("issue without a sheet: %v", i)
				}
			}
			if !tc.reject {
				for _, i := range p.Issues {
					if i.Severity == schema.SevError {
						t.Errorf("unexpected error %v", i)
					}
				}
			}
		})
	}
}

// A CSV or workbook without a hashtag row is not HXL: nil, nil.
func TestReadHxlNotMine(t *testing.T) {
	t.Parallel()
	for _, path := range []string{
		hxlCSV(t, "plain.csv", "Country,Year,Killed\nLAO,2024,7\n", false),
		hxlCSV(t, "hash.csv", "#,Country,Year\n1,LAO,2024\n", false),
		hxlXLSX(t, [][]any{{"Country", "Killed"}, {"LAO", 7}}),
		hxlCSV(t, "doc.pdf", "%PDF-1.4 \x00\x01", false),
	} {
		if p, err := readHxl(t.Context(), Input{Path: path}); p != nil || err != nil {
			t.Errorf("%s: %v, %v; want nil, nil", filepath.Base(path), p, err)
		}
	}
}

// FuzzReadHxl runs the reader over small CSV files: it never fails or
// panics, and what it reads is always valid vocabulary.
func FuzzReadHxl(f *testing.F) {
	for _, s := range []string{
		"#country+code,#date+year,#affected+killed+f\nLAO,2024,3\n",
		"#adm1+code,#adm2+code,#sector+code,#gender+code,#age_group+code,#is_disabled,#inneed,#reached\n,REH,f,0-17,y,10,5\nAF01,REH,t,all,,3,\n",
		"Pays;Année\n#country+name;#date;#affected+injured+unknown\nLiban;2023-01-01;inconnu\n",
		"#country,#date,#affected aidworker +killed,#inneed+rehabilitation\nCOL,2024,-1,1.5\n",
		"#affected+killed\n7\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4096 {
			return
		}
		path := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := readHxl(t.Context(), Input{Path: path, Year: 2024})
		if err != nil {
			t.Fatalf("readHxl: %v", err)
		}
		if p == nil {
			return
		}
		if p.Format != FormatHXL {
			t.Fatalf("format %q", p.Format)
		}
		checkValue := func(v schema.Value) {
			if (v.People != nil) != v.State.HasNumber() || v.People != nil && *v.People < 0 {
				t.Fatalf("bad value %+v", v)
			}
			if v.People != nil && v.Qualifier == "" {
				t.Fatalf("number without qualifier %+v", v)
			}
		}
		for _, r := range p.Reports {
			if r.Year != 2024 {
				t.Fatalf("year %d despite --year 2024", r.Year)
			}
			for _, c := range r.Casualties {
				if !schema.Valid(schema.Outcomes, c.Outcome) || !schema.Valid(schema.Sexes, c.Sex) ||
					!schema.Valid(schema.AgeGroups, c.AgeGroup) || !schema.Valid(schema.Disabilities, c.Disability) ||
					!schema.Valid(schema.Causes, c.Cause) || !schema.Valid(schema.CivilianStatuses, c.CivilianStatus) {
					t.Fatalf("bad casualty %+v", c)
				}
				checkValue(c.Value)
			}
			for _, s := range r.Services {
				if !schema.IsServicePillar(s.Pillar) || !slices.Contains(schema.Measures, s.Measure) ||
					!schema.Valid(schema.Sexes, s.Sex) || !schema.Valid(schema.AgeGroups, s.AgeGroup) ||
					!schema.Valid(schema.Disabilities, s.Disability) {
					t.Fatalf("bad service %+v", s)
				}
				checkValue(s.Value)
			}
		}
		if len(p.Reports) == 0 && !p.Issues.HasErrors() {
			t.Fatalf("no report and no error: %v", p.Issues)
		}
	})
}
