package exports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/normalize/countries"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// TemplateOptions choose the template's language and what it is pre-filled with.
type TemplateOptions struct {
	Lang    string // en, fr or es; anything else gives English
	Country string // alpha-3, optional: pre-selects the country
	Year    int    // optional: pre-fills the period 01/01/Year – 31/12/Year
	// Prefill, optional, puts a report's values in the input cells (tests,
	// the demo and benchmarks use it to produce filled templates). Every fact
	// must fit a cell of the template.
	Prefill *schema.Report
}

// WriteTemplate writes the Form H reporting template as an .xlsx workbook.
// The layout is formh's; the very hidden marker sheet lets
// ingest.ReadTemplate read it back in any language.
func WriteTemplate(w io.Writer, opts TemplateOptions) error {
	tw, err := newTemplateWriter(formh.Lang(opts.Lang))
	if err != nil {
		return err
	}
	defer tw.x.Close()
	steps := []func(TemplateOptions) error{
		tw.instructions, tw.lists, tw.cover, tw.casualties, tw.services, tw.commitments, tw.prefill, tw.marker, tw.finish,
	}
	for _, step := range steps {
		if err := step(opts); err != nil {
			return err
		}
	}
	if _, err := tw.x.WriteTo(w); err != nil {
		return fmt.Errorf("exports: template: write: %w", err)
	}
	return nil
}

type templateStyles struct {
	title, note, header, label, input, total, text, date, year int
}

type templateWriter struct {
	x    *excelize.File
	lang string
	st   templateStyles
}

func (tw *templateWriter) sheet(role string) string { return formh.SheetName(role, tw.lang) }

func newTemplateWriter(lang string) (*templateWriter, error) {
	x := excelize.NewFile()
	tw := &templateWriter{x: x, lang: lang}
	fail := func(err error) (*templateWriter, error) {
		_ = x.Close()
		return nil, fmt.Errorf("exports: template: %w", err)
	}
	if err := x.SetSheetName("Sheet1", tw.sheet(formh.RoleInstructions)); err != nil {
		return fail(err)
	}
	for _, role := range formh.Roles()[1:] {
		if _, err := x.NewSheet(tw.sheet(role)); err != nil {
			return fail(err)
		}
	}
	for _, name := range []string{formh.ListsSheet, formh.MarkerSheet} {
		if _, err := x.NewSheet(name); err != nil {
			return fail(err)
		}
	}
	if err := tw.styles(); err != nil {
		return fail(err)
	}
	return tw, nil
}

func (tw *templateWriter) styles() error {
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	unlocked := &excelize.Protection{Locked: false}
	locked := &excelize.Protection{Locked: true}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	dateFmt, countFmt := "dd/mm/yyyy", 3 // #,##0
	defs := []struct {
		id *int
		s  excelize.Style
	}{
		{&tw.st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "1F3864"}, Protection: locked}},
		{&tw.st.note, excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Protection: locked}},
		{&tw.st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("D9E1F2"), Border: border,
			Alignment: &excelize.Alignment{WrapText: true, Horizontal: "center", Vertical: "center"}, Protection: locked}},
		{&tw.st.label, excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Protection: locked}},
		{&tw.st.input, excelize.Style{Fill: fill("FFF2CC"), Border: border, NumFmt: countFmt, Alignment: &excelize.Alignment{Horizontal: "right"}, Protection: unlocked}},
		{&tw.st.total, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("FFE699"), Border: border, NumFmt: countFmt, Alignment: &excelize.Alignment{Horizontal: "right"}, Protection: unlocked}},
		{&tw.st.text, excelize.Style{Fill: fill("FFF2CC"), Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Protection: unlocked}},
		{&tw.st.date, excelize.Style{Fill: fill("FFF2CC"), Border: border, CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "left"}, Protection: unlocked}},
		{&tw.st.year, excelize.Style{Fill: fill("FFF2CC"), Border: border, NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "left"}, Protection: unlocked}},
	}
	for _, d := range defs {
		id, err := tw.x.NewStyle(&d.s)
		if err != nil {
			return fmt.Errorf("style: %w", err)
		}
		*d.id = id
	}
	return nil
}

// put writes a text cell with a style; the first error sticks in *err.
func (tw *templateWriter) put(err *error, sheet, ref, text string, style int) {
	if *err != nil {
		return
	}
	if *err = tw.x.SetCellStr(sheet, ref, text); *err == nil {
		*err = tw.x.SetCellStyle(sheet, ref, ref, style)
	}
}

func (tw *templateWriter) styleRange(err *error, sheet, from, to string, style int) {
	if *err == nil {
		*err = tw.x.SetCellStyle(sheet, from, to, style)
	}
}

