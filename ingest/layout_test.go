package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema"
)

// layoutCSV is a Colombia-like register of n rows for year.
func layoutCSV(header string, year, n int) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%s,%s,%s\n", year, []string{"Herido", "Muerto"}[(i+year)%2],
			[]string{"Hombre", "Mujer", "Sin información"}[i%3], []string{"Mayor de 18 años", "Menor de 18 años"}[(i*year)%2])
	}
	return b.String()
}

// layoutXLSX writes the CSV's rows to a workbook with the given sheets
// (the data on the first).
func layoutXLSX(t *testing.T, path string, sheets []string, csv string) {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	x.SetSheetName("Sheet1", sheets[0])
	for _, s := range sheets[1:] {
		if _, err := x.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	for i, line := range strings.Split(strings.TrimSpace(csv), "\n") {
		var row []any
		for _, v := range strings.Split(line, ",") {
			row = append(row, v)
		}
		if err := x.SetSheetRow(sheets[0], fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// dsFingerprint reads a file with the dataset reader and gives the
// fingerprint of the table it read.
func dsFingerprint(t *testing.T, path string) string {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := readDataset(context.Background(), Input{Path: path, Content: content, Country: "COL"})
	if err != nil || p == nil || p.Layout == nil {
		t.Fatalf("%s: %v %+v", path, err, p)
	}
	if p.Layout.Source != LayoutClassified || len(p.Layout.Fingerprint) != 64 {
		t.Fatalf("%s: layout %+v", path, p.Layout)
	}
	return p.Layout.Fingerprint
}

func TestLayoutFingerprint(t *testing.T) {
	const hdr = "ano,estado,genero,rangoedad"
	dir := t.TempDir()
	file := func(name string, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	book := func(name string, sheets []string, content string) string {
		p := filepath.Join(dir, name)
		layoutXLSX(t, p, sheets, content)
		return p
	}
	tests := []struct {
		name string
		a, b string // two files
		same bool
	}{
		{"csv: next year, other data, other file name", file("v2022.csv", layoutCSV(hdr, 2022, 40)),
			file("victimas_2023_final.csv", layoutCSV(hdr, 2023, 75)), true},
		{"csv: case, accents and BOM do not count", file("a.csv", layoutCSV(hdr, 2022, 40)),
			file("b.csv", "\xEF\xBB\xBF"+layoutCSV("AÑO,Estado,GÉNERO,RangoEdad", 2022, 40)), true},
		{"csv: a header moves", file("c.csv", layoutCSV(hdr, 2022, 40)),
			file("d.csv", layoutCSV("ano,genero,estado,rangoedad", 2022, 40)), false},
		{"csv: a column is renamed", file("e.csv", layoutCSV(hdr, 2022, 40)),
			file("f.csv", layoutCSV("year,estado,genero,rangoedad", 2022, 40)), false},
		{"xlsx: next year, other data", book("g.xlsx", []string{"Victimas", "Notas"}, layoutCSV(hdr, 2022, 40)),
			book("h.xlsx", []string{"Victimas", "Notas"}, layoutCSV(hdr, 2023, 90)), true},
		{"xlsx: another sheet name", book("i.xlsx", []string{"Victimas", "Notas"}, layoutCSV(hdr, 2022, 40)),
			book("j.xlsx", []string{"Victimas", "Fuentes"}, layoutCSV(hdr, 2022, 40)), false},
		{"xlsx: a header moves", book("k.xlsx", []string{"Victimas"}, layoutCSV(hdr, 2022, 40)),
			book("l.xlsx", []string{"Victimas"}, layoutCSV("ano,estado,rangoedad,genero", 2022, 40)), false},
		{"csv and xlsx with the same headers differ", file("m.csv", layoutCSV(hdr, 2022, 40)),
			book("n.xlsx", []string{"m"}, layoutCSV(hdr, 2022, 40)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fa, fb := dsFingerprint(t, tc.a), dsFingerprint(t, tc.b)
			if (fa == fb) != tc.same {
				t.Errorf("fingerprints %s and %s: same = %v, want %v", fa[:12], fb[:12], fa == fb, tc.same)
			}
		})
	}
	// The function itself: positions count, blank headers do not.
	base := LayoutFingerprint("xlsx", []string{"S"}, "S", []string{"a", "b"})
	for _, tc := range []struct {
		name string
		fp   string
		same bool
	}{
		{"again", LayoutFingerprint("xlsx", []string{"S"}, "S", []string{"a", "b"}), true},
		{"trailing blank header", LayoutFingerprint("xlsx", []string{"S"}, "S", []string{"a", "b", " "}), true},
		{"shifted right", LayoutFingerprint("xlsx", []string{"S"}, "S", []string{"", "a", "b"}), false},
		{"swapped", LayoutFingerprint("xlsx", []string{"S"}, "S", []string{"b", "a"}), false},
		{"other sheet order", LayoutFingerprint("xlsx", []string{"S", "T"}, "S", []string{"a", "b"}), false},
	} {
		if (tc.fp == base) != tc.same {
			t.Errorf("LayoutFingerprint %s: same = %v, want %v", tc.name, tc.fp == base, tc.same)
		}
	}
}

// memLayouts is a LayoutStore in memory, with the database's precedence.
type memLayouts map[string]StoredLayout

func (m memLayouts) Get(_ context.Context, fp string) (*StoredLayout, error) {
	if l, ok := m[fp]; ok {
		return &l, nil
	}
	return nil, nil
}

func (m memLayouts) Put(_ context.Context, l StoredLayout) error {
	if old, ok := m[l.Fingerprint]; ok && old.Source == "officer" && l.Source == "auto" {
		return nil
	}
	m[l.Fingerprint] = l
	return nil
}

// A stored mapping wins over classification; a file that classifies fine
// reads the same with its own stored (auto) mapping.
func TestLayoutStoredMappingApplied(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.csv")
	content := []byte(layoutCSV("ano,estado,genero,rangoedad", 2022, 40))
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	read := func(store LayoutStore) *Parsed {
		p, err := readDataset(ctx, Input{Path: path, Content: content, Country: "COL", Layouts: store})
		if err != nil || p == nil || p.Issues.HasErrors() {
			t.Fatalf("%v %+v", err, p)
		}
		return p
	}
	store := memLayouts{}
	first := read(store)
	if first.Layout.Source != LayoutClassified {
		t.Fatalf("first read: %+v", first.Layout)
	}
	if d := first.Layout.Mapping.Columns["B"].Dimension; d != "outcome" || first.Layout.Mapping.Columns["D"].Dimension != "age" {
		t.Fatalf("classified mapping: %+v", first.Layout.Mapping.Columns)
	}
	_ = store.Put(ctx, StoredLayout{Fingerprint: first.Layout.Fingerprint, Source: "auto", Mapping: first.Layout.Mapping})
	again := read(store)
	if again.Layout.Source != LayoutStoredAuto || dsSumsKey(again) != dsSumsKey(first) || len(again.Issues) != len(first.Issues) {
		t.Errorf("stored auto mapping: %+v\n%v\n%v", again.Layout, again.Issues, first.Issues)
	}
	// An officer says the age column is to be ignored: facts by outcome and sex only.
	officer := *first.Layout.Mapping
	officer.Columns = map[string]MappingColumn{"A": {Dimension: "year"}, "B": {Dimension: "outcome"}, "C": {Dimension: "sex"}}
	_ = store.Put(ctx, StoredLayout{Fingerprint: first.Layout.Fingerprint, Source: "officer", Mapping: &officer})
	_ = store.Put(ctx, StoredLayout{Fingerprint: first.Layout.Fingerprint, Source: "auto", Mapping: first.Layout.Mapping})
	p := read(store)
	if p.Layout.Source != LayoutOfficer {
		t.Fatalf("officer mapping not applied: %+v", p.Layout)
	}
	for _, r := range p.Reports {
		for _, c := range r.Casualties {
			if c.AgeGroup != schema.Total {
				t.Fatalf("age column read despite the officer's mapping: %+v", c)
			}
		}
	}
}

func dsSumsKey(p *Parsed) string { return fmt.Sprint(dsSums(p.Reports)) }

// A table with an outcome but nothing the reader can tell as sex or age
// gets a draft mapping; one with no casualty signal stays unclaimed.
func TestLayoutDraftMapping(t *testing.T) {
	var b strings.Builder
	b.WriteString("periodo,situacion,x1,sexo_cod\n")
	for i := range 30 {
		fmt.Fprintf(&b, "2021,%s,%d,%d\n", []string{"Herido", "Muerto"}[i%2], 5+i, 1+i%2)
	}
	p := readDS(t, "u.csv", []byte(b.String()), "COL", 0)
	if p == nil || p.Draft == nil || !p.Issues.HasErrors() || !dsHasIssue(p, CodeMappingNeeded, "outcome column but no sex or age") {
		t.Fatalf("want a draft mapping and a mapping_needed error: %+v", p)
	}
	cols := p.Draft.Columns
	if cols["A"].Dimension != "year" || cols["B"].Dimension != "outcome" || cols["C"].Dimension != "ignore" ||
		cols["D"].Header != "sexo_cod" || cols["D"].Dimension != "sex" {
		t.Errorf("draft: %+v", cols)
	}
	if err := p.Draft.Validate(); err != nil {
		t.Errorf("the draft must be a valid mapping as written: %v", err)
	}
	// An officer's mapping that still leaves no sex or age: a clear error.
	m := *p.Draft
	m.Columns = map[string]MappingColumn{"A": {Dimension: "year"}, "B": {Dimension: "outcome"}}
	path := filepath.Join(t.TempDir(), "u.csv")
	_ = os.WriteFile(path, []byte(b.String()), 0o600)
	q, err := readDataset(context.Background(), Input{Path: path, Country: "COL", Mapping: &m})
	if err != nil || q == nil || !dsHasIssue(q, CodeMappingNeeded, "given with --mapping") || !dsHasIssue(q, CodeMappingNeeded, "sex or age") {
		t.Errorf("incomplete officer mapping: %v %+v", err, q)
	}
}

// dsRowSet is an exact set: every added fingerprint is found, others not.
func TestDSRowSet(t *testing.T) {
	var s dsRowSet
	for i := uint64(0); i < 100_000; i += 2 {
		s.add(i * 0x9E3779B97F4A7C15)
	}
	s.add(0) // stored as 1
	for i := uint64(0); i < 100_000; i++ {
		if got, want := s.has(i*0x9E3779B97F4A7C15), i%2 == 0; got != want {
			t.Fatalf("has(%d) = %v", i, got)
		}
	}
	if s.n != 50_000 || 2*s.n > len(s.slots) {
		t.Errorf("n %d in %d slots", s.n, len(s.slots))
	}
}
