package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// writeTemplate writes a template to a temp file, lets edit change it the
// way a focal point would in Excel, and returns the path.
func writeTemplate(t testing.TB, opts exports.TemplateOptions, edit func(x *excelize.File)) string {
	t.Helper()
	var buf bytes.Buffer
	if err := exports.WriteTemplate(&buf, opts); err != nil {
		t.Fatalf("WriteTemplate: %v", err)
	}
	path := filepath.Join(t.TempDir(), "formh.xlsx")
	if edit == nil {
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	edit(x)
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func num(n int64, q schema.Qualifier) schema.Value {
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: q}
}

func cas(outcome, sex, age, disability, cause, civ string, v schema.Value) schema.Casualty {
	return schema.Casualty{Scope: "new", Outcome: outcome, Sex: sex, AgeGroup: age, Disability: disability, Cause: cause, CivilianStatus: civ, Value: v}
}

// prefillReport is a report with every kind of value the template holds.
func prefillReport(lang string) *schema.Report {
	r := sample.Report(sample.Country{Code: "LAO", Lang: lang, Scale: 60}, 2024)
	T, U := schema.Total, schema.Unknown
	sub := time.Date(2025, 4, 30, 0, 0, 0, 0, time.UTC)
	r.SubmittedOn = &sub
	r.Casualties = append(r.Casualties,
		cas(U, T, T, T, T, T, num(7, schema.QualExact)), // a Total alone
		cas("killed", T, T, "yes", T, T, schema.Value{State: schema.StateUnknown}),
		cas("injured", T, T, "yes", T, T, num(5, schema.QualAtLeast)),
		cas("killed", T, T, "no", T, T, schema.Value{State: schema.StateWithheld}),
		cas(T, T, T, T, T, "civilian", num(40, schema.QualEstimate)),
		cas(T, T, T, T, T, "military", schema.Value{State: schema.StateNotApplicable}),
		cas(U, T, T, T, T, "deminer", num(0, schema.QualExact)),
	)
	r.Commitments[0].Detail = `=HYPERLINK("http://evil.example","click")`
	r.Commitments[1].Detail = "+1 555 call the focal point"
	r.Commitments[2].Detail = "- a list\n- of items"
	r.Commitments[3].Detail = "@SUM(A1)"
	r.Commitments[4].Detail = "Ministère de la santé – plan 2023-2026"
	return r
}

func sortedFacts(r *schema.Report) ([]string, []string, []string) {
	var cs, ss, ks []string
	val := func(v schema.Value) string {
		n := "-"
		if v.People != nil {
			n = fmt.Sprint(*v.People)
		}
		return fmt.Sprintf("%s:%s:%s:%d", v.State, n, v.Qualifier, v.CarriedFrom)
	}
	for _, c := range r.Casualties {
		cs = append(cs, fmt.Sprintf("%s %s %s %s %s %s %s %s = %s", c.Scope, c.Outcome, c.Sex, c.AgeGroup, c.AgeBand, c.Disability, c.Cause, c.CivilianStatus, val(c.Value)))
	}
	for _, s := range r.Services {
		ss = append(ss, fmt.Sprintf("%s %s %s %s %s %s %s = %s", s.Pillar, s.SubService, s.Measure, s.Sex, s.AgeGroup, s.AgeBand, s.Disability, val(s.Value)))
	}
	for _, k := range r.Commitments {
		ks = append(ks, fmt.Sprintf("%s %s %q", k.Code, k.Status, k.Detail))
	}
	slices.Sort(cs)
	slices.Sort(ss)
	slices.Sort(ks)
	return cs, ss, ks
}

func TestTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	carried := func(lang string) *schema.Report {
		r := sample.Report(sample.Country{Code: "COL", Lang: lang, Scale: 30}, 2024)
		for i := range r.Casualties {
			r.Casualties[i].State, r.Casualties[i].CarriedFrom = schema.StateCarriedForward, 2022
		}
		for i := range r.Services {
			r.Services[i].State, r.Services[i].CarriedFrom = schema.StateCarriedForward, 2022
		}
		return r
	}
	for _, lang := range formh.Languages() {
		for name, want := range map[string]*schema.Report{"all-kinds": prefillReport(lang), "carried": carried(lang)} {
			t.Run(lang+"/"+name, func(t *testing.T) {
				t.Parallel()
				path := writeTemplate(t, exports.TemplateOptions{Lang: lang, Year: want.Year, Prefill: want}, nil)
				if ok, err := IsTemplate(t.Context(), path); !ok || err != nil {
					t.Fatalf("IsTemplate = %v, %v", ok, err)
				}
				got, issues, err := ReadTemplate(t.Context(), path)
				if err != nil {
					t.Fatalf("ReadTemplate: %v", err)
				}
				if len(issues) != 0 {
					t.Fatalf("issues: %v", issues)
				}
				if got.Country != want.Country || got.Year != want.Year || got.Kind != want.Kind || got.Language != lang ||
					!got.PeriodStart.Equal(want.PeriodStart) || !got.PeriodEnd.Equal(want.PeriodEnd) ||
					got.SourceType != schema.SourceOfficial || got.FormatVersion != formh.FormatVersion ||
					(want.SubmittedOn != nil) != (got.SubmittedOn != nil) || (want.SubmittedOn != nil && !want.SubmittedOn.Equal(*got.SubmittedOn)) {
					t.Errorf("report header: got %+v", *got)
				}
				wc, ws, wk := sortedFacts(want)
				gc, gs, gk := sortedFacts(got)
				for _, d := range []struct {
					what      string
					want, got []string
				}{{"casualties", wc, gc}, {"services", ws, gs}, {"commitments", wk, gk}} {
					if !slices.Equal(d.want, d.got) {
						t.Errorf("%s differ:\nwant %s\n got %s", d.what, strings.Join(d.want, "\n     "), strings.Join(d.got, "\n     "))
					}
				}
				for _, c := range got.Casualties {
					if c.Sheet != formh.SheetName(formh.RoleCasualties, lang) || c.Ref == "" {
						t.Errorf("casualty without lineage: %+v", c)
					}
				}
			})
		}
	}
}

