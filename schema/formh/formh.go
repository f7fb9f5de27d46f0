// Package formh describes vahub's own Form H reporting template as data: the
// format version, the sheets and their roles, the tables with their row and
// column codes and cell positions, and how each cell maps to a fact. The
// writer (exports.WriteTemplate) and the reader (ingest.ReadTemplate) share
// it, so they cannot drift apart. Labels and issue messages in English,
// French and Spanish are in labels.go and messages.go. No I/O.
package formh

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vahub/vahub/schema"
)

// FormatVersion identifies this layout. A reader refuses other versions.
const FormatVersion = "vahub-formh-1"

// FormatPrefix starts every version of the template's format.
const FormatPrefix = "vahub-formh-"

// MarkerSheet is the very hidden sheet that makes a workbook a vahub
// template. Its name is the same in every language.
const MarkerSheet = "_vahub"

// ListsSheet is the very hidden sheet holding long dropdown lists.
const ListsSheet = "_lists"

// CountryListName is the defined name of the country dropdown's options.
const CountryListName = "vahub_countries"

// Password of the sheet protection that locks the label cells against
// accidental edits. It is empty on purpose: the protection is a guard rail,
// not security (the server re-validates everything it reads), and a
// password costs excelize 100,000 SHA-512 rounds per sheet when writing.
// Set it to a documented value if focal points should need one to unlock.
const Password = ""

// Languages the template is written in, the default first.
func Languages() []string { return []string{"en", "fr", "es"} }

// Lang returns lang when the template supports it, otherwise English.
func Lang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if slices.Contains(Languages(), lang) {
		return lang
	}
	return "en"
}

// Sheet roles: language-independent names of the sheets.
const (
	RoleInstructions = "instructions"
	RoleCover        = "cover"
	RoleCasualties   = "casualties"
	RoleServices     = "services"
	RoleCommitments  = "commitments"
)

// Roles in the order the sheets appear.
func Roles() []string {
	return []string{RoleInstructions, RoleCover, RoleCasualties, RoleServices, RoleCommitments}
}

// SheetName is the sheet of role in lang.
func SheetName(role, lang string) string { return Label(lang, "sheet."+role) }

// Marker sheet rows: column A holds the key. "format" and "language" have
// their value in B; "sheet" rows hold role (B) and sheet name (C); "cell"
// rows hold role (B), cell reference (C), table (D), row code (E) and
// column code (F) of every input cell.
const (
	MarkerFormat   = "format"
	MarkerLanguage = "language"
	MarkerYear     = "year"
	MarkerSheetKey = "sheet"
	MarkerCell     = "cell"
)

// Dimensions that rows and columns of a table set.
const (
	DimOutcome    = "outcome"
	DimSexAge     = "sex_age"
	DimDisability = "disability"
	DimCause      = "cause"
	DimCivilian   = "civilian_status"
	DimService    = "service" // pillar and measure
)

// Column codes. Every table's columns end with ColUnknown and ColTotal.
const (
	ColMen     = "men"
	ColWomen   = "women"
	ColBoys    = "boys"
	ColGirls   = "girls"
	ColUnknown = schema.Unknown
	ColTotal   = schema.Total
)

// Table is one grid of counts: a title row, a header row below it, then one
// row per row code. Labels fill the first LabelCols columns; counts follow.
type Table struct {
	ID        string // C1 … C4, S1, S2
	Role      string
	Optional  bool
	RowDim    string
	ColDim    string
	Rows      []string
	Cols      []string
	TitleRow  int // 1-based
	LabelCols int
}

// HeaderRow is the row of the column headers.
func (t Table) HeaderRow() int { return t.TitleRow + 1 }

// FirstRow is the row of the first data row.
func (t Table) FirstRow() int { return t.TitleRow + 2 }

// LastRow is the row of the last data row.
func (t Table) LastRow() int { return t.FirstRow() + len(t.Rows) - 1 }

// Ref is the A1 reference of the cell of row i and column j (0-based).
func (t Table) Ref(i, j int) string { return Ref(t.LabelCols+j+1, t.FirstRow()+i) }

// LastCol is the 1-based number of the table's last column.
func (t Table) LastCol() int { return t.LabelCols + len(t.Cols) }

// Ref is the A1 reference of column col and row row, both 1-based.
func Ref(col, row int) string { return ColName(col) + fmt.Sprint(row) }

// ColName is the letters of the 1-based column col.
func ColName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}

// ServiceRow is the row code of a pillar's measure in the service tables.
func ServiceRow(pillar, measure string) string { return pillar + "." + measure }

// SplitServiceRow is the inverse of ServiceRow.
func SplitServiceRow(code string) (pillar, measure string) {
	pillar, measure, _ = strings.Cut(code, ".")
	return pillar, measure
}

