package web_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/web"
	"github.com/vahub/vahub/web/auth"
)

const submissionsPath = "/api/v1/surveys/vahub_va_needs/submissions"

// instanceSeq makes instance ids unique across the tests of one run.
var instanceSeq atomic.Int64

func newInstance() string {
	return fmt.Sprintf("uuid:00000000-0000-4000-8000-%012d", instanceSeq.Add(1))
}

// interview is a complete consented interview in country, as the JSON API
// takes it: female, 34, walking with a lot of difficulty (disability yes),
// needing rehabilitation (not received) and medical care (received).
func interview(country string) map[string]any {
	return map[string]any{
		"consent": "yes", "country": country, "admin1": "Phonsavan-Q7", "interview_date": "2026-03-02",
		"sex": "female", "age": 34, "victim_type": "survivor", "cause": "cm_remnant", "incident_year": 2011,
		"wg_ss/wg_seeing": "no_difficulty", "wg_ss/wg_hearing": "no_difficulty", "wg_ss/wg_walking": "a_lot_of_difficulty",
		"wg_ss/wg_cognition": "no_difficulty", "wg_ss/wg_selfcare": "some_difficulty", "wg_ss/wg_communication": "no_difficulty",
		"needs/need_medical_care": "yes", "needs/received_medical_care": "yes",
		"needs/need_rehabilitation": "yes", "needs/received_rehabilitation": "no",
		"needs/need_psychosocial_support": "no", "needs/need_socioeconomic_inclusion": "no",
	}
}

func submissionBody(t *testing.T, instance, deprecated string, answers map[string]any) []byte {
	t.Helper()
	b := map[string]any{"instance_id": instance, "form_version": "2026.1", "answers": answers}
	if deprecated != "" {
		b["deprecated_id"] = deprecated
	}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) submit(t *testing.T, who string, body []byte) (*http.Response, []byte) {
	t.Helper()
	return do(t, f.request(t, who, http.MethodPost, submissionsPath, bytes.NewReader(body), "application/json"))
}

type submitAnswer struct {
	ID         int64  `json:"id"`
	InstanceID string `json:"instance_id"`
	Status     string `json:"status"`
	Error      string `json:"error"`
	Fields     []struct {
		Field    string   `json:"field"`
		Error    string   `json:"error"`
		Expected []string `json:"expected"`
	} `json:"fields"`
}

func decodeAnswer(t *testing.T, body []byte) submitAnswer {
	t.Helper()
	var a submitAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	return a
}