// issueList renders issues sorted, without their messages.
func issueList(is schema.Issues) []string {
	var out []string
	for _, i := range is {
		out = append(out, fmt.Sprintf("%s %s!%s %s", i.Severity, i.Sheet, i.Cell, i.Code))
	}
	slices.Sort(out)
	return out
}

func TestTemplateFilledByUser(t *testing.T) {
	t.Parallel()
	path := writeTemplate(t, exports.TemplateOptions{Lang: "en", Country: "LAO", Year: 2024}, func(x *excelize.File) {
		c, s, k := "Casualties", "Services", "Commitments"
		for _, e := range []struct {
			sheet, ref string
			v          any
		}{
			// C1: killed / injured / outcome unknown × men women boys girls unknown total.
			{c, "B6", "1 234"}, {c, "C6", "unknown"}, {c, "D6", "≥ 5"},
			{c, "B7", -3}, {c, "C7", "abc"}, {c, "D7", 2.5}, {c, "E7", "-4"},
			{c, "B8", 5}, {c, "C8", 6}, {c, "G8", 10}, // parts exceed the total
			// C2: with / without / unknown disability × killed injured unknown total.
			{c, "B12", 3}, {c, "C12", 4}, {c, "E12", 10}, // total above parts: 3 more on outcome unknown
			{c, "E13", 8},                // a total alone
			{c, "B14", 2}, {c, "E14", 2}, // a total that checks
			// S1: medical care in need (row 8) and reached (row 9), men.
			{s, "C8", 10}, {s, "C9", 12}, {s, "D8", 10}, {s, "D9", "unknown"},
			{k, "B4", "Oui"}, {k, "B5", "maybe"}, {k, "C6", "details only"},
		} {
			var err error
			if str, ok := e.v.(string); ok {
				err = x.SetCellStr(e.sheet, e.ref, str)
			} else {
				err = x.SetCellValue(e.sheet, e.ref, e.v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	rep, issues, err := ReadTemplate(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"error Casualties!B7 negative_count",
		"error Casualties!C7 wrong_type",
		"error Casualties!D7 not_whole_number",
		"error Casualties!E7 negative_count",
		"error Casualties!G8 parts_exceed_total",
		"error Commitments!B5 unknown_code",
		"error Services!C9 reached_exceeds_in_need",
	}
	if got := issueList(issues); !slices.Equal(got, want) {
		t.Errorf("issues:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	for _, i := range issues {
		if i.Message == "" || strings.Contains(i.Message, "%!") {
			t.Errorf("bad message: %v", i)
		}
	}
	if rep == nil {
		t.Fatal("no report")
	}
	gc, gs, gk := sortedFacts(rep)
	wantC := []string{
		"new killed female adult  total total total = unknown:-::0",
		"new killed male adult  total total total = reported:1234:exact:0",
		"new killed male child  total total total = reported:5:at_least:0",
		"new killed total total  yes total total = reported:3:exact:0",
		"new total total total  no total total = reported:8:exact:0",
		"new unknown female adult  total total total = reported:6:exact:0",
		"new unknown male adult  total total total = reported:5:exact:0",
		"new injured total total  yes total total = reported:4:exact:0",
		"new killed total total  unknown total total = reported:2:exact:0",
		"new unknown total total  yes total total = reported:3:exact:0",
	}
	slices.Sort(wantC)
	if !slices.Equal(gc, wantC) {
		t.Errorf("casualties:\n got %s\nwant %s", strings.Join(gc, "\n     "), strings.Join(wantC, "\n     "))
	}
	for _, c := range rep.Casualties {
		if c.Outcome == schema.Unknown && c.Disability == "yes" && c.Ref != "E12" {
			t.Errorf("rest of the total: lineage %s, want the total's cell E12", c.Ref)
		}
	}
	wantS := []string{
		"medical_care  in_need female adult  total = reported:10:exact:0",
		"medical_care  in_need male adult  total = reported:10:exact:0",
		"medical_care  reached female adult  total = unknown:-::0",
		"medical_care  reached male adult  total = reported:12:exact:0",
	}
	if !slices.Equal(gs, wantS) {
		t.Errorf("services:\n got %s\nwant %s", strings.Join(gs, "\n     "), strings.Join(wantS, "\n     "))
	}
	wantK := []string{`focal_point yes ""`, `plan_budgeted unknown "details only"`}
	if !slices.Equal(gk, wantK) {
		t.Errorf("commitments: got %q, want %q", gk, wantK)
	}
}

func TestTemplateCover(t *testing.T) {
	t.Parallel()
	cell := func(f string) string { return formh.CoverRef(f) }
	tests := []struct {
		name  string
		lang  string
		cells map[string]any // cover field -> value; nil deletes
		want  []string
		year  int
	}{
		{name: "ok", lang: "en", year: 2024},
		{name: "text dates", lang: "fr", cells: map[string]any{formh.FieldPeriodStart: "01/01/2023", formh.FieldPeriodEnd: "31/12/2023"}, year: 2023},
		{name: "missing country", lang: "en", cells: map[string]any{formh.FieldCountry: nil},
			want: []string{"error Report!B3 missing_country"}},
		{name: "unknown country", lang: "es", cells: map[string]any{formh.FieldCountry: "Atlantis"},
			want: []string{"error Informe!B3 unknown_country"}},
		{name: "country by code", lang: "en", cells: map[string]any{formh.FieldCountry: "lbn"}},
		{name: "missing period", lang: "en", cells: map[string]any{formh.FieldPeriodStart: nil, formh.FieldPeriodEnd: nil},
			want: []string{"error Report!B4 missing_period", "error Report!B5 missing_period"}},
		{name: "bad date", lang: "en", cells: map[string]any{formh.FieldPeriodEnd: "end of year"},
			want: []string{"error Report!B5 wrong_type"}},
		{name: "end before start", lang: "en", cells: map[string]any{formh.FieldPeriodStart: "31/12/2024", formh.FieldPeriodEnd: "01/01/2024"},
			want: []string{"error Report!B5 bad_period"}},
		{name: "two years", lang: "en", cells: map[string]any{formh.FieldPeriodStart: "01/03/2015", formh.FieldPeriodEnd: "31/10/2017"},
			want: []string{"warning Report!B4 period_outside_year"}, year: 2017},
		{name: "two years initial", lang: "en", cells: map[string]any{formh.FieldPeriodStart: "01/03/2015", formh.FieldPeriodEnd: "31/10/2017", formh.FieldKind: "Initial report"}, year: 2017},
		{name: "bad kind", lang: "en", cells: map[string]any{formh.FieldKind: "quarterly"},
			want: []string{"error Report!B6 unknown_code"}},
		{name: "unchanged without year", lang: "en", cells: map[string]any{formh.FieldFormH: "Unchanged"},
			want: []string{"warning Report!B9 carried_forward_without_source"}},
		{name: "bad year", lang: "en", cells: map[string]any{formh.FieldLastYear: "last year"},
			want: []string{"error Report!B9 wrong_type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeTemplate(t, exports.TemplateOptions{Lang: tt.lang, Country: "LAO", Year: 2024}, func(x *excelize.File) {
				sh := formh.SheetName(formh.RoleCasualties, tt.lang)
				if err := x.SetCellInt(sh, "B6", 3); err != nil { // one figure, so the report is not empty
					t.Fatal(err)
				}
				for f, v := range tt.cells {
					sh := formh.SheetName(formh.RoleCover, tt.lang)
					var err error
					switch v := v.(type) {
					case nil:
						err = x.SetCellValue(sh, cell(f), nil)
					case string:
						err = x.SetCellStr(sh, cell(f), v)
					default:
						err = x.SetCellValue(sh, cell(f), v)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			})
			rep, issues, err := ReadTemplate(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			if got := issueList(issues); !slices.Equal(got, tt.want) {
				t.Errorf("issues: got %q, want %q", got, tt.want)
			}
			if tt.year != 0 && rep.Year != tt.year {
				t.Errorf("year %d, want %d", rep.Year, tt.year)
			}
		})
	}
}

func TestTemplateEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		formH string
		year  any
		want  []string
	}{
		{"empty", "", nil, []string{"error Report! no_facts"}},
		{"unchanged", "Unchanged", 2021, []string{"warning Report!B8 carried_forward_without_source"}},
		{"not applicable", "Not applicable", nil, []string{"warning Report!B8 no_facts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeTemplate(t, exports.TemplateOptions{Lang: "en", Country: "LAO", Year: 2024}, func(x *excelize.File) {
				if tt.formH != "" {
					_ = x.SetCellStr("Report", formh.CoverRef(formh.FieldFormH), tt.formH)
				}
				if tt.year != nil {
					_ = x.SetCellValue("Report", formh.CoverRef(formh.FieldLastYear), tt.year)
				}
			})
			rep, issues, err := ReadTemplate(t.Context(), path)
			if err != nil || rep == nil {
				t.Fatalf("ReadTemplate: %v, %v", rep, err)
			}
			if got := issueList(issues); !slices.Equal(got, tt.want) {
				t.Errorf("issues: got %q, want %q", got, tt.want)
			}
		})
	}
}

// moduleRoot finds the directory holding go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func TestReadTemplateOtherWorkbooks(t *testing.T) {
	t.Parallel()
	data := filepath.Join(moduleRoot(t), "..", "shared", "data")
	var files []string
	_ = filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".xlsx") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skipf("no .xlsx under %s (shared/ is not beside the repository)", data)
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			rep, issues, err := ReadTemplate(t.Context(), p)
			if err != nil || rep != nil {
				t.Fatalf("ReadTemplate = %v, %v", rep, err)
			}
			if len(issues) != 1 || issues[0].Code != schema.CodeNotTemplate || issues[0].Severity != schema.SevError {
				t.Fatalf("issues: %v", issues)
			}
			if ok, err := IsTemplate(t.Context(), p); ok || err != nil {
				t.Errorf("IsTemplate = %v, %v", ok, err)
			}
		})
	}
}

func TestReadTemplateUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Content of the wrong kind is "not a template"; a damaged workbook is unreadable.
	files := map[string]struct {
		b    []byte
		code string
	}{
		"old.xls":     {[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0}, schema.CodeNotTemplate},
		"data.csv":    {[]byte("country,year\nLAO,2024\n"), schema.CodeNotTemplate},
		"empty.xlsx":  {nil, schema.CodeNotTemplate},
		"broken.xlsx": {append([]byte("PK\x03\x04"), bytes.Repeat([]byte{1}, 100)...), schema.CodeUnreadable},
	}
	for name, tc := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, tc.b, 0o600); err != nil {
				t.Fatal(err)
			}
			rep, issues, err := ReadTemplate(t.Context(), p)
			if err == nil || rep != nil || len(issues) != 1 || issues[0].Code != tc.code {
				t.Fatalf("ReadTemplate = %v, %v, %v", rep, issues, err)
			}
		})
	}
	if _, _, err := ReadTemplate(t.Context(), filepath.Join(dir, "missing.xlsx")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestTemplateMarkerDamaged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(x *excelize.File)
		want string
	}{
		{"future version", func(x *excelize.File) { _ = x.SetCellStr(formh.MarkerSheet, "B1", "vahub-formh-9") }, schema.CodeTemplateVersion},
		{"renamed sheet", func(x *excelize.File) { _ = x.SetSheetName("Services", "Services (2)") }, schema.CodeTemplateVersion},
		{"bad cell entry", func(x *excelize.File) { _ = x.SetCellStr(formh.MarkerSheet, "D20", "C9") }, schema.CodeUnknownCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeTemplate(t, exports.TemplateOptions{Lang: "en", Country: "LAO", Year: 2024}, tt.edit)
			_, issues, err := ReadTemplate(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(issues, func(i schema.Issue) bool { return i.Code == tt.want && i.Severity == schema.SevError }) {
				t.Errorf("issues %v, want an error %s", issues, tt.want)
			}
		})
	}
}

