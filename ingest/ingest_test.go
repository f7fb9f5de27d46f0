package ingest_test

// Integration tests of ingest.Files against a real PostgreSQL database, one
// fresh database per test (pgtest.NewDB). They read the results back through
// the public reporting views with plain SQL, as a researcher would.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// writeReport writes r as a filled template in r.Language and returns the
// path and the bytes written.
func writeReport(t *testing.T, dir, name string, r *schema.Report) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: r.Language, Country: r.Country, Year: r.Year, Prefill: r}); err != nil {
		t.Fatalf("WriteTemplate: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, buf.Bytes()
}

// editTemplate writes r as a filled template, then lets edit change cells
// the way a focal point would in Excel.
func editTemplate(t *testing.T, dir, name string, r *schema.Report, edit func(x *excelize.File)) string {
	t.Helper()
	path, b := writeReport(t, dir, name, r)
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	edit(x)
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func ingestFiles(t *testing.T, db *pg.DB, opts ingest.Options, paths ...string) ingest.Result {
	t.Helper()
	if opts.RunKind == "" {
		opts.RunKind = "cli"
	}
	if opts.StartedBy == "" {
		opts.StartedBy = "test"
	}
	res, err := ingest.Files(t.Context(), db, paths, opts)
	if err != nil {
		t.Fatalf("ingest.Files: %v", err)
	}
	if len(res.Files) != len(paths) {
		t.Fatalf("ingest.Files: %d results for %d files", len(res.Files), len(paths))
	}
	return res
}

// ingestOne ingests one file as an approved report and checks its status.
func ingestOne(t *testing.T, db *pg.DB, path, wantStatus string) ingest.FileReport {
	t.Helper()
	fr := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, path).Files[0]
	if fr.Status != wantStatus {
		t.Fatalf("%s: status %q, want %q; issues: %v", filepath.Base(path), fr.Status, wantStatus, fr.Issues)
	}
	return fr
}

func num(n int64, q schema.Qualifier) schema.Value {
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: q}
}

func state(s schema.ValueState) schema.Value { return schema.Value{State: s} }

// richReport is sample.Report plus every kind of value a cell can hold:
// unknown, withheld and not applicable (no number: NULL in the views), "at
// least" and estimated numbers, a reported zero, and a service group with
// reached but no in_need.
func richReport(code, lang string, year int) *schema.Report {
	r := sample.Report(sample.Country{Code: code, Lang: lang, Scale: 40}, year)
	T, U := schema.Total, schema.Unknown
	cas := func(outcome, disability, civ string, v schema.Value) schema.Casualty {
		return schema.Casualty{Scope: "new", Outcome: outcome, Sex: T, AgeGroup: T, Disability: disability, Cause: T, CivilianStatus: civ, Value: v}
	}
	r.Casualties = append(r.Casualties,
		cas("killed", "yes", T, state(schema.StateUnknown)),
		cas("injured", "yes", T, num(5, schema.QualAtLeast)),
		cas("killed", "no", T, state(schema.StateWithheld)),
		cas(T, T, "civilian", num(40, schema.QualEstimate)),
		cas(T, T, "military", state(schema.StateNotApplicable)),
		cas(U, T, "deminer", num(0, schema.QualExact)),
	)
	for i, s := range r.Services {
		if s.Pillar == "socioeconomic_inclusion" && s.Disability == "yes" && s.Measure == schema.MeasureInNeed {
			r.Services[i].Value = state(schema.StateUnknown)
		}
	}
	r.Services = append(r.Services, schema.Service{Pillar: "medical_care", Measure: schema.MeasureReached,
		Sex: T, AgeGroup: T, Disability: U, Value: num(3, schema.QualExact)})
	return r
}

// people renders a count the way the views hold it: NULL stays NULL.
func people(v schema.Value) string {
	if v.People == nil {
		return "NULL"
	}
	return fmt.Sprint(*v.People)
}

func qualifier(v schema.Value) string {
	if v.Qualifier == "" {
		return string(schema.QualExact) // the column's default
	}
	return string(v.Qualifier)
}