// The JSON API end to end: created, retried, conflicting, edited, and the
// aggregates that follow.
func TestSurveySubmissionJSON(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	ctx := t.Context()
	id1 := newInstance()
	body := submissionBody(t, id1, "", interview("LAO"))

	resp, b := f.submit(t, asEnumerator, body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("new: %d %s", resp.StatusCode, b)
	}
	first := decodeAnswer(t, b)
	if first.Status != "created" || first.InstanceID != id1 || first.ID == 0 {
		t.Errorf("new: %+v", first)
	}

	// A retry (the client missed the answer) gets the same id, and stores nothing.
	resp, b = f.submit(t, asEnumerator, body)
	if a := decodeAnswer(t, b); resp.StatusCode != http.StatusOK || a.Status != "duplicate" || a.ID != first.ID {
		t.Errorf("retry: %d %s, want 200 duplicate with id %d", resp.StatusCode, b, first.ID)
	}

	// The same instance id with other answers is refused.
	other := interview("LAO")
	other["age"] = 35
	resp, b = f.submit(t, asEnumerator, submissionBody(t, id1, "", other))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), "deprecated_id") {
		t.Errorf("conflict: %d %s, want 409 explaining deprecated_id", resp.StatusCode, b)
	}

	var rows []struct {
		ID         int64  `db:"id"`
		Current    bool   `db:"current"`
		Sex        string `db:"sex"`
		AgeGroup   string `db:"age_group"`
		Disability string `db:"disability"`
		Year       int    `db:"year"`
		By         string `db:"submitted_by"`
		Source     string `db:"source"`
	}
	if err := f.db.SelectContext(ctx, &rows, `SELECT id, current, sex, age_group, disability, year, submitted_by, source FROM survey_record ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != first.ID || !rows[0].Current || rows[0].Sex != "female" || rows[0].AgeGroup != "adult" ||
		rows[0].Disability != "yes" || rows[0].Year != 2026 || rows[0].By != "enum-lao" || rows[0].Source != "api" {
		t.Fatalf("stored rows = %+v", rows)
	}

	// The survey is LAO 2026's only source: the facts are this interview.
	type fact struct {
		Pillar  string `db:"pillar"`
		InNeed  *int   `db:"in_need"`
		Reached *int   `db:"reached"`
	}
	facts := func() map[string]fact {
		var fs []fact
		if err := f.db.SelectContext(ctx, &fs, `SELECT pillar, in_need, reached FROM service_facts
			WHERE country = 'LAO' AND year = 2026 AND sex = 'female' AND age_group = 'adult' AND disability = 'yes'`); err != nil {
			t.Fatal(err)
		}
		m := map[string]fact{}
		for _, x := range fs {
			m[x.Pillar] = x
		}
		return m
	}
	got := facts()
	if r := got["rehabilitation"]; r.InNeed == nil || *r.InNeed != 1 || r.Reached == nil || *r.Reached != 0 {
		t.Errorf("rehabilitation = %+v, want 1 in need, 0 reached", r)
	}
	if m := got["medical_care"]; m.InNeed == nil || *m.InNeed != 1 || m.Reached == nil || *m.Reached != 1 {
		t.Errorf("medical care = %+v, want 1 in need, 1 reached", m)
	}

	// An edit: a new instance id naming the first as deprecated_id.
	id2 := newInstance()
	edited := interview("LAO")
	edited["needs/received_rehabilitation"] = "yes"
	resp, b = f.submit(t, asEnumerator, submissionBody(t, id2, id1, edited))
	second := decodeAnswer(t, b)
	if resp.StatusCode != http.StatusCreated || second.ID == first.ID {
		t.Fatalf("edit: %d %s", resp.StatusCode, b)
	}
	var current []string
	if err := f.db.SelectContext(ctx, &current, `SELECT instance_id FROM survey_record WHERE current`); err != nil {
		t.Fatal(err)
	}
	if len(current) != 1 || current[0] != id2 {
		t.Errorf("current after the edit = %v, want only %s", current, id2)
	}
	if r := facts()["rehabilitation"]; r.InNeed == nil || *r.InNeed != 1 || r.Reached == nil || *r.Reached != 1 {
		t.Errorf("rehabilitation after the edit = %+v, want 1 in need, 1 reached", r)
	}
	// The edit resent: a duplicate; resent with other answers: a conflict.
	resp, b = f.submit(t, asEnumerator, submissionBody(t, id2, id1, edited))
	if a := decodeAnswer(t, b); resp.StatusCode != http.StatusOK || a.ID != second.ID || a.Status != "duplicate" {
		t.Errorf("edit resent: %d %s, want 200 duplicate with id %d", resp.StatusCode, b, second.ID)
	}
	edited["age"] = 36
	if resp, b = f.submit(t, asEnumerator, submissionBody(t, id2, id1, edited)); resp.StatusCode != http.StatusConflict {
		t.Errorf("edit resent with other answers: %d %s, want 409", resp.StatusCode, b)
	}
	// A second edit of the first version, which is no longer in force,
	// would leave two versions current: refused, naming the one to edit.
	if resp, b = f.submit(t, asEnumerator, submissionBody(t, newInstance(), id1, edited)); resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), id2) {
		t.Errorf("second edit of a replaced version: %d %s, want 409 naming %s", resp.StatusCode, b, id2)
	}
	if err := f.db.SelectContext(ctx, &current, `SELECT instance_id FROM survey_record WHERE current`); err != nil {
		t.Fatal(err)
	}
	if len(current) != 1 || current[0] != id2 {
		t.Errorf("current after the refused edits = %v, want only %s", current, id2)
	}

	// Resending the replaced version is a duplicate of history: the
	// answer names the version in force.
	resp, b = f.submit(t, asEnumerator, body)
	if a := decodeAnswer(t, b); resp.StatusCode != http.StatusOK || a.ID != second.ID {
		t.Errorf("resend of the replaced version: %d %s, want 200 with id %d", resp.StatusCode, b, second.ID)
	}

	// Every stored write is audited, without answers.
	var audits []string
	if err := f.db.SelectContext(ctx, &audits, `SELECT detail::text FROM audit_log WHERE action = 'survey_submit' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(audits) != 4 { // created, conflict, edit, conflicting resend of the edit
		t.Errorf("audit rows = %d %v, want 4", len(audits), audits)
	}
	for _, a := range audits {
		if strings.Contains(a, "Phonsavan") || strings.Contains(a, "female") {
			t.Errorf("audit detail holds answers: %s", a)
		}
	}
}