func serviceRows() []string {
	var rows []string
	for _, p := range schema.ServicePillars {
		rows = append(rows, ServiceRow(p, schema.MeasureInNeed), ServiceRow(p, schema.MeasureReached))
	}
	return rows
}

func sexAgeCols() []string {
	return []string{ColMen, ColWomen, ColBoys, ColGirls, ColUnknown, ColTotal}
}

func outcomeCols() []string { return []string{"killed", "injured", ColUnknown, ColTotal} }

func disabilityCols() []string { return []string{"yes", "no", ColUnknown, ColTotal} }

// Tables returns the count tables in sheet order.
func Tables() []Table {
	return []Table{
		{ID: "C1", Role: RoleCasualties, RowDim: DimOutcome, ColDim: DimSexAge,
			Rows: []string{"killed", "injured", schema.Unknown}, Cols: sexAgeCols(), TitleRow: 4, LabelCols: 1},
		{ID: "C2", Role: RoleCasualties, Optional: true, RowDim: DimDisability, ColDim: DimOutcome,
			Rows: []string{"yes", "no", schema.Unknown}, Cols: outcomeCols(), TitleRow: 10, LabelCols: 1},
		{ID: "C3", Role: RoleCasualties, Optional: true, RowDim: DimCause, ColDim: DimOutcome,
			Rows: []string{"cm_attack", "cm_remnant", "mine", "improvised_mine", "erw_other", schema.Unknown}, Cols: outcomeCols(), TitleRow: 16, LabelCols: 1},
		{ID: "C4", Role: RoleCasualties, Optional: true, RowDim: DimCivilian, ColDim: DimOutcome,
			Rows: []string{"civilian", "military", "deminer", schema.Unknown}, Cols: outcomeCols(), TitleRow: 25, LabelCols: 1},
		{ID: "S1", Role: RoleServices, RowDim: DimService, ColDim: DimSexAge,
			Rows: serviceRows(), Cols: sexAgeCols(), TitleRow: 4, LabelCols: 2},
		{ID: "S2", Role: RoleServices, Optional: true, RowDim: DimService, ColDim: DimDisability,
			Rows: serviceRows(), Cols: disabilityCols(), TitleRow: 17, LabelCols: 2},
	}
}

// TableByID returns the table with id.
func TableByID(id string) (Table, bool) {
	for _, t := range Tables() {
		if t.ID == id {
			return t, true
		}
	}
	return Table{}, false
}

// Cover fields: the "table" of cover cells is CoverTable, the row code the field.
const (
	CoverTable       = "cover"
	FieldCountry     = "country"
	FieldPeriodStart = "period_start"
	FieldPeriodEnd   = "period_end"
	FieldKind        = "kind"
	FieldSubmitted   = "submitted_on"
	FieldFormH       = "form_h_status"
	FieldLastYear    = "last_year"
)

// CoverFields in the order of the cover sheet's rows.
func CoverFields() []string {
	return []string{FieldCountry, FieldPeriodStart, FieldPeriodEnd, FieldKind, FieldSubmitted, FieldFormH, FieldLastYear}
}

// CoverFirstRow is the row of the first cover field; labels in A, input in B.
const CoverFirstRow = 3

// CoverRef is the input cell of a cover field.
func CoverRef(field string) string {
	return Ref(2, CoverFirstRow+slices.Index(CoverFields(), field))
}

// IsDateField reports whether a cover field holds a date.
func IsDateField(field string) bool {
	return field == FieldPeriodStart || field == FieldPeriodEnd || field == FieldSubmitted
}

// Form H status codes of the cover page.
const (
	FormHChanged       = "changed"
	FormHUnchanged     = "unchanged"
	FormHNotApplicable = "not_applicable"
)

// FormHStatuses are the options of the Form H status dropdown.
func FormHStatuses() []string {
	return []string{FormHChanged, FormHUnchanged, FormHNotApplicable}
}

// Commitment table: header row, then one row per schema.Commitments code with
// the question in A, the status in B and details in C.
const (
	CommitmentTable     = "K1"
	CommitmentHeaderRow = 3
	ColStatus           = "status"
	ColDetails          = "details"
)

// CommitmentRef is the cell of commitment code's status or details column.
func CommitmentRef(code, col string) string {
	c := 2
	if col == ColDetails {
		c = 3
	}
	return Ref(c, CommitmentHeaderRow+1+slices.Index(schema.Commitments, code))
}

// Binding says what one input cell of the template holds.
type Binding struct {
	Role  string
	Ref   string
	Table string // a Table ID, CoverTable or CommitmentTable
	Row   string
	Col   string
}

