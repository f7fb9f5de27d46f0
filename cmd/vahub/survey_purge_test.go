package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/schema/survey"
)

// vahub survey purge: a dry run counts, the real one cuts old interviews
// down and says so; usage errors name the fix.
func TestSurveyPurge(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.NewURL(t)
	db, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, day := range []string{"2023-05-01", "2023-06-01", "2025-01-01"} {
		d, _ := time.Parse(time.DateOnly, day)
		age := 30 + i
		rec := survey.Record{InstanceID: "uuid:p" + day, Source: survey.SourceAPI, Consent: "yes", Country: "LAO",
			Year: d.Year(), InterviewDate: &d, Sex: "female", Age: &age, Admin1: "Xiengkhouang",
			Need: map[string]string{"rehabilitation": "yes"}, Received: map[string]string{"rehabilitation": "no"}}
		if _, _, err := db.StoreSubmission(ctx, rec, "enum"); err != nil {
			t.Fatal(err)
		}
	}

	var counts struct {
		DryRun bool           `json:"dry_run"`
		Before string         `json:"before"`
		Counts pg.SurveyPurge `json:"counts"`
	}
	r := mustRun(t, exitOK, url, "survey", "purge", "--before", "2024-01-01", "--dry-run", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &counts); err != nil || !counts.DryRun || counts.Counts.Reduced != 2 {
		t.Fatalf("dry run: %v %s", err, r)
	}
	r = mustRun(t, exitOK, url, "survey", "purge", "--before", "2024-01-01", "--country", "Laos")
	if !strings.Contains(r.stdout, "purged interviews before 2024-01-01: 2 records") {
		t.Errorf("purge: %s", r)
	}
	var withAge int
	if err := db.GetContext(ctx, &withAge, `SELECT count(*) FROM survey_record WHERE age IS NOT NULL`); err != nil || withAge != 1 {
		t.Errorf("records still holding an age = %d %v, want 1 (the 2025 one)", withAge, err)
	}

	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"survey", "purge"}, "--before"},
		{[]string{"survey", "purge", "--before", "01/01/2024"}, "not a date"},
		{[]string{"survey", "purge", "--before", "2999-01-01"}, "future"},
		{[]string{"survey", "purge", "--before", "2024-01-01", "--country", "Atlantis"}, "unknown country"},
	} {
		r := vahub(t, url, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: %s, want a usage error saying %q", tc.args, r, tc.says)
		}
	}
}