// Each way a submission is refused, with the status and what it says.
func TestSurveySubmissionRefusals(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	good := func() []byte { return submissionBody(t, newInstance(), "", interview("LAO")) }
	bad := interview("LAO")
	bad["sex"] = "F"
	bad["wg_ss/wg_seeing"] = "blind"
	delete(bad, "needs/need_medical_care")
	bad["age"] = 230
	huge := interview("LAO")
	huge["admin1"] = strings.Repeat("x", 70<<10)

	tests := []struct {
		name        string
		who         string
		path        string
		contentType string
		body        []byte
		want        int
		says        string
	}{
		{"invalid answers", asEnumerator, submissionsPath, "application/json", submissionBody(t, newInstance(), "", bad), http.StatusUnprocessableEntity, "do not fit"},
		{"other country", asEnumerator, submissionsPath, "application/json", submissionBody(t, newInstance(), "", interview("LBN")), http.StatusForbidden, "LBN"},
		{"researcher", asResearcher, submissionsPath, "application/json", good(), http.StatusForbidden, "researcher"},
		{"focal point", asFocalLAO, submissionsPath, "application/json", good(), http.StatusForbidden, "focal_point"},
		{"no token", asNoToken, submissionsPath, "application/json", good(), http.StatusUnauthorized, "token"},
		{"bad token", asBadToken, submissionsPath, "application/json", good(), http.StatusUnauthorized, "token"},
		{"other form", asEnumerator, "/api/v1/surveys/reach_msna/submissions", "application/json", good(), http.StatusNotFound, "vahub_va_needs"},
		{"too large", asEnumerator, submissionsPath, "application/json", submissionBody(t, newInstance(), "", huge), http.StatusRequestEntityTooLarge, "64 KiB"},
		{"form post", asEnumerator, submissionsPath, "application/x-www-form-urlencoded", []byte("consent=yes"), http.StatusUnsupportedMediaType, "application/json"},
		{"no content type", asEnumerator, submissionsPath, "", good(), http.StatusUnsupportedMediaType, "application/json"},
		{"malformed JSON", asEnumerator, submissionsPath, "application/json", []byte(`{"instance_id": "uuid:1", "answers": {`), http.StatusBadRequest, "JSON"},
		{"unknown envelope field", asEnumerator, submissionsPath, "application/json", []byte(`{"instance_id": "uuid:1", "answer": {}}`), http.StatusBadRequest, "answer"},
		{"form id of another form", asEnumerator, submissionsPath, "application/json", []byte(`{"instance_id": "uuid:1", "form_id": "x", "answers": {}}`), http.StatusBadRequest, "form_id"},
	}
	for _, tc := range tests {
		resp, b := do(t, f.request(t, tc.who, http.MethodPost, tc.path, bytes.NewReader(tc.body), tc.contentType))
		if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, resp.StatusCode, b, tc.want, tc.says)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: Content-Type %q", tc.name, resp.Header.Get("Content-Type"))
		}
	}

	// The 422 lists each field with what it takes.
	resp, b := f.submit(t, asEnumerator, submissionBody(t, newInstance(), "", bad))
	a := decodeAnswer(t, b)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	want := map[string]string{"sex": "female", "wg_seeing": "a_lot_of_difficulty", "need_medical_care": "yes", "age": "whole years 0 to 120"}
	for _, fe := range a.Fields {
		if w, ok := want[fe.Field]; ok && strings.Contains(strings.Join(fe.Expected, " "), w) {
			delete(want, fe.Field)
		}
	}
	if len(want) > 0 {
		t.Errorf("fields %+v lack %v", a.Fields, want)
	}
	var n int
	if err := f.db.GetContext(t.Context(), &n, `SELECT count(*) FROM survey_record`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d records stored by refused submissions", n)
	}

	// An enumerator may not edit another country's record through
	// deprecated_id.
	lbn := newInstance()
	if resp, b := f.submit(t, asAdmin, submissionBody(t, lbn, "", interview("LBN"))); resp.StatusCode != http.StatusCreated {
		t.Fatalf("admin LBN: %d %s", resp.StatusCode, b)
	}
	resp, b = f.submit(t, asEnumerator, submissionBody(t, newInstance(), lbn, interview("LAO")))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "LBN") {
		t.Errorf("edit of an LBN record by a LAO enumerator: %d %s", resp.StatusCode, b)
	}
}

