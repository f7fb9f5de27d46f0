package survey_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/ingest/survey"
	"github.com/vahub/vahub/ingest/survey/surveytest"
	"github.com/vahub/vahub/normalize/countries"
	svy "github.com/vahub/vahub/schema/survey"
)

// FuzzHeader: any header row classifies without panicking, and every
// column has at most one role.
func FuzzHeader(f *testing.F) {
	f.Add("consent,country,wg_ss/wg_seeing,needs-need_rehabilitation,_uuid,_submission_time")
	f.Add("SubmissionDate,consent,meta-instanceID,KEY,ReviewState")
	f.Add("start,end,deviceid,consent,resp_age,uuid,index")
	f.Add("Acceptez-vous de participer à cet entretien ?;Pays où se déroule l'entretien;_uuid;_id")
	f.Add(",,/,-,.,:,a/,/b")
	f.Fuzz(func(t *testing.T, line string) {
		header := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' })
		l := survey.ClassifyHeader(header)
		if len(l.Roles) != len(header) {
			t.Fatalf("%d roles for %d headers", len(l.Roles), len(header))
		}
		if len(l.Questions)+len(l.Missing) != len(svy.Standard().Questions()) {
			t.Fatalf("questions %v missing %v", l.Questions, l.Missing)
		}
	})
}

// FuzzExportCSV: any CSV text is either not a survey export, rejected with
// issues, or streamed into records the store can hold: an instance id, a
// known country, a year in range, an age in range.
func FuzzExportCSV(f *testing.F) {
	st := surveytest.Style{Tool: svy.SourceKobo, GroupSep: "/", Lang: "en"}
	var b bytes.Buffer
	_ = surveytest.WriteCSV(&b, st, ';', true, []surveytest.Interview{
		{UUID: "u1", Submitted: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Answers: full()},
		{UUID: "u2", Submitted: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Answers: answers("consent", "no")},
	})
	f.Add(b.String())
	b.Reset()
	_ = surveytest.WriteCSV(&b, surveytest.Style{Tool: svy.SourceODK, GroupSep: "-"}, ',', false, []surveytest.Interview{
		{UUID: "u3", Deprecated: "u1", Submitted: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Answers: full("age", "1e9", "interview_date", "45366")},
	})
	f.Add(b.String())
	f.Add("consent;country;_uuid;_submission_time\nyes;LAO;;2024-01-01\nno;;x;\nyes;XXX;y;1800-01-01\n")
	f.Add("consent,_uuid,SubmissionDate,age\n\"yes,\"\"\",a,2024,-1\n")
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(t.TempDir(), "export.csv")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		exp, _, err := survey.Open(t.Context(), path, survey.Options{})
		if err != nil || exp == nil {
			return
		}
		defer exp.Close()
		_, err = exp.Stream(t.Context(), func(r *svy.Record) error {
			if r.InstanceID == "" || r.Year < 1960 || r.Year > 2200 || (r.Age != nil && (*r.Age < 0 || *r.Age > 130)) {
				t.Fatalf("record the store cannot hold: %+v", r)
			}
			if _, ok := countries.Lookup(r.Country); !ok {
				t.Fatalf("unknown country %q", r.Country)
			}
			if r.Consent != "yes" && r.Consent != "no" {
				t.Fatalf("consent %q", r.Consent)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
