package exports

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema/survey"
)

// WriteXLSForm writes form as an XLSForm workbook (sheets survey, choices,
// settings, in that order) that KoboToolbox and ODK Central accept as a
// form definition. Every cell is written as text: pyxform would read a
// numeric version "2026.1" back as a float, and choice codes must stay
// the strings the importers expect.
func WriteXLSForm(w io.Writer, form *survey.Form) error {
	x := form.XLSForm()
	if err := survey.ValidateXLSForm(x); err != nil {
		return fmt.Errorf("exports: xlsform: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("exports: xlsform: style: %w", err)
	}
	sheets := []struct {
		name   string
		rows   [][]string
		widths []float64 // first columns; the rest get the last width
	}{
		{"survey", x.Survey, []float64{26, 30, 50, 50, 50, 40, 40, 40, 10, 32, 28, 36, 36, 36, 14}},
		{"choices", x.Choices, []float64{16, 24, 40}},
		{"settings", x.Settings, []float64{40, 20, 12, 18}},
	}
	for i, s := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			return fmt.Errorf("exports: xlsform: sheet %s: %w", s.name, err)
		}
		if err := xlsformSheet(f, s.name, s.rows, s.widths, header); err != nil {
			return fmt.Errorf("exports: xlsform: sheet %s: %w", s.name, err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("exports: xlsform: write: %w", err)
	}
	return nil
}

func xlsformSheet(f *excelize.File, sheet string, rows [][]string, widths []float64, header int) error {
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	last, err := excelize.CoordinatesToCellName(len(rows[0]), 1)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", last, header); err != nil {
		return err
	}
	for j := range rows[0] {
		col, err := excelize.ColumnNumberToName(j + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, col, col, widths[min(j, len(widths)-1)]); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}