// Without consent only the refusal is counted: the row holds no answers
// and the aggregates do not move.
func TestSurveyRefusalKeepsNoAnswers(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	ctx := t.Context()
	refusal := interview("LAO")
	refusal["consent"] = "no"
	resp, b := f.submit(t, asEnumerator, submissionBody(t, newInstance(), "", refusal))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("refusal: %d %s", resp.StatusCode, b)
	}
	// As the form sends it: consent alone; the enumerator's country counts it.
	resp, b = f.submit(t, asEnumerator, submissionBody(t, newInstance(), "", map[string]any{"consent": "no"}))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("bare refusal: %d %s", resp.StatusCode, b)
	}
	var rows []struct {
		Answers    string  `db:"answers"`
		Sex        *string `db:"sex"`
		Age        *int    `db:"age"`
		Disability *string `db:"disability"`
		Admin1     string  `db:"admin1"`
		Country    string  `db:"country"`
		Date       *string `db:"interview_date"`
	}
	if err := f.db.SelectContext(ctx, &rows, `SELECT answers::text AS answers, sex, age, disability, country,
		coalesce(answers->>'admin1', '') AS admin1, interview_date::text AS interview_date FROM survey_record`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for _, r := range rows {
		if r.Answers != "{}" || r.Sex != nil || r.Age != nil || r.Disability != nil || r.Admin1 != "" || r.Country != "LAO" {
			t.Errorf("refusal row keeps more than the refusal: %+v", r)
		}
	}
	var facts int
	if err := f.db.GetContext(ctx, &facts, `SELECT count(*) FROM service_facts WHERE country = 'LAO' AND year = 2026`); err != nil {
		t.Fatal(err)
	}
	if facts != 0 {
		t.Errorf("%d service facts from refusals, want none", facts)
	}
}

// The instance as ODK Collect writes it for an interview in country.
func instanceXML(instance, deprecated, country string, age int) string {
	dep := ""
	if deprecated != "" {
		dep = "<deprecatedID>" + deprecated + "</deprecatedID>"
	}
	return `<?xml version='1.0' ?><vahub_va_needs id="vahub_va_needs" version="2026.1" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms" xmlns:orx="http://openrosa.org/xforms"><consent_info/><consent>yes</consent><no_consent_end/><country>` + country +
		`</country><admin1>Phonsavan-Q7</admin1><interview_date>2026-03-02</interview_date><sex>male</sex><age>` + fmt.Sprint(age) +
		`</age><victim_type>survivor</victim_type><cause>landmine</cause><incident_year/>` +
		`<wg_ss><wg_intro/><wg_seeing>no_difficulty</wg_seeing><wg_hearing>no_difficulty</wg_hearing><wg_walking>cannot_do_at_all</wg_walking><wg_cognition>no_difficulty</wg_cognition><wg_selfcare>no_difficulty</wg_selfcare><wg_communication>no_difficulty</wg_communication></wg_ss>` +
		`<needs><need_medical_care>no</need_medical_care><received_medical_care/><need_rehabilitation>yes</need_rehabilitation><received_rehabilitation>yes</received_rehabilitation><need_psychosocial_support>yes</need_psychosocial_support><received_psychosocial_support>no</received_psychosocial_support><need_socioeconomic_inclusion>no</need_socioeconomic_inclusion><received_socioeconomic_inclusion/></needs>` +
		`<meta><instanceID>` + instance + `</instanceID>` + dep + `</meta></vahub_va_needs>`
}

