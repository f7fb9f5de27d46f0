package main

// End-to-end tests of the command line: run() with arguments, streams and an
// environment, against a real PostgreSQL database per test (DATABASE_URL
// from pgtest.NewURL). The gap workbook is checked against figures the test
// reads from the input workbooks itself, with excelize and the template's
// documented cell positions, not with vahub's reader.

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	_ "github.com/lib/pq"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

type result struct {
	code           int
	stdout, stderr string
}

// vahub runs the program with DATABASE_URL set to dbURL ("" for commands
// that need no database) and a private data folder, so no test ever touches
// the user's embedded cluster.
func vahub(t *testing.T, dbURL string, args ...string) result {
	t.Helper()
	env := map[string]string{"DATABASE_URL": dbURL, "VAHUB_DATA_DIR": t.TempDir()}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	return result{code, stdout.String(), stderr.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func mustRun(t *testing.T, want int, dbURL string, args ...string) result {
	t.Helper()
	r := vahub(t, dbURL, args...)
	if r.code != want {
		t.Fatalf("vahub %s: want exit %d, got %s", strings.Join(args, " "), want, r)
	}
	return r
}

// unreachable is a database URL nothing answers: commands that must not
// touch a database get it.
const unreachable = "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1"

func TestUsageErrorsAndHelp(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "x.xlsx")
	tests := []struct {
		name string
		args []string
		code int
		// stdout or stderr must contain this
		want string
	}{
		{"no command", nil, exitUsage, "Usage:"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown global flag", []string{"--bogus", "runs"}, exitUsage, "bogus"},
		{"bad log format", []string{"--log-format", "xml", "runs"}, exitUsage, "--log-format"},
		{"template without -o", []string{"template", "--lang", "fr"}, exitUsage, "-o FILE.xlsx"},
		{"template bad lang", []string{"template", "--lang", "de", "-o", out}, exitUsage, "--lang"},
		{"template bad country", []string{"template", "--country", "Atlantis", "-o", out}, exitUsage, "unknown country"},
		{"template unknown flag", []string{"template", "--colour", "red", "-o", out}, exitUsage, "colour"},
		{"export without kind", []string{"export"}, exitUsage, "export gap"},
		{"export other kind", []string{"export", "pdf"}, exitUsage, "export gap"},
		{"export gap without -o", []string{"export", "gap", "--country", "LAO"}, exitUsage, "-o FILE.xlsx"},
		{"export gap years reversed", []string{"export", "gap", "-o", out, "--from", "2024", "--to", "2020"}, exitUsage, "--to"},
		{"ingest without files", []string{"ingest", "--json"}, exitUsage, "at least one file"},
		{"ingest bad status", []string{"ingest", "--status", "published", "a.xlsx"}, exitUsage, "--status"},
		{"demo extra argument", []string{"demo", "extra"}, exitUsage, "unexpected argument"},
		{"demo years reversed", []string{"demo", "--from", "2024", "--to", "2022"}, exitUsage, "--to"},
		{"migrate unknown action", []string{"migrate", "sideways"}, exitUsage, "sideways"},
		{"db without action", []string{"db"}, exitUsage, "start, stop or url"},
		{"db with DATABASE_URL", []string{"db", "start"}, exitUsage, "DATABASE_URL is set"},

		{"--help", []string{"--help"}, exitOK, "Commands:"},
		{"help", []string{"help"}, exitOK, "Commands:"},
		{"version", []string{"version"}, exitOK, "vahub "},
		{"demo --help", []string{"demo", "--help"}, exitOK, "Usage: vahub demo"},
		{"template --help", []string{"template", "--help"}, exitOK, "Usage: vahub template"},
		{"ingest --help", []string{"ingest", "--help"}, exitOK, "Usage: vahub ingest"},
		{"ingest -h", []string{"ingest", "-h"}, exitOK, "Usage: vahub ingest"},
		{"export --help", []string{"export", "--help"}, exitOK, "Usage: vahub export gap"},
		{"export gap --help", []string{"export", "gap", "--help"}, exitOK, "Usage: vahub export gap"},
		{"runs --help", []string{"runs", "--help"}, exitOK, "Usage: vahub runs"},
		{"migrate --help", []string{"migrate", "--help"}, exitOK, "Usage: vahub migrate"},
		{"db --help", []string{"db", "--help"}, exitOK, "Usage: vahub db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// An unreachable database: none of these may connect.
			r := vahub(t, unreachable, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("vahub %q: want exit %d and %q, got %s", tt.args, tt.code, tt.want, r)
			}
			if tt.code == exitOK && r.stdout == "" {
				t.Error("help went to stderr, not stdout")
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a usage error wrote the output file")
	}
	if _, err := os.Stat("vahub-demo"); err == nil {
		t.Error("demo --help created the demo folder")
	}
}

// keys returns a JSON object's keys, sorted.
func keys(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %T %v", v, v)
	}
	return slices.Sorted(maps.Keys(m))
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestTemplateThenDryRunJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x := filepath.Join(dir, "X.xlsx")
	r := mustRun(t, exitOK, "", "template", "--lang", "fr", "--country", "LAO", "--year", "2024", "-o", x)
	if !strings.Contains(r.stdout, x) {
		t.Errorf("template output does not name the file: %s", r)
	}

	// The empty template: rejected (no facts), exit 1, and a dry run needs no
	// database (the URL points nowhere).
	r = mustRun(t, exitFailed, unreachable, "ingest", "--dry-run", "--json", x)
	var doc any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	if got := keys(t, doc); !slices.Equal(got, []string{"files"}) {
		t.Fatalf("top-level keys %v", got)
	}
	files, _ := doc.(map[string]any)["files"].([]any)
	if len(files) != 1 {
		t.Fatalf("files: %v", doc)
	}
	f := files[0].(map[string]any)
	if got := keys(t, f); !slices.Equal(got, []string{"country", "facts", "format", "issues", "path", "period", "sha256", "status"}) {
		t.Errorf("file keys %v", got)
	}
	if got := keys(t, f["period"]); !slices.Equal(got, []string{"end", "start"}) {
		t.Errorf("period keys %v", got)
	}
	period := f["period"].(map[string]any)
	if f["path"] != x || f["sha256"] != fileSHA(t, x) || f["status"] != "rejected" || f["format"] != "vahub-template" ||
		f["country"] != "LAO" || period["start"] != "2024-01-01" || period["end"] != "2024-12-31" || f["facts"] != float64(0) {
		t.Errorf("file: %v", f)
	}
	issues, _ := f["issues"].([]any)
	if len(issues) != 1 {
		t.Fatalf("issues: %v", f["issues"])
	}
	if got := keys(t, issues[0]); !slices.Equal(got, []string{"cell", "code", "message", "severity", "sheet"}) {
		t.Errorf("issue keys %v", got)
	}
	is := issues[0].(map[string]any)
	if is["severity"] != "error" || is["sheet"] != "Rapport" || is["cell"] != "" || is["code"] != "no_facts" || is["message"] == "" {
		t.Errorf("issue: %v", is)
	}

	// The same template filled in: a clean dry run, exit 0, issues [] not null.
	rep := sample.Report(sample.Country{Code: "LAO", Lang: "fr", Scale: 20}, 2024)
	filled := filepath.Join(dir, "filled.xlsx")
	writeTemplateFile(t, filled, rep)
	r = mustRun(t, exitOK, unreachable, "ingest", "--dry-run", "--json", filled)
	var clean struct {
		Files []struct {
			Status string           `json:"status"`
			Facts  int              `json:"facts"`
			Issues *json.RawMessage `json:"issues"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &clean); err != nil {
		t.Fatal(err)
	}
	if len(clean.Files) != 1 || clean.Files[0].Status != "dry_run" || clean.Files[0].Facts != rep.FactCount() ||
		clean.Files[0].Issues == nil || string(*clean.Files[0].Issues) != "[]" {
		t.Errorf("clean dry run: %s", r.stdout)
	}
	// Flags after the files work too, and the text output says what happened.
	r = mustRun(t, exitFailed, unreachable, "ingest", filled, x, "--dry-run")
	if !strings.Contains(r.stdout, "dry_run") || !strings.Contains(r.stdout, "rejected") || !strings.Contains(r.stdout, "no_facts") {
		t.Errorf("text output: %s", r)
	}
}

func writeTemplateFile(t *testing.T, path string, r *schema.Report) {
	t.Helper()
	var buf bytes.Buffer
	if err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: r.Language, Country: r.Country, Year: r.Year, Prefill: r}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestIngestExitCodes(t *testing.T) {
	t.Parallel()
	url := pgtest.NewURL(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xlsx")
	writeTemplateFile(t, good, sample.Report(sample.DemoCountries[0], 2024))
	empty := filepath.Join(dir, "empty.xlsx")
	mustRun(t, exitOK, "", "template", "--country", "LAO", "--year", "2023", "-o", empty)
	csv := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(csv, []byte("country,year,killed\nLAO,2024,5\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	r := mustRun(t, exitOK, url, "ingest", good)
	if !strings.Contains(r.stdout, "ingested") {
		t.Errorf("ingest: %s", r)
	}
	r = mustRun(t, exitOK, url, "ingest", good)
	if !strings.Contains(r.stdout, "duplicate") {
		t.Errorf("second ingest: %s", r)
	}
	mustRun(t, exitFailed, url, "ingest", empty)
	mustRun(t, exitFailed, url, "ingest", filepath.Join(dir, "missing.xlsx"))
	// A file of the wrong kind is a rejection (1), not a failure of the run
	// (3), and the files after it are still ingested.
	r = mustRun(t, exitFailed, url, "ingest", "--json", csv, good)
	var res struct {
		Files []struct {
			Status string `json:"status"`
			Issues []struct {
				Code string `json:"code"`
			} `json:"issues"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(res.Files) != 2 || res.Files[0].Status != "rejected" || len(res.Files[0].Issues) != 1 ||
		res.Files[0].Issues[0].Code != "not_template" || res.Files[1].Status != "duplicate" {
		t.Errorf("csv then template: %s", r.stdout)
	}
}

func TestMigrateRequiredOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	url := pgtest.NewEmptyURL(t)
	good := filepath.Join(t.TempDir(), "good.xlsx")
	writeTemplateFile(t, good, sample.Report(sample.DemoCountries[1], 2024))

	for _, args := range [][]string{{"ingest", good}, {"runs"}, {"export", "gap", "-o", filepath.Join(t.TempDir(), "g.xlsx")}} {
		r := vahub(t, url, args...)
		if r.code != exitInternal || !strings.Contains(r.stderr, "out of date: run `vahub migrate`") {
			t.Errorf("vahub %s on an empty database: want exit %d and the migrate hint, got %s", args[0], exitInternal, r)
		}
	}
	r := mustRun(t, exitFailed, url, "migrate", "status")
	if !strings.Contains(r.stdout, "migrations pending") {
		t.Errorf("migrate status: %s", r)
	}
	// Refusing changed nothing: an external database's schema changes only
	// with `vahub migrate`.
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	var tables int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if tables != 0 {
		t.Errorf("the refusals created %d tables in the unmigrated database", tables)
	}

	r = mustRun(t, exitOK, url, "migrate")
	if !strings.Contains(r.stdout, "up to date") {
		t.Errorf("migrate: %s", r)
	}
	mustRun(t, exitOK, url, "migrate", "status")
	mustRun(t, exitOK, url, "migrate") // again: nothing to do
	mustRun(t, exitOK, url, "ingest", good)
	r = mustRun(t, exitOK, url, "runs", "--json")
	var runs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &runs); err != nil || len(runs) != 1 || runs[0]["files_ingested"] != float64(1) {
		t.Errorf("runs after migrate: %v %s", err, r)
	}
}

// The template's layout, as its documentation describes it, kept here
// independently of package formh: casualties table C1 (outcome × sex and
// age), C2 (disability × outcome), C3 (cause × outcome), C4 (civilian
// status × outcome); services S1 (pillar and measure × sex and age), S2
// (pillar and measure × disability).
var (
	sheetNames = map[string][4]string{ // lang → cover, casualties, services, commitments
		"en": {"Report", "Casualties", "Services", "Commitments"},
		"fr": {"Rapport", "Victimes", "Services", "Engagements"},
		"es": {"Informe", "Víctimas", "Servicios", "Compromisos"},
	}
	sexAgeCols = []struct{ sex, age string }{
		{"male", "adult"}, {"female", "adult"}, {"male", "child"}, {"female", "child"}, {"unknown", "unknown"}, {"total", "total"},
	}
	outcomeCols = []string{"killed", "injured", "unknown", "total"}
	pillars     = []string{"data_collection", "medical_care", "rehabilitation", "psychosocial_support", "socioeconomic_inclusion"}
	casTables   = []struct {
		dim      string // the dimension the rows set
		firstRow int
		rows     []string
	}{
		{"disability", 12, []string{"yes", "no", "unknown"}},
		{"cause", 18, []string{"cm_attack", "cm_remnant", "mine", "improvised_mine", "erw_other", "unknown"}},
		{"civilian_status", 27, []string{"civilian", "military", "deminer", "unknown"}},
	}
)

func col(n int) string { s, _ := excelize.ColumnNumberToName(n); return s }

// input is what one generated workbook holds, keyed the way the gap
// workbook's rows are.
type input struct {
	killed, injured, outcomeUnknown string // C1 row sums ("" when the row is blank)
	// casualty cells by "outcome sex age disability cause civilian_status"
	casualties map[string]string
	// service cells by "pillar sex age disability" → [in_need, reached]
	services map[string][2]string
	// commitments with a status or details (rows 4–10, columns B and C)
	commitments int
}

// readInput reads a generated form-h workbook with excelize alone.
func readInput(t *testing.T, path, lang string) input {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	names := sheetNames[lang]
	cell := func(sheet, ref string) string {
		v, err := x.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("%s!%s: %v", sheet, ref, err)
		}
		if v != "" {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				t.Fatalf("%s %s!%s holds %q, not a whole number", filepath.Base(path), sheet, ref, v)
			}
		}
		return v
	}
	in := input{casualties: map[string]string{}, services: map[string][2]string{}}
	// C1: rows 6–8 killed, injured, unknown; columns B–F the parts, G the total.
	sums := make([]string, 3)
	for i, outcome := range []string{"killed", "injured", "unknown"} {
		row := 6 + i
		var sum int64
		var any bool
		for j, sa := range sexAgeCols {
			v := cell(names[1], col(2+j)+strconv.Itoa(row))
			if v == "" {
				continue
			}
			in.casualties[fmt.Sprintf("%s %s %s total total total", outcome, sa.sex, sa.age)] = v
			if sa.sex == "total" {
				t.Fatalf("%s: the demo states a C1 total; this test sums parts only", path)
			}
			n, _ := strconv.ParseInt(v, 10, 64)
			sum += n
			any = true
		}
		if any {
			sums[i] = strconv.FormatInt(sum, 10)
		}
	}
	in.killed, in.injured, in.outcomeUnknown = sums[0], sums[1], sums[2]
	for _, tb := range casTables {
		for i, r := range tb.rows {
			for j, outcome := range outcomeCols {
				v := cell(names[1], col(2+j)+strconv.Itoa(tb.firstRow+i))
				if v == "" {
					continue
				}
				dims := map[string]string{"disability": "total", "cause": "total", "civilian_status": "total"}
				dims[tb.dim] = r
				in.casualties[fmt.Sprintf("%s total total %s %s %s", outcome, dims["disability"], dims["cause"], dims["civilian_status"])] = v
			}
		}
	}
	// S1 from row 6 and S2 from row 19: two rows per pillar (in need,
	// reached), counts from column C.
	for pi, p := range pillars {
		for m := range 2 {
			for j, sa := range sexAgeCols {
				if v := cell(names[2], col(3+j)+strconv.Itoa(6+2*pi+m)); v != "" {
					k := fmt.Sprintf("%s %s %s total", p, sa.sex, sa.age)
					pair := in.services[k]
					pair[m] = v
					in.services[k] = pair
				}
			}
			for j, d := range []string{"yes", "no", "unknown", "total"} {
				if v := cell(names[2], col(3+j)+strconv.Itoa(19+2*pi+m)); v != "" {
					k := fmt.Sprintf("%s total total %s", p, d)
					pair := in.services[k]
					pair[m] = v
					in.services[k] = pair
				}
			}
		}
	}
	for row := 4; row <= 10; row++ {
		status, _ := x.GetCellValue(names[3], "B"+strconv.Itoa(row))
		details, _ := x.GetCellValue(names[3], "C"+strconv.Itoa(row))
		if status != "" || details != "" {
			in.commitments++
		}
	}
	return in
}

// sheet is one data sheet of the gap workbook: header, HXL row, data rows.
type sheet struct {
	header []string
	hxl    []string
	rows   []map[string]string
}

func readGap(t *testing.T, path string) ([]string, map[string]sheet) {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	out := map[string]sheet{}
	for _, name := range x.GetSheetList() {
		rows, err := x.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 1 {
			t.Fatalf("sheet %s is empty", name)
		}
		s := sheet{header: rows[0]}
		first := 1
		if name != "Definitions" {
			if len(rows) < 2 {
				t.Fatalf("sheet %s has no HXL row", name)
			}
			s.hxl, first = rows[1], 2
		}
		for _, r := range rows[first:] {
			m := map[string]string{}
			for i, h := range s.header {
				if i < len(r) {
					m[h] = r[i]
				} else {
					m[h] = ""
				}
			}
			s.rows = append(s.rows, m)
		}
		out[name] = s
	}
	return x.GetSheetList(), out
}

// runRow is a run as `vahub runs --json` prints it.
type runRow struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"`
	Status         string `json:"status"`
	FilesSeen      int    `json:"files_seen"`
	FilesIngested  int    `json:"files_ingested"`
	FilesRejected  int    `json:"files_rejected"`
	FilesDuplicate int    `json:"files_duplicate"`
	Facts          int    `json:"facts"`
	StartedBy      string `json:"started_by"`
}

