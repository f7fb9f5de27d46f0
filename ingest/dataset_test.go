package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/ingest/book"

	"github.com/vahub/vahub/schema"
)

// readDS writes content to a file named name and runs the dataset reader.
func readDS(t testing.TB, name string, content []byte, country string, year int) *Parsed {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := readDataset(context.Background(), Input{Path: path, Content: content, Country: country, Year: year})
	if err != nil {
		t.Fatalf("readDataset: %v", err)
	}
	return p
}

// sums adds up a report set's facts within breakdown A (civilian status
// and cause total), by "year/outcome/sex/age".
func dsSums(reports []*schema.Report) map[string]int64 {
	out := map[string]int64{}
	for _, r := range reports {
		for _, c := range r.Casualties {
			if c.CivilianStatus != schema.Total || c.Cause != schema.Total {
				continue
			}
			out[fmt.Sprintf("%d", r.Year)] += *c.People
			out[fmt.Sprintf("%d/%s", r.Year, c.Outcome)] += *c.People
			out[fmt.Sprintf("%d/%s/%s/%s", r.Year, c.Outcome, c.Sex, c.AgeGroup)] += *c.People
			out["sex/"+c.Sex] += *c.People
			out["age/"+c.AgeGroup] += *c.People
			if c.AgeBand != "" {
				out["band/"+c.AgeBand] += *c.People
			}
		}
	}
	return out
}

func dsHasIssue(p *Parsed, code, contains string) bool {
	for _, is := range p.Issues {
		if is.Code == code && strings.Contains(is.Message, contains) {
			return true
		}
	}
	return false
}

