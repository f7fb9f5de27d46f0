package main

// Layout memory end to end: a national dataset vahub cannot map is
// rejected with a mapping file written for it; the data officer's edited
// mapping is applied with --mapping and remembered, so next year's file
// with the same layout needs no flag.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"github.com/vahub/vahub/schema/pg/pgtest"
)

// unmappableCSV is a casualty register whose age column has a header vahub
// does not know ("x1"), and no sex column: the outcome is found by its
// values, but nothing says which column holds the ages. want counts the
// rows by outcome/age group, computed here, not by the reader.
func unmappableCSV(t *testing.T, dir, name string, year, rows int) (path string, want map[string]int64) {
	t.Helper()
	want = map[string]int64{}
	var b strings.Builder
	b.WriteString("periodo,situacion,x1,municipio\n")
	for i := range rows {
		outcome, o := "Herido", "injured"
		if (i+year)%3 == 0 {
			outcome, o = "Muerto", "killed"
		}
		age, g := 34+i%20, "adult"
		if (i*7+year)%4 == 0 {
			age, g = 6+i%11, "child"
		}
		fmt.Fprintf(&b, "%d,%s,%d,%s\n", year, outcome, age, []string{"Tumaco", "Briceño", "Ituango"}[i%3])
		want[o+"/"+g]++
	}
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, want
}