// openRosaPost builds a submission exactly as the OpenRosa Form Submission
// API shows it: multipart/form-data with a boundary, the instance in the
// part xml_submission_file with a file name and Content-Type text/xml, and
// any attachments as further parts.
func openRosaPost(t *testing.T, url, instance string, attachments map[string][]byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="xml_submission_file"; filename="vahub_va_needs_2026-03-02_10-15-00.xml"`)
	h.Set("Content-Type", "text/xml")
	w, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, instance)
	for name, content := range attachments {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, name, name))
		h.Set("Content-Type", "image/jpeg")
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	mw.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-OpenRosa-Version", "1.0")
	req.Header.Set("Date", "Mon, 02 Mar 2026 10:15:00 GMT")
	return req
}

type openRosaResponse struct {
	XMLName xml.Name `xml:"http://openrosa.org/http/response OpenRosaResponse"`
	Message struct {
		Nature string `xml:"nature,attr"`
		Text   string `xml:",chardata"`
	} `xml:"message"`
}

func checkOpenRosa(t *testing.T, name string, resp *http.Response, body []byte, status int, nature, says string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: status %d, want %d: %s", name, resp.StatusCode, status, body)
		return
	}
	if v := resp.Header.Get("X-OpenRosa-Version"); v != "1.0" {
		t.Errorf("%s: X-OpenRosa-Version %q", name, v)
	}
	if v := resp.Header.Get("X-OpenRosa-Accept-Content-Length"); v != "10485760" {
		t.Errorf("%s: X-OpenRosa-Accept-Content-Length %q", name, v)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		t.Errorf("%s: Content-Type %q", name, ct)
	}
	var r openRosaResponse
	if err := xml.Unmarshal(body, &r); err != nil {
		t.Errorf("%s: not an OpenRosaResponse: %v: %s", name, err, body)
		return
	}
	if r.Message.Nature != nature || !strings.Contains(r.Message.Text, says) {
		t.Errorf("%s: message %+v, want nature %q saying %q", name, r.Message, nature, says)
	}
}

func TestOpenRosaSubmission(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	ctx := t.Context()
	tok := f.tokens[asEnumerator]
	bearer := func(req *http.Request) *http.Request { req.Header.Set("Authorization", "Bearer "+tok); return req }
	basic := func(user, pw string) func(*http.Request) *http.Request {
		return func(req *http.Request) *http.Request {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pw)))
			return req
		}
	}

	// Collect's preflight: 401 with a challenge, then 204 with the limits.
	head, _ := http.NewRequestWithContext(ctx, http.MethodHead, f.url+"/submission", nil)
	head.Header.Set("X-OpenRosa-Version", "1.0")
	resp, _ := do(t, head)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(strings.Join(resp.Header.Values("WWW-Authenticate"), " "), "Basic") ||
		resp.Header.Get("X-OpenRosa-Version") != "1.0" {
		t.Errorf("HEAD without credentials: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do(t, basic("enum-lao", tok)(head.Clone(ctx)))
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("X-OpenRosa-Accept-Content-Length") != "10485760" || resp.Header.Get("X-OpenRosa-Version") != "1.0" {
		t.Errorf("HEAD with Basic: %d %v", resp.StatusCode, resp.Header)
	}
	keyHead, _ := http.NewRequestWithContext(ctx, http.MethodHead, f.url+"/key/"+tok+"/submission", nil)
	if resp, _ = do(t, keyHead); resp.StatusCode != http.StatusNoContent {
		t.Errorf("HEAD with /key/: %d", resp.StatusCode)
	}

	id1 := newInstance()
	doc := instanceXML(id1, "", "LAO", 41)
	resp, b := do(t, basic("enum-lao", tok)(openRosaPost(t, f.url+"/submission", doc, map[string][]byte{"photo.jpg": bytes.Repeat([]byte{0xff}, 5000)})))
	checkOpenRosa(t, "new, with an attachment", resp, b, http.StatusCreated, "submit_success", "received")

	// Collect resends the same instance (lost answer, or the next batch of
	// attachments): 201 again, one record.
	resp, b = do(t, bearer(openRosaPost(t, f.url+"/submission", doc, nil)))
	checkOpenRosa(t, "resend", resp, b, http.StatusCreated, "submit_success", "already received")
	resp, b = do(t, openRosaPost(t, f.url+"/key/"+tok+"/submission", doc, nil))
	checkOpenRosa(t, "resend by /key/", resp, b, http.StatusCreated, "submit_success", "already received")

	resp, b = do(t, bearer(openRosaPost(t, f.url+"/submission", instanceXML(id1, "", "LAO", 42), nil)))
	checkOpenRosa(t, "same id, other answers", resp, b, http.StatusConflict, "error", "different answers")

	// An edit from Collect: deprecatedID names the first version.
	id2 := newInstance()
	resp, b = do(t, bearer(openRosaPost(t, f.url+"/submission", instanceXML(id2, id1, "LAO", 42), nil)))
	checkOpenRosa(t, "edit", resp, b, http.StatusCreated, "submit_success", "received")

	var rows []struct {
		Instance string `db:"instance_id"`
		Current  bool   `db:"current"`
		Age      int    `db:"age"`
		Source   string `db:"source"`
		Version  string `db:"form_version"`
	}
	if err := f.db.SelectContext(ctx, &rows, `SELECT instance_id, current, age, source, form_version FROM survey_record ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Instance != id1 || rows[0].Current || rows[1].Instance != id2 || !rows[1].Current ||
		rows[1].Age != 42 || rows[1].Source != "openrosa" || rows[1].Version != "2026.1" {
		t.Errorf("rows = %+v, want the first version retired and the edit current", rows)
	}

	// A refusal as Collect sends it: the questions after consent are not
	// relevant, so empty, the country among them; it counts in the
	// enumerator's only country and keeps no answer.
	refusalID := newInstance()
	refusal := `<vahub_va_needs id="vahub_va_needs" version="2026.1"><consent_info/><consent>no</consent><no_consent_end/><country/><admin1/>` +
		`<interview_date/><sex/><age/><victim_type/><cause/><incident_year/><wg_ss><wg_intro/><wg_seeing/><wg_hearing/><wg_walking/>` +
		`<wg_cognition/><wg_selfcare/><wg_communication/></wg_ss><needs><need_medical_care/><received_medical_care/><need_rehabilitation/>` +
		`<received_rehabilitation/><need_psychosocial_support/><received_psychosocial_support/><need_socioeconomic_inclusion/>` +
		`<received_socioeconomic_inclusion/></needs><meta><instanceID>` + refusalID + `</instanceID></meta></vahub_va_needs>`
	resp, b = do(t, openRosaPost(t, f.url+"/key/"+tok+"/submission", refusal, nil))
	checkOpenRosa(t, "refusal", resp, b, http.StatusCreated, "submit_success", "received")
	var kept struct {
		Country string `db:"country"`
		Answers string `db:"answers"`
	}
	if err := f.db.GetContext(ctx, &kept, `SELECT country, answers::text AS answers FROM survey_record WHERE instance_id = $1`, refusalID); err != nil ||
		kept.Country != "LAO" || kept.Answers != "{}" {
		t.Errorf("refusal stored as %+v %v, want LAO and no answers", kept, err)
	}
	if _, err := f.db.ExecContext(ctx, `DELETE FROM survey_record WHERE instance_id = $1`, refusalID); err != nil {
		t.Fatal(err)
	}

	bad := strings.Replace(instanceXML(newInstance(), "", "LAO", 41), "<sex>male</sex>", "<sex>m</sex>", 1)
	other := strings.Replace(doc, `id="vahub_va_needs"`, `id="reach_msna"`, 1)
	notMultipart, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/submission", strings.NewReader(doc))
	notMultipart.Header.Set("Content-Type", "text/xml")
	var noPart bytes.Buffer
	mw := multipart.NewWriter(&noPart)
	mw.WriteField("other", "x")
	mw.Close()
	noPartReq, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/submission", &noPart)
	noPartReq.Header.Set("Content-Type", mw.FormDataContentType())

	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		says   string
	}{
		{"answers that do not fit", bearer(openRosaPost(t, f.url+"/submission", bad, nil)), http.StatusUnprocessableEntity, "sex"},
		{"another form", bearer(openRosaPost(t, f.url+"/submission", other, nil)), http.StatusNotFound, "vahub_va_needs"},
		{"not XML", bearer(openRosaPost(t, f.url+"/submission", "consent=yes", nil)), http.StatusBadRequest, "XML"},
		{"other country", bearer(openRosaPost(t, f.url+"/submission", instanceXML(newInstance(), "", "KHM", 30), nil)), http.StatusForbidden, "KHM"},
		{"no credentials", openRosaPost(t, f.url+"/submission", doc, nil), http.StatusUnauthorized, "token"},
		{"Basic with another user's name", basic("ada", tok)(openRosaPost(t, f.url+"/submission", doc, nil)), http.StatusUnauthorized, "unknown"},
		{"Basic with a password", basic("enum-lao", "correct horse battery")(openRosaPost(t, f.url+"/submission", doc, nil)), http.StatusUnauthorized, "unknown"},
		{"unknown /key/", openRosaPost(t, f.url+"/key/"+f.tokens[asBadToken]+"/submission", doc, nil), http.StatusUnauthorized, "unknown"},
		{"researcher", basic("rita", f.tokens[asResearcher])(openRosaPost(t, f.url+"/submission", doc, nil)), http.StatusForbidden, "researcher"},
		{"not multipart", bearer(notMultipart), http.StatusUnsupportedMediaType, "multipart"},
		{"no xml_submission_file", bearer(noPartReq), http.StatusBadRequest, "xml_submission_file"},
		{"over the cap", bearer(openRosaPost(t, f.url+"/submission", doc, map[string][]byte{"video.mp4": bytes.Repeat([]byte{1}, 11<<20)})), http.StatusRequestEntityTooLarge, "10 MiB"},
	} {
		resp, b := do(t, tc.req)
		checkOpenRosa(t, tc.name, resp, b, tc.status, "error", tc.says)
	}
	var n int
	if err := f.db.GetContext(ctx, &n, `SELECT count(*) FROM survey_record`); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d records after the refusals, want 2", n)
	}
}

