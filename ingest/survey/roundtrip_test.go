package survey_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vahub/vahub/ingest/survey"
	svy "github.com/vahub/vahub/schema/survey"
)

// Round trip through the XLSForm itself: an export is built the way a tool
// builds it from the XLSForm sheets `vahub survey form` writes (the survey
// sheet's groups, names and label columns, the choices sheet's labels),
// without vahub's Form type, and reads back to the answers put in.
func TestRoundTripFromXLSForm(t *testing.T) {
	t.Parallel()
	x := svy.Standard().XLSForm()
	col := func(header []string, name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("XLSForm has no column %q", name)
		return -1
	}
	type question struct{ name, typ, list, header string }
	interviews := []map[string]string{
		{"consent": "yes", "country": "COL", "admin1": "Antioquia", "interview_date": "2025-02-03", "sex": "male", "age": "27",
			"victim_type": "survivor", "cause": "landmine", "incident_year": "2019", "wg_seeing": "no_difficulty",
			"wg_hearing": "no_difficulty", "wg_walking": "a_lot_of_difficulty", "wg_cognition": "no_difficulty",
			"wg_selfcare": "some_difficulty", "wg_communication": "no_difficulty", "need_rehabilitation": "yes",
			"received_rehabilitation": "yes", "need_medical_care": "no"},
		{"consent": "yes", "country": "COL", "interview_date": "2025-02-04", "sex": "female", "age": "15",
			"victim_type": "family_member", "cause": "unknown", "wg_seeing": "dont_know", "need_psychosocial_support": "yes",
			"received_psychosocial_support": "no"},
		{"consent": "no"},
	}
	for _, lang := range svy.Languages() {
		for _, labels := range []bool{false, true} {
			s := x.Survey
			typeCol, nameCol, labelCol := col(s[0], "type"), col(s[0], "name"), col(s[0], "label::"+lang.Column())
			var qs []question
			var group, groupLabel string
			for _, row := range s[1:] {
				typ, _, _ := strings.Cut(row[typeCol], " ")
				_, list, _ := strings.Cut(row[typeCol], " ")
				switch typ {
				case "begin_group":
					group, groupLabel = row[nameCol], row[labelCol]
					continue
				case "end_group":
					group, groupLabel = "", ""
					continue
				case "note":
					continue
				}
				h := row[nameCol]
				if labels {
					h = row[labelCol]
				}
				if group != "" {
					if labels {
						h = groupLabel + "/" + h
					} else {
						h = group + "/" + h
					}
				}
				qs = append(qs, question{name: row[nameCol], typ: typ, list: list, header: h})
			}
			choice := map[string]string{} // list + " " + code -> label
			c := x.Choices
			listCol, cnameCol, clabelCol := col(c[0], "list_name"), col(c[0], "name"), col(c[0], "label::"+lang.Column())
			for _, row := range c[1:] {
				choice[row[listCol]+" "+row[cnameCol]] = row[clabelCol]
			}

			path := filepath.Join(t.TempDir(), "export.csv")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			w := csv.NewWriter(f)
			w.Comma = ';'
			var header []string
			for _, q := range qs {
				header = append(header, q.header)
			}
			_ = w.Write(append(header, "_id", "_uuid", "_submission_time", "__version__", "_index"))
			for i, iv := range interviews {
				var rec []string
				for _, q := range qs {
					v := iv[q.name]
					if labels && q.typ == "select_one" && v != "" {
						v = choice[q.list+" "+v]
					}
					rec = append(rec, v)
				}
				_ = w.Write(append(rec, "1", "rt-"+string(rune('a'+i)), "2025-02-05T10:00:00", svy.FormVersion, "1"))
			}
			w.Flush()
			if err := f.Close(); err != nil || w.Error() != nil {
				t.Fatal(err, w.Error())
			}

			recs, _, issues := stream(t, path, survey.Options{})
			if len(recs) != len(interviews) || len(issues) != 0 {
				t.Fatalf("%s labels=%v: %d records, issues %v", lang.Code, labels, len(recs), issues)
			}
			for i, r := range recs {
				got := r.Answers()
				for k, v := range interviews[i] {
					g := ""
					if a, ok := got[k]; ok {
						g = fmt.Sprint(a)
					}
					if g != v {
						t.Errorf("%s labels=%v interview %d: %s = %q, want %q", lang.Code, labels, i, k, g, v)
					}
				}
				if r.Refusal() {
					if r.Country != "COL" || len(got) != 2 {
						t.Errorf("refusal %+v", r)
					}
				} else if len(got) != len(interviews[i]) {
					t.Errorf("%s labels=%v interview %d: %d answers, want %d: %v", lang.Code, labels, i, len(got), len(interviews[i]), got)
				}
			}
		}
	}
}
