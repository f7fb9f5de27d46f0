package submission

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/schema/survey"
)

var now = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// fullJSON is a complete interview with consent, as the README shows it.
const fullJSON = `{"instance_id": "uuid:6f1f3c2e-5b7a-4c1e-9d55-0a1b2c3d4e5f", "form_version": "2026.1",
 "answers": {"consent": "yes", "country": "LAO", "admin1": "Xiengkhouang", "interview_date": "2026-03-02",
  "sex": "female", "age": 34, "victim_type": "survivor", "cause": "cm_remnant", "incident_year": "2011",
  "wg_ss/wg_seeing": "no_difficulty", "wg_hearing": "some_difficulty", "wg_ss": {"wg_walking": "a_lot_of_difficulty"},
  "wg_cognition": "no_difficulty", "wg_selfcare": "no_difficulty", "wg_communication": "dont_know",
  "need_medical_care": "yes", "received_medical_care": "yes",
  "needs-need_rehabilitation": "yes", "needs/received_rehabilitation": "no",
  "need_psychosocial_support": "no", "need_socioeconomic_inclusion": "yes", "received_socioeconomic_inclusion": "no",
  "meta/instanceName": "ignored", "_uuid": "ignored", "start": "2026-03-02T09:00:00"}}`

func record(t *testing.T, e Envelope, o Options) (survey.Record, Errors) {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = now
	}
	if o.Source == "" {
		o.Source = survey.SourceAPI
	}
	rec, err := e.Record(survey.Standard(), o)
	if err == nil {
		return rec, nil
	}
	var fe Errors
	if !errors.As(err, &fe) {
		t.Fatalf("Record: %v, want field errors", err)
	}
	return rec, fe
}

func TestJSONFullRecord(t *testing.T) {
	e, err := DecodeJSON(strings.NewReader(fullJSON))
	if err != nil {
		t.Fatal(err)
	}
	rec, errs := record(t, e, Options{})
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	age, inc := 34, 2011
	d := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	want := survey.Record{
		InstanceID: "uuid:6f1f3c2e-5b7a-4c1e-9d55-0a1b2c3d4e5f", FormID: survey.FormID, FormVersion: "2026.1",
		Source: survey.SourceAPI, SubmittedAt: &now, Consent: "yes", Country: "LAO", Admin1: "Xiengkhouang",
		InterviewDate: &d, Year: 2026, Sex: "female", Age: &age, VictimType: "survivor", Cause: "cm_remnant",
		IncidentYear: &inc,
		WG: map[string]string{"wg_seeing": "no_difficulty", "wg_hearing": "some_difficulty", "wg_walking": "a_lot_of_difficulty",
			"wg_cognition": "no_difficulty", "wg_selfcare": "no_difficulty", "wg_communication": "dont_know"},
		Need:     map[string]string{"medical_care": "yes", "rehabilitation": "yes", "psychosocial_support": "no", "socioeconomic_inclusion": "yes"},
		Received: map[string]string{"medical_care": "yes", "rehabilitation": "no", "socioeconomic_inclusion": "no"},
	}
	gotDoc, gotSum := rec.AnswersJSON()
	wantDoc, wantSum := want.AnswersJSON()
	if gotSum != wantSum {
		t.Errorf("answers\n got %s\nwant %s", gotDoc, wantDoc)
	}
	if rec.InstanceID != want.InstanceID || rec.Year != 2026 || rec.Source != survey.SourceAPI || rec.FormVersion != "2026.1" ||
		rec.SubmittedAt == nil || !rec.SubmittedAt.Equal(now) {
		t.Errorf("record metadata = %+v", rec)
	}
	if got := survey.Disability(rec.WG); got != "yes" {
		t.Errorf("disability = %s, want yes (walking: a lot of difficulty)", got)
	}
}