// heading writes the sheet title in A1 and the note in A2.
func (tw *templateWriter) heading(err *error, role string, width int, note bool) {
	sh := tw.sheet(role)
	tw.put(err, sh, "A1", formh.Label(tw.lang, "title."+role), tw.st.title)
	if note {
		tw.put(err, sh, "A2", formh.Label(tw.lang, "note.input"), tw.st.note)
		if *err == nil {
			*err = tw.x.MergeCell(sh, "A2", formh.Ref(width, 2))
		}
		if *err == nil {
			*err = tw.x.SetRowHeight(sh, 2, 30)
		}
	}
}

func (tw *templateWriter) colWidths(err *error, sheet string, widths ...float64) {
	for i, wd := range widths {
		if *err == nil {
			*err = tw.x.SetColWidth(sheet, formh.ColName(i+1), formh.ColName(i+1), wd)
		}
	}
}

func (tw *templateWriter) instructions(TemplateOptions) error {
	var err error
	sh := tw.sheet(formh.RoleInstructions)
	tw.heading(&err, formh.RoleInstructions, 1, false)
	for i, line := range formh.Instructions(tw.lang) {
		tw.put(&err, sh, formh.Ref(1, i+3), "• "+line, tw.st.note)
	}
	tw.put(&err, sh, formh.Ref(1, len(formh.Instructions(tw.lang))+4), formh.FormatVersion, tw.st.note)
	tw.colWidths(&err, sh, 120)
	return templateWrap("instructions", err)
}

// lists writes the country names on the very hidden lists sheet: the list is
// far longer than the 255 characters an inline dropdown may hold.
func (tw *templateWriter) lists(TemplateOptions) error {
	areas := countries.All()
	names := make([]string, len(areas))
	for i, a := range areas {
		names[i] = countries.Name(a.Code, tw.lang)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(normalize.Fold(a), normalize.Fold(b)) })
	var err error
	for i, n := range names {
		if err == nil {
			err = tw.x.SetCellStr(formh.ListsSheet, formh.Ref(1, i+1), n)
		}
	}
	if err == nil {
		err = tw.x.SetDefinedName(&excelize.DefinedName{
			Name: formh.CountryListName, RefersTo: fmt.Sprintf("'%s'!$A$1:$A$%d", formh.ListsSheet, len(names)),
		})
	}
	return templateWrap("lists", err)
}

