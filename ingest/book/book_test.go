package book

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestOpenCSVEncodingsAndDelimiters(t *testing.T) {
	t.Parallel()
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("país;año\nCôte d'Ivoire;2024\n")
	cp1252, _ := charmap.Windows1252.NewEncoder().String("país\tmuertos\nPerú\t3\n")
	tests := []struct {
		name, content, enc string
		comma              rune
		want               [][]string
	}{
		{"utf8-bom", "\ufeffcountry,year\nLAO,\"2,006\"\n", "utf-8", ',', [][]string{{"country", "year"}, {"LAO", "2,006"}}},
		{"utf16", utf16, "utf-16", ';', [][]string{{"país", "año"}, {"Côte d'Ivoire", "2024"}}},
		{"cp1252-tab", cp1252, "windows-1252", '\t', [][]string{{"país", "muertos"}, {"Perú", "3"}}},
		{"pipe", "a|b|c\n1|2|3\n", "utf-8", '|', [][]string{{"a", "b", "c"}, {"1", "2", "3"}}},
		{"multiline", "note,n\n\"two\nlines\",4\nx,5\n", "utf-8", ',', [][]string{{"note", "n"}, {"two\nlines", "4"}, {"x", "5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "data.csv")
			if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			b, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			cb := b.(*csvBook)
			if cb.Encoding() != tt.enc || cb.Delimiter() != tt.comma {
				t.Errorf("encoding %s delimiter %q, want %s %q", cb.Encoding(), cb.Delimiter(), tt.enc, tt.comma)
			}
			var got [][]string
			var nums []int
			err = b.EachRow(t.Context(), b.Sheets()[0], func(r Row) error {
				var vals []string
				for _, c := range r.Cells {
					vals = append(vals, c.Value)
				}
				got = append(got, vals)
				nums = append(nums, r.Num)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(flat(got), "|") != strings.Join(flat(tt.want), "|") {
				t.Errorf("rows = %q, want %q", got, tt.want)
			}
			if tt.name == "multiline" && nums[2] != 4 {
				t.Errorf("row after a two-line field is on line %d, want 4", nums[2])
			}
		})
	}
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

func TestGridSpreadsMergedHeaders(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "B1", "Adultes")
	_ = f.MergeCell("Sheet1", "B1", "C1")
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"Issue", "Hommes", "Femmes"})
	_ = f.SetSheetRow("Sheet1", "A3", &[]any{"Tués", 5, 2})
	p := filepath.Join(t.TempDir(), "f.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	b, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	g, err := Grid(t.Context(), b, "Sheet1", 100)
	if err != nil {
		t.Fatal(err)
	}
	if g[0][1] != "Adultes" || g[0][2] != "Adultes" || g[2][1] != "5" {
		t.Errorf("grid = %q", g)
	}
}

func TestOpenRefusesNonTables(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{"doc.pdf": "%PDF-1.4\n", "page.html": "<!DOCTYPE html><html>", "x.geojson": `{"type":"FeatureCollection"}`} {
		p := filepath.Join(t.TempDir(), name)
		_ = os.WriteFile(p, []byte(content), 0o600)
		if _, err := Open(p); err == nil {
			t.Errorf("%s: opened as a table", name)
		}
	}
}