// expected renders a report's facts as rows of the three views, sorted.
func expected(r *schema.Report) (cas, svc, com []string) {
	for _, c := range r.Casualties {
		cas = append(cas, fmt.Sprintf("%s %s %s %s %s %s people=%s %s",
			c.Outcome, c.Sex, c.AgeGroup, c.Disability, c.Cause, c.CivilianStatus, people(c.Value), qualifier(c.Value)))
	}
	type key struct{ pillar, sex, age, dis string }
	type pair struct{ inNeed, reached string }
	groups := map[key]*pair{}
	for _, s := range r.Services {
		k := key{s.Pillar, s.Sex, s.AgeGroup, s.Disability}
		if groups[k] == nil {
			groups[k] = &pair{"NULL", "NULL"}
		}
		if s.Measure == schema.MeasureInNeed {
			groups[k].inNeed = people(s.Value)
		} else {
			groups[k].reached = people(s.Value)
		}
	}
	for k, p := range groups {
		svc = append(svc, fmt.Sprintf("%s %s %s %s in_need=%s reached=%s", k.pillar, k.sex, k.age, k.dis, p.inNeed, p.reached))
	}
	for _, m := range r.Commitments {
		com = append(com, m.Code+" "+m.Status)
	}
	slices.Sort(cas)
	slices.Sort(svc)
	slices.Sort(com)
	return cas, svc, com
}

// viewRows reads the three reporting views for one country and year with
// plain SQL, rendered like expected, and checks every row names source.
func viewRows(t *testing.T, db *pg.DB, country string, year int, source int64) (cas, svc, com []string) {
	t.Helper()
	ctx := t.Context()
	query := func(q string, scan func(*[]string, func(...any) error) error) []string {
		t.Helper()
		rows, err := db.QueryContext(ctx, q, country, year)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			if err := scan(&out, rows.Scan); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	checkSource := func(got int64) error {
		if got != source {
			return fmt.Errorf("source_id %d, want %d", got, source)
		}
		return nil
	}
	str := func(p *int64) string {
		if p == nil {
			return "NULL"
		}
		return fmt.Sprint(*p)
	}
	cas = query(`SELECT outcome, sex, age_group, disability, cause, civilian_status, people, qualifier, source_id
		FROM casualty_facts WHERE country = $1 AND year = $2`, func(out *[]string, scan func(...any) error) error {
		var o, s, a, d, c, cv, q string
		var n *int64
		var src int64
		if err := scan(&o, &s, &a, &d, &c, &cv, &n, &q, &src); err != nil {
			return err
		}
		*out = append(*out, fmt.Sprintf("%s %s %s %s %s %s people=%s %s", o, s, a, d, c, cv, str(n), q))
		return checkSource(src)
	})
	svc = query(`SELECT pillar, sex, age_group, disability, in_need, reached, source_id
		FROM service_facts WHERE country = $1 AND year = $2`, func(out *[]string, scan func(...any) error) error {
		var p, s, a, d string
		var need, reached *int64
		var src int64
		if err := scan(&p, &s, &a, &d, &need, &reached, &src); err != nil {
			return err
		}
		*out = append(*out, fmt.Sprintf("%s %s %s %s in_need=%s reached=%s", p, s, a, d, str(need), str(reached)))
		return checkSource(src)
	})
	com = query(`SELECT commitment, status, source_id FROM commitment_facts WHERE country = $1 AND year = $2`,
		func(out *[]string, scan func(...any) error) error {
			var c, s string
			var src int64
			if err := scan(&c, &s, &src); err != nil {
				return err
			}
			*out = append(*out, c+" "+s)
			return checkSource(src)
		})
	return cas, svc, com
}

// checkViews asserts that the views hold exactly want's facts for its
// country and year, all from report source.
func checkViews(t *testing.T, db *pg.DB, want *schema.Report, source int64) {
	t.Helper()
	wc, ws, wk := expected(want)
	gc, gs, gk := viewRows(t, db, want.Country, want.Year, source)
	for _, d := range []struct {
		view      string
		want, got []string
	}{{"casualty_facts", wc, gc}, {"service_facts", ws, gs}, {"commitment_facts", wk, gk}} {
		if !slices.Equal(d.want, d.got) {
			t.Errorf("%s %s %d:\nwant %s\n got %s", d.view, want.Country, want.Year,
				strings.Join(d.want, "\n     "), strings.Join(d.got, "\n     "))
		}
	}
}

// tableCounts counts the rows of the tables ingestion writes.
func tableCounts(t *testing.T, db *pg.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"input_file", "ingest_run", "file_ingest", "validation_issue", "report",
		"casualty_count", "service_count", "commitment_status"} {
		var n int
		if err := db.GetContext(t.Context(), &n, `SELECT count(*) FROM `+tbl); err != nil {
			t.Fatalf("count %s: %v", tbl, err)
		}
		out[tbl] = n
	}
	return out
}