// Individual records: admins see every country, an enumerator their own,
// nobody else any; every read is audited.
func TestSurveyRecordsListing(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	for _, c := range []string{"LAO", "LAO", "LAO", "LBN"} {
		if resp, b := f.submit(t, asAdmin, submissionBody(t, newInstance(), "", interview(c))); resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s: %d %s", c, resp.StatusCode, b)
		}
	}
	type page struct {
		Records []struct {
			ID         int64          `json:"id"`
			Country    string         `json:"country"`
			Consent    string         `json:"consent"`
			Disability string         `json:"disability"`
			Answers    map[string]any `json:"answers"`
		} `json:"records"`
		NextAfter int64 `json:"next_after"`
	}
	list := func(who, query string) (int, page) {
		resp, b := f.get(t, who, submissionsPath+query)
		var p page
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
		}
		return resp.StatusCode, p
	}
	status, all := list(asAdmin, "")
	if status != http.StatusOK || len(all.Records) != 4 || all.NextAfter != 0 {
		t.Fatalf("admin: %d %+v", status, all)
	}
	status, lao := list(asEnumerator, "?country=LAO")
	if status != http.StatusOK || len(lao.Records) != 3 {
		t.Fatalf("enumerator LAO: %d %+v", status, lao)
	}
	for _, r := range lao.Records {
		if r.Country != "LAO" || r.Consent != "yes" || r.Disability != "yes" || r.Answers["admin1"] != "Phonsavan-Q7" || r.Answers["age"] != float64(34) {
			t.Errorf("record %+v", r)
		}
	}
	// Paging: two, then the rest.
	status, p1 := list(asEnumerator, "?country=LAO&limit=2")
	_, p2 := list(asEnumerator, fmt.Sprintf("?country=LAO&limit=2&after=%d", p1.NextAfter))
	if status != http.StatusOK || len(p1.Records) != 2 || p1.NextAfter != p1.Records[1].ID || len(p2.Records) != 1 || p2.NextAfter != 0 {
		t.Errorf("pages %+v then %+v", p1, p2)
	}
	for _, tc := range []struct {
		who, query string
		want       int
	}{
		{asEnumerator, "?country=LBN", http.StatusForbidden},
		{asEnumerator, "", http.StatusForbidden},
		{asResearcher, "?country=LAO", http.StatusForbidden},
		{asFocalLAO, "?country=LAO", http.StatusForbidden},
		{asAdmin, "?limit=0", http.StatusBadRequest},
		{asAdmin, "?after=x", http.StatusBadRequest},
		{asAdmin, "?year=1066", http.StatusBadRequest},
	} {
		if status, _ := list(tc.who, tc.query); status != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.who, tc.query, status, tc.want)
		}
	}
	var reads int
	if err := f.db.GetContext(t.Context(), &reads, `SELECT count(*) FROM audit_log WHERE action = 'survey_read'`); err != nil {
		t.Fatal(err)
	}
	if reads != 4 {
		t.Errorf("audited reads = %d, want 4 (the successful ones)", reads)
	}
}