func (tw *templateWriter) dropList(err *error, sheet, sqref string, options []string) {
	if *err != nil {
		return
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = sqref
	if *err = dv.SetDropList(options); *err != nil {
		return
	}
	dv.SetInput(formh.Label(tw.lang, "prompt.list.title"), formh.Label(tw.lang, "prompt.list"))
	dv.SetError(excelize.DataValidationErrorStyleStop, formh.Label(tw.lang, "prompt.list.title"), formh.Label(tw.lang, "error.list"))
	*err = tw.x.AddDataValidation(sheet, dv)
}

// prompt adds a validation of type "none" that only shows a prompt: count
// cells must accept "unknown" and "≥50", so the server validates them.
func (tw *templateWriter) prompt(err *error, sheet, sqref, key string) {
	if *err != nil {
		return
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = sqref
	dv.Type = "none"
	title := formh.Label(tw.lang, key+".title")
	if key == "prompt.details" {
		title = formh.Label(tw.lang, "head.details")
	}
	dv.SetInput(title, formh.Label(tw.lang, key))
	*err = tw.x.AddDataValidation(sheet, dv)
}

func (tw *templateWriter) cover(opts TemplateOptions) error {
	var err error
	sh := tw.sheet(formh.RoleCover)
	tw.heading(&err, formh.RoleCover, 2, true)
	for _, f := range formh.CoverFields() {
		ref := formh.CoverRef(f)
		_, row, _ := excelize.CellNameToCoordinates(ref)
		tw.put(&err, sh, formh.Ref(1, row), formh.Label(tw.lang, "field."+f), tw.st.label)
		style := tw.st.text
		switch {
		case formh.IsDateField(f):
			style = tw.st.date
			tw.prompt(&err, sh, ref, "prompt.date")
		case f == formh.FieldLastYear:
			style = tw.st.year
			tw.prompt(&err, sh, ref, "prompt.year")
		case f == formh.FieldKind:
			tw.dropList(&err, sh, ref, formh.Options(tw.lang, "kind.", schema.ReportKinds))
		case f == formh.FieldFormH:
			tw.dropList(&err, sh, ref, formh.Options(tw.lang, "formh.", formh.FormHStatuses()))
		case f == formh.FieldCountry:
			if err == nil {
				dv := excelize.NewDataValidation(true)
				dv.Sqref = ref
				dv.SetSqrefDropList(formh.CountryListName)
				dv.SetInput(formh.Label(tw.lang, "prompt.list.title"), formh.Label(tw.lang, "prompt.list"))
				dv.SetError(excelize.DataValidationErrorStyleStop, formh.Label(tw.lang, "prompt.list.title"), formh.Label(tw.lang, "error.list"))
				err = tw.x.AddDataValidation(sh, dv)
			}
		}
		tw.styleRange(&err, sh, ref, ref, style)
	}
	tw.colWidths(&err, sh, 44, 40)
	if err != nil {
		return templateWrap("cover", err)
	}
	country := opts.Country
	if country == "" && opts.Prefill != nil {
		country = opts.Prefill.Country
	}
	if country != "" {
		name := countries.Name(country, tw.lang)
		if name == "" {
			return fmt.Errorf("exports: template: unknown country code %q", country)
		}
		tw.put(&err, sh, formh.CoverRef(formh.FieldCountry), name, tw.st.text)
	}
	if opts.Year != 0 {
		tw.putDate(&err, formh.FieldPeriodStart, time.Date(opts.Year, 1, 1, 0, 0, 0, 0, time.UTC))
		tw.putDate(&err, formh.FieldPeriodEnd, time.Date(opts.Year, 12, 31, 0, 0, 0, 0, time.UTC))
	}
	if opts.Year != 0 || opts.Prefill != nil {
		tw.put(&err, sh, formh.CoverRef(formh.FieldKind), formh.Label(tw.lang, "kind.annual"), tw.st.text)
	}
	return templateWrap("cover", err)
}

// putDate writes a date as an Excel serial number styled dd/mm/yyyy.
func (tw *templateWriter) putDate(err *error, field string, t time.Time) {
	if *err != nil || t.IsZero() {
		return
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	*err = tw.x.SetCellInt(tw.sheet(formh.RoleCover), formh.CoverRef(field), int64(day.Sub(base).Hours()/24))
}

// table writes one count table: title, header row, row labels, input cells.
func (tw *templateWriter) table(err *error, t formh.Table) {
	sh := tw.sheet(t.Role)
	title := formh.Ref(1, t.TitleRow)
	tw.put(err, sh, title, formh.Label(tw.lang, "table."+t.ID), tw.st.title)
	if *err == nil {
		*err = tw.x.MergeCell(sh, title, formh.Ref(t.LastCol(), t.TitleRow))
	}
	h := t.HeaderRow()
	if t.RowDim == formh.DimService {
		tw.put(err, sh, formh.Ref(1, h), formh.Label(tw.lang, "dimhead.pillar"), tw.st.header)
		tw.put(err, sh, formh.Ref(2, h), formh.Label(tw.lang, "dimhead.measure"), tw.st.header)
	} else {
		tw.put(err, sh, formh.Ref(1, h), formh.Label(tw.lang, "dimhead."+t.RowDim), tw.st.header)
	}
	for j, c := range t.Cols {
		tw.put(err, sh, formh.Ref(t.LabelCols+j+1, h), formh.ColLabel(tw.lang, t, c), tw.st.header)
	}
	if *err == nil {
		*err = tw.x.SetRowHeight(sh, h, 32)
	}
	for i, r := range t.Rows {
		row := t.FirstRow() + i
		if t.RowDim == formh.DimService {
			p, m := formh.SplitServiceRow(r)
			if m == schema.MeasureInNeed {
				tw.put(err, sh, formh.Ref(1, row), formh.Label(tw.lang, "row.pillar."+p), tw.st.label)
				if *err == nil {
					*err = tw.x.MergeCell(sh, formh.Ref(1, row), formh.Ref(1, row+1))
				}
			} else {
				tw.styleRange(err, sh, formh.Ref(1, row), formh.Ref(1, row), tw.st.label)
			}
			tw.put(err, sh, formh.Ref(2, row), formh.Label(tw.lang, "row.measure."+m), tw.st.label)
		} else {
			tw.put(err, sh, formh.Ref(1, row), formh.RowLabel(tw.lang, t, r), tw.st.label)
		}
	}
	last := len(t.Cols) - 1
	tw.styleRange(err, sh, t.Ref(0, 0), t.Ref(len(t.Rows)-1, last-1), tw.st.input)
	tw.styleRange(err, sh, t.Ref(0, last), t.Ref(len(t.Rows)-1, last), tw.st.total)
	tw.prompt(err, sh, t.Ref(0, 0)+":"+t.Ref(len(t.Rows)-1, last), "prompt.count")
}

func (tw *templateWriter) casualties(TemplateOptions) error {
	var err error
	sh := tw.sheet(formh.RoleCasualties)
	tw.heading(&err, formh.RoleCasualties, 7, true)
	for _, t := range formh.Tables() {
		if t.Role == formh.RoleCasualties {
			tw.table(&err, t)
		}
	}
	tw.colWidths(&err, sh, 36, 13, 13, 13, 13, 15, 14)
	if err == nil {
		err = tw.x.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 1, TopLeftCell: "B1", ActivePane: "topRight"})
	}
	return templateWrap("casualties", err)
}

func (tw *templateWriter) services(TemplateOptions) error {
	var err error
	sh := tw.sheet(formh.RoleServices)
	tw.heading(&err, formh.RoleServices, 8, true)
	for _, t := range formh.Tables() {
		if t.Role == formh.RoleServices {
			tw.table(&err, t)
		}
	}
	tw.colWidths(&err, sh, 40, 14, 13, 13, 13, 13, 15, 14)
	if err == nil {
		err = tw.x.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 2, TopLeftCell: "C1", ActivePane: "topRight"})
	}
	return templateWrap("services", err)
}

