package survey

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestStandardXLSFormValid(t *testing.T) {
	x := Standard().XLSForm()
	if err := ValidateXLSForm(x); err != nil {
		t.Fatalf("the standard form breaks the XLSForm rules:\n%v", err)
	}
	d, ok := DescribeXLSForm(x)
	if !ok || !d.Ours || d.Differences != "" {
		t.Fatalf("DescribeXLSForm = %+v, %v; want ours", d, ok)
	}
	if !slices.Equal(d.Questions, vocabularyQuestions) {
		t.Errorf("questions %q", d.Questions)
	}
	if want := []string{"English (en)", "Français (fr)", "Español (es)"}; !slices.Equal(d.Languages, want) {
		t.Errorf("languages %q, want %q", d.Languages, want)
	}
	if want := vocabularyQuestions[9:15]; !slices.Equal(d.WG, want) {
		t.Errorf("WG %q, want %q", d.WG, want)
	}
	wantSettings := [][]string{{"form_title", "form_id", "version", "default_language"},
		{"Victim assistance needs assessment", "vahub_va_needs", FormVersion, "English (en)"}}
	if !slices.EqualFunc(x.Settings, wantSettings, slices.Equal) {
		t.Errorf("settings %q", x.Settings)
	}
}

// TestXLSFormGolden pins the survey and choices rows (countries aside: CLDR
// names, checked in TestStandardMatchesVocabulary). Review a diff with the
// translators before -update.
func TestXLSFormGolden(t *testing.T) {
	x := Standard().XLSForm()
	var b strings.Builder
	for _, row := range x.Survey {
		b.WriteString(strings.Join(row, "\t") + "\n")
	}
	b.WriteString("\n")
	for _, row := range x.Choices {
		if row[0] != "countries" {
			b.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	path := filepath.Join("testdata", "xlsform.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./schema/survey -run TestXLSFormGolden -update)", err)
	}
	got := strings.Split(b.String(), "\n")
	for i, w := range strings.Split(string(want), "\n") {
		if i >= len(got) || got[i] != w {
			g := ""
			if i < len(got) {
				g = got[i]
			}
			t.Fatalf("XLSForm differs from %s at line %d:\n got %q\nwant %q", path, i+1, g, w)
		}
	}
}

// edit returns a copy of the standard form's sheets changed by fn.
func edit(fn func(x *XLSForm)) XLSForm {
	x := Standard().XLSForm()
	for _, sheet := range []*[][]string{&x.Survey, &x.Choices, &x.Settings} {
		rows := make([][]string, len(*sheet))
		for i, r := range *sheet {
			rows[i] = slices.Clone(r)
		}
		*sheet = rows
	}
	fn(&x)
	return x
}

// row finds the survey row of a name.
func row(x *XLSForm, name string) []string {
	for _, r := range x.Survey {
		if r[1] == name {
			return r
		}
	}
	panic(name)
}

func TestValidateXLSFormCatches(t *testing.T) {
	col := func(x *XLSForm, header string) int { return slices.Index(x.Survey[0], header) }
	tests := []struct {
		name string
		edit func(x *XLSForm)
		want string
	}{
		{"unknown type", func(x *XLSForm) { row(x, "age")[0] = "number" }, `unknown type "number"`},
		{"select without list", func(x *XLSForm) { row(x, "sex")[0] = "select_one" }, "select_one without a choice list"},
		{"list without choices", func(x *XLSForm) { row(x, "sex")[0] = "select_one genders" }, "choice list genders has no choices"},
		{"duplicate name", func(x *XLSForm) { row(x, "admin1")[1] = "country" }, "name country is already used"},
		{"bad XML name", func(x *XLSForm) { row(x, "admin1")[1] = "1st admin" }, `name "1st admin" is not a valid XML name`},
		{"missing name", func(x *XLSForm) { row(x, "admin1")[1] = "" }, "text without a name"},
		{"unclosed group", func(x *XLSForm) {
			for i := len(x.Survey) - 1; i > 0; i-- {
				if x.Survey[i][0] == "end_group" {
					x.Survey = slices.Delete(x.Survey, i, i+1)
					return
				}
			}
		}, "begin_group needs is never closed"},
		{"end without begin", func(x *XLSForm) {
			x.Survey = slices.Insert(x.Survey, 2, make([]string, len(x.Survey[0])))
			x.Survey[2][0] = "end group"
		}, "end_group without a matching begin_group"},
		{"dangling reference", func(x *XLSForm) { row(x, "age")[col(x, "relevant")] = "${consented} = 'yes'" },
			"${consented} names no question"},
		{"unbalanced expression", func(x *XLSForm) { row(x, "age")[col(x, "constraint")] = ". >= 0 and (. <= 120" },
			"a parenthesis is never closed"},
		{"label missing in French", func(x *XLSForm) { row(x, "age")[col(x, "label::Français (fr)")] = "" },
			`label missing in "Français (fr)"`},
		{"hint missing in Spanish", func(x *XLSForm) { row(x, "age")[col(x, "hint::Español (es)")] = "" },
			`hint missing in "Español (es)"`},
		{"question without label", func(x *XLSForm) {
			r := row(x, "age")
			for _, h := range []string{"label::English (en)", "label::Français (fr)", "label::Español (es)"} {
				r[col(x, h)] = ""
			}
		}, "(age): no label"},
		{"choice label missing", func(x *XLSForm) { x.Choices[1][3] = "" }, `choices row 2 (yes_no yes): label missing in "Français (fr)"`},
		{"duplicate choice", func(x *XLSForm) { x.Choices[2][1] = "yes" }, "yes is twice in list yes_no"},
		{"required not yes/no", func(x *XLSForm) { row(x, "age")[col(x, "required")] = "maybe" }, `required is "maybe"`},
		{"no form_id", func(x *XLSForm) { x.Settings[0][1] = "id" }, "settings sheet: no form_id column"},
		{"no version", func(x *XLSForm) { x.Settings[1][2] = "" }, "settings: no version"},
		{"default language not a label language", func(x *XLSForm) { x.Settings[1][3] = "Deutsch (de)" },
			`default_language "Deutsch (de)"`},
		{"no type column", func(x *XLSForm) { x.Survey[0][0] = "kind" }, "no header row with type and name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateXLSForm(edit(tt.edit))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func TestValidateXLSFormDialects(t *testing.T) {
	// pyxform's older spellings and a form without languages are fine.
	x := XLSForm{
		Survey: [][]string{
			{"type", "name", "label", "relevant"},
			{"begin group", "g", "Group"},
			{"select one yn", "q", "Question?"},
			{"integer", "n", "How many?", "selected(${q}, '1')"},
			{"end group"},
			{"calculate", "c"},
		},
		Choices:  [][]string{{"list name", "name", "label"}, {"yn", "1", "Yes"}, {"yn", "2", "No"}},
		Settings: [][]string{{"form_title", "form_id", "version"}, {"T", "t", "1"}},
	}
	if err := ValidateXLSForm(x); err != nil {
		t.Fatal(err)
	}
	d, ok := DescribeXLSForm(x)
	if !ok || d.FormID != "t" || d.Title != "T" || len(d.Languages) != 0 || !slices.Equal(d.Questions, []string{"q", "n", "c"}) {
		t.Fatalf("DescribeXLSForm = %+v, %v", d, ok)
	}
}

func TestDescribeXLSForm(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(x *XLSForm)
		ours     bool
		differs  string
		formID   string
		notAForm bool
	}{
		{"ours", func(*XLSForm) {}, true, "", FormID, false},
		{"renamed copy", func(x *XLSForm) { x.Settings[1][1] = "my_needs" }, false,
			`it asks all of vahub's questions but its form_id is "my_needs"`, "my_needs", false},
		{"our id, changed questions", func(x *XLSForm) { row(x, "admin1")[1] = "district" }, false,
			"its form_id is vahub's (vahub_va_needs) but its questions differ (missing admin1; extra district)", FormID, false},
		{"no settings", func(x *XLSForm) { x.Settings = nil }, false,
			`it asks all of vahub's questions but its form_id is ""`, "", false},
		{"not a form", func(x *XLSForm) { x.Survey = [][]string{{"a", "b"}} }, false, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := DescribeXLSForm(edit(tt.edit))
			if ok == tt.notAForm {
				t.Fatalf("ok = %v", ok)
			}
			if d.Ours != tt.ours || !strings.HasPrefix(d.Differences, tt.differs) || (tt.differs == "") != (d.Differences == "") || d.FormID != tt.formID {
				t.Fatalf("got ours=%v id=%q differences %q; want %v %q %q", d.Ours, d.FormID, d.Differences, tt.ours, tt.formID, tt.differs)
			}
		})
	}
}

func FuzzXLSForm(f *testing.F) {
	for _, x := range []XLSForm{Standard().XLSForm(), {}} {
		f.Add(join(x.Survey), join(x.Choices), join(x.Settings))
	}
	f.Add("type\tname\tlabel:\nbegin\tg\nselect_one\nend repeat\t\t\n", "list name\n\t\n", "form_id\n")
	f.Add("type\tname\tlabel::\trelevant\ninteger\tn\tN\t${\n", "", "")
	f.Fuzz(func(t *testing.T, survey, choices, settings string) {
		x := XLSForm{Survey: split(survey), Choices: split(choices), Settings: split(settings)}
		_ = ValidateXLSForm(x)
		d, ok := DescribeXLSForm(x)
		if ok && d.Ours && (d.FormID != FormID || len(d.Questions) != len(vocabularyQuestions)) {
			t.Fatalf("ours with form_id %q and %d questions", d.FormID, len(d.Questions))
		}
	})
}

func join(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t") + "\n")
	}
	return b.String()
}

func split(s string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(s, "\n") {
		rows = append(rows, strings.Split(line, "\t"))
	}
	return rows
}