// No answer and no token reaches the log, at any level, whatever the
// outcome of the submission.
func TestSurveyLogsHoldNoAnswers(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(web.NewServer(f.db, log, web.Options{}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	tok := f.tokens[asEnumerator]

	secret := interview("LAO")
	secret["admin1"] = "Nong-Het-Z93"
	secret["age"] = 97
	id := newInstance()
	conflicting := interview("LAO")
	conflicting["admin1"] = "Muang-Kham-Z94"
	bad := interview("LAO")
	bad["admin1"] = "Pek-Z95\u0007"
	bad["sex"] = "Sex-Z96"

	f.submit(t, asEnumerator, submissionBody(t, id, "", secret))
	f.submit(t, asEnumerator, submissionBody(t, id, "", secret))
	f.submit(t, asEnumerator, submissionBody(t, id, "", conflicting))
	f.submit(t, asEnumerator, submissionBody(t, newInstance(), "", bad))
	f.submit(t, asNoToken, submissionBody(t, newInstance(), "", secret))
	xmlDoc := strings.Replace(instanceXML(newInstance(), "", "LAO", 41), "Phonsavan-Q7", "Kham-Z97", 1)
	do(t, openRosaPost(t, srv.URL+"/key/"+tok+"/submission", xmlDoc, nil))
	do(t, openRosaPost(t, srv.URL+"/key/"+tok+"/submission", strings.Replace(xmlDoc, "male", "Sex-Z98", 1), nil))
	f.get(t, asEnumerator, submissionsPath+"?country=LAO")

	out := buf.String()
	if !strings.Contains(out, `"path":"/key/REDACTED/submission"`) || !strings.Contains(out, submissionsPath) {
		t.Fatalf("the log does not show the requests:\n%s", out)
	}
	for _, s := range []string{"Nong-Het", "Muang-Kham", "Pek-Z95", "Sex-Z96", "Kham-Z97", "Sex-Z98", "Phonsavan", tok, "female"} {
		if strings.Contains(out, s) {
			t.Errorf("the log holds %q:\n%s", s, out)
		}
	}
}

// syncBuffer is a bytes.Buffer the server's goroutines may write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Collect's form download: the list names the form with its hash and a
// link that keeps the /key/ prefix; the link gives the XForm it hashes.
func TestOpenRosaFormList(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	tok := f.tokens[asEnumerator]
	get := func(url string, bearer string) (*http.Response, []byte) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		req.Header.Set("X-OpenRosa-Version", "1.0")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		return do(t, req)
	}
	resp, b := get(f.url+"/key/"+tok+"/formList", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-OpenRosa-Version") != "1.0" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("formList: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	var list struct {
		XMLName xml.Name `xml:"http://openrosa.org/xforms/xformsList xforms"`
		Forms   []struct {
			FormID      string `xml:"formID"`
			Name        string `xml:"name"`
			Version     string `xml:"version"`
			Hash        string `xml:"hash"`
			DownloadURL string `xml:"downloadUrl"`
		} `xml:"xform"`
	}
	if err := xml.Unmarshal(b, &list); err != nil || len(list.Forms) != 1 {
		t.Fatalf("formList %s: %v", b, err)
	}
	x := list.Forms[0]
	if x.FormID != "vahub_va_needs" || x.Version != "2026.1" || x.DownloadURL != f.url+"/key/"+tok+"/forms/vahub_va_needs.xml" {
		t.Errorf("form entry %+v", x)
	}
	resp, form := get(x.DownloadURL, "")
	sum := md5.Sum(form)
	if resp.StatusCode != http.StatusOK || x.Hash != "md5:"+hex.EncodeToString(sum[:]) || !bytes.Contains(form, []byte(`<vahub_va_needs id="vahub_va_needs" version="2026.1">`)) {
		t.Errorf("form download: %d, hash %s vs list %s", resp.StatusCode, hex.EncodeToString(sum[:]), x.Hash)
	}
	if resp, b := get(f.url+"/formList", tok); resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(f.url+"/forms/vahub_va_needs.xml")) {
		t.Errorf("formList with a bearer token: %d %s", resp.StatusCode, b)
	}
	for _, tc := range []struct {
		url, bearer string
		want        int
	}{
		{f.url + "/formList", "", http.StatusUnauthorized},
		{f.url + "/formList", f.tokens[asResearcher], http.StatusForbidden},
		{f.url + "/forms/vahub_va_needs.xml", f.tokens[asFocalLAO], http.StatusForbidden},
		{f.url + "/forms/other.xml", tok, http.StatusNotFound},
	} {
		if resp, b := get(tc.url, tc.bearer); resp.StatusCode != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.url, resp.StatusCode, b, tc.want)
		}
	}
}