func countWhere(t *testing.T, db *pg.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.GetContext(t.Context(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestIngestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, country string }{{"en", "LAO"}, {"fr", "LBN"}, {"es", "COL"}} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			want := richReport(tt.country, tt.lang, 2023)
			path, content := writeReport(t, t.TempDir(), "form-h-"+tt.lang+".xlsx", want)

			fr := ingestOne(t, db, path, pg.FileIngested)
			sum := sha256.Sum256(content)
			if fr.SHA256 != hex.EncodeToString(sum[:]) || fr.Format != ingest.FormatTemplate || fr.Country != tt.country ||
				fr.Period == nil || *fr.Period != (ingest.Period{Start: "2023-01-01", End: "2023-12-31"}) ||
				fr.Facts != want.FactCount() || len(fr.Issues) != 0 || fr.Report().ReportID == 0 || fr.Report().Version != 1 {
				t.Errorf("file report: %+v (want %d facts)", fr, want.FactCount())
			}
			checkViews(t, db, want, fr.Report().ReportID)

			// The report row says what the file said.
			var rep struct {
				Country, Kind, SourceType, Language, Status string
				Year, Version                               int
				Start, End                                  time.Time
			}
			if err := db.QueryRowContext(t.Context(), `SELECT country, year, kind, source_type, language, status, version, period_start, period_end
				FROM report WHERE id = $1`, fr.Report().ReportID).Scan(&rep.Country, &rep.Year, &rep.Kind, &rep.SourceType,
				&rep.Language, &rep.Status, &rep.Version, &rep.Start, &rep.End); err != nil {
				t.Fatal(err)
			}
			if rep.Country != tt.country || rep.Year != 2023 || rep.Kind != "annual" || rep.SourceType != "official" ||
				rep.Language != tt.lang || rep.Status != "approved" || rep.Version != 1 ||
				rep.Start.Format(time.DateOnly) != "2023-01-01" || rep.End.Format(time.DateOnly) != "2023-12-31" {
				t.Errorf("report row: %+v", rep)
			}
			// Every fact keeps its lineage to the stored file and a cell.
			if n := countWhere(t, db, `SELECT count(*) FROM casualty_count c JOIN report r ON r.id = c.report_id
				WHERE c.report_id = $1 AND (c.file_id IS DISTINCT FROM r.file_id OR c.sheet <> $2 OR c.cell = '')`,
				fr.Report().ReportID, formh.SheetName(formh.RoleCasualties, tt.lang)); n != 0 {
				t.Errorf("%d casualty facts without lineage", n)
			}
			if n := countWhere(t, db, `SELECT count(*) FROM service_count WHERE report_id = $1 AND (sheet <> $2 OR cell = '')`,
				fr.Report().ReportID, formh.SheetName(formh.RoleServices, tt.lang)); n != 0 {
				t.Errorf("%d service facts without lineage", n)
			}
			// The run is recorded with its counts.
			var run pg.Run
			if err := db.GetContext(t.Context(), &run, `SELECT id, kind, started_by, started_at, finished_at, status, dry_run,
				files_seen, files_ingested, files_duplicate, files_rejected, facts, issues FROM ingest_run`); err != nil {
				t.Fatal(err)
			}
			if run.Status != "succeeded" || run.FilesSeen != 1 || run.FilesIngested != 1 || run.Facts != int64(want.FactCount()) || run.FinishedAt == nil {
				t.Errorf("run: %+v", run)
			}
		})
	}
}