// Bindings lists every input cell of the template, in sheet order.
func Bindings() []Binding {
	var bs []Binding
	for _, f := range CoverFields() {
		bs = append(bs, Binding{Role: RoleCover, Ref: CoverRef(f), Table: CoverTable, Row: f})
	}
	for _, t := range Tables() {
		for i, r := range t.Rows {
			for j, c := range t.Cols {
				bs = append(bs, Binding{Role: t.Role, Ref: t.Ref(i, j), Table: t.ID, Row: r, Col: c})
			}
		}
	}
	for _, code := range schema.Commitments {
		for _, col := range []string{ColStatus, ColDetails} {
			bs = append(bs, Binding{Role: RoleCommitments, Ref: CommitmentRef(code, col), Table: CommitmentTable, Row: code, Col: col})
		}
	}
	return bs
}

// Valid reports whether b names a known table, row and column.
func (b Binding) Valid() bool {
	switch b.Table {
	case CoverTable:
		return b.Role == RoleCover && slices.Contains(CoverFields(), b.Row)
	case CommitmentTable:
		return b.Role == RoleCommitments && slices.Contains(schema.Commitments, b.Row) && (b.Col == ColStatus || b.Col == ColDetails)
	}
	t, ok := TableByID(b.Table)
	return ok && t.Role == b.Role && slices.Contains(t.Rows, b.Row) && slices.Contains(t.Cols, b.Col)
}

// sexAge maps a sex-and-age column to the fact's sex and age group.
func sexAge(col string) (sex, age string) {
	switch col {
	case ColMen:
		return "male", "adult"
	case ColWomen:
		return "female", "adult"
	case ColBoys:
		return "male", "child"
	case ColGirls:
		return "female", "child"
	case ColUnknown:
		return schema.Unknown, schema.Unknown
	}
	return schema.Total, schema.Total
}

func sexAgeCol(sex, age string) (string, bool) {
	for _, c := range sexAgeCols() {
		if s, a := sexAge(c); s == sex && a == age {
			return c, true
		}
	}
	return "", false
}

// CasualtyAt is the fact that cell (row, col) of casualty table t holds,
// without its value and lineage.
func CasualtyAt(t Table, row, col string) schema.Casualty {
	c := schema.Casualty{Scope: "new", Outcome: schema.Total, Sex: schema.Total, AgeGroup: schema.Total,
		Disability: schema.Total, Cause: schema.Total, CivilianStatus: schema.Total}
	switch t.RowDim {
	case DimOutcome:
		c.Outcome = row
	case DimDisability:
		c.Disability = row
	case DimCause:
		c.Cause = row
	case DimCivilian:
		c.CivilianStatus = row
	}
	switch t.ColDim {
	case DimSexAge:
		c.Sex, c.AgeGroup = sexAge(col)
	case DimOutcome:
		c.Outcome = col
	}
	return c
}

// ServiceAt is the fact that cell (row, col) of service table t holds,
// without its value and lineage.
func ServiceAt(t Table, row, col string) schema.Service {
	p, m := SplitServiceRow(row)
	s := schema.Service{Pillar: p, Measure: m, Sex: schema.Total, AgeGroup: schema.Total, Disability: schema.Total}
	switch t.ColDim {
	case DimSexAge:
		s.Sex, s.AgeGroup = sexAge(col)
	case DimDisability:
		s.Disability = col
	}
	return s
}

// CasualtyCell finds the table cell that holds c: the inverse of CasualtyAt.
func CasualtyCell(c schema.Casualty) (table, row, col string, ok bool) {
	if c.Scope != "new" || c.AgeBand != "" {
		return "", "", "", false
	}
	for _, t := range Tables() {
		if t.Role != RoleCasualties {
			continue
		}
		for _, r := range t.Rows {
			for _, cl := range t.Cols {
				if k := CasualtyAt(t, r, cl); k.Outcome == c.Outcome && k.Sex == c.Sex && k.AgeGroup == c.AgeGroup &&
					k.Disability == c.Disability && k.Cause == c.Cause && k.CivilianStatus == c.CivilianStatus {
					return t.ID, r, cl, true
				}
			}
		}
	}
	return "", "", "", false
}

// ServiceCell finds the table cell that holds s: the inverse of ServiceAt.
func ServiceCell(s schema.Service) (table, row, col string, ok bool) {
	if s.SubService != "" || s.AgeBand != "" || !schema.IsServicePillar(s.Pillar) {
		return "", "", "", false
	}
	row = ServiceRow(s.Pillar, s.Measure)
	if s.Disability == schema.Total {
		if c, ok := sexAgeCol(s.Sex, s.AgeGroup); ok {
			return "S1", row, c, true
		}
	}
	if s.Sex == schema.Total && s.AgeGroup == schema.Total && slices.Contains(disabilityCols(), s.Disability) {
		return "S2", row, s.Disability, true
	}
	return "", "", "", false
}
