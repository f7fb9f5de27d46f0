package exports

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// updateGolden reports whether -update was given. The flag itself is
// declared once for the package (gap_test.go); looking it up keeps the two
// test files independent.
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// dumpTemplate renders what a person (and Excel) sees of a workbook as text:
// sheets, visibility, protection, panes, merged cells, validations, defined
// names, visible values and which cells are unlocked. Golden files compare
// this text, never the bytes.
func dumpTemplate(t *testing.T, b []byte) string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var out strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&out, format+"\n", a...) }
	for _, dn := range x.GetDefinedName() {
		p("defined name %s = %s", dn.Name, dn.RefersTo)
	}
	for _, sh := range x.GetSheetList() {
		visible, _ := x.GetSheetVisible(sh)
		p("\n== sheet %q visible=%v", sh, visible)
		prot, err := x.GetSheetProtection(sh)
		if err != nil {
			t.Fatal(err)
		}
		p("protection: algorithm=%q selectLocked=%v selectUnlocked=%v formatColumns=%v", prot.AlgorithmName, prot.SelectLockedCells, prot.SelectUnlockedCells, prot.FormatColumns)
		if panes, _ := x.GetPanes(sh); panes.Freeze {
			p("frozen: x=%d y=%d top-left=%s", panes.XSplit, panes.YSplit, panes.TopLeftCell)
		}
		merged, _ := x.GetMergeCells(sh)
		for _, m := range merged {
			p("merged %s:%s", m.GetStartAxis(), m.GetEndAxis())
		}
		dvs, _ := x.GetDataValidations(sh)
		for _, dv := range dvs {
			prompt := ""
			if dv.Prompt != nil {
				prompt = *dv.Prompt
			}
			p("validation %s type=%q formula=%s prompt=%q", dv.Sqref, dv.Type, dv.Formula1, prompt)
		}
		rows, err := x.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if sh == formh.ListsSheet {
			p("%d rows; first %q", len(rows), rows[0])
			continue
		}
		for i, r := range rows {
			for j, v := range r {
				if v != "" {
					p("%s = %q", formh.Ref(j+1, i+1), v)
				}
			}
		}
		if !visible {
			continue
		}
		var unlocked []string
		for row := 1; row <= 35; row++ {
			for col := 1; col <= 8; col++ {
				ref := formh.Ref(col, row)
				id, _ := x.GetCellStyle(sh, ref)
				st, err := x.GetStyle(id)
				if err == nil && st.Protection != nil && !st.Protection.Locked {
					unlocked = append(unlocked, ref)
				}
			}
		}
		p("unlocked: %s", strings.Join(unlocked, " "))
	}
	return out.String()
}

func TestTemplateGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range formh.Languages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteTemplate(&buf, TemplateOptions{Lang: lang, Country: "LAO", Year: 2024}); err != nil {
				t.Fatal(err)
			}
			got := dumpTemplate(t, buf.Bytes())
			path := filepath.Join("testdata", "template_"+lang+".golden")
			if updateGolden() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./exports -run TestTemplateGolden -update)", err)
			}
			if got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := range max(len(gl), len(wl)) {
					g, w := "", ""
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("template differs from %s at line %d (rerun with -update and review):\n got %s\nwant %s", path, i+1, g, w)
					}
				}
			}
		})
	}
}

func TestWriteTemplatePrefill(t *testing.T) {
	t.Parallel()
	r := sample.Report(sample.DemoCountries[1], 2023)
	r.Commitments[0].Detail = `=HYPERLINK("http://evil.example","x")`
	r.Commitments[1].Detail = "@cmd"
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, TemplateOptions{Lang: "fr", Prefill: r}); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sh := formh.SheetName(formh.RoleCommitments, "fr")
	for i, want := range []string{r.Commitments[0].Detail, r.Commitments[1].Detail} {
		ref := formh.CommitmentRef(schema.Commitments[i], formh.ColDetails)
		if f, _ := x.GetCellFormula(sh, ref); f != "" {
			t.Errorf("%s holds formula %q", ref, f)
		}
		if typ, _ := x.GetCellType(sh, ref); typ != excelize.CellTypeSharedString {
			t.Errorf("%s has type %v, want a string", ref, typ)
		}
		if v, _ := x.GetCellValue(sh, ref); v != want {
			t.Errorf("%s = %q, want %q", ref, v, want)
		}
	}
	cover := formh.SheetName(formh.RoleCover, "fr")
	if v, _ := x.GetCellValue(cover, formh.CoverRef(formh.FieldCountry)); v != "Liban" {
		t.Errorf("country cell %q, want Liban", v)
	}
	if v, _ := x.GetCellValue(cover, formh.CoverRef(formh.FieldPeriodEnd)); v != "31/12/2023" {
		t.Errorf("period end %q", v)
	}
}

func TestWriteTemplateErrors(t *testing.T) {
	t.Parallel()
	n := int64(3)
	v := schema.Value{State: schema.StateReported, People: &n, Qualifier: schema.QualExact}
	tests := []struct {
		name string
		opts TemplateOptions
		want string
	}{
		{"unknown country", TemplateOptions{Country: "ZZZ"}, "unknown country"},
		{"cumulative", TemplateOptions{Prefill: &schema.Report{Casualties: []schema.Casualty{{Scope: "cumulative", Outcome: "killed",
			Sex: "total", AgeGroup: "total", Disability: "total", Cause: "total", CivilianStatus: "total", Value: v}}}}, "fits no cell"},
		{"sub-service", TemplateOptions{Prefill: &schema.Report{Services: []schema.Service{{Pillar: "medical_care", SubService: "emergency",
			Measure: "reached", Sex: "total", AgeGroup: "total", Disability: "total", Value: v}}}}, "fits no cell"},
		{"same cell twice", TemplateOptions{Prefill: &schema.Report{Services: []schema.Service{
			{Pillar: "medical_care", Measure: "reached", Sex: "total", AgeGroup: "total", Disability: "total", Value: v},
			{Pillar: "medical_care", Measure: "reached", Sex: "total", AgeGroup: "total", Disability: "total", Value: v}}}}, "two facts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := WriteTemplate(&bytes.Buffer{}, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "exports: template") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func BenchmarkWriteTemplate(b *testing.B) {
	r := sample.Report(sample.DemoCountries[0], 2024)
	for b.Loop() {
		if err := WriteTemplate(&bytes.Buffer{}, TemplateOptions{Lang: "en", Year: 2024, Prefill: r}); err != nil {
			b.Fatal(err)
		}
	}
}