func TestIngestDuplicate(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	dir := t.TempDir()
	want := sample.Report(sample.DemoCountries[0], 2024)
	path, content := writeReport(t, dir, "form-h.xlsx", want)
	first := ingestOne(t, db, path, pg.FileIngested)
	before := tableCounts(t, db)

	// The same bytes again, by the same name and by another, in one run.
	copyPath := filepath.Join(dir, "copy of form-h.xlsx")
	if err := os.WriteFile(copyPath, content, 0o600); err != nil {
		t.Fatal(err)
	}
	res := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, path, copyPath)
	for _, fr := range res.Files {
		if fr.Status != pg.FileDuplicate || fr.SHA256 != first.SHA256 {
			t.Errorf("%s: status %q sha %s, want duplicate of %s", fr.Path, fr.Status, fr.SHA256, first.SHA256)
		}
	}
	after := tableCounts(t, db)
	for _, tbl := range []string{"input_file", "report", "casualty_count", "service_count", "commitment_status"} {
		if after[tbl] != before[tbl] {
			t.Errorf("%s: %d rows before, %d after the duplicates", tbl, before[tbl], after[tbl])
		}
	}
	if after["file_ingest"] != before["file_ingest"]+2 {
		t.Errorf("file_ingest: %d rows, want %d (each attempt is recorded)", after["file_ingest"], before["file_ingest"]+2)
	}
	var dups, seen int
	if err := db.QueryRowContext(t.Context(), `SELECT files_duplicate, files_seen FROM ingest_run WHERE id = $1`, res.RunID).Scan(&dups, &seen); err != nil {
		t.Fatal(err)
	}
	if dups != 2 || seen != 2 {
		t.Errorf("run: %d duplicate of %d seen, want 2 of 2", dups, seen)
	}
	checkViews(t, db, want, first.Report().ReportID)
}

