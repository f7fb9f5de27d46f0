package xlsx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	ods := append([]byte("PK\x03\x04"), make([]byte, 26)...)
	ods = append(ods, []byte("mimetypeapplication/vnd.oasis.opendocument.spreadsheet")...)
	tests := []struct {
		name string
		head []byte
		want string // "" for no error
	}{
		{"xlsx", []byte("PK\x03\x04rest"), ""},
		{"empty", nil, "empty"},
		{"xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, ".xls"},
		{"ods", ods, ".ods"},
		{"html", []byte("  <!DOCTYPE html><html>"), "web page"},
		{"xml", []byte("\xEF\xBB\xBF<?xml version=\"1.0\"?><Workbook>"), "XML"},
		{"csv", []byte("country,year\nLAO,2024\n"), "CSV"},
		{"pdf", []byte("%PDF-1.7"), "PDF"},
		{"emptyzip", []byte("PK\x05\x06"), "zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Sniff(tt.head)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Sniff: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Sniff = %v, want ErrUnsupported mentioning %q", err, tt.want)
			}
		})
	}
}

func writeBook(t *testing.T, fill func(*excelize.File)) string {
	t.Helper()
	x := excelize.NewFile()
	fill(x)
	p := filepath.Join(t.TempDir(), "book.xlsx")
	if err := x.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadWorkbook(t *testing.T) {
	t.Parallel()
	p := writeBook(t, func(x *excelize.File) {
		_ = x.SetCellValue("Sheet1", "A1", "Header")
		_ = x.MergeCell("Sheet1", "A1", "C1")
		_ = x.SetCellValue("Sheet1", "B3", 1234)
		_ = x.SetCellValue("Sheet1", "C3", "unknown")
		_ = x.SetCellValue("Sheet1", "D3", true)
		_ = x.SetCellFloat("Sheet1", "A5", 45292, -1, 64)
	})
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ok, _ := f.HasSheet("Sheet1"); !ok {
		t.Error("HasSheet")
	}
	if d, err := f.Date1904(); err != nil || d {
		t.Errorf("Date1904 = %v, %v", d, err)
	}
	merged, err := f.Merged("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = f.EachRow(t.Context(), "Sheet1", func(r Row) error {
		for _, c := range Spread(r, merged).Cells {
			got = append(got, c.Ref+"="+c.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "A1=Header B1=Header C1=Header B3=1234 C3=unknown D3=1 A5=45292"
	if strings.Join(got, " ") != want {
		t.Errorf("rows:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	kinds := map[string]Kind{"B3": KindNumber, "C3": KindText, "D3": KindBool, "A5": KindNumber}
	for ref, want := range kinds {
		if k, err := f.CellKind("Sheet1", ref); err != nil || k != want {
			t.Errorf("CellKind(%s) = %v, %v; want %v", ref, k, err, want)
		}
	}
	if err := f.EachRow(t.Context(), "Missing", func(Row) error { return nil }); err == nil {
		t.Error("EachRow on a missing sheet: no error")
	}
}

func TestOpenBad(t *testing.T) {
	t.Parallel()
	good := writeBook(t, func(x *excelize.File) { _ = x.SetCellValue("Sheet1", "A1", strings.Repeat("x", 5000)) })
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	trunc := filepath.Join(dir, "trunc.xlsx")
	if err := os.WriteFile(trunc, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "data.xlsx")
	if err := os.WriteFile(csv, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(trunc); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated: %v", err)
	}
	if _, err := Open(csv); !errors.Is(err, ErrUnsupported) {
		t.Errorf("csv: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "none.xlsx")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	if _, err := OpenWith(good, Options{UnzipSizeLimit: 1000, TmpDir: dir}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit: %v", err)
	}
}