// A client's concurrent retries of one submission agree: one 201, the
// others 200 with the same id, one record.
func TestSurveySubmissionConcurrentRetries(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	body := submissionBody(t, newInstance(), "", interview("LAO"))
	const n = 8
	type result struct {
		status int
		a      submitAnswer
	}
	results := make(chan result, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+submissionsPath, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.tokens[asEnumerator])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var a submitAnswer
			json.NewDecoder(resp.Body).Decode(&a)
			results <- result{resp.StatusCode, a}
		})
	}
	wg.Wait()
	close(results)
	created, ids := 0, map[int64]bool{}
	for r := range results {
		switch r.status {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("status %d %+v", r.status, r.a)
		}
		ids[r.a.ID] = true
	}
	var rows int
	if err := f.db.GetContext(t.Context(), &rows, `SELECT count(*) FROM survey_record`); err != nil {
		t.Fatal(err)
	}
	if created != 1 || len(ids) != 1 || rows != 1 {
		t.Errorf("%d created, ids %v, %d rows; want 1, one id, 1", created, ids, rows)
	}
}

// BenchmarkSurveySubmitJSON: one interview per request, each a new
// instance, through the whole server (auth, checks, store, aggregate
// rebuild of the country-year, audit).
func BenchmarkSurveySubmitJSON(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := b.Context()
	if _, err := db.CreateUser(ctx, "enum", "enumerator", []string{"LAO"}, nil); err != nil {
		b.Fatal(err)
	}
	tok, hash, _ := auth.NewToken()
	if _, err := db.CreateToken(ctx, "enum", hash, "bench"); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(web.NewServer(db, nil, web.Options{}))
	defer srv.Close()
	answers := interview("LAO")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		body, _ := json.Marshal(map[string]any{"instance_id": fmt.Sprintf("uuid:bench-%d", i), "answers": answers})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+submissionsPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
