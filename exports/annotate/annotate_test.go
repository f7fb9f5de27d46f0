package annotate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema"
)

// source builds the user's workbook: styled cells (bold, number formats,
// an existing fill), a merged range, an existing comment, a protected
// sheet, a sheet-scoped print area and a sheet already called "Issues".
func source(t *testing.T) string {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(x.SetSheetName("Sheet1", "Data"))
	_, err := x.NewSheet("Issues") // the user's own sheet of that name
	must(err)
	_, err = x.NewSheet("Men's table")
	must(err)
	style := func(s excelize.Style) int {
		id, err := x.NewStyle(&s)
		must(err)
		return id
	}
	pct := "0.00%"
	bold := style(excelize.Style{Font: &excelize.Font{Bold: true}})
	boldCount := style(excelize.Style{Font: &excelize.Font{Bold: true, Italic: true}, NumFmt: 3,
		Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}},
		Protection: &excelize.Protection{Locked: false}})
	percent := style(excelize.Style{CustomNumFmt: &pct, Border: []excelize.Border{{Type: "left", Color: "000000", Style: 1}}})
	for c := 'A'; c <= 'H'; c++ {
		must(x.SetCellStr("Data", string(c)+"1", "head "+string(c)))
		must(x.SetCellStyle("Data", string(c)+"1", string(c)+"1", bold))
	}
	must(x.SetCellInt("Data", "C7", 1234))
	must(x.SetCellStyle("Data", "C7", "C7", boldCount))
	must(x.SetCellStyle("Data", "C8", "C8", boldCount)) // same style, no issue
	must(x.SetCellFloat("Data", "B2", 0.25, 2, 64))
	must(x.SetCellStyle("Data", "B2", "B2", percent))
	must(x.SetCellStr("Data", "E10", "merged"))
	must(x.MergeCell("Data", "E10", "F11"))
	must(x.AddComment("Data", excelize.Comment{Cell: "B2", Author: "Ana", Text: "Checked with the ministry."}))
	must(x.SetCellStr("Men's table", "A3", "x"))
	must(x.ProtectSheet("Data", &excelize.SheetProtectionOptions{SelectLockedCells: true, FormatColumns: true}))
	must(x.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "Data!$A$1:$H$20", Scope: "Data"}))
	must(x.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "'Men''s table'!$A$1:$C$3", Scope: "Men's table"}))
	x.SetActiveSheet(1)
	p := filepath.Join(t.TempDir(), "report.xlsx")
	must(x.SaveAs(p))
	return p
}

var testIssues = []schema.Issue{
	{Severity: schema.SevError, Sheet: "Data", Cell: "C7", Code: "wrong_type", Message: "C7 is not a number."},
	{Severity: schema.SevWarning, Sheet: "Data", Cell: "$C$7", Code: "total_mismatch", Message: "The total differs."},
	{Severity: schema.SevWarning, Sheet: "data", Cell: "B2", Code: "unknown_code", Message: "Unusual share."},
	{Severity: schema.SevError, Code: "not_template", Message: "=HYPERLINK(\"http://evil\",\"x\")"},
	{Severity: schema.SevError, Sheet: "=Nope", Cell: "A1", Code: "missing_country", Message: "@SUM(1)"},
	{Severity: schema.SevWarning, Sheet: "Data", Cell: "F11", Code: "total_mismatch", Message: "-1 is off."},
	{Severity: schema.SevError, Sheet: "Men's table", Cell: "A3", Code: "negative_count", Message: "+5 is odd."},
}

func annotateTo(t *testing.T, src string, issues []schema.Issue, lang string) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(t.Context(), src, issues, lang, &buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func fillOf(t *testing.T, x *excelize.File, sheet, cell string) (*excelize.Style, string) {
	t.Helper()
	id, err := x.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := x.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return st, ""
	}
	return st, st.Fill.Color[0]
}

func TestWriteMarksCellsAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	src := source(t)
	orig, err := excelize.OpenFile(src)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	x := annotateTo(t, src, testIssues, "en")

	// The Issues sheet comes first, is active, and does not clobber the
	// user's own "Issues" sheet.
	if got, want := x.GetSheetList(), []string{"Issues (2)", "Data", "Issues", "Men's table"}; !slices.Equal(got, want) {
		t.Fatalf("sheets: got %q, want %q", got, want)
	}
	if x.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want 0", x.GetActiveSheetIndex())
	}

	// Exactly the problem cells changed their fill; the merged range is
	// filled whole.
	want := map[string]string{"C7": FillError, "B2": FillWarning, "E10": FillWarning, "F10": FillWarning, "E11": FillWarning, "F11": FillWarning}
	for row := 1; row <= 20; row++ {
		for col := 1; col <= 8; col++ {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			_, fill := fillOf(t, x, "Data", cell)
			_, was := fillOf(t, orig, "Data", cell)
			if w, ok := want[cell]; ok {
				if fill != w {
					t.Errorf("Data!%s: fill %q, want %q", cell, fill, w)
				}
			} else if fill != was {
				t.Errorf("Data!%s: fill changed from %q to %q", cell, was, fill)
			}
		}
	}
	if _, fill := fillOf(t, x, "Men's table", "A3"); fill != FillError {
		t.Errorf("Men's table!A3: fill %q, want %q", fill, FillError)
	}

	// Everything else about the styles is kept.
	c7, _ := fillOf(t, x, "Data", "C7")
	if c7.Font == nil || !c7.Font.Bold || !c7.Font.Italic || c7.NumFmt != 3 || c7.Protection == nil || c7.Protection.Locked {
		t.Errorf("Data!C7 lost its style: font %+v numFmt %d protection %+v", c7.Font, c7.NumFmt, c7.Protection)
	}
	c8, fill := fillOf(t, x, "Data", "C8")
	if fill != "FFFF00" || !c8.Font.Bold || c8.NumFmt != 3 {
		t.Errorf("Data!C8 (same style, no issue) changed: fill %q %+v", fill, c8)
	}
	b2, _ := fillOf(t, x, "Data", "B2")
	if b2.CustomNumFmt == nil || *b2.CustomNumFmt != "0.00%" || len(b2.Border) != 1 {
		t.Errorf("Data!B2 lost its number format or border: %+v", b2)
	}
	if v, _ := x.GetCellValue("Data", "B2"); v != "25.00%" {
		t.Errorf("Data!B2 shows %q, want 25.00%%", v)
	}

	// Comments: one per cell with all its messages; the user's comment stays.
	comments, err := x.GetComments("Data")
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]string{}
	for _, c := range comments {
		s := c.Text
		for _, r := range c.Paragraph {
			s += r.Text
		}
		text[c.Cell] = s
		if c.Author != Author {
			t.Errorf("comment on %s by %q, want %q", c.Cell, c.Author, Author)
		}
	}
	if len(text) != 3 {
		t.Errorf("comments on %d cells, want 3 (C7, B2, E10): %q", len(text), text)
	}
	for cell, parts := range map[string][]string{
		"C7":  {"Error: C7 is not a number.", "Warning: The total differs."},
		"B2":  {"Warning: Unusual share.", "Checked with the ministry."},
		"E10": {"Warning: -1 is off."},
	} {
		for _, p := range parts {
			if !strings.Contains(text[cell], p) {
				t.Errorf("comment on Data!%s = %q, want it to contain %q", cell, text[cell], p)
			}
		}
	}

	// Protection and sheet-scoped names survive the new first sheet.
	prot, err := x.GetSheetProtection("Data")
	if err != nil || !prot.SelectLockedCells || !prot.FormatColumns {
		t.Errorf("Data protection lost: %+v %v", prot, err)
	}
	scopes := map[string]string{}
	for _, dn := range x.GetDefinedName() {
		scopes[dn.Scope+" "+dn.Name] = dn.RefersTo
	}
	for k, v := range map[string]string{
		"Data _xlnm.Print_Area":            "Data!$A$1:$H$20",
		"Men's table _xlnm.Print_Area":     "'Men''s table'!$A$1:$C$3",
		"Issues (2) _xlnm._FilterDatabase": "'Issues (2)'!$A$4:$E$11",
	} {
		if scopes[k] != v {
			t.Errorf("defined name %q = %q, want %q (all: %q)", k, scopes[k], v, scopes)
		}
	}

	// The list.
	const sh = "Issues (2)"
	cell := func(c string) string {
		v, err := x.GetCellValue(sh, c)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := cell("A1"); got != "4 errors, 3 warnings — the file was rejected." {
		t.Errorf("summary %q", got)
	}
	if got := cell("A2"); got != "File: report.xlsx" {
		t.Errorf("file line %q", got)
	}
	for i, h := range []string{"Severity", "Sheet", "Cell", "Code", "Message"} {
		if got := cell(string(rune('A'+i)) + "4"); got != h {
			t.Errorf("header %d = %q, want %q", i, got, h)
		}
	}
	links := map[string]string{"C5": "'Data'!$C$7", "C6": "'Data'!$C$7", "C7": "'Data'!$B$2", "C10": "'Data'!$F$11", "C11": "'Men''s table'!$A$3"}
	for r := 5; r <= 11; r++ {
		c := "C" + strconv.Itoa(r)
		ok, target, err := x.GetCellHyperLink(sh, c)
		if err != nil {
			t.Fatal(err)
		}
		if want, has := links[c]; ok != has || target != want {
			t.Errorf("%s!%s: link %v %q, want %v %q", sh, c, ok, target, has, want)
		}
	}
	for c, want := range map[string]string{
		"A5": "Error", "A6": "Warning", "C6": "$C$7", "D5": "wrong_type",
		"E8":  "'=HYPERLINK(\"http://evil\",\"x\")", // formula injection neutralised
		"B9":  "'=Nope",
		"E9":  "'@SUM(1)",
		"E10": "'-1 is off.",
		"E11": "'+5 is odd.",
		"B8":  "", "C8": "",
	} {
		if got := cell(c); got != want {
			t.Errorf("%s!%s = %q, want %q", sh, c, got, want)
		}
	}
	if f, _ := x.GetCellFormula(sh, "E8"); f != "" {
		t.Errorf("E8 became a formula: %q", f)
	}
	panes, err := x.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 4 {
		t.Errorf("panes %+v %v", panes, err)
	}
}