func TestIngestCorrectionSupersedes(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	dir := t.TempDir()
	c := sample.Country{Code: "TCD", Lang: "fr", Scale: 30}
	v1 := sample.Report(c, 2023)
	p1, _ := writeReport(t, dir, "v1.xlsx", v1)
	first := ingestOne(t, db, p1, pg.FileIngested)
	checkViews(t, db, v1, first.Report().ReportID)

	// The corrected report: every number changes, one commitment is gone.
	v2 := sample.Report(c, 2023)
	for i := range v2.Casualties {
		*v2.Casualties[i].People += 2
	}
	for i := range v2.Services {
		*v2.Services[i].People += 10
	}
	v2.Commitments = v2.Commitments[1:]
	p2, _ := writeReport(t, dir, "v2.xlsx", v2)
	second := ingestOne(t, db, p2, pg.FileSuperseded)
	if second.Report().Version != 2 || second.Report().ReportID == first.Report().ReportID {
		t.Errorf("correction: version %d report %d (first report %d)", second.Report().Version, second.Report().ReportID, first.Report().ReportID)
	}
	checkViews(t, db, v2, second.Report().ReportID)
	if n := countWhere(t, db, `SELECT count(*) FROM casualty_facts_all WHERE source_id = $1`, first.Report().ReportID); n != 0 {
		t.Errorf("casualty_facts_all still shows %d facts of the superseded report", n)
	}

	// History is kept: the old report and its facts stay, marked superseded.
	type row struct {
		ID         int64  `db:"id"`
		Version    int    `db:"version"`
		Status     string `db:"status"`
		Supersedes *int64 `db:"supersedes"`
	}
	var rows []row
	if err := db.SelectContext(t.Context(), &rows, `SELECT id, version, status, supersedes FROM report ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != first.Report().ReportID || rows[0].Status != "superseded" || rows[0].Supersedes != nil ||
		rows[1].ID != second.Report().ReportID || rows[1].Status != "approved" || rows[1].Supersedes == nil || *rows[1].Supersedes != first.Report().ReportID {
		t.Errorf("report rows: %+v", rows)
	}
	if n := countWhere(t, db, `SELECT count(*) FROM casualty_count WHERE report_id = $1`, first.Report().ReportID); n != len(v1.Casualties) {
		t.Errorf("superseded report keeps %d casualty facts, want %d", n, len(v1.Casualties))
	}

	// The first file again is a duplicate: it does not come back.
	ingestOne(t, db, p1, pg.FileDuplicate)
	checkViews(t, db, v2, second.Report().ReportID)
}

func TestIngestRejected(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	r := sample.Report(sample.Country{Code: "IRQ", Lang: "es", Scale: 50}, 2024)
	casSheet, svcSheet := formh.SheetName(formh.RoleCasualties, "es"), formh.SheetName(formh.RoleServices, "es")
	s1, _ := formh.TableByID("S1")
	needRef, reachedRef := s1.Ref(2, 0), s1.Ref(3, 0) // medical_care in need / reached, men
	if s1.Rows[2] != "medical_care.in_need" || s1.Rows[3] != "medical_care.reached" || s1.Cols[0] != formh.ColMen {
		t.Fatalf("S1 layout changed: %v %v", s1.Rows[2:4], s1.Cols[0])
	}
	path := editTemplate(t, t.TempDir(), "bad.xlsx", r, func(x *excelize.File) {
		for _, e := range []struct {
			sheet, ref string
			v          int
		}{{casSheet, "B6", -3}, {svcSheet, needRef, 10}, {svcSheet, reachedRef, 11}} {
			if err := x.SetCellInt(e.sheet, e.ref, int64(e.v)); err != nil {
				t.Fatal(err)
			}
		}
	})
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	wantSHA := hex.EncodeToString(sum[:])

	fr := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, path).Files[0]
	wantIssues := []string{
		fmt.Sprintf("error %s!B6 %s", casSheet, schema.CodeNegative),
		fmt.Sprintf("error %s!%s %s", svcSheet, reachedRef, schema.CodeReachedOverNeed),
	}
	slices.Sort(wantIssues)
	var gotIssues []string
	for _, is := range fr.Issues {
		gotIssues = append(gotIssues, fmt.Sprintf("%s %s!%s %s", is.Severity, is.Sheet, is.Cell, is.Code))
		if is.Message == "" {
			t.Errorf("issue without a message: %+v", is)
		}
	}
	slices.Sort(gotIssues)
	if fr.Status != pg.FileRejected || fr.SHA256 != wantSHA || fr.Facts != 0 || !slices.Equal(gotIssues, wantIssues) {
		t.Errorf("file report: status %q sha %s facts %d issues %q; want rejected, %s, 0, %q",
			fr.Status, fr.SHA256, fr.Facts, gotIssues, wantSHA, wantIssues)
	}

	// Nothing of the report is stored…
	n := tableCounts(t, db)
	for _, tbl := range []string{"report", "casualty_count", "service_count", "commitment_status"} {
		if n[tbl] != 0 {
			t.Errorf("%s: %d rows written for a rejected file", tbl, n[tbl])
		}
	}
	// …but the original bytes and the issues are.
	var file struct {
		ID      int64  `db:"id"`
		SHA256  string `db:"sha256"`
		Name    string `db:"name"`
		Size    int64  `db:"size"`
		Content []byte `db:"content"`
	}
	if err := db.GetContext(t.Context(), &file, `SELECT id, sha256, name, size, content FROM input_file`); err != nil {
		t.Fatal(err)
	}
	stored := sha256.Sum256(file.Content)
	if file.SHA256 != wantSHA || hex.EncodeToString(stored[:]) != wantSHA || file.Size != int64(len(content)) || file.Name != "bad.xlsx" {
		t.Errorf("input_file: sha %s (of content %x) size %d name %q; want %s, %d bytes",
			file.SHA256, stored, file.Size, file.Name, wantSHA, len(content))
	}
	type issueRow struct {
		Sheet    string `db:"sheet"`
		Cell     string `db:"cell"`
		Code     string `db:"code"`
		Severity string `db:"severity"`
		FileID   *int64 `db:"file_id"`
		Status   string `db:"status"`
		Errors   int    `db:"errors"`
	}
	var issues []issueRow
	if err := db.SelectContext(t.Context(), &issues, `SELECT v.sheet, v.cell, v.code, v.severity, v.file_id, f.status, f.errors
		FROM validation_issue v JOIN file_ingest f ON f.id = v.file_ingest_id`); err != nil {
		t.Fatal(err)
	}
	var stIssues []string
	for _, is := range issues {
		stIssues = append(stIssues, fmt.Sprintf("%s %s!%s %s", is.Severity, is.Sheet, is.Cell, is.Code))
		if is.FileID == nil || *is.FileID != file.ID || is.Status != pg.FileRejected || is.Errors != 2 {
			t.Errorf("issue row %+v: want file %d, attempt rejected with 2 errors", is, file.ID)
		}
	}
	slices.Sort(stIssues)
	if !slices.Equal(stIssues, wantIssues) {
		t.Errorf("validation_issue rows: %q, want %q", stIssues, wantIssues)
	}
	var runStatus string
	if err := db.GetContext(t.Context(), &runStatus, `SELECT status FROM ingest_run`); err != nil || runStatus != "partial" {
		t.Errorf("run status %q (%v), want partial", runStatus, err)
	}
}

func TestIngestDryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := sample.Report(sample.DemoCountries[1], 2024)
	goodPath, _ := writeReport(t, dir, "good.xlsx", good)
	badPath := editTemplate(t, dir, "bad.xlsx", good, func(x *excelize.File) {
		_ = x.SetCellInt(formh.SheetName(formh.RoleCasualties, good.Language), "B6", -1)
	})
	paths := []string{goodPath, badPath, filepath.Join(dir, "missing.xlsx")}
	wantStatus := []string{pg.FileDryRun, pg.FileRejected, pg.FileRejected}

	check := func(t *testing.T, res ingest.Result) {
		t.Helper()
		if res.RunID != 0 {
			t.Errorf("dry run has run id %d", res.RunID)
		}
		for i, fr := range res.Files {
			if fr.Status != wantStatus[i] {
				t.Errorf("%s: status %q, want %q (%v)", fr.Path, fr.Status, wantStatus[i], fr.Issues)
			}
		}
		if f := res.Files[0]; f.Facts != good.FactCount() || f.Country != good.Country || len(f.Issues) != 0 {
			t.Errorf("good file: %+v, want %d facts", f, good.FactCount())
		}
	}
	t.Run("no database", func(t *testing.T) {
		t.Parallel()
		check(t, ingestFiles(t, nil, ingest.Options{DryRun: true}, paths...))
	})
	t.Run("database given", func(t *testing.T) {
		t.Parallel()
		// Even with a database at hand, a dry run writes nothing at all.
		db := pgtest.NewDB(t)
		check(t, ingestFiles(t, db, ingest.Options{DryRun: true, ReportStatus: "approved"}, paths...))
		for tbl, n := range tableCounts(t, db) {
			if n != 0 {
				t.Errorf("dry run wrote %d rows to %s", n, tbl)
			}
		}
	})
}

func TestIngestSubmittedDoesNotFeedViews(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	dir := t.TempDir()
	c := sample.DemoCountries[2]

	// A submission alone: stored, but not in the views.
	sub := sample.Report(c, 2022)
	p, _ := writeReport(t, dir, "sub.xlsx", sub)
	fr := ingestFiles(t, db, ingest.Options{ReportStatus: "submitted"}, p).Files[0]
	if fr.Status != pg.FileIngested {
		t.Fatalf("status %q, want ingested: %v", fr.Status, fr.Issues)
	}
	var status string
	if err := db.GetContext(t.Context(), &status, `SELECT status FROM report WHERE id = $1`, fr.Report().ReportID); err != nil || status != "submitted" {
		t.Errorf("report status %q (%v), want submitted", status, err)
	}
	for _, view := range []string{"casualty_facts", "casualty_facts_all", "service_facts", "gap_analysis", "commitment_facts"} {
		if n := countWhere(t, db, `SELECT count(*) FROM `+view); n != 0 {
			t.Errorf("%s: %d rows from a submitted report", view, n)
		}
	}

	// A submitted correction of an approved report waits for review: the
	// approved version keeps feeding the views.
	approved := sample.Report(c, 2023)
	pa, _ := writeReport(t, dir, "approved.xlsx", approved)
	fa := ingestOne(t, db, pa, pg.FileIngested)
	correction := sample.Report(c, 2023)
	for i := range correction.Casualties {
		*correction.Casualties[i].People += 1
	}
	pc, _ := writeReport(t, dir, "correction.xlsx", correction)
	fc := ingestFiles(t, db, ingest.Options{ReportStatus: "submitted"}, pc).Files[0]
	if fc.Status != pg.FileIngested || fc.Report().Version != 2 {
		t.Errorf("submitted correction: status %q version %d, want ingested, 2", fc.Status, fc.Report().Version)
	}
	checkViews(t, db, approved, fa.Report().ReportID)
	if err := db.GetContext(t.Context(), &status, `SELECT status FROM report WHERE id = $1`, fa.Report().ReportID); err != nil || status != "approved" {
		t.Errorf("approved report is now %q (%v)", status, err)
	}
}

// webReport is what a crawler would store for a country and year.
func webReport(country string, year int, killed int64) *schema.Report {
	T := schema.Total
	r := &schema.Report{Country: country, Year: year, Kind: "annual", SourceType: schema.SourceWeb,
		PeriodStart: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC),
		Language: "en"}
	r.Casualties = []schema.Casualty{{Scope: "new", Outcome: "killed", Sex: T, AgeGroup: T, Disability: T, Cause: T, CivilianStatus: T,
		Value: num(killed, schema.QualAtLeast)}}
	r.Services = []schema.Service{
		{Pillar: "medical_care", Measure: schema.MeasureInNeed, Sex: T, AgeGroup: T, Disability: T, Value: num(500, schema.QualEstimate)},
		{Pillar: "medical_care", Measure: schema.MeasureReached, Sex: T, AgeGroup: T, Disability: T, Value: num(450, schema.QualEstimate)},
	}
	r.Commitments = []schema.Commitment{{Code: "focal_point", Status: "no"}}
	return r
}

func recordWeb(t *testing.T, db *pg.DB, r *schema.Report) int64 {
	t.Helper()
	runID, err := db.StartRun(t.Context(), "crawl", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	page := []byte(fmt.Sprintf("<html><body>%s %d: at least %d killed</body></html>", r.Country, r.Year, *r.Casualties[0].People))
	sum := sha256.Sum256(page)
	res, err := db.RecordFile(t.Context(), pg.FileInput{RunID: runID, Path: "https://example.org/" + r.Country, Name: r.Country + ".html",
		SHA256: hex.EncodeToString(sum[:]), Content: page, MediaType: "text/html", SourceURL: "https://example.org/" + r.Country,
		Format: "web", Reports: []*schema.Report{r}, ReportStatus: "approved"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != pg.FileIngested || len(res.Reports) != 1 || res.Reports[0].ReportID == 0 {
		t.Fatalf("web report: %+v", res)
	}
	if err := db.FinishRun(t.Context(), runID, "succeeded"); err != nil {
		t.Fatal(err)
	}
	return res.Reports[0].ReportID
}

func TestIngestPrecedenceOfficialOverWeb(t *testing.T) {
	t.Parallel()
	for _, webFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("web first %v", webFirst), func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			official := sample.Report(sample.DemoCountries[0], 2024)
			path, _ := writeReport(t, t.TempDir(), "official.xlsx", official)
			web := webReport(official.Country, 2024, 999)

			var off ingest.FileReport
			var webID int64
			if webFirst {
				webID = recordWeb(t, db, web)
				off = ingestOne(t, db, path, pg.FileIngested)
			} else {
				off = ingestOne(t, db, path, pg.FileIngested)
				webID = recordWeb(t, db, web)
			}
			// Both are approved and current; the official one feeds the views.
			checkViews(t, db, official, off.Report().ReportID)
			if n := countWhere(t, db, `SELECT count(*) FROM casualty_facts_all WHERE source_id = $1`, webID); n != 1 {
				t.Errorf("casualty_facts_all: %d rows of the web report, want 1", n)
			}
			if n := countWhere(t, db, `SELECT count(*) FROM report WHERE status = 'approved'`); n != 2 {
				t.Errorf("%d approved reports, want 2 (a web report is not a version of the official one)", n)
			}

			// Where there is no official report, the web source is used.
			lone := webReport(official.Country, 2023, 77)
			loneID := recordWeb(t, db, lone)
			checkViews(t, db, lone, loneID)
		})
	}
}

// sharedData is ../shared/data beside the module root.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func TestIngestRealFilesAreRejected(t *testing.T) {
	t.Parallel()
	data := sharedData(t)
	var paths []string
	err := filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".xlsx", ".csv", ".geojson":
			if !d.IsDir() {
				paths = append(paths, p)
			}
		}
		return nil
	})
	if err != nil || len(paths) == 0 {
		t.Skipf("no data files under %s (%v): shared/ is not beside the repository", data, err)
	}
	db := pgtest.NewDB(t)
	// One run, as `vahub ingest data/*/*` would: a file of the wrong kind
	// must not stop the others.
	res := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, paths...)
	// Without --country, none of them can be stored: each is rejected with
	// one error saying precisely why (not a template, no victim-assistance
	// figures, or a national dataset that does not state its country), and
	// its bytes are kept.
	issues := 0
	for _, fr := range res.Files {
		name := filepath.Base(fr.Path)
		issues += len(fr.Issues)
		if fr.Status != pg.FileRejected || fr.SHA256 == "" {
			t.Errorf("%s: status %q sha %q, want rejected with the bytes kept", name, fr.Status, fr.SHA256)
		}
		var errs []schema.Issue
		for _, is := range fr.Issues {
			if is.Severity == schema.SevError {
				errs = append(errs, is)
			}
		}
		if len(errs) == 0 {
			t.Errorf("%s: no error issue in %v", name, fr.Issues)
			continue
		}
		switch errs[0].Code {
		case schema.CodeNotTemplate, schema.CodeNoVAData, schema.CodeMissingCountry:
		default:
			t.Errorf("%s: error %+v, want not_template, no_va_data or missing_country", name, errs[0])
		}
		if errs[0].Message == "" {
			t.Errorf("%s: error without a message", name)
		}
	}
	n := tableCounts(t, db)
	if n["report"] != 0 || n["casualty_count"] != 0 || n["service_count"] != 0 || n["commitment_status"] != 0 {
		t.Errorf("rejected files wrote reports or facts: %v", n)
	}
	if n["file_ingest"] != len(paths) || n["validation_issue"] != issues || n["input_file"] == 0 {
		t.Errorf("attempts %d, issues %d, files %d; want %d attempts and %d issues", n["file_ingest"], n["validation_issue"], n["input_file"], len(paths), issues)
	}
	var st string
	if err := db.GetContext(t.Context(), &st, `SELECT status FROM ingest_run WHERE id = $1`, res.RunID); err != nil || st != "partial" {
		t.Errorf("run status %q (%v), want partial", st, err)
	}
}

// Uploads racing each other: the same bytes at once are stored once;
// corrections at once get distinct versions and exactly one stays approved.
func TestIngestConcurrent(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	dir := t.TempDir()
	c := sample.DemoCountries[4]
	const n = 4
	var same, versions []string
	reports := make([]*schema.Report, n)
	for i := range n {
		p, _ := writeReport(t, dir, fmt.Sprintf("same-%d.xlsx", i), sample.Report(c, 2022))
		same = append(same, p)
		reports[i] = sample.Report(c, 2023)
		for j := range reports[i].Casualties {
			*reports[i].Casualties[j].People += int64(i)
		}
		p, _ = writeReport(t, dir, fmt.Sprintf("v-%d.xlsx", i), reports[i])
		versions = append(versions, p)
	}
	race := func(paths []string) []ingest.FileReport {
		out := make([]ingest.FileReport, len(paths))
		errs := make(chan error, len(paths))
		for i, p := range paths {
			go func() {
				res, err := ingest.Files(t.Context(), db, []string{p}, ingest.Options{RunKind: "web", StartedBy: "test", ReportStatus: "approved"})
				if err == nil {
					out[i] = res.Files[0]
				}
				errs <- err
			}()
		}
		for range paths {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		return out
	}

	statuses := map[string]int{}
	for _, fr := range race(same) {
		statuses[fr.Status]++
	}
	if statuses[pg.FileIngested] != 1 || statuses[pg.FileDuplicate] != n-1 {
		t.Errorf("same bytes at once: %v, want 1 ingested and %d duplicates", statuses, n-1)
	}
	if got := countWhere(t, db, `SELECT count(*) FROM report WHERE year = 2022`); got != 1 {
		t.Errorf("same bytes at once made %d reports", got)
	}

	clear(statuses)
	winner := -1
	seen := map[int]bool{}
	results := race(versions)
	for i, fr := range results {
		statuses[fr.Status]++
		seen[fr.Report().Version] = true
		if fr.Report().Version == n {
			winner = i
		}
	}
	if statuses[pg.FileIngested] != 1 || statuses[pg.FileSuperseded] != n-1 || len(seen) != n || winner < 0 {
		t.Fatalf("corrections at once: statuses %v versions %v, want 1 ingested, %d superseded, versions 1..%d", statuses, seen, n-1, n)
	}
	// The last to commit is the newest version, and the one the views show.
	checkViews(t, db, reports[winner], results[winner].Report().ReportID)
	if got := countWhere(t, db, `SELECT count(*) FROM report WHERE year = 2023 AND status = 'approved'`); got != 1 {
		t.Errorf("%d approved versions, want 1", got)
	}
	if got := countWhere(t, db, `SELECT count(*) FROM report WHERE year = 2023 AND status = 'approved' AND version = $1`, n); got != 1 {
		t.Errorf("the approved version is not the newest")
	}
}