// The same interview as ODK Collect submits it, groups nested, decodes to
// the same answers.
func TestXMLMatchesJSON(t *testing.T) {
	e, err := DecodeXML(strings.NewReader(sampleXML), survey.FormID)
	if err != nil {
		t.Fatal(err)
	}
	if e.InstanceID != "uuid:6f1f3c2e-5b7a-4c1e-9d55-0a1b2c3d4e5f" || e.FormVersion != "2026.1" || e.DeprecatedID != "" {
		t.Errorf("envelope = %+v", e)
	}
	x, errs := record(t, e, Options{Source: survey.SourceOpenRosa})
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	je, _ := DecodeJSON(strings.NewReader(fullJSON))
	j, _ := record(t, je, Options{})
	xd, xs := x.AnswersJSON()
	jd, js := j.AnswersJSON()
	if xs != js {
		t.Errorf("XML answers %s\nJSON answers %s", xd, jd)
	}
}

const sampleXML = `<?xml version='1.0' ?><vahub_va_needs id="vahub_va_needs" version="2026.1" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">
<consent_info/><consent>yes</consent><no_consent_end/><country>LAO</country><admin1>Xiengkhouang</admin1>
<interview_date>2026-03-02</interview_date><sex>female</sex><age>34</age><victim_type>survivor</victim_type>
<cause>cm_remnant</cause><incident_year>2011</incident_year>
<wg_ss><wg_intro/><wg_seeing>no_difficulty</wg_seeing><wg_hearing>some_difficulty</wg_hearing><wg_walking>a_lot_of_difficulty</wg_walking>
<wg_cognition>no_difficulty</wg_cognition><wg_selfcare>no_difficulty</wg_selfcare><wg_communication>dont_know</wg_communication></wg_ss>
<needs><need_medical_care>yes</need_medical_care><received_medical_care>yes</received_medical_care>
<need_rehabilitation>yes</need_rehabilitation><received_rehabilitation>no</received_rehabilitation>
<need_psychosocial_support>no</need_psychosocial_support><received_psychosocial_support/>
<need_socioeconomic_inclusion>yes</need_socioeconomic_inclusion><received_socioeconomic_inclusion>no</received_socioeconomic_inclusion></needs>
<meta><instanceID>uuid:6f1f3c2e-5b7a-4c1e-9d55-0a1b2c3d4e5f</instanceID></meta></vahub_va_needs>`