func TestWriteLanguages(t *testing.T) {
	t.Parallel()
	src := source(t)
	tests := []struct {
		lang, sheet, summary string
		headers              []string
		sev                  string
	}{
		{"fr", "Problèmes", "4 erreurs, 3 avertissements — le fichier a été refusé.",
			[]string{"Gravité", "Feuille", "Cellule", "Code", "Message"}, "Erreur"},
		{"es", "Problemas", "4 errores, 3 advertencias — el archivo fue rechazado.",
			[]string{"Gravedad", "Hoja", "Celda", "Código", "Mensaje"}, "Error"},
		{"de", "Issues (2)", "4 errors, 3 warnings — the file was rejected.",
			[]string{"Severity", "Sheet", "Cell", "Code", "Message"}, "Error"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			x := annotateTo(t, src, testIssues, tt.lang)
			if got := x.GetSheetList()[0]; got != tt.sheet {
				t.Fatalf("first sheet %q, want %q", got, tt.sheet)
			}
			get := func(c string) string { v, _ := x.GetCellValue(tt.sheet, c); return v }
			if got := get("A1"); got != tt.summary {
				t.Errorf("summary %q, want %q", got, tt.summary)
			}
			for i, h := range tt.headers {
				if got := get(string(rune('A'+i)) + "4"); got != h {
					t.Errorf("header %d = %q, want %q", i, got, h)
				}
			}
			if got := get("A5"); got != tt.sev {
				t.Errorf("severity %q, want %q", got, tt.sev)
			}
			comments, _ := x.GetComments("Data")
			found := false
			for _, c := range comments {
				if c.Cell == "C7" && len(c.Paragraph) > 0 && strings.HasPrefix(c.Paragraph[0].Text, tt.sev+": ") {
					found = true
				}
			}
			if !found {
				t.Errorf("no comment on C7 starting with %q", tt.sev)
			}
		})
	}
}

