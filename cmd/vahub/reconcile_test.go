package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports/reconcile"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/schema/survey"
)

// seedSurveyAndFormH stores, for KHM 2024, survey interviews (medical care
// in need / reached: female adults 10 / 6, male adults 10 / 10, female
// children 2 / 1) and an approved official report stating totals and the
// female figures.
func seedSurveyAndFormH(t *testing.T, db *pg.DB) {
	t.Helper()
	ctx := t.Context()
	var recs []survey.Record
	add := func(prefix, sex string, age, n, got int) {
		for i := range n {
			a := age
			r := survey.Record{InstanceID: fmt.Sprintf("uuid:%s-%d", prefix, i), Source: survey.SourceAPI, Consent: "yes",
				Country: "KHM", Year: 2024, Sex: sex, Age: &a,
				WG:   map[string]string{"wg_seeing": "no_difficulty", "wg_hearing": "no_difficulty", "wg_walking": "no_difficulty", "wg_cognition": "no_difficulty", "wg_selfcare": "no_difficulty", "wg_communication": "no_difficulty"},
				Need: map[string]string{"medical_care": "yes"}, Received: map[string]string{"medical_care": "no"}}
			if i < got {
				r.Received["medical_care"] = "yes"
			}
			recs = append(recs, r)
		}
	}
	add("fa", "female", 30, 10, 6)
	add("ma", "male", 30, 10, 10)
	add("fc", "female", 9, 2, 1)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.RecordFile(ctx, pg.FileInput{RunID: run, Path: "kobo.xlsx", Name: "kobo.xlsx", SHA256: strings.Repeat("e", 64),
		Content: []byte("x"), Format: "kobo", Survey: func(ctx context.Context, emit func(*survey.Record) error) (schema.Issues, error) {
			for i := range recs {
				if err := emit(&recs[i]); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	var official int64
	if err := db.GetContext(ctx, &official, `INSERT INTO report (country, year, kind, source_type, period_start, period_end, status)
	       VALUES ('KHM', 2024, 'annual', 'official', '2024-01-01', '2024-12-31', 'approved') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		measure, sex string
		v            int64
	}{{"in_need", "total", 23}, {"reached", "total", 40}, {"in_need", "female", 12}, {"reached", "female", 30}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO service_count (report_id, pillar, measure, sex, age_group, disability, value_state, people, sheet)
		      VALUES ($1, 'medical_care', $2, $3, 'total', 'total', 'reported', $4, 'H2')`, official, f.measure, f.sex, f.v); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReconcileCommand(t *testing.T) {
	t.Parallel()
	url := pgtest.NewURL(t)
	seedSurveyAndFormH(t, openStore(t, url))

	// Survey in need: 22 in all (female 12); reached 17 (female 7). The
	// female children's 2 and 1 are withheld, but the female margins (12
	// and 7) are not small and stay visible.
	r := mustRun(t, exitOK, url, "reconcile", "--country", "Cambodia", "--year", "2024", "--json")
	var out struct {
		Flagged int             `json:"flagged"`
		K       int             `json:"suppress_k"`
		Rows    []reconcile.Row `json:"rows"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, r)
	}
	type want struct {
		measure, level, sex string
		survey, official    string
		status              string
	}
	got := make([]want, 0, len(out.Rows))
	for _, row := range out.Rows {
		s := "-"
		switch {
		case row.SurveyWithheld:
			s = "withheld"
		case row.Survey != nil:
			s = fmt.Sprint(*row.Survey)
		}
		got = append(got, want{row.Measure, row.Level, row.Sex, s, fmt.Sprint(*row.Official), row.Status})
	}
	wantRows := []want{
		{"in_need", "total", "total", "22", "23", "agrees"},
		{"in_need", "sex", "female", "12", "12", "agrees"},
		{"reached", "total", "total", "17", "40", "differs"},
		{"reached", "sex", "female", "7", "30", "differs"},
	}
	if fmt.Sprint(got) != fmt.Sprint(wantRows) || out.Flagged != 2 || out.K != 5 {
		t.Errorf("rows %v flagged %d k %d, want %v and 2 flagged", got, out.Flagged, out.K, wantRows)
	}

	// A looser tolerance and a large minimum difference flag nothing.
	r = mustRun(t, exitOK, url, "reconcile", "--tolerance", "0.9", "--min-diff", "30")
	if !strings.Contains(r.stdout, "4 comparisons, 0 beyond the tolerance") {
		t.Errorf("table output: %s", r)
	}
	// k = 13 withholds the female survey figures (12 and 7; the male 10
	// and 10 too, so the totals can stay: two unknowns in female + male =
	// total).
	r = mustRun(t, exitOK, url, "reconcile", "--suppress-k", "13")
	if strings.Count(r.stdout, "female                     withheld       ") != 2 ||
		!strings.Contains(r.stdout, "reached all                              17") {
		t.Errorf("k=13 output: %s", r)
	}
	mustRun(t, exitUsage, url, "reconcile", "--suppress-k", "1")
	mustRun(t, exitUsage, url, "export", "gap", "-o", filepath.Join(t.TempDir(), "g.xlsx"), "--suppress-k", "0")

	// The workbook's Reconciliation sheet has the same rows.
	path := filepath.Join(t.TempDir(), "gap.xlsx")
	mustRun(t, exitOK, url, "export", "gap", "-o", path, "--suppress-k", "5")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Reconciliation", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2+4 || rows[4][8] != "17" || rows[4][9] != "40" || rows[4][12] != "differs" {
		t.Errorf("Reconciliation sheet: %q", rows)
	}
}