// FuzzTemplateCell types arbitrary text into a count cell of a template and
// checks that the reader neither fails nor invents a number: each cell gives
// either an issue or a well-formed fact (or nothing, when blank).
func FuzzTemplateCell(f *testing.F) {
	for _, s := range []string{"12", "1 234", "1,234", "1.234", "unknown", "inconnu", "≥ 5", "at least 50", "-3", "2.5",
		"abc", "", " ", "n/a", "<5", "unchanged since 2019", "=1+1", "1e3", "9999999999999999999999", "½", "\x00", "—"} {
		f.Add(s, "en")
		f.Add(s, "fr")
	}
	base := map[string][]byte{}
	for _, lang := range formh.Languages() {
		var buf bytes.Buffer
		if err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: lang, Country: "LAO", Year: 2024}); err != nil {
			f.Fatal(err)
		}
		base[lang] = buf.Bytes()
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		lang = formh.Lang(lang)
		x, err := excelize.OpenReader(bytes.NewReader(base[lang]))
		if err != nil {
			t.Fatal(err)
		}
		sheet := formh.SheetName(formh.RoleCasualties, lang)
		if err := x.SetCellStr(sheet, "B6", text); err != nil {
			t.Skip("excelize refuses the text:", err)
		}
		path := filepath.Join(t.TempDir(), "f.xlsx")
		if err := x.SaveAs(path); err != nil {
			t.Skip("excelize cannot save the text:", err)
		}
		_ = x.Close()
		rep, issues, err := ReadTemplate(t.Context(), path)
		if err != nil || rep == nil {
			t.Fatalf("ReadTemplate(%q) = %v, %v", text, rep, err)
		}
		var facts []schema.Casualty
		for _, c := range rep.Casualties {
			if c.Ref == "B6" {
				facts = append(facts, c)
			}
		}
		cellIssues := slices.ContainsFunc(issues, func(i schema.Issue) bool { return i.Cell == "B6" })
		switch {
		case cellIssues && len(facts) > 0:
			t.Fatalf("%q: both an issue and a fact", text)
		case len(facts) > 1:
			t.Fatalf("%q: %d facts", text, len(facts))
		case len(facts) == 1:
			v := facts[0].Value
			if v.State == "" || (v.People != nil) != v.State.HasNumber() && v.State != schema.StateCarriedForward ||
				v.People != nil && *v.People < 0 {
				t.Fatalf("%q: malformed value %+v", text, v)
			}
		case !cellIssues && strings.TrimSpace(text) != "" && !slices.ContainsFunc(issues, func(i schema.Issue) bool { return i.Code == schema.CodeNoFacts }):
			t.Fatalf("%q: neither a fact nor an issue: %v", text, issues)
		}
	})
}