func TestWriteSummaries(t *testing.T) {
	t.Parallel()
	w := func(n int) []schema.Issue {
		return slices.Repeat([]schema.Issue{{Severity: schema.SevWarning, Code: "x", Message: "m"}}, n)
	}
	e := []schema.Issue{{Severity: schema.SevError, Code: "x", Message: "m"}}
	tests := []struct {
		lang   string
		issues []schema.Issue
		want   string
	}{
		{"en", nil, "No problems found — the file was accepted."},
		{"fr", nil, "Aucun problème trouvé — le fichier a été accepté."},
		{"es", nil, "No se encontraron problemas — el archivo fue aceptado."},
		{"en", w(1), "0 errors, 1 warning — the file was accepted."},
		{"fr", w(1), "0 erreur, 1 avertissement — le fichier a été accepté."},
		{"fr", append(e, w(2)...), "1 erreur, 2 avertissements — le fichier a été refusé."},
		{"es", append(e, w(1)...), "1 error, 1 advertencia — el archivo fue rechazado."},
	}
	src := source(t)
	for _, tt := range tests {
		x := annotateTo(t, src, tt.issues, tt.lang)
		sh := x.GetSheetList()[0]
		if got, _ := x.GetCellValue(sh, "A1"); got != tt.want {
			t.Errorf("%s %d issues: %q, want %q", tt.lang, len(tt.issues), got, tt.want)
		}
	}
}

// A CSV (or anything that is not an .xlsx) gets a workbook with the list
// alone, saying why.
func TestWriteNotAWorkbook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"data.csv":    "#country,#affected\nLAO,-3\n",
		"broken.xlsx": "PK\x03\x04 not really a zip",
		"empty.xlsx":  "",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		issues := []schema.Issue{{Severity: schema.SevError, Sheet: name, Cell: "B2", Code: "negative_count", Message: "-3 is negative."}}
		x := annotateTo(t, p, issues, "fr")
		if got := x.GetSheetList(); !slices.Equal(got, []string{"Problèmes"}) {
			t.Fatalf("%s: sheets %q", name, got)
		}
		get := func(c string) string { v, _ := x.GetCellValue("Problèmes", c); return v }
		if got := get("A3"); !strings.Contains(got, "pas un classeur Excel") {
			t.Errorf("%s: note %q", name, got)
		}
		if get("C5") != "B2" || get("E5") != "'-3 is negative." {
			t.Errorf("%s: row %q %q", name, get("C5"), get("E5"))
		}
		if ok, _, _ := x.GetCellHyperLink("Problèmes", "C5"); ok {
			t.Errorf("%s: link to a sheet that is not there", name)
		}
	}
	// A file that does not exist: the list still comes back.
	x := annotateTo(t, filepath.Join(dir, "missing.xlsx"), nil, "en")
	if got, _ := x.GetCellValue("Issues", "A1"); got != "No problems found — the file was accepted." {
		t.Errorf("missing file: %q", got)
	}
}

func TestWriteCapsTheList(t *testing.T) {
	t.Parallel()
	issues := slices.Repeat([]schema.Issue{{Severity: schema.SevError, Sheet: "Data", Cell: "A1", Code: "x", Message: "m"}}, MaxIssues+5)
	x := annotateTo(t, source(t), issues, "en")
	sh := x.GetSheetList()[0]
	rows, err := x.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4+MaxIssues {
		t.Errorf("%d rows, want %d", len(rows), 4+MaxIssues)
	}
	if got, _ := x.GetCellValue(sh, "A1"); !strings.HasPrefix(got, "10005 errors") {
		t.Errorf("summary %q", got)
	}
	if got, _ := x.GetCellValue(sh, "A3"); !strings.Contains(got, "first 10000") {
		t.Errorf("note %q", got)
	}
}

func TestWriteCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Write(ctx, source(t), testIssues, "en", &bytes.Buffer{}); err == nil {
		t.Error("no error for a cancelled context")
	}
}