func (tw *templateWriter) commitments(TemplateOptions) error {
	var err error
	sh := tw.sheet(formh.RoleCommitments)
	tw.heading(&err, formh.RoleCommitments, 3, true)
	h := formh.CommitmentHeaderRow
	tw.put(&err, sh, formh.Ref(1, h), formh.Label(tw.lang, "head.commitment"), tw.st.header)
	tw.put(&err, sh, formh.Ref(2, h), formh.Label(tw.lang, "head.status"), tw.st.header)
	tw.put(&err, sh, formh.Ref(3, h), formh.Label(tw.lang, "head.details"), tw.st.header)
	for i, code := range schema.Commitments {
		row := h + 1 + i
		tw.put(&err, sh, formh.Ref(1, row), formh.Label(tw.lang, "commitment."+code), tw.st.label)
		tw.styleRange(&err, sh, formh.Ref(2, row), formh.Ref(2, row), tw.st.text)
		tw.styleRange(&err, sh, formh.Ref(3, row), formh.Ref(3, row), tw.st.text)
		if err == nil {
			err = tw.x.SetRowHeight(sh, row, 32)
		}
	}
	first, last := h+1, h+len(schema.Commitments)
	tw.dropList(&err, sh, fmt.Sprintf("B%d:B%d", first, last), formh.Options(tw.lang, "status.", schema.CommitmentState))
	tw.prompt(&err, sh, fmt.Sprintf("C%d:C%d", first, last), "prompt.details")
	tw.colWidths(&err, sh, 70, 16, 60)
	if err == nil {
		err = tw.x.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: h, TopLeftCell: formh.Ref(1, h+1), ActivePane: "bottomLeft"})
	}
	return templateWrap("commitments", err)
}

// marker writes the very hidden sheet that identifies the template: format,
// language, sheet names by role, and the codes of every input cell.
func (tw *templateWriter) marker(TemplateOptions) error {
	var rows [][]string
	rows = append(rows, []string{formh.MarkerFormat, formh.FormatVersion}, []string{formh.MarkerLanguage, tw.lang})
	for _, role := range formh.Roles() {
		rows = append(rows, []string{formh.MarkerSheetKey, role, tw.sheet(role)})
	}
	for _, b := range formh.Bindings() {
		rows = append(rows, []string{formh.MarkerCell, b.Role, b.Ref, b.Table, b.Row, b.Col})
	}
	var err error
	for i, r := range rows {
		for j, v := range r {
			if err == nil && v != "" {
				err = tw.x.SetCellStr(formh.MarkerSheet, formh.Ref(j+1, i+1), v)
			}
		}
	}
	return templateWrap("marker", err)
}

// finish protects every sheet, hides the helper sheets and opens on the
// instructions.
//
// The protection guards labels against slips, not against intent: it has no
// password (formh.Password is empty). excelize hashes a password with
// 100,000 rounds of SHA-512 per sheet, which made one template take about a
// second to write, and a documented password protects nothing; the server
// re-validates every cell anyway.
func (tw *templateWriter) finish(TemplateOptions) error {
	var err error
	for _, role := range formh.Roles() {
		if err == nil {
			err = tw.x.ProtectSheet(tw.sheet(role), &excelize.SheetProtectionOptions{
				AlgorithmName: "SHA-512", Password: formh.Password,
				SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true,
			})
		}
	}
	for _, name := range []string{formh.ListsSheet, formh.MarkerSheet} {
		if err == nil {
			err = tw.x.ProtectSheet(name, &excelize.SheetProtectionOptions{SelectLockedCells: true})
		}
		if err == nil {
			err = tw.x.SetSheetVisible(name, false, true)
		}
	}
	tw.x.SetActiveSheet(0)
	return templateWrap("finish", err)
}

func templateWrap(step string, err error) error {
	if err != nil {
		return fmt.Errorf("exports: template: %s: %w", step, err)
	}
	return nil
}