// A Colombia-like file: BOM, swapped estado/genero headers, quoted "2,006",
// three spellings of "Sin información", exact duplicate rows.
func TestDatasetSwappedHeadersBOMAndQuotedYears(t *testing.T) {
	var b strings.Builder
	b.WriteString("\xEF\xBB\xBFdepartamento,ano,rangoedad,condicion,estado,genero\n")
	rows := []string{
		`ANTIOQUIA,"2,006",Mayor de 18 años,Civil,Hombre,Herido`,
		`ANTIOQUIA,"2,006",Mayor de 18 años,Civil,Hombre,Herido`, // same event, another victim
		`META,"2,006",Menor de 18 años,Fuerza pública,Mujer,Muerto`,
		`META,"2,006",Mayor de 18 años,Fuerza pública,Sin Información,Muerto`,
		`META,"2,007",Mayor de 18 años,Fuerza pública,Sin información,Herido`,
		`META,"2,007",Sin informacion,Civil,Hombre,Herido`,
		`CAUCA,"2,007",Mayor de 18 años,Civil,Hombre,Muerto`,
		`CAUCA,"2,007",Menor de 18 años,Civil,Mujer,Herido`,
		`CAUCA,"2,007",Menor de 18 años,Civil,Hombre,Herido`,
		`CAUCA,"2,007",Mayor de 18 años,Fuerza pública,Hombre,Herido`,
		`CAUCA,"2,007",Mayor de 18 años,Fuerza pública,Hombre,Herido`,
	}
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	content := []byte(b.String())

	p := readDS(t, "victimas.csv", content, "", 0)
	if p == nil || p.Format != FormatDataset || !dsHasIssue(p, schema.CodeMissingCountry, "does not state its country; give --country") ||
		len(p.Reports) != 0 {
		t.Fatalf("without --country: %+v", p)
	}

	p = readDS(t, "victimas.csv", content, "COL", 0)
	if p == nil || p.Format != FormatDataset || p.Issues.HasErrors() {
		t.Fatalf("with --country: %+v", p)
	}
	if !dsHasIssue(p, schema.CodeDatasetReadByContent, "column 'estado' holds sex values (Hombre/Mujer), column 'genero' holds outcome values (Herido/Muerto): read by content") {
		t.Errorf("no read-by-content warning: %v", p.Issues)
	}
	if !dsHasIssue(p, schema.CodeDatasetDuplicateRows, "2 rows are exact copies of an earlier row; kept") {
		t.Errorf("no duplicate warning: %v", p.Issues)
	}
	if len(p.Reports) != 2 || p.Reports[0].Country != "COL" || p.Reports[0].Year != 2006 || p.Reports[1].Year != 2007 ||
		p.Reports[0].SourceType != schema.SourceOfficial || p.Reports[0].Language != "es" {
		t.Fatalf("reports: %+v", p.Reports)
	}
	got := dsSums(p.Reports)
	want := map[string]int64{
		"2006": 4, "2007": 7, "2006/injured": 2, "2006/killed": 2, "2007/injured": 6, "2007/killed": 1,
		"sex/male": 7, "sex/female": 2, "sex/unknown": 2, "age/adult": 7, "age/child": 3, "age/unknown": 1,
		"2006/killed/unknown/adult": 1, "2007/injured/male/unknown": 1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	// Breakdown B: outcome × civilian status, complete on its own.
	var civ int64
	for _, r := range p.Reports {
		for _, c := range r.Casualties {
			if c.CivilianStatus != schema.Total {
				if c.Sex != schema.Total || c.AgeGroup != schema.Total {
					t.Errorf("civilian fact with sex/age: %+v", c)
				}
				civ += *c.People
			}
		}
	}
	if civ != 11 {
		t.Errorf("outcome×civilian breakdown sums to %d, want 11", civ)
	}
}

// English and French values, numeric ages, a country column, an id column
// with a repeated record, a row without year.
func TestDatasetNumericAgesCountryColumnAndIDs(t *testing.T) {
	content := "record_id;country;year;sex;age;outcome\n" +
		"1;Lao PDR;2020;M;7;killed\n" +
		"2;Lao PDR;2020;F;34;injured\n" +
		"2;Lao PDR;2020;F;34;injured\n" + // the same record twice
		"3;Laos;2020;Female;61;Injured\n" +
		"4;LAO;2021;male;;injured\n" +
		"5;LAO;2021;Male;unknown;dead\n" +
		"6;LAO;;male;12;injured\n" +
		"7;Cambodia;2021;femme;40;blessé\n" +
		"8;Cambodge;2021;homme;16;tué\n" +
		"9;LAO;2021;male;17;wounded\n" +
		"10;LAO;2021;male;200;missing person\n"
	p := readDS(t, "cases.csv", []byte(content), "", 0)
	if p == nil || p.Format != FormatDataset || p.Issues.HasErrors() {
		t.Fatalf("%+v", p)
	}
	got := dsSums(p.Reports)
	byCountry := map[string]int64{}
	for _, r := range p.Reports {
		for _, c := range r.Casualties {
			byCountry[r.Country] += *c.People
		}
	}
	if byCountry["LAO"] != 7 || byCountry["KHM"] != 2 {
		t.Errorf("by country %v", byCountry)
	}
	for k, v := range map[string]int64{"2020": 3, "2021": 6, "band/5-9": 1, "band/60+": 1, "band/15-17": 2,
		"age/unknown": 3, "2021/unknown": 1, "sex/female": 3} {
		if got[k] != v {
			t.Errorf("%s = %d, want %d (all %v)", k, got[k], v, got)
		}
	}
	if !dsHasIssue(p, schema.CodeDatasetDuplicateRows, "1 rows are exact copies of an earlier row with the same record id ('record_id')") {
		t.Errorf("issues %v", p.Issues)
	}
	if !dsHasIssue(p, schema.CodeDatasetRowsLeftOut, "1 rows have no readable year") {
		t.Errorf("issues %v", p.Issues)
	}
	if !dsHasIssue(p, schema.CodeDatasetUnrecognised, "'missing person'") || !dsHasIssue(p, schema.CodeDatasetUnrecognised, "'200'") {
		t.Errorf("issues %v", p.Issues)
	}

	// --country keeps that country's rows; --year that year's.
	p = readDS(t, "cases.csv", []byte(content), "KHM", 2021)
	if len(p.Reports) != 1 || p.Reports[0].Country != "KHM" || p.Reports[0].Year != 2021 ||
		!dsHasIssue(p, schema.CodeDatasetRowsLeftOut, "--country KHM") || !dsHasIssue(p, schema.CodeDatasetRowsLeftOut, "--year 2021") {
		t.Errorf("filtered: %+v %v", p.Reports, p.Issues)
	}
}

// An xlsx register with a title row above the header and Excel dates.
func TestDatasetXLSXWithDates(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	sh := "Victimes"
	x.SetSheetName("Sheet1", sh)
	_ = x.SetSheetRow(sh, "A1", &[]any{"Registre national des victimes"})
	_ = x.SetSheetRow(sh, "A3", &[]any{"Date de l'accident", "Sexe", "Tranche d'âge", "Issue", "Statut"})
	for i := range 30 {
		sex, out := "Masculin", "Blessé"
		if i%3 == 0 {
			sex, out = "Féminin", "Tué"
		}
		_ = x.SetSheetRow(sh, fmt.Sprintf("A%d", 4+i), &[]any{45000 + i*20, sex, "moins de 18 ans", out, "civil"})
	}
	path := filepath.Join(t.TempDir(), "registre.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(path)
	p, err := readDataset(context.Background(), Input{Path: path, Content: content, Country: "BIH"})
	if err != nil || p == nil || p.Format != FormatDataset || p.Issues.HasErrors() {
		t.Fatalf("%+v %v", p, err)
	}
	got := dsSums(p.Reports)
	// Serial 45000 is 15 March 2023; 45580 is 15 October 2024.
	if got["2023"]+got["2024"] != 30 || got["2023"] != 15 || got["sex/female"] != 10 || got["age/child"] != 30 {
		t.Errorf("%v", got)
	}
	if p.Reports[0].Language != "fr" {
		t.Errorf("language %q", p.Reports[0].Language)
	}
}

// Incident-level counts: killed, injured, amputations (injured), victims check.
func TestDatasetIncidentLevel(t *testing.T) {
	var b strings.Builder
	b.WriteString("IncidentID,Incident_D,DEVICES,VICTIM,INJURE,AMPUTATION,KILLED\n")
	for i := range 12 {
		b.WriteString(fmt.Sprintf("%d.0,2019/0%d/10,%s,%d,1,%d,1\n", i, 1+i%9, []string{"Mine", "ERW"}[i%2], 2+i%2+dsBtoi(i == 5), i%2))
	}
	p := readDS(t, "incidents.csv", []byte(b.String()), "KHM", 0)
	if p == nil || p.Format != FormatDataset || p.Issues.HasErrors() || len(p.Reports) != 1 {
		t.Fatalf("%+v", p)
	}
	got := dsSums(p.Reports)
	if got["2019/killed"] != 12 || got["2019/injured"] != 18 {
		t.Errorf("%v", got)
	}
	if !dsHasIssue(p, schema.CodeDatasetCountedAsInjured, "6 amputees") || !dsHasIssue(p, schema.CodeTotalMismatch, "In 1 rows") {
		t.Errorf("issues %v", p.Issues)
	}
	var byCause = map[string]int64{}
	for _, c := range p.Reports[0].Casualties {
		if c.Cause != schema.Total {
			byCause[c.Outcome+"/"+c.Cause] += *c.People
		}
	}
	if byCause["killed/mine"] != 6 || byCause["injured/erw_other"] != 12 {
		t.Errorf("by cause %v", byCause)
	}
}

func dsBtoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Not datasets: too few rows, no outcome, an HXL sheet, a text file.
func TestDatasetNotMine(t *testing.T) {
	for name, content := range map[string]string{
		"few.csv":       "year,sex,outcome\n2020,male,killed\n",
		"nooutcome.csv": strings.Repeat("year,sex,age\n", 1) + strings.Repeat("2020,male,30\n", 20),
		"hxl.csv":       "year,sex,outcome\n#date+year,#gender,#x\n" + strings.Repeat("2020,male,killed\n", 20),
		"notes.txt":     "Landmine Monitor 2016\nCasualties in Colombia\n",
	} {
		if p := readDS(t, name, []byte(content), "COL", 0); p != nil {
			t.Errorf("%s: claimed as %s: %v", name, p.Format, p.Issues)
		}
	}
}

// Non-data files are named for what they are.
func TestDatasetNonData(t *testing.T) {
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "survey")
	_, _ = x.NewSheet("choices")
	_ = x.SetSheetRow("survey", "A1", &[]any{"type", "name", "label"})
	_ = x.SetSheetRow("choices", "A1", &[]any{"list_name", "name", "label"})
	path := filepath.Join(t.TempDir(), "form.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	x.Close()
	content, _ := os.ReadFile(path)
	p, _ := readDataset(context.Background(), Input{Path: path, Content: content})
	if p == nil || p.Format != FormatNonData || !dsHasIssue(p, schema.CodeNoVAData, "XLSForm") || !p.Issues.HasErrors() {
		t.Errorf("xlsform: %+v", p)
	}
	clearance := "departamento,municipio,areadespejada,ano\n" + strings.Repeat("META,X,100,2010\n", 12)
	if p := readDS(t, "clear.csv", []byte(clearance), "", 0); p == nil || !dsHasIssue(p, schema.CodeNoVAData, "clearance") {
		t.Errorf("clearance: %+v", p)
	}
}

// dsHeapInUse is the heap in use after a collection.
func dsHeapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Memory stays flat: only the per-group counts (and 8-byte row
// fingerprints for the duplicate count) grow while 200,000 rows stream.
// The aggregation map holds one entry per group, not per row.
func TestDatasetMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 10 MB CSV")
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "id,ano,genero,estado,rangoedad,condicion,notes")
	sexes := []string{"Hombre", "Mujer", "Sin información"}
	for i := range 200_000 {
		fmt.Fprintf(f, "%d,\"2,0%02d\",%s,%s,%s,%s,%s\n", i, i%24, []string{"Herido", "Muerto"}[i%2], sexes[i%3],
			[]string{"Mayor de 18 años", "Menor de 18 años"}[i%5/4], []string{"Civil", "Fuerza pública"}[i%7/6],
			strings.Repeat("x", 20))
	}
	f.Close()
	before := dsHeapInUse()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Path: path, Content: nil, Country: "COL"} // the reader streams from the path
	_ = b
	ctx := context.Background()
	src, l, err := openFirstDataset(ctx, in)
	if err != nil || l == nil {
		t.Fatalf("%v", err)
	}
	a := newDSAgg(src, l, in, "COL")
	if err := a.run(ctx); err != nil {
		t.Fatal(err)
	}
	after := dsHeapInUse()
	if a.counted != 200_000 || len(a.counts) > 24*2*3*2*2 {
		t.Errorf("counted %d in %d groups", a.counted, len(a.counts))
	}
	// 200,000 fingerprints cost a few MB; the rows themselves (10 MB) are never held.
	if grew := int64(after) - int64(before); grew > 12<<20 {
		t.Errorf("heap grew by %d MB", grew>>20)
	}
	t.Logf("200,000 rows: %d groups, heap growth %d KB", len(a.counts), (int64(after)-int64(before))>>10)
}

