package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema"
)

// a7Sheet describes one sheet of a workbook built in a test: rows from A1
// (nil or "" is a blank cell, ints are number cells) and merged ranges.
type a7Sheet struct {
	name   string
	rows   [][]any
	merges [][2]string
}

func writeA7Book(t *testing.T, sheets ...a7Sheet) string {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := x.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil || v == "" {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := x.SetCellValue(s.name, ref, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, m := range s.merges {
			if err := x.MergeCell(s.name, m[0], m[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "report.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func readA7(t *testing.T, path string, in Input) *Parsed {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in.Path, in.Content = path, b
	p, err := readArticle7(t.Context(), in)
	if err != nil {
		t.Fatalf("readArticle7: %v", err)
	}
	return p
}

// casualtyRows renders casualties as "outcome sex age cause civ = n @ref".
func casualtyRows(r *schema.Report) []string {
	var out []string
	for _, c := range r.Casualties {
		out = append(out, fmt.Sprintf("%s %s %s %s %s = %s @%s", c.Outcome, c.Sex, c.AgeGroup, c.Cause, c.CivilianStatus, valueText(c.Value), c.Ref))
	}
	slices.Sort(out)
	return out
}

func serviceRows(r *schema.Report) []string {
	var out []string
	for _, s := range r.Services {
		out = append(out, fmt.Sprintf("%s %s %s %s = %s @%s", s.Pillar, s.Measure, s.Sex, s.AgeGroup, valueText(s.Value), s.Ref))
	}
	slices.Sort(out)
	return out
}

func valueText(v schema.Value) string {
	switch {
	case v.People != nil && v.State == schema.StateCarriedForward:
		return fmt.Sprintf("%d(cf %d)", *v.People, v.CarriedFrom)
	case v.People != nil:
		return fmt.Sprint(*v.People)
	}
	return string(v.State)
}

func issueCodes(is schema.Issues) []string {
	var out []string
	for _, i := range is {
		out = append(out, fmt.Sprintf("%s %s!%s %s", i.Severity, i.Sheet, i.Cell, i.Code))
	}
	slices.Sort(out)
	return out
}

// frCover is the French cover page of an Article 7 report.
func frCover(formH string) a7Sheet {
	return a7Sheet{name: "Couverture", rows: [][]any{
		{"Convention sur les armes à sous-munitions"},
		{"Rapport annuel au titre de l'article 7"},
		{"Pays : Liban"},
		{"Période : du 01/01/2024 au 31/12/2024"},
		{"Formulaire A : Mesures d'application nationales", "modifié"},
		{"Formulaire H : Assistance aux victimes", formH},
	}}
}

// frFormH is Form H with merged two-level headers, a services table with
// three levels, notes and commitments.
func frFormH() a7Sheet {
	return a7Sheet{name: "Formulaire H", rows: [][]any{
		{"Formulaire H : Assistance aux victimes"},
		{"Tableau 1 : victimes de l'année"},
		{"", "Adultes", "", "Enfants", "", "Total", "Notes"},
		{"", "Hommes", "Femmes", "Garçons", "Filles"},
		{"Tués", 3, 1, 2, 0, 6, "dont 2 dans le sud"},
		{"Blessés", 5, 2, 4, 1, 12},
		{},
		{},
		{"Tableau 2 : services"},
		{"Pilier", "Personnes ayant besoin d'assistance", "", "", "", "Personnes ayant reçu une assistance"},
		{"", "Adultes", "", "Enfants", "", "Adultes", "", "Enfants"},
		{"", "Hommes", "Femmes", "Garçons", "Filles", "Hommes", "Femmes", "Garçons", "Filles"},
		{"Soins médicaux", 10, 8, 6, 4, 9, 8, 5, 4},
		{"Réadaptation", 7, 3, 2, 1, 7, 2, 2, 0},
		{},
		{"Point focal désigné", "Oui", "Ministère de la Santé"},
		{"Plan national en vigueur", "Non"},
		{"Données ventilées par sexe, âge et handicap", "Partiellement"},
		{"Victimes associées à la coordination", "Oui"},
	}, merges: [][2]string{{"B3", "C3"}, {"D3", "E3"}, {"F3", "F4"}, {"G3", "G4"},
		{"B10", "E10"}, {"F10", "I10"}, {"B11", "C11"}, {"D11", "E11"}, {"F11", "G11"}, {"H11", "I11"}}}
}

func TestReadArticle7(t *testing.T) {
	t.Parallel()
	frCas := []string{
		"injured female adult total total = 2 @C6", "injured female child total total = 1 @E6",
		"injured male adult total total = 5 @B6", "injured male child total total = 4 @D6",
		"killed female adult total total = 1 @C5", "killed female child total total = 0 @E5",
		"killed male adult total total = 3 @B5", "killed male child total total = 2 @D5",
	}
	for _, tt := range []struct {
		name     string
		sheets   []a7Sheet
		in       Input
		format   string
		country  string
		year     int
		lang     string
		cas, svc []string
		com      []string
		issues   []string
		carry    int
	}{
		{
			name:    "fr merged headers, services, commitments",
			sheets:  []a7Sheet{frCover("modifié"), frFormH()},
			format:  FormatArticle7,
			country: "LBN", year: 2024, lang: "fr",
			cas: frCas,
			svc: []string{
				"medical_care in_need female adult = 8 @C13", "medical_care in_need female child = 4 @E13",
				"medical_care in_need male adult = 10 @B13", "medical_care in_need male child = 6 @D13",
				"medical_care reached female adult = 8 @G13", "medical_care reached female child = 4 @I13",
				"medical_care reached male adult = 9 @F13", "medical_care reached male child = 5 @H13",
				"rehabilitation in_need female adult = 3 @C14", "rehabilitation in_need female child = 1 @E14",
				"rehabilitation in_need male adult = 7 @B14", "rehabilitation in_need male child = 2 @D14",
				"rehabilitation reached female adult = 2 @G14", "rehabilitation reached female child = 0 @I14",
				"rehabilitation reached male adult = 7 @F14", "rehabilitation reached male child = 2 @H14",
			},
			com: []string{"disaggregated_data partial @B18", "focal_point yes @B16 Ministère de la Santé", "national_plan no @B17",
				"victims_in_coordination yes @B19"},
		},
		{
			name: "es transposed, niños beside niñas are boys",
			sheets: []a7Sheet{{name: "Formulario H", rows: [][]any{
				{"Convención sobre Municiones en Racimo – Informe del artículo 7"},
				{"Formulario H: Asistencia a las víctimas", "modificado"},
				{"Estado: Colombia"},
				{"Período: del 1 de enero de 2023 al 31 de diciembre de 2023"},
				{},
				{"Sexo / edad", "Muertos", "Heridos", "Total"},
				{"Hombres", 2, 3, 5},
				{"Mujeres", 1, 0, 1},
				{"Niños", 1, 1, 2},
				{"Niñas", 0, 1, 1},
				{"Total", 4, 5, 9},
			}}},
			format:  FormatArticle7,
			country: "COL", year: 2023, lang: "es",
			cas: []string{
				"injured female adult total total = 0 @C8", "injured female child total total = 1 @C10",
				"injured male adult total total = 3 @C7", "injured male child total total = 1 @C9",
				"killed female adult total total = 1 @B8", "killed female child total total = 0 @B10",
				"killed male adult total total = 2 @B7", "killed male child total total = 1 @B9",
			},
		},
		{
			name: "es niños without niñas are children",
			sheets: []a7Sheet{{name: "Víctimas", rows: [][]any{
				{"País: Colombia", "", "Año: 2022"},
				{"", "Hombres", "Mujeres", "Niños"},
				{"Muertos", 4, 2, 3},
			}}},
			format:  FormatTable,
			country: "COL", year: 2022, lang: "es",
			cas: []string{"killed female adult total total = 2 @C3", "killed male adult total total = 4 @B3",
				"killed total child total total = 3 @D3"},
		},
		{
			name: "en totals row and column, one wrong total",
			sheets: []a7Sheet{{name: "Casualties", rows: [][]any{
				{"Country: Lao PDR"},
				{"Reporting period: from 01/01/2023 to 31/12/2023"},
				{},
				{"", "Men", "Women", "Boys", "Girls", "Total"},
				{"Killed", 1, 2, 3, 4, 10},
				{"Injured", 2, 2, 2, 2, 7},
				{"Total", 3, 4, 5, 6, 18},
			}}},
			format:  FormatTable,
			country: "LAO", year: 2023, lang: "en",
			cas: []string{
				"injured female adult total total = 2 @C6", "injured female child total total = 2 @E6",
				"injured male adult total total = 2 @B6", "injured male child total total = 2 @D6",
				"killed female adult total total = 2 @C5", "killed female child total total = 4 @E5",
				"killed male adult total total = 1 @B5", "killed male child total total = 3 @D5",
			},
			issues: []string{"warning Casualties!F6 total_mismatch"},
		},
		{
			name: "en total above parts puts the rest on unknown",
			sheets: []a7Sheet{{name: "Casualties", rows: [][]any{
				{"Country: Lao PDR", "Year: 2023"},
				{"", "Men", "Women", "Total"},
				{"Killed", 1, 2, 5},
			}}},
			format:  FormatTable,
			country: "LAO", year: 2023, lang: "en",
			cas: []string{"killed female adult total total = 2 @C3", "killed male adult total total = 1 @B3",
				"killed unknown unknown total total = 2 @D3"},
			issues: []string{"warning Casualties!D3 total_mismatch"},
		},
		{
			name: "several tables, spacer rows, notes column, cause table",
			sheets: []a7Sheet{{name: "Form H", rows: [][]any{
				{"Convention on Cluster Munitions — Article 7 report — Form H: Victim assistance"},
				{"State: Iraq", "", "Reporting period:", "01/01/2023", "to", "31/12/2023"},
				{},
				{"Table 1"},
				{"Outcome", "Men", "Women", "Boys", "Girls", "Unknown", "Notes"},
				{"Killed", 1, 0, 2, 1, 0, "provisional"},
				{"Injured", 3, 1, 0, 0, 1},
				{},
				{},
				{"Table 2: by cause"},
				{"", "Cluster munition attacks", "Cluster munition remnants", "Total"},
				{"Killed", 0, 4, 4},
				{"Injured", "", 5, 5},
				{},
				{"Persons reached", "Men", "Women"},
				{"Psychological support", 4, 6},
			}}},
			format:  FormatArticle7,
			country: "IRQ", year: 2023, lang: "en",
			cas: []string{
				"injured female adult total total = 1 @C7", "injured female child total total = 0 @E7",
				"injured male adult total total = 3 @B7", "injured male child total total = 0 @D7",
				"injured total total cm_remnant total = 5 @C13", "injured unknown unknown total total = 1 @F7",
				"killed female adult total total = 0 @C6", "killed female child total total = 1 @E6",
				"killed male adult total total = 1 @B6", "killed male child total total = 2 @D6",
				"killed total total cm_attack total = 0 @B12", "killed total total cm_remnant total = 4 @C12",
				"killed unknown unknown total total = 0 @F6",
			},
			svc: []string{"psychosocial_support reached female adult = 6 @C16", "psychosocial_support reached male adult = 4 @B16"},
		},
		{
			name:    "fr unchanged form H without figures carries 2022 forward",
			sheets:  []a7Sheet{frCover("inchangé (dernier rapport : 2022)"), {name: "Formulaire H", rows: [][]any{{"Formulaire H : Assistance aux victimes"}, {"Voir le rapport de 2022."}}}},
			format:  FormatArticle7,
			country: "LBN", year: 2024, lang: "fr", carry: 2022,
			issues: []string{"warning Couverture!A6 carried_forward_without_source"},
		},
		{
			name: "en check boxes on the cover",
			sheets: []a7Sheet{{name: "Cover", rows: [][]any{
				{"Cover page of the annual Article 7 report — Convention on Cluster Munitions"},
				{"Name of State [Party]:", "Lebanon"},
				{"Reporting period:", "01/01/2023 to 31/12/2023"},
				{"Form H: Victim assistance:", "☐ changed", "☒ unchanged (last reporting: 2021)", "☐ not applicable"},
			}}},
			format:  FormatArticle7,
			country: "LBN", year: 2023, lang: "en", carry: 2021,
			issues: []string{"warning Cover!A4 carried_forward_without_source"},
		},
		{
			name: "russian and arabic labels are listed, not guessed",
			sheets: []a7Sheet{frCover("modifié"), {name: "Formulaire H", rows: [][]any{
				{"", "Hommes", "Femmes", "Неизвестно"},
				{"Tués", 1, 2, 3},
				{"قتلى", 4, 5, 6},
			}}},
			format:  FormatArticle7,
			country: "LBN", year: 2024, lang: "fr",
			cas:    []string{"killed female adult total total = 2 @C2", "killed male adult total total = 1 @B2"},
			issues: []string{"error Formulaire H!D1 mapping_needed", "error Formulaire H!D1 unknown_labels"},
		},
		{
			name: "no country and no --country is rejected",
			sheets: []a7Sheet{{name: "Form H", rows: [][]any{
				{"Convention on Cluster Munitions — Article 7 — Form H: Victim assistance"},
				{"Reporting period: 01/01/2023 to 31/12/2023"},
				{"", "Men", "Women"},
				{"Killed", 1, 2},
			}}},
			format: FormatArticle7, year: 2023, lang: "en",
			cas:    []string{"killed female adult total total = 2 @C4", "killed male adult total total = 1 @B4"},
			issues: []string{"error Form H! missing_country"},
		},
		{
			name: "--country and --year supply what the file does not state",
			sheets: []a7Sheet{{name: "Form H", rows: [][]any{
				{"Convention on Cluster Munitions — Article 7 — Form H: Victim assistance"},
				{"", "Men", "Women"},
				{"Killed", 1, 2},
			}}},
			in:     Input{Country: "LAO", Year: 2021},
			format: FormatArticle7, country: "LAO", year: 2021, lang: "en",
			cas: []string{"killed female adult total total = 2 @C3", "killed male adult total total = 1 @B3"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := readA7(t, writeA7Book(t, tt.sheets...), tt.in)
			if p == nil {
				t.Fatal("not claimed")
			}
			if p.Format != tt.format || len(p.Reports) != 1 {
				t.Fatalf("format %q, %d reports", p.Format, len(p.Reports))
			}
			r := p.Reports[0]
			if r.Country != tt.country || r.Year != tt.year || r.Language != tt.lang || r.CarryForwardFrom != tt.carry {
				t.Errorf("report %s %d %s carry %d, want %s %d %s carry %d", r.Country, r.Year, r.Language, r.CarryForwardFrom,
					tt.country, tt.year, tt.lang, tt.carry)
			}
			wantSource := schema.SourceSurvey
			if tt.format == FormatArticle7 {
				wantSource = schema.SourceOfficial
			}
			if r.SourceType != wantSource || r.Kind != "annual" {
				t.Errorf("source %s kind %s", r.SourceType, r.Kind)
			}
			check := func(what string, got, want []string) {
				t.Helper()
				if !slices.Equal(got, want) {
					t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
				}
			}
			check("casualties", casualtyRows(r), tt.cas)
			check("services", serviceRows(r), tt.svc)
			var com []string
			for _, c := range r.Commitments {
				com = append(com, strings.TrimSpace(fmt.Sprintf("%s %s @%s %s", c.Code, c.Status, c.Ref, c.Detail)))
			}
			slices.Sort(com)
			check("commitments", com, tt.com)
			var issues []string
			for _, is := range issueCodes(p.Issues) {
				if !strings.Contains(is, schema.CodeUnknownLabels) || strings.HasPrefix(is, "error") {
					issues = append(issues, is)
				}
			}
			check("issues", issues, tt.issues)
			for _, is := range p.Issues {
				if is.Message == "" || is.Sheet == "" {
					t.Errorf("issue without sheet or message: %+v", is)
				}
			}
		})
	}
}

// The unknown labels issue names the labels, and Arabic text elsewhere is
// reported too.
func TestReadArticle7UnknownLabelsMessage(t *testing.T) {
	t.Parallel()
	p := readA7(t, writeA7Book(t, frCover("modifié"), a7Sheet{name: "Formulaire H", rows: [][]any{
		{"", "Hommes", "Femmes", "Неизвестно"},
		{"Tués", 1, 2, 3},
		{"قتلى", 4, 5, 6},
		{},
		{},
		{"ملاحظات عامة"},
	}}), Input{})
	var msgs []string
	for _, is := range p.Issues {
		if is.Code == schema.CodeUnknownLabels {
			msgs = append(msgs, string(is.Severity)+" "+is.Cell+" "+is.Message)
		}
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"«Неизвестно» (D1)", "«قتلى» (A3)", "«ملاحظات عامة» (A6)"} {
		if !strings.Contains(all, want) {
			t.Errorf("unknown_labels issues do not list %s:\n%s", want, all)
		}
	}
}

func TestReadArticle7NotMine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		sheets []a7Sheet
	}{
		{"random spreadsheet", []a7Sheet{{name: "Budget", rows: [][]any{
			{"Item", "Cost", "Quantity"}, {"Chairs", 12, 4}, {"Tables", 30, 2}}}}},
		{"people list", []a7Sheet{{name: "Staff", rows: [][]any{
			{"Name", "Sex", "Age"}, {"Ana", "F", 34}, {"Luis", "M", 41}}}}},
		{"vahub template marker", []a7Sheet{{name: "Victimes", rows: [][]any{
			{"", "Hommes", "Femmes"}, {"Tués", 1, 2}}}, {name: "_vahub", rows: [][]any{{"format", "vahub-formh-1"}}}}},
		{"hxl sheet", []a7Sheet{{name: "Data", rows: [][]any{
			{"Country", "Men", "Women"}, {"#country+code", "#affected+m", "#affected+f"}, {"Killed", 1, 2}, {"Injured", 3, 4}}}}},
		{"mine ban treaty article 7 without victim assistance", []a7Sheet{{name: "Cover", rows: [][]any{
			{"Article 7 report"}, {"Form H: Technical characteristics"}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if p := readA7(t, writeA7Book(t, tt.sheets...), Input{}); p != nil {
				t.Errorf("claimed as %s: %v", p.Format, p.Issues)
			}
		})
	}
}

// The real files under ../shared/data are no Article 7 forms: the reader
// leaves them to the others, without panicking.
func TestReadArticle7RealFilesNotClaimed(t *testing.T) {
	t.Parallel()
	data := filepath.Join("..", "..", "shared", "data")
	var paths []string
	_ = filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			switch strings.ToLower(filepath.Ext(p)) {
			case ".xlsx", ".csv", ".geojson":
				paths = append(paths, p)
			}
		}
		return nil
	})
	if len(paths) == 0 {
		t.Skipf("no data files under %s", data)
	}
	for _, path := range paths {
		if p := readA7(t, path, Input{}); p != nil {
			t.Errorf("%s: claimed as %s", filepath.Base(path), p.Format)
		}
	}
}
