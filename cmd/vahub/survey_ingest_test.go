package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/ingest/survey/surveytest"
	svy "github.com/vahub/vahub/schema/survey"
)

// `vahub ingest --json` reports a survey export's counts in "survey"; the
// text report says them in words.
func TestIngestSurveyJSON(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kobo.csv")
	sub := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)
	yes := map[string]string{"consent": "yes", "country": "LAO", "interview_date": "2024-05-30", "sex": "female", "age": "30",
		"need_rehabilitation": "yes", "received_rehabilitation": "no"}
	var buf bytes.Buffer
	err := surveytest.WriteCSV(&buf, surveytest.Style{Tool: svy.SourceKobo, GroupSep: "/", Lang: "en"}, ';', true, []surveytest.Interview{
		{UUID: "a", Submitted: sub, Answers: yes},
		{UUID: "b", Submitted: sub, Answers: map[string]string{"consent": "no"}},
		{UUID: "c", Submitted: sub, Answers: map[string]string{"consent": "yes"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, exitOK, unreachable, "ingest", "--dry-run", "--json", path)
	var doc struct {
		Files []struct {
			Status string         `json:"status"`
			Format string         `json:"format"`
			Survey map[string]int `json:"survey"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	f := doc.Files[0]
	want := map[string]int{"accepted": 1, "duplicates": 0, "replaced": 0, "no_consent": 1, "rejected": 1}
	if f.Status != "dry_run" || f.Format != "survey-kobo" || len(f.Survey) != len(want) {
		t.Fatalf("file %+v", f)
	}
	for k, v := range want {
		if f.Survey[k] != v {
			t.Errorf("survey.%s = %d, want %d", k, f.Survey[k], v)
		}
	}
	r = mustRun(t, exitOK, unreachable, "ingest", "--dry-run", path)
	if !strings.Contains(r.stdout, "survey: 1 accepted, 0 duplicate(s), 0 replaced, 1 refusal(s) (no consent), 1 row(s) rejected") {
		t.Errorf("text report:\n%s", r.stdout)
	}
}