// BenchmarkDatasetCSV: go test -bench DatasetCSV -benchmem ./ingest/
func BenchmarkDatasetCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("ano,genero,estado,rangoedad\n")
	for i := range 20_000 {
		fmt.Fprintf(&sb, "\"2,0%02d\",%s,%s,Mayor de 18 años\n", i%24, []string{"Herido", "Muerto"}[i%2], []string{"Hombre", "Mujer"}[i%3/2])
	}
	content := []byte(sb.String())
	path := filepath.Join(b.TempDir(), "bench.csv")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := readDataset(context.Background(), Input{Path: path, Content: content, Country: "COL"})
		if err != nil || p == nil || p.Issues.HasErrors() {
			b.Fatal(err, p)
		}
	}
}

// FuzzDatasetClassify: any header and values classify without panicking,
// and a column gets at most one role and a role at most one column.
func FuzzDatasetClassify(f *testing.F) {
	f.Add("estado", "Hombre", "genero", "Herido", "2,006")
	f.Add("sexo", "Sin información", "edad", "Menor de 18 años", "2005/01/10")
	f.Add("KILLED", "3", "INJURE", "1.0", "")
	f.Add("", "\x00", "ano", "-1", "99999999999999999999")
	f.Fuzz(func(t *testing.T, h1, v1, h2, v2, v3 string) {
		src := &dsMemSource{cols: []string{h1, h2, "year"}}
		for i := range 12 {
			src.data = append(src.data, []string{v1, v2, v3})
			if i%3 == 0 {
				src.data = append(src.data, []string{v2, v1, "2020"})
			}
		}
		l, err := classifyDataset(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[dsRole]int{}
		for _, c := range l.cols {
			if c.role != dsNone {
				seen[c.role]++
			}
		}
		for r, n := range seen {
			if n > 1 || l.byRole[r] == nil {
				t.Fatalf("role %v on %d columns", r, n)
			}
		}
		_ = l.swapped()
		_ = dsHeaderHint(h1)
		a := newDSAgg(src, l, Input{Country: "COL"}, "COL")
		if err := a.run(context.Background()); err != nil {
			t.Fatal(err)
		}
		_ = a.reports("es")
	})
}

// dsMemSource is an in-memory table for the fuzz target.
type dsMemSource struct {
	cols []string
	data [][]string
}

func (s *dsMemSource) sheet() string            { return "mem" }
func (s *dsMemSource) header() []string         { return s.cols }
func (s *dsMemSource) ref(num, col int) string  { return fmt.Sprintf("R%dC%d", num, col+1) }
func (s *dsMemSource) headerRef(col int) string { return fmt.Sprintf("R1C%d", col+1) }
func (s *dsMemSource) xlsx() bool               { return false }
func (s *dsMemSource) date1904() bool           { return false }
func (s *dsMemSource) rows(ctx context.Context, fn func(int, []string) error) error {
	for i, r := range s.data {
		if err := fn(i+2, r); err != nil {
			return err
		}
	}
	return nil
}

// openFirstDataset opens a CSV or workbook and classifies its first sheet.
func openFirstDataset(ctx context.Context, in Input) (dsSource, *dsLayout, error) {
	b, err := book.Open(in.Path)
	if err != nil {
		return nil, nil, err
	}
	src, err := newDSBookSource(ctx, b, b.Sheets()[0])
	if err != nil {
		return nil, nil, err
	}
	l, err := classifyDataset(ctx, src)
	return src, l, err
}
