package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema/survey"
)

// vahub survey form writes an XLSForm that passes the XLSForm rules and
// that ingest, given it by mistake, names as vahub's own form.
func TestSurveyForm(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "form.xlsx")
	r := mustRun(t, exitOK, "", "survey", "form", "-o", out)
	if !strings.Contains(r.stdout, "wrote "+out+" (XLSForm vahub_va_needs version "+survey.FormVersion+", 23 questions") {
		t.Errorf("stdout %q", r.stdout)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var x survey.XLSForm
	for name, rows := range map[string]*[][]string{"survey": &x.Survey, "choices": &x.Choices, "settings": &x.Settings} {
		if *rows, err = f.GetRows(name); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	if err := survey.ValidateXLSForm(x); err != nil {
		t.Fatal(err)
	}

	r = mustRun(t, exitFailed, "", "ingest", "--dry-run", "--json", out)
	var rep struct {
		Files []struct {
			Status, Format string
			Issues         []struct{ Code, Message string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(rep.Files) != 1 || rep.Files[0].Format != "non-data" || len(rep.Files[0].Issues) != 1 ||
		!strings.Contains(rep.Files[0].Issues[0].Message, "vahub's standard needs-assessment survey form itself") {
		t.Fatalf("ingest of the form: %s", r.stdout)
	}
}

func TestSurveyFormUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"survey"}, exitUsage, "form   write the standard"},
		{[]string{"survey", "forms"}, exitUsage, `unknown command "forms"`},
		{[]string{"survey", "form", "extra"}, exitUsage, "takes no arguments"},
		{[]string{"survey", "form", "-o", ""}, exitUsage, "takes no arguments"},
		{[]string{"survey", "form", "-o", filepath.Join(t.TempDir(), "no", "such", "dir.xlsx")}, exitInternal, "vahub survey form:"},
	}
	for _, tt := range tests {
		r := vahub(t, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("vahub %q: %s\nwant exit %d and %q", tt.args, r, tt.code, tt.want)
		}
	}
}

// Without -o the form goes to vahub-survey.xlsx in the current folder.
func TestSurveyFormDefaultName(t *testing.T) {
	t.Chdir(t.TempDir())
	mustRun(t, exitOK, "", "survey", "form")
	f, err := excelize.OpenFile("vahub-survey.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}
