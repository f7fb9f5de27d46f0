package exports

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema/survey"
)

// TestWriteXLSForm reads the written workbook back as Kobo or ODK would
// and checks it against the XLSForm rules and the form's own rows.
func TestWriteXLSForm(t *testing.T) {
	form := survey.Standard()
	var buf bytes.Buffer
	if err := WriteXLSForm(&buf, form); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"survey", "choices", "settings"}) {
		t.Fatalf("sheets %q", got)
	}
	var back survey.XLSForm
	for _, s := range []struct {
		name string
		rows *[][]string
	}{{"survey", &back.Survey}, {"choices", &back.Choices}, {"settings", &back.Settings}} {
		rows, err := f.GetRows(s.name)
		if err != nil {
			t.Fatal(err)
		}
		*s.rows = rows
	}
	if err := survey.ValidateXLSForm(back); err != nil {
		t.Fatalf("the written workbook breaks the XLSForm rules:\n%v", err)
	}
	d, ok := survey.DescribeXLSForm(back)
	if !ok || !d.Ours {
		t.Fatalf("written form not recognised as ours: %+v", d)
	}
	want := form.XLSForm()
	for _, s := range []struct {
		name      string
		got, want [][]string
	}{{"survey", back.Survey, want.Survey}, {"choices", back.Choices, want.Choices}, {"settings", back.Settings, want.Settings}} {
		if len(s.got) != len(s.want) {
			t.Fatalf("%s: %d rows, want %d", s.name, len(s.got), len(s.want))
		}
		for i := range s.want {
			// GetRows drops trailing blank cells.
			if trimBlank(s.got[i]) != trimBlank(s.want[i]) {
				t.Fatalf("%s row %d:\n got %q\nwant %q", s.name, i+1, s.got[i], s.want[i])
			}
		}
	}
	// The version must be text: pyxform reads a numeric cell as a float.
	typ, err := f.GetCellType("settings", "C2")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("settings", "C2"); v != survey.FormVersion || typ == excelize.CellTypeNumber {
		t.Fatalf("version cell %q of type %v", v, typ)
	}
}

func trimBlank(row []string) string {
	return strings.TrimRight(strings.Join(row, "\t"), "\t")
}