var demoName = regexp.MustCompile(`^form-h-([A-Z]{3})-(\d{4})-(en|fr|es)\.xlsx$`)

func TestDemoEndToEnd(t *testing.T) {
	t.Parallel()
	url := pgtest.NewURL(t)
	dir := t.TempDir()
	demoDir, gapPath := filepath.Join(dir, "demo"), filepath.Join(dir, "gap-analysis.xlsx")
	r := mustRun(t, exitOK, url, "demo", "--dir", demoDir, "-o", gapPath)
	if !strings.Contains(r.stdout, "16 new") || !strings.Contains(r.stdout, "0 rejected") {
		t.Errorf("demo output: %s", r)
	}

	// The inputs, read independently of vahub.
	paths, _ := filepath.Glob(filepath.Join(demoDir, "form-h-*.xlsx"))
	if len(paths) != len(sample.DemoCountries)*3 {
		t.Fatalf("demo wrote %d workbooks, want %d: %v", len(paths), len(sample.DemoCountries)*3, paths)
	}
	inputs := map[string]input{} // "LAO 2023" → input
	wantFacts := 0
	for _, p := range paths {
		m := demoName.FindStringSubmatch(filepath.Base(p))
		if m == nil {
			t.Fatalf("unexpected file name %s", p)
		}
		in := readInput(t, p, m[3])
		inputs[m[1]+" "+m[2]] = in
		wantFacts += len(in.casualties) + in.commitments
		for _, pair := range in.services {
			for _, v := range pair {
				if v != "" {
					wantFacts++
				}
			}
		}
	}

	names, gap := readGap(t, gapPath)
	wantSheets := append([]string{"Summary"}, pillars...)
	wantSheets = append(wantSheets, "Casualties", "Commitments", "Commitment status", "Reconciliation", "Sources", "Disclosure", "Definitions")
	if !slices.Equal(names, wantSheets) {
		t.Errorf("sheets %q, want %q", names, wantSheets)
	}
	t.Run("survey", func(t *testing.T) { checkDemoSurvey(t, r.stdout, demoDir, inputs["LAO 2024"], gap) })
	for _, name := range names {
		if name == "Definitions" {
			continue
		}
		s := gap[name]
		if len(s.hxl) == 0 || !strings.HasPrefix(s.hxl[0], "#") {
			t.Errorf("%s: row 2 is not the HXL row: %q", name, s.hxl)
		}
		for i, tag := range s.hxl {
			if tag != "" && !strings.HasPrefix(tag, "#") {
				t.Errorf("%s: HXL row column %d is %q", name, i+1, tag)
			}
		}
	}

	// Summary: one row per country-year with the C1 sums; outcome_unknown
	// was not reported anywhere, so it is blank, never 0.
	summary := gap["Summary"]
	if len(summary.rows) != len(inputs) {
		t.Errorf("Summary has %d rows, want %d", len(summary.rows), len(inputs))
	}
	for _, row := range summary.rows {
		key := row["country"] + " " + row["year"]
		in, ok := inputs[key]
		if !ok {
			t.Errorf("Summary row for %s, which no input reports", key)
			continue
		}
		total := ""
		if in.killed != "" && in.injured != "" {
			k, _ := strconv.ParseInt(in.killed, 10, 64)
			i, _ := strconv.ParseInt(in.injured, 10, 64)
			total = strconv.FormatInt(k+i, 10)
		}
		if row["killed"] != in.killed || row["injured"] != in.injured || row["outcome_unknown"] != in.outcomeUnknown || row["casualties_total"] != total {
			t.Errorf("Summary %s: killed %q injured %q unknown %q total %q; inputs say %q %q %q %q",
				key, row["killed"], row["injured"], row["outcome_unknown"], row["casualties_total"], in.killed, in.injured, in.outcomeUnknown, total)
		}
	}

	// Pillar sheets: every row's in_need and reached are the input's cells,
	// blank where the input is blank; every input group has its row.
	for _, p := range pillars {
		seen := map[string]bool{}
		for _, row := range gap[p].rows {
			key := row["country"] + " " + row["year"]
			in, ok := inputs[key]
			if !ok {
				t.Errorf("%s: row for %s, which no input reports", p, key)
				continue
			}
			group := fmt.Sprintf("%s %s %s %s", row["pillar"], row["sex"], row["age_group"], row["disability"])
			want, ok := in.services[group]
			if !ok || row["pillar"] != p {
				t.Errorf("%s %s: row %q holds no input group", p, key, group)
				continue
			}
			seen[key+" "+group] = true
			if row["in_need"] != want[0] || row["reached"] != want[1] {
				t.Errorf("%s %s %s: in_need %q reached %q, inputs say %q %q", p, key, group, row["in_need"], row["reached"], want[0], want[1])
			}
			if want[0] != "" && want[1] != "" {
				need, _ := strconv.ParseInt(want[0], 10, 64)
				reached, _ := strconv.ParseInt(want[1], 10, 64)
				if row["unmet"] != strconv.FormatInt(need-reached, 10) {
					t.Errorf("%s %s %s: unmet %q, want %d", p, key, group, row["unmet"], need-reached)
				}
				cov, err := strconv.ParseFloat(row["coverage"], 64)
				if need > 0 && (err != nil || math.Abs(cov-float64(reached)/float64(need)) > 1e-9) {
					t.Errorf("%s %s %s: coverage %q, want %d/%d", p, key, group, row["coverage"], reached, need)
				}
			} else if row["unmet"] != "" || row["coverage"] != "" {
				t.Errorf("%s %s %s: unmet %q coverage %q from a figure not reported", p, key, group, row["unmet"], row["coverage"])
			}
		}
		for key, in := range inputs {
			for group := range in.services {
				if strings.HasPrefix(group, p+" ") && !seen[key+" "+group] {
					t.Errorf("%s: no row for %s %s", p, key, group)
				}
			}
		}
	}

	// Casualties: every reported cell once, with its number; nothing else.
	seen := map[string]bool{}
	for _, row := range gap["Casualties"].rows {
		key := row["country"] + " " + row["year"]
		fact := fmt.Sprintf("%s %s %s %s %s %s", row["outcome"], row["sex"], row["age_group"], row["disability"], row["cause"], row["civilian_status"])
		want, ok := inputs[key].casualties[fact]
		if !ok || seen[key+" "+fact] {
			t.Errorf("Casualties: row %s %s is not an input cell or comes twice", key, fact)
			continue
		}
		seen[key+" "+fact] = true
		if row["people"] != want {
			t.Errorf("Casualties %s %s: people %q, input says %q", key, fact, row["people"], want)
		}
	}
	for key, in := range inputs {
		for fact := range in.casualties {
			if !seen[key+" "+fact] {
				t.Errorf("Casualties: no row for %s %s", key, fact)
			}
		}
	}

	t.Run("not reported stays blank", func(t *testing.T) {
		// A year outside the demo's: killed men unknown, withheld in need.
		rep := sample.Report(sample.DemoCountries[0], 2021)
		if c := rep.Casualties[0]; c.Outcome != "killed" || c.Sex != "male" || c.AgeGroup != "adult" {
			t.Fatalf("sample changed: first casualty %+v", c)
		}
		if s := rep.Services[0]; s.Pillar != "data_collection" || s.Measure != "in_need" || s.Sex != "male" || s.AgeGroup != "adult" {
			t.Fatalf("sample changed: first service %+v", s)
		}
		rep.Casualties[0].Value = schema.Value{State: schema.StateUnknown}
		rep.Services[0].Value = schema.Value{State: schema.StateWithheld}
		reached := *rep.Services[1].People
		var knownKilled int64
		for _, c := range rep.Casualties[1:5] {
			knownKilled += *c.People
		}
		file := filepath.Join(t.TempDir(), "lao-2021.xlsx")
		writeTemplateFile(t, file, rep)
		mustRun(t, exitOK, url, "ingest", file)
		out := filepath.Join(t.TempDir(), "2021.xlsx")
		mustRun(t, exitOK, url, "export", "gap", "--country", "LAO", "--from", "2021", "--to", "2021", "-o", out)
		_, f := readGap(t, out)
		var found int
		for _, row := range f["Casualties"].rows {
			if row["outcome"] == "killed" && row["sex"] == "male" && row["age_group"] == "adult" {
				found++
				if row["people"] != "" || row["qualifier"] != "" || row["note"] == "" {
					t.Errorf("unknown casualty count: people %q qualifier %q note %q", row["people"], row["qualifier"], row["note"])
				}
			}
		}
		for _, row := range f["data_collection"].rows {
			if row["sex"] == "male" && row["age_group"] == "adult" && row["disability"] == "total" {
				found++
				if row["in_need"] != "" || row["reached"] != strconv.FormatInt(reached, 10) || row["unmet"] != "" ||
					row["coverage"] != "" || !strings.Contains(row["note"], "in need not reported") {
					t.Errorf("withheld in need: %v", row)
				}
			}
		}
		if found != 2 {
			t.Errorf("found %d of the 2 rows with a value not reported", found)
		}
		if s := f["Summary"].rows; len(s) != 1 || s[0]["killed"] != strconv.FormatInt(knownKilled, 10) || !strings.Contains(s[0]["note"], "not known") {
			t.Errorf("Summary with an unknown part: %v (known parts sum to %d)", s, knownKilled)
		}
	})

	t.Run("runs", func(t *testing.T) {
		r := mustRun(t, exitOK, url, "runs")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		// Newest first: the ingest of the subtest above, then the demo.
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "RUN") || !regexp.MustCompile(`^2\s+cli\s+succeeded\s`).MatchString(lines[1]) ||
			!regexp.MustCompile(`^1\s+demo\s+succeeded\s+\S+ \S+\s+16\s+16\s+0\s+0\s`).MatchString(lines[2]) {
			t.Errorf("runs: %s", r)
		}
		r = mustRun(t, exitOK, url, "runs", "--json")
		var runs []runRow
		if err := json.Unmarshal([]byte(r.stdout), &runs); err != nil {
			t.Fatal(err)
		}
		runs = slices.DeleteFunc(runs, func(r runRow) bool { return r.Kind != "demo" })
		// 15 templates and the survey export, whose interviews are records,
		// not facts of a report.
		if len(runs) != 1 || runs[0].Kind != "demo" || runs[0].Status != "succeeded" || runs[0].FilesSeen != 16 ||
			runs[0].FilesIngested != 16 || runs[0].FilesRejected != 0 || runs[0].FilesDuplicate != 0 ||
			runs[0].Facts != wantFacts || runs[0].StartedBy == "" {
			t.Errorf("runs --json: %+v, want one demo run of 16 files and %d facts", runs, wantFacts)
		}
	})

	t.Run("export gap filtered", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "F.xlsx")
		r := mustRun(t, exitOK, url, "export", "gap", "--country", "LAO", "--from", "2023", "--to", "2024", "-o", out)
		if !strings.Contains(r.stdout, "(2 country-years)") {
			t.Errorf("export: %s", r)
		}
		names, f := readGap(t, out)
		if !slices.Equal(names, wantSheets) {
			t.Errorf("sheets %q", names)
		}
		for _, name := range names {
			for _, row := range f[name].rows {
				if c, ok := row["country"]; ok && name != "Definitions" && c != "LAO" {
					t.Errorf("%s: row for %s: %v", name, c, row)
				}
				if y, ok := row["year"]; ok && name != "Definitions" && y != "2023" && y != "2024" {
					t.Errorf("%s: row for year %s: %v", name, y, row)
				}
			}
		}
		var keys []string
		for _, row := range f["Summary"].rows {
			keys = append(keys, row["country"]+" "+row["year"]+" "+row["killed"]+" "+row["injured"])
		}
		want := []string{"LAO 2023 " + inputs["LAO 2023"].killed + " " + inputs["LAO 2023"].injured,
			"LAO 2024 " + inputs["LAO 2024"].killed + " " + inputs["LAO 2024"].injured}
		if !slices.Equal(keys, want) {
			t.Errorf("filtered Summary: %q, want %q", keys, want)
		}
		for _, p := range pillars {
			if n := len(f[p].rows); n == 0 {
				t.Errorf("%s: no rows for LAO", p)
			}
		}
		if len(f["Casualties"].rows) != len(inputs["LAO 2023"].casualties)+len(inputs["LAO 2024"].casualties) {
			t.Errorf("filtered Casualties: %d rows", len(f["Casualties"].rows))
		}
	})
}
