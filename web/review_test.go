package web_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// corrected is a filled template of country and year with other figures
// than template's.
func corrected(t *testing.T, country string, year int) []byte {
	t.Helper()
	r := sample.Report(sample.Country{Code: country, Lang: "en", Scale: 55}, year)
	var buf bytes.Buffer
	if err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: r.Language, Country: r.Country, Year: r.Year, Prefill: r}); err != nil {
		t.Fatalf("WriteTemplate: %v", err)
	}
	return buf.Bytes()
}

// submitReport stores a corrected template of country and year as a focal
// point's submission (as an upload does) and returns its report id.
func (f *fixture) submitReport(t *testing.T, country string, year int) int64 {
	t.Helper()
	p := filepath.Join(t.TempDir(), country+".xlsx")
	if err := os.WriteFile(p, corrected(t, country, year), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Files(t.Context(), f.db, []string{p}, ingest.Options{RunKind: "api", StartedBy: "fp-lao", ReportStatus: "submitted"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].Status != pg.FileIngested {
		t.Fatalf("submit %s %d: %+v", country, year, res.Files)
	}
	return res.Files[0].Report().ReportID
}

// post sends body (JSON unless contentType says otherwise) as who.
func (f *fixture) post(t *testing.T, who, path, body string) (*http.Response, []byte) {
	t.Helper()
	return do(t, f.request(t, who, http.MethodPost, path, strings.NewReader(body), "application/json"))
}

func reportStatus(t *testing.T, f *fixture, id int64) string {
	t.Helper()
	var s string
	if err := f.db.GetContext(t.Context(), &s, `SELECT status FROM report WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return s
}

// sourceOf is the report service_facts use for LAO and year.
func sourceOf(t *testing.T, f *fixture, year int) int64 {
	t.Helper()
	resp, body := f.get(t, asResearcher, "/api/v1/facts/services?country=LAO&year="+jsonNum(year))
	var rows factRows
	if err := json.Unmarshal(body, &rows); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("services: %d %s", resp.StatusCode, body)
	}
	if len(rows.Rows) == 0 {
		return 0
	}
	return int64(rows.Rows[0]["source_id"].(float64))
}

func jsonNum(n int) string { b, _ := json.Marshal(n); return string(b) }

// A focal point's correction, approved by an admin, replaces the approved
// report in the views; approving it again is a conflict.
func TestReviewApproveAPI(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	old := f.approved["LAO"]
	id := f.submitReport(t, "LAO", 2024)
	if got := sourceOf(t, f, 2024); got != old {
		t.Fatalf("before approval the views use %d, want %d", got, old)
	}

	resp, body := f.get(t, asAdmin, "/api/v1/reviews")
	var q struct{ Reports []pg.ReviewReport }
	if err := json.Unmarshal(body, &q); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("queue: %d %s", resp.StatusCode, body)
	}
	if len(q.Reports) != 1 || q.Reports[0].ID != id || q.Reports[0].Country != "LAO" || q.Reports[0].Version != 2 {
		t.Fatalf("queue = %+v, want report %d, LAO version 2", q.Reports, id)
	}

	resp, body = f.get(t, asAdmin, "/api/v1/reviews/"+jsonNum(int(id)))
	var d pg.ReviewDiff
	if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("detail: %d %s", resp.StatusCode, body)
	}
	if d.Previous == nil || d.Previous.ID != old || d.Issues == nil {
		t.Errorf("detail = previous %+v, issues %v; want %d, []", d.Previous, d.Issues, old)
	}
	// Other figures: changed values, each with both sides.
	changed := 0
	for _, c := range d.Changes {
		if c.Change == "changed" {
			changed++
			if c.BeforeState == nil || c.AfterState == nil || (c.BeforeValue != nil && c.AfterValue != nil && *c.BeforeValue == *c.AfterValue && *c.BeforeState == *c.AfterState) {
				t.Errorf("change %+v shows no difference", c)
			}
		}
	}
	if changed == 0 {
		t.Errorf("no changed values in %d changes", len(d.Changes))
	}

	resp, body = f.post(t, asAdmin, "/api/v1/reviews/"+jsonNum(int(id))+"/approve", `{"note":"matches the NRA's figures"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d %s", resp.StatusCode, body)
	}
	var res pg.ReviewResult
	if err := json.Unmarshal(body, &res); err != nil || res.Status != "approved" || len(res.Superseded) != 1 || res.Superseded[0] != old {
		t.Errorf("approve answer %s, want approved superseding %d", body, old)
	}
	if got := sourceOf(t, f, 2024); got != id {
		t.Errorf("after approval the views use %d, want %d", got, id)
	}
	if s := reportStatus(t, f, old); s != "superseded" {
		t.Errorf("old report %s, want superseded", s)
	}
	for _, path := range []string{"/approve", "/return"} {
		resp, body = f.post(t, asAdmin, "/api/v1/reviews/"+jsonNum(int(id))+path, `{"note":"again"}`)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "no longer waiting") {
			t.Errorf("%s after approval: %d %s, want 409", path, resp.StatusCode, body)
		}
	}
	var audited []string
	if err := f.db.SelectContext(t.Context(), &audited, `
		SELECT action || ' ' || coalesce(detail->>'refused', 'done') FROM audit_log
		WHERE object = $1 ORDER BY id`, "report:"+jsonNum(int(id))); err != nil {
		t.Fatal(err)
	}
	if strings.Join(audited, ", ") != "approve_report done, approve_report conflict, return_report conflict" {
		t.Errorf("audit = %v", audited)
	}
}

// A returned submission never feeds the views; a return needs a note.
func TestReviewReturnAPI(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	old := f.approved["LAO"]
	id := f.submitReport(t, "LAO", 2024)
	path := "/api/v1/reviews/" + jsonNum(int(id)) + "/return"
	for _, body := range []string{``, `{}`, `{"note":"  "}`} {
		if resp, b := f.post(t, asAdmin, path, body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("return with %q: %d %s, want 400", body, resp.StatusCode, b)
		}
	}
	if resp, b := f.post(t, asAdmin, path, `{"note": 5}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d %s", resp.StatusCode, b)
	}
	// A form works too (the pages post forms).
	req := f.request(t, asAdmin, http.MethodPost, path, strings.NewReader("note=Row+5+%3Cb%3Eis%3C%2Fb%3E+wrong"), "application/x-www-form-urlencoded")
	if resp, b := do(t, req); resp.StatusCode != http.StatusOK {
		t.Fatalf("return: %d %s", resp.StatusCode, b)
	}
	if s := reportStatus(t, f, id); s != "returned" {
		t.Errorf("status %s, want returned", s)
	}
	if got := sourceOf(t, f, 2024); got != old {
		t.Errorf("after return the views use %d, want %d", got, old)
	}
	resp, body := f.get(t, asAdmin, "/api/v1/reviews/"+jsonNum(int(id)))
	var d pg.ReviewDiff
	if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("detail: %d %s", resp.StatusCode, body)
	}
	if d.Report.Review == nil || d.Report.Review.Note != "Row 5 <b>is</b> wrong" || d.Report.Review.Reviewer != "ada" {
		t.Errorf("review = %+v", d.Report.Review)
	}
	if bytes.Contains(body, []byte("<b>")) {
		t.Errorf("the note went out unescaped in JSON: %s", body)
	}
	if resp, b := f.post(t, asAdmin, "/api/v1/reviews/"+jsonNum(int(id))+"/approve", ``); resp.StatusCode != http.StatusConflict {
		t.Errorf("approve after return: %d %s, want 409", resp.StatusCode, b)
	}
}

// seedExports stores hand-made approved reports with every value state:
// LAO 2024 (casualties, services, commitments) and LBN 2023 (casualties).
func seedExports(t *testing.T, db *pg.DB) {
	t.Helper()
	ctx := t.Context()
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	num := func(n int64, q schema.Qualifier) schema.Value {
		return schema.Value{State: schema.StateReported, People: &n, Qualifier: q}
	}
	state := func(s schema.ValueState) schema.Value { return schema.Value{State: s} }
	report := func(country string, year int) *schema.Report {
		return &schema.Report{Country: country, Year: year, Kind: "annual", SourceType: schema.SourceOfficial,
			PeriodStart: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)}
	}
	cas := func(outcome, sex, age string, v schema.Value) schema.Casualty {
		return schema.Casualty{Scope: "new", Outcome: outcome, Sex: sex, AgeGroup: age, Disability: schema.Total, Cause: schema.Total, CivilianStatus: schema.Total, Value: v}
	}
	svc := func(pillar, measure, sex string, v schema.Value) schema.Service {
		return schema.Service{Pillar: pillar, Measure: measure, Sex: sex, AgeGroup: schema.Total, Disability: schema.Total, Value: v}
	}
	lao := report("LAO", 2024)
	lao.Casualties = []schema.Casualty{
		cas("killed", "male", "adult", num(7, schema.QualExact)),
		cas("killed", "female", "child", num(3, schema.QualAtLeast)),
		cas("injured", schema.Total, schema.Total, state(schema.StateUnknown)),
	}
	lao.Services = []schema.Service{
		svc("rehabilitation", schema.MeasureInNeed, schema.Total, num(40, schema.QualExact)),
		svc("rehabilitation", schema.MeasureReached, schema.Total, num(10, schema.QualExact)),
		svc("rehabilitation", schema.MeasureInNeed, "female", num(12, schema.QualExact)),
		svc("rehabilitation", schema.MeasureReached, "female", num(15, schema.QualExact)),
		svc("medical_care", schema.MeasureInNeed, schema.Total, num(0, schema.QualExact)),
		svc("medical_care", schema.MeasureReached, schema.Total, num(5, schema.QualExact)),
		svc("psychosocial_support", schema.MeasureInNeed, schema.Total, state(schema.StateWithheld)),
		svc("psychosocial_support", schema.MeasureReached, schema.Total, num(3, schema.QualEstimate)),
	}
	lao.Commitments = []schema.Commitment{{Code: "focal_point", Status: "yes"}, {Code: "referral_mechanism", Status: "unknown"}, {Code: "national_plan", Status: "partial"}}
	lbn := report("LBN", 2023)
	lbn.Casualties = []schema.Casualty{cas("killed", schema.Total, schema.Total, num(2, schema.QualEstimate))}
	for i, r := range []*schema.Report{lao, lbn} {
		sum := strings.Repeat(string("ab"[i]), 64)
		if _, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: r.Country, Name: r.Country, SHA256: sum, Content: []byte(r.Country),
			Reports: []*schema.Report{r}, ReportStatus: "approved"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishRun(ctx, run, "succeeded"); err != nil {
		t.Fatal(err)
	}
}

// The CSV and HXL CSV downloads of a seeded database, byte for byte.
func TestViewExportsGolden(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	// Replace the fixture's reports with hand-made ones whose every row
	// the golden files can show.
	if _, err := f.db.ExecContext(t.Context(), `UPDATE report SET status = 'superseded'`); err != nil {
		t.Fatal(err)
	}
	seedExports(t, f.db)
	for _, tc := range []struct{ name, query string }{
		{"casualty_facts.csv", ""},
		{"casualty_facts.hxl.csv", ""},
		{"service_facts.csv", ""},
		{"service_facts.hxl.csv", "?country=LAO&from=2024&to=2024&pillar=rehabilitation,medical_care"},
		{"gap_analysis.csv", ""},
		{"gap_analysis.hxl.csv", "?pillar=Rehabilitation"},
		{"commitment_facts.csv", ""},
		{"commitment_facts.hxl.csv", "?country=LAO&pillar=data_collection"},
		{"casualty_facts.csv", "?country=LBN&to=2023"},
	} {
		resp, body := f.get(t, asResearcher, "/api/v1/exports/"+tc.name+tc.query)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s%s: %d %s", tc.name, tc.query, resp.StatusCode, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+tc.name+`"` {
			t.Errorf("%s: Content-Disposition %q", tc.name, cd)
		}
		golden := strings.NewReplacer("?", "_", "&", "_", "=", "-", ",", "+").Replace(tc.name + tc.query)
		checkGolden(t, filepath.Join("testdata", "exports", golden+".golden"), body)
	}
	resp, body := f.get(t, asResearcher, "/api/v1/dictionary.csv")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dictionary: %d %s", resp.StatusCode, body)
	}
	checkGolden(t, filepath.Join("testdata", "exports", "data-dictionary.csv.golden"), body)

	for _, bad := range []string{"nothing.csv", "casualty_facts.xlsx", "casualty_facts", "report.csv"} {
		if resp, b := f.get(t, asResearcher, "/api/v1/exports/"+bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %s, want 404", bad, resp.StatusCode, b)
		}
	}
	for _, bad := range []string{"?pillar=cooking", "?from=2024&to=2020", "?country=XXQ", "?from=abc"} {
		if resp, b := f.get(t, asResearcher, "/api/v1/exports/service_facts.csv"+bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", bad, resp.StatusCode, b)
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// The focal point who uploaded a returned report reads the reviewer's note
// with their submission (page and API), escaped on the page.
func TestReturnNoteReachesFocalPoint(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{})
	resp, body := f.upload(t, asFocalLAO, "lao-2023.xlsx", corrected(t, "LAO", 2023))
	var up struct {
		Submission int64
		Files      []struct {
			Reports []struct {
				ReportID int64 `json:"report_id"`
			} `json:"reports"`
		} `json:"files"`
	}
	if err := json.Unmarshal(body, &up); err != nil || resp.StatusCode != http.StatusOK || up.Submission == 0 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var report int64
	if err := f.db.GetContext(t.Context(), &report, `SELECT id FROM report WHERE country = 'LAO' AND year = 2023 AND status = 'submitted'`); err != nil {
		t.Fatal(err)
	}
	resp, body = f.get(t, asAdmin, "/api/v1/reviews/"+jsonNum(int(report)))
	var d pg.ReviewDiff
	if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("review: %d %s", resp.StatusCode, body)
	}
	if d.Report.SubmissionID == nil || *d.Report.SubmissionID != up.Submission {
		t.Errorf("review's submission = %v, want %d", d.Report.SubmissionID, up.Submission)
	}
	const note = `Row 7 <b>adds up</b> wrong`
	if resp, b := f.post(t, asAdmin, "/api/v1/reviews/"+jsonNum(int(report))+"/return", `{"note":"Row 7 <b>adds up</b> wrong"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("return: %d %s", resp.StatusCode, b)
	}
	resp, body = f.get(t, asFocalLAO, "/api/v1/submissions/"+jsonNum(int(up.Submission)))
	var got struct{ Submission struct{ Status, Note string } }
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("submission: %d %s", resp.StatusCode, body)
	}
	sub := got.Submission
	if sub.Status != "returned" || sub.Note != note {
		t.Errorf("submission = %+v, want returned with the note", sub)
	}
	b := f.browser(t)
	b.mustLogin("fp-lao")
	_, page := b.get("/submissions/" + jsonNum(int(up.Submission)))
	if strings.Contains(page, "<b>adds up</b>") || !strings.Contains(page, "Row 7 &lt;b&gt;adds up&lt;/b&gt; wrong") {
		t.Errorf("the note on the focal point's page is missing or unescaped: %s", page)
	}
}