// A refusal keeps only what counts it, whatever else was sent, and takes
// the enumerator's country when it names none (the form asks the country
// after consent).
func TestRefusal(t *testing.T) {
	body := `{"instance_id": "uuid:r1", "answers": {"consent": "no", "sex": "female", "age": 999, "wg_seeing": "nonsense"}}`
	e, err := DecodeJSON(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rec, errs := record(t, e, Options{DefaultCountry: "LAO"})
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	if rec.Consent != "no" || rec.Country != "LAO" || rec.Year != 2026 || rec.Sex != "" || rec.Age != nil || rec.WG != nil {
		t.Errorf("refusal = %+v, want consent no, LAO, 2026 and nothing else", rec)
	}
	_, errs = record(t, e, Options{})
	if len(errs) != 1 || errs[0].Field != "country" {
		t.Errorf("refusal without any country: %v, want one error on country", errs)
	}
	e.Answers = append(e.Answers, Answer{Path: "country", Value: "LBN"})
	if rec, errs = record(t, e, Options{DefaultCountry: "LAO"}); errs != nil || rec.Country != "LBN" {
		t.Errorf("refusal naming LBN: %+v %v", rec, errs)
	}
}

func TestFieldErrors(t *testing.T) {
	tests := []struct {
		name    string
		answers string
		want    map[string]string // field -> part of the message
	}{
		{"no consent answer", `{"country": "LAO"}`, map[string]string{"consent": "required"}},
		{"consent not a code", `{"consent": "Yes please"}`, map[string]string{"consent": "not one of the codes"}},
		{"label instead of code", `{"consent": "yes", "sex": "Female"}`, map[string]string{"sex": "not one of the codes"}},
		{"alpha-2 country", `{"consent": "yes", "country": "LA"}`, map[string]string{"country": "not a country code"}},
		{"country name", `{"consent": "yes", "country": "Laos"}`, map[string]string{"country": "not a country code"}},
		{"age out of range", `{"consent": "yes", "age": 150}`, map[string]string{"age": "out of range"}},
		{"age not a number", `{"consent": "yes", "age": "thirty"}`, map[string]string{"age": "not a whole number"}},
		{"age fraction", `{"consent": "yes", "age": 3.5}`, map[string]string{"age": "not a whole number"}},
		{"future date", `{"consent": "yes", "interview_date": "2026-04-01"}`, map[string]string{"interview_date": "in the future"}},
		{"bad date", `{"consent": "yes", "interview_date": "02/03/2026"}`, map[string]string{"interview_date": "not a date"}},
		{"old date", `{"consent": "yes", "interview_date": "1950-01-01"}`, map[string]string{"interview_date": "out of range"}},
		{"incident in the future", `{"consent": "yes", "incident_year": 2030}`, map[string]string{"incident_year": "out of range"}},
		{"unknown question", `{"consent": "yes", "name": "Jane"}`, map[string]string{"name": "not a question"}},
		{"wrong group", `{"consent": "yes", "needs/wg_seeing": "no_difficulty"}`, map[string]string{"needs/wg_seeing": "in the group wg_ss"}},
		{"twice", `{"consent": "yes", "wg_seeing": "no_difficulty", "wg_ss/wg_seeing": "no_difficulty"}`, map[string]string{"wg_seeing": "twice"}},
		{"received without need", `{"consent": "yes", "need_rehabilitation": "no", "received_rehabilitation": "yes"}`,
			map[string]string{"received_rehabilitation": "only when need_rehabilitation is yes"}},
		{"need without received", `{"consent": "yes", "need_rehabilitation": "yes"}`, map[string]string{"received_rehabilitation": "required when"}},
		{"list", `{"consent": "yes", "cause": ["mine"]}`, map[string]string{"cause": "a list"}},
		{"boolean", `{"consent": true}`, map[string]string{"consent": "true/false"}},
		{"control characters", `{"consent": "yes", "admin1": "a\u0000b"}`, map[string]string{"admin1": "printable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := DecodeJSON(strings.NewReader(`{"instance_id": "uuid:x", "answers": ` + tc.answers + `}`))
			if err != nil {
				t.Fatal(err)
			}
			_, errs := record(t, e, Options{})
			if errs == nil {
				t.Fatal("no errors")
			}
			for field, part := range tc.want {
				i := slices.IndexFunc(errs, func(f FieldError) bool { return f.Field == field })
				if i < 0 || !strings.Contains(errs[i].Message, part) {
					t.Errorf("errors %v: want %s: …%s…", errs, field, part)
				}
			}
		})
	}

	// Every missing required answer of a consented interview is named,
	// with what it takes.
	e, _ := DecodeJSON(strings.NewReader(`{"instance_id": "uuid:x", "answers": {"consent": "yes"}}`))
	_, errs := record(t, e, Options{})
	var fields []string
	for _, f := range errs {
		fields = append(fields, f.Field)
		if f.Message != "required" || len(f.Expected) == 0 {
			t.Errorf("%s: %q %v, want required with what it takes", f.Field, f.Message, f.Expected)
		}
	}
	want := []string{"country", "interview_date", "sex", "age", "victim_type", "cause", "wg_seeing", "wg_hearing", "wg_walking",
		"wg_cognition", "wg_selfcare", "wg_communication", "need_medical_care", "need_rehabilitation", "need_psychosocial_support",
		"need_socioeconomic_inclusion"}
	if !slices.Equal(fields, want) {
		t.Errorf("required fields\n got %v\nwant %v", fields, want)
	}
	if i := slices.IndexFunc(errs, func(f FieldError) bool { return f.Field == "wg_seeing" }); !slices.Contains(errs[i].Expected, "cannot_do_at_all") {
		t.Errorf("wg_seeing expected %v", errs[i].Expected)
	}
}

func TestEnvelopeErrors(t *testing.T) {
	tests := []struct {
		name, body string
		field      string // "" for a DecodeError
	}{
		{"not JSON", `{"instance_id": `, ""},
		{"array", `[1, 2]`, ""},
		{"unknown field", `{"instance_id": "uuid:x", "answer": {}}`, ""},
		{"no answers", `{"instance_id": "uuid:x"}`, ""},
		{"answers a string", `{"instance_id": "uuid:x", "answers": "consent=yes"}`, ""},
		{"two objects", `{"instance_id": "uuid:x", "answers": {}} {}`, ""},
		{"instance id a number", `{"instance_id": 12, "answers": {}}`, ""},
		{"too deep", `{"instance_id": "uuid:x", "answers": {"a": {"b": {"c": {"d": "x"}}}}}`, ""},
		{"no instance id", `{"answers": {"consent": "no", "country": "LAO"}}`, "instance_id"},
		{"instance id with spaces", `{"instance_id": "uuid: x y", "answers": {"consent": "no", "country": "LAO"}}`, "instance_id"},
		{"edit of itself", `{"instance_id": "uuid:x", "deprecated_id": "uuid:x", "answers": {"consent": "no", "country": "LAO"}}`, "deprecated_id"},
	}
	for _, tc := range tests {
		e, err := DecodeJSON(strings.NewReader(tc.body))
		var de *DecodeError
		if tc.field == "" {
			if !errors.As(err, &de) {
				t.Errorf("%s: %v, want a DecodeError", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, errs := record(t, e, Options{})
		if len(errs) != 1 || errs[0].Field != tc.field {
			t.Errorf("%s: %v, want one error on %s", tc.name, errs, tc.field)
		}
	}
	e := Envelope{InstanceID: "uuid:x", FormID: "other_form"}
	if _, err := e.Record(survey.Standard(), Options{Now: now}); !errors.Is(err, ErrUnknownForm) {
		t.Errorf("other form id: %v", err)
	}
}

func TestXMLErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		unknown   bool // ErrUnknownForm rather than a DecodeError
	}{
		{"other form", `<data id="reach_msna" version="1"><consent>yes</consent></data>`, true},
		{"no id", `<data><consent>yes</consent></data>`, false},
		{"not XML", `consent=yes`, false},
		{"empty", ``, false},
		{"unclosed", `<x id="vahub_va_needs"><consent>yes</consent>`, false},
		{"two roots", `<x id="vahub_va_needs"></x><x id="vahub_va_needs"></x>`, false},
		{"too deep", `<x id="vahub_va_needs"><a><b><c><d><e><f>1</f></e></d></c></b></a></x>`, false},
		{"entity", `<!DOCTYPE x [<!ENTITY e "yes">]><x id="vahub_va_needs"><consent>&e;</consent></x>`, false},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><x id="vahub_va_needs"/>`, false},
	}
	for _, tc := range tests {
		_, err := DecodeXML(strings.NewReader(tc.doc), survey.FormID)
		var de *DecodeError
		switch {
		case tc.unknown && !errors.Is(err, ErrUnknownForm):
			t.Errorf("%s: %v, want ErrUnknownForm", tc.name, err)
		case !tc.unknown && !errors.As(err, &de):
			t.Errorf("%s: %v, want a DecodeError", tc.name, err)
		}
	}

	// An edit (ODK's deprecatedID) and the orx: namespace of older forms.
	doc := `<v id="vahub_va_needs" xmlns:orx="http://openrosa.org/xforms"><consent>no</consent><country>KHM</country>
<orx:meta><orx:instanceID>uuid:new</orx:instanceID><orx:deprecatedID>uuid:old</orx:deprecatedID></orx:meta></v>`
	e, err := DecodeXML(strings.NewReader(doc), survey.FormID)
	if err != nil || e.InstanceID != "uuid:new" || e.DeprecatedID != "uuid:old" {
		t.Fatalf("edit: %+v %v", e, err)
	}
	rec, errs := record(t, e, Options{Source: survey.SourceOpenRosa})
	if errs != nil || rec.Country != "KHM" || rec.DeprecatedID != "uuid:old" || !rec.Refusal() {
		t.Errorf("edit record: %+v %v", rec, errs)
	}
}