// casualtyFacts reads COL's facts for year by outcome/age group (sex,
// cause and civilian status total).
func casualtyFacts(t *testing.T, db *sql.DB, year int) map[string]int64 {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `
		SELECT outcome, age_group, people FROM casualty_facts
		WHERE country = 'COL' AND year = $1 AND sex = 'total' AND cause = 'total' AND civilian_status = 'total'`, year)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int64{}
	for rows.Next() {
		var o, g string
		var n int64
		if err := rows.Scan(&o, &g, &n); err != nil {
			t.Fatal(err)
		}
		got[o+"/"+g] += n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func sameCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestIngestMappingFileRoundTrip(t *testing.T) {
	url := pgtest.NewURL(t)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	t.Chdir(dir) // the mapping file is written in the current folder by default

	f2023, want2023 := unmappableCSV(t, dir, "victimas-2023.csv", 2023, 60)

	// 1. Rejected, and the issue points at the mapping file written for it.
	r := mustRun(t, exitFailed, url, "ingest", "--country", "COL", f2023)
	mapPath := "victimas-2023.csv.mapping.json"
	if !strings.Contains(r.stdout, "mapping_needed") || !strings.Contains(r.stdout, "A mapping file was written to "+mapPath) ||
		!strings.Contains(r.stdout, "'x1'") {
		t.Fatalf("want a mapping_needed issue naming %s and the unknown column:\n%s", mapPath, r)
	}
	raw, err := os.ReadFile(filepath.Join(dir, mapPath))
	if err != nil {
		t.Fatalf("mapping file: %v", err)
	}
	var m struct {
		Help        []string `json:"_help"`
		Fingerprint string   `json:"fingerprint"`
		Sheet       string   `json:"sheet"`
		HeaderRow   int      `json:"header_row"`
		Columns     map[string]struct {
			Header    string `json:"header"`
			Dimension string `json:"dimension"`
		} `json:"columns"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Fingerprint) != 64 || m.HeaderRow != 1 || len(m.Help) == 0 || !strings.Contains(m.Help[0], "civilian_status") ||
		m.Columns["A"].Dimension != "year" || m.Columns["B"].Dimension != "outcome" ||
		m.Columns["C"].Header != "x1" || m.Columns["C"].Dimension != "ignore" || m.Columns["D"].Dimension != "ignore" {
		t.Fatalf("draft mapping:\n%s", raw)
	}

	// 2. An invalid edit is a usage error naming the key.
	bad := strings.Replace(string(raw), `"header": "x1",
      "dimension": "ignore"`, `"header": "x1",
      "dimension": "edad"`, 1)
	if bad == string(raw) {
		t.Fatalf("could not edit the mapping file:\n%s", raw)
	}
	badPath := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, exitUsage, url, "ingest", "--country", "COL", "--mapping", badPath, f2023)
	if !strings.Contains(r.stderr, `columns.C.dimension: unknown dimension "edad"`) || !strings.Contains(r.stderr, "outcome") {
		t.Errorf("want a usage error naming columns.C.dimension and the allowed dimensions:\n%s", r)
	}

	// 3. The officer says column C is the age: ingested with those facts.
	good := strings.Replace(bad, `"dimension": "edad"`, `"dimension": "age"`, 1)
	goodPath := filepath.Join(dir, "col-victims.mapping.json")
	if err := os.WriteFile(goodPath, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, exitOK, url, "ingest", "--country", "COL", "--mapping", goodPath, f2023)
	if !strings.Contains(r.stdout, "ingested ") {
		t.Fatalf("want ingested:\n%s", r)
	}
	if got := casualtyFacts(t, db, 2023); !sameCounts(got, want2023) {
		t.Errorf("casualty_facts 2023: got %v, want %v", got, want2023)
	}
	var source string
	var uses int
	if err := db.QueryRowContext(t.Context(), `SELECT source, uses FROM layout_mapping WHERE fingerprint = $1`, m.Fingerprint).
		Scan(&source, &uses); err != nil || source != "officer" || uses != 1 {
		t.Errorf("layout_mapping: source %q uses %d err %v; want officer, 1", source, uses, err)
	}

	// 4. Next year's file, same layout, other data, no flag: read with the
	// stored mapping.
	f2024, want2024 := unmappableCSV(t, dir, "victimas-2024.csv", 2024, 45)
	r = mustRun(t, exitOK, url, "ingest", "--country", "COL", f2024)
	if got := casualtyFacts(t, db, 2024); !sameCounts(got, want2024) {
		t.Errorf("casualty_facts 2024: got %v, want %v\n%s", got, want2024, r)
	}
	if err := db.QueryRowContext(t.Context(), `SELECT source, uses FROM layout_mapping WHERE fingerprint = $1`, m.Fingerprint).
		Scan(&source, &uses); err != nil || source != "officer" || uses != 2 {
		t.Errorf("layout_mapping after reuse: source %q uses %d err %v; want officer, 2", source, uses, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "victimas-2024.csv.mapping.json")); err == nil {
		t.Errorf("a mapping file was written for a file that was read with the stored mapping")
	}
}

func TestIngestMappingUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := write("d.csv", "a,b\n1,2\n")
	for _, tc := range []struct {
		name, content, want string
	}{
		{"not json", "columns: A", "not a vahub mapping file"},
		{"unknown dimension", `{"columns": {"A": {"header": "sexo", "dimension": "gender"}}}`, `columns.A.dimension: unknown dimension "gender"`},
		{"bad column", `{"columns": {"A1": {"dimension": "sex"}}}`, `columns.A1: "A1" is not a column letter`},
		{"twice", `{"columns": {"A": {"dimension": "sex"}, "B": {"dimension": "sex"}}}`, `columns.B.dimension: "sex" is already the dimension of column A`},
		{"misspelt key", `{"columns": {"A": {"dimention": "sex"}}}`, `unknown field "dimention"`},
		{"no columns", `{"fingerprint": ""}`, `"columns" is missing`},
		{"bad fingerprint", `{"fingerprint": "abc", "columns": {"A": {"dimension": "sex"}}}`, `"fingerprint": "abc" is not a layout fingerprint`},
	} {
		p := write(strings.ReplaceAll(tc.name, " ", "-")+".json", tc.content)
		r := mustRun(t, exitUsage, unreachable, "ingest", "--dry-run", "--mapping", p, data)
		if !strings.Contains(r.stderr, "--mapping "+p+": ") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: want %q in stderr:\n%s", tc.name, tc.want, r)
		}
	}
	r := mustRun(t, exitUsage, unreachable, "ingest", "--dry-run", "--mapping", filepath.Join(dir, "missing.json"), data)
	if !strings.Contains(r.stderr, "missing.json") {
		t.Errorf("missing mapping file:\n%s", r)
	}
	r = mustRun(t, exitUsage, unreachable, "ingest", "--dry-run", "--write-mapping", filepath.Join(dir, "m.json"), data, data)
	if !strings.Contains(r.stderr, "--write-mapping FILE.json takes exactly one FILE") {
		t.Errorf("--write-mapping with two files:\n%s", r)
	}
}
