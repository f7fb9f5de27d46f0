package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// FuzzOpen feeds arbitrary bytes to the reader every upload goes through:
// whatever arrives, it returns an error or rows, never a panic or a hang.
func FuzzOpen(f *testing.F) {
	wb := excelize.NewFile()
	_ = wb.SetCellValue("Sheet1", "A1", "Hommes")
	_ = wb.SetCellValue("Sheet1", "B2", 12)
	_ = wb.MergeCell("Sheet1", "A1", "B1")
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("country,year\nLAO,2024\n"))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("xl/workbook.xml")
	_, _ = w.Write([]byte("<workbook"))
	_ = zw.Close()
	f.Add(z.Bytes())
	f.Add([]byte{})

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "in.xlsx")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := Open(p)
		if err != nil {
			return
		}
		defer file.Close()
		sheets, err := file.Sheets()
		if err != nil {
			return
		}
		for _, s := range sheets {
			merged, _ := file.Merged(s)
			_ = file.EachRow(context.Background(), s, func(r Row) error {
				_ = Spread(r, merged)
				return nil
			})
		}
		_, _ = file.Date1904()
	})
}
