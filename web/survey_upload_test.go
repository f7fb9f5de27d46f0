package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vahub/vahub/web"
)

// koboCSV is a KoboToolbox CSV export (";" and group prefixes, as Kobo
// writes it) of two interviews in Lao PDR.
const koboCSV = `start;end;consent;country;admin1;interview_date;sex;age;victim_type;cause;incident_year;` +
	`wg_ss/wg_seeing;wg_ss/wg_hearing;wg_ss/wg_walking;wg_ss/wg_cognition;wg_ss/wg_selfcare;wg_ss/wg_communication;` +
	`needs/need_medical_care;needs/received_medical_care;needs/need_rehabilitation;needs/received_rehabilitation;` +
	`needs/need_psychosocial_support;needs/received_psychosocial_support;needs/need_socioeconomic_inclusion;needs/received_socioeconomic_inclusion;` +
	`_id;_uuid;_submission_time
2024-03-01T09:00:00;2024-03-01T09:30:00;yes;LAO;Xieng Khouang;2024-03-01;female;34;survivor;cm_remnant;2019;` +
	`no_difficulty;no_difficulty;cannot_do_at_all;no_difficulty;no_difficulty;no_difficulty;yes;yes;yes;no;no;;no;;1;0b6e1d1a-0000-4000-8000-000000000001;2024-03-01T10:00:00
2024-03-02T09:00:00;2024-03-02T09:30:00;yes;LAO;Xieng Khouang;2024-03-02;male;12;survivor;cm_remnant;2021;` +
	`no_difficulty;no_difficulty;no_difficulty;no_difficulty;no_difficulty;no_difficulty;yes;no;yes;yes;yes;no;no;;2;0b6e1d1a-0000-4000-8000-000000000002;2024-03-02T10:00:00
`

// A survey export's interviews feed the views as soon as they are stored,
// with no report to approve: a focal point may not upload one, a data
// officer may.
func TestUploadSurveyExport(t *testing.T) {
	f := setup(t, web.Options{})
	resp, body := f.upload(t, asFocalLAO, "kobo.csv", []byte(koboCSV))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "survey interviews") {
		t.Fatalf("focal point: %d %s, want 403 saying survey exports are not uploaded here", resp.StatusCode, body)
	}
	var n int
	if err := f.db.GetContext(t.Context(), &n, `SELECT count(*) FROM survey_record`); err != nil || n != 0 {
		t.Fatalf("%d records stored from a refused upload (%v)", n, err)
	}

	resp, body = f.upload(t, asAdmin, "kobo.csv", []byte(koboCSV))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin: %d %s", resp.StatusCode, body)
	}
	var got struct {
		Files []struct {
			Format string
			Survey struct{ Accepted int }
		}
	}
	if err := json.Unmarshal(body, &got); err != nil || len(got.Files) != 1 {
		t.Fatalf("answer %s: %v", body, err)
	}
	if fl := got.Files[0]; fl.Format != "survey-kobo" || fl.Survey.Accepted != 2 {
		t.Errorf("admin upload: format %q, %d accepted; want survey-kobo, 2", fl.Format, fl.Survey.Accepted)
	}
}
