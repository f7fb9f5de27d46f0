package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports/annotate"
	"github.com/vahub/vahub/schema/formh"
)

// A French focal point's template with bad cells comes back as their own
// workbook: bad cells red and commented in French, and a "Problèmes" sheet
// first that links to them.
func TestIngestAnnotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "rapport.xlsx")
	out := filepath.Join(dir, "annote.xlsx")
	mustRun(t, exitOK, "", "template", "--lang", "fr", "--country", "LAO", "--year", "2024", "-o", in)

	c1, _ := formh.TableByID("C1")
	sheet := formh.SheetName(formh.RoleCasualties, "fr")
	negative, text, good := c1.Ref(0, 0), c1.Ref(0, 1), c1.Ref(1, 0)
	x, err := excelize.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	err = x.SetCellInt(sheet, negative, -3)
	if err == nil {
		err = x.SetCellStr(sheet, text, "abc")
	}
	if err == nil {
		err = x.SetCellInt(sheet, good, 4)
	}
	if err == nil {
		err = x.Save()
	}
	x.Close()
	if err != nil {
		t.Fatal(err)
	}

	r := mustRun(t, exitFailed, unreachable, "ingest", "--dry-run", "--annotate", out, in)
	if !strings.Contains(r.stdout, "wrote "+out) {
		t.Errorf("no mention of the annotated copy:\n%s", r)
	}

	a, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got := a.GetSheetList(); got[0] != "Problèmes" || a.GetActiveSheetIndex() != 0 {
		t.Fatalf("sheets %q, active %d: want Problèmes first and active", got, a.GetActiveSheetIndex())
	}
	summary, _ := a.GetCellValue("Problèmes", "A1")
	if !strings.HasPrefix(summary, "2 erreurs") || !strings.HasSuffix(summary, "le fichier a été refusé.") {
		t.Errorf("summary %q", summary)
	}
	rows, err := a.GetRows("Problèmes")
	if err != nil {
		t.Fatal(err)
	}
	messages := map[string]string{}
	for i, row := range rows[4:] {
		if len(row) < 5 {
			t.Fatalf("short row %q", row)
		}
		messages[row[2]] = row[4]
		ok, target, _ := a.GetCellHyperLink("Problèmes", "C"+strconv.Itoa(i+5))
		col, r, _ := excelize.CellNameToCoordinates(row[2])
		abs, _ := excelize.CoordinatesToCellName(col, r, true)
		if want := "'" + sheet + "'!" + abs; row[1] == sheet && (!ok || target != want) {
			t.Errorf("row %d: link %v %q, want %q", i+5, ok, target, want)
		}
	}
	if !strings.Contains(messages[text], "« abc » n'est pas un nombre de personnes") {
		t.Errorf("message for %s: %q", text, messages[text])
	}
	if msg := messages[negative]; msg == "" || !strings.Contains(msg, "négati") {
		t.Errorf("message for %s: %q", negative, msg)
	}

	fill := func(cell string) string {
		id, _ := a.GetCellStyle(sheet, cell)
		st, err := a.GetStyle(id)
		if err != nil || len(st.Fill.Color) == 0 {
			return ""
		}
		return st.Fill.Color[0]
	}
	for _, c := range []string{negative, text} {
		if got := fill(c); got != annotate.FillError {
			t.Errorf("%s!%s fill %q, want red %q", sheet, c, got, annotate.FillError)
		}
	}
	if got := fill(good); got == annotate.FillError || got == annotate.FillWarning {
		t.Errorf("%s!%s (no issue) filled %q", sheet, good, got)
	}
	comments, _ := a.GetComments(sheet)
	found := 0
	for _, c := range comments {
		if (c.Cell == negative || c.Cell == text) && len(c.Paragraph) > 1 && c.Paragraph[0].Text == "Erreur: " {
			found++
		}
	}
	if found != 2 {
		t.Errorf("%d French comments on the bad cells, want 2: %+v", found, comments)
	}
	if os.Getenv("VAHUB_KEEP_ANNOTATED") != "" {
		b, _ := os.ReadFile(out)
		_ = os.WriteFile(os.Getenv("VAHUB_KEEP_ANNOTATED"), b, 0o644)
	}
}

func TestIngestAnnotateUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.xlsx"), filepath.Join(dir, "b.xlsx")
	for _, args := range [][]string{
		{"ingest", "--dry-run", "--annotate", filepath.Join(dir, "out.xlsx"), a, b},
		{"ingest", "--dry-run", "--annotate", a, a},
	} {
		r := vahub(t, unreachable, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--annotate") {
			t.Errorf("vahub %q: want a usage error about --annotate, got %s", args, r)
		}
	}
}

// A clean file still gets its copy, saying nothing was found; a CSV gets
// the list alone.
func TestIngestAnnotateCleanAndCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "form.xlsx")
	out := filepath.Join(dir, "out.xlsx")
	mustRun(t, exitOK, "", "template", "--lang", "es", "--country", "LAO", "--year", "2024", "-o", in)
	c1, _ := formh.TableByID("C1")
	x, err := excelize.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	if err = x.SetCellInt(formh.SheetName(formh.RoleCasualties, "es"), c1.Ref(0, 0), 2); err == nil {
		err = x.Save()
	}
	x.Close()
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, exitOK, unreachable, "ingest", "--dry-run", "--json", "--annotate", out, in)
	a, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := a.GetCellValue("Problemas", "A1")
	a.Close()
	if summary != "No se encontraron problemas — el archivo fue aceptado." {
		t.Errorf("summary %q", summary)
	}

	csv := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(csv, []byte("a;b\n1;2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, exitFailed, unreachable, "ingest", "--dry-run", "--annotate", out, csv)
	a, err = excelize.OpenFile(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	defer a.Close()
	if got := a.GetSheetList(); len(got) != 1 || got[0] != "Issues" {
		t.Errorf("CSV: sheets %q, want the Issues sheet alone", got)
	}
}
