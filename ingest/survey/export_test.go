package survey_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/ingest/survey"
	"github.com/vahub/vahub/ingest/survey/surveytest"
	"github.com/vahub/vahub/schema"
	svy "github.com/vahub/vahub/schema/survey"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func answers(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// full is a complete interview in LAO on 2024-03-15.
func full(extra ...string) map[string]string {
	m := answers("consent", "yes", "country", "LAO", "admin1", "Xiangkhouang", "interview_date", "2024-03-15",
		"sex", "female", "age", "34", "victim_type", "survivor", "cause", "cm_remnant", "incident_year", "2019",
		"wg_seeing", "no_difficulty", "wg_hearing", "no_difficulty", "wg_walking", "cannot_do_at_all",
		"wg_cognition", "some_difficulty", "wg_selfcare", "no_difficulty", "wg_communication", "no_difficulty",
		"need_medical_care", "yes", "received_medical_care", "yes", "need_rehabilitation", "yes", "received_rehabilitation", "no",
		"need_psychosocial_support", "no", "need_socioeconomic_inclusion", "yes", "received_socioeconomic_inclusion", "no")
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func stream(t *testing.T, path string, opts survey.Options) ([]*svy.Record, *survey.Export, schema.Issues) {
	t.Helper()
	exp, issues, err := survey.Open(t.Context(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if exp == nil {
		t.Fatalf("%s: not read as an export of the standard form; issues %v", filepath.Base(path), issues)
	}
	defer exp.Close()
	var recs []*svy.Record
	more, err := exp.Stream(t.Context(), func(r *svy.Record) error {
		c := *r
		recs = append(recs, &c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, exp, append(issues, more...)
}

// Every shape of export reads to the same records: Kobo XLSX and CSV with
// value or label headers and values in English, French and Spanish, with
// "/", "-" or no group prefix, split select_multiple columns, and ODK
// Central's CSV and CSV zip.
func TestExportShapes(t *testing.T) {
	t.Parallel()
	ivs := []surveytest.Interview{
		{UUID: "0a1b-1", Submitted: at("2024-03-16T08:00:00Z"), Answers: full()},
		{UUID: "0a1b-2", Submitted: at("2024-03-16T09:00:00Z"), Answers: full("sex", "male", "age", "12",
			"wg_walking", "refused", "need_rehabilitation", "no", "received_rehabilitation", "", "admin1", "")},
		{UUID: "0a1b-3", Submitted: at("2023-12-31T23:00:00Z"), Answers: answers("consent", "no")},
	}
	kobo := surveytest.Style{Tool: svy.SourceKobo, GroupSep: "/", Lang: "en"}
	odk := surveytest.Style{Tool: svy.SourceODK, GroupSep: "-", Lang: "en"}
	with := func(st surveytest.Style, f func(*surveytest.Style)) surveytest.Style { f(&st); return st }
	cases := []struct {
		name  string
		st    surveytest.Style
		write string // xlsx, csv (;), csv, (,) zip
		tool  string
	}{
		{"kobo xlsx values", kobo, "xlsx", survey.ToolKobo},
		{"kobo xlsx english labels", with(kobo, func(s *surveytest.Style) { s.Labels, s.Values = true, true }), "xlsx", survey.ToolKobo},
		{"kobo xlsx french labels", with(kobo, func(s *surveytest.Style) { s.Labels, s.Values, s.Lang = true, true, "fr" }), "xlsx", survey.ToolKobo},
		{"kobo xlsx spanish labels no groups", with(kobo, func(s *surveytest.Style) { s.Labels, s.Values, s.Lang, s.GroupSep = true, true, "es", "" }), "xlsx", survey.ToolKobo},
		{"kobo xlsx meta/instanceID and split select_multiple", with(kobo, func(s *surveytest.Style) { s.MetaInstanceID, s.SplitMultiple = true, true }), "xlsx", survey.ToolKobo},
		{"kobo csv semicolon", kobo, "csv;", survey.ToolKobo},
		{"kobo csv french values dash groups", with(kobo, func(s *surveytest.Style) { s.Values, s.Lang, s.GroupSep = true, "fr", "-" }), "csv;", survey.ToolKobo},
		{"kobo csv spanish labels", with(kobo, func(s *surveytest.Style) { s.Labels, s.Values, s.Lang = true, true, "es" }), "csv;", survey.ToolKobo},
		{"odk central csv", odk, "csv,", survey.ToolODK},
		{"odk central csv zip", odk, "zip", survey.ToolODK},
	}
	var want []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var path string
			switch tc.write {
			case "xlsx":
				path = filepath.Join(dir, "export.xlsx")
				if err := surveytest.WriteXLSX(path, tc.st, len(ivs), func(i int) surveytest.Interview { return ivs[i] }); err != nil {
					t.Fatal(err)
				}
			case "zip":
				path = filepath.Join(dir, "vahub_va_needs.zip")
				if err := surveytest.WriteODKZip(path, tc.st, ivs); err != nil {
					t.Fatal(err)
				}
			default:
				path = filepath.Join(dir, "export.csv")
				var b bytes.Buffer
				if err := surveytest.WriteCSV(&b, tc.st, rune(tc.write[3]), tc.write[3] == ';', ivs); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			recs, exp, issues := stream(t, path, survey.Options{})
			if exp.Tool != tc.tool || exp.Rejected() != 0 || len(recs) != 3 {
				t.Fatalf("tool %s, %d records, %d rejected; issues %v", exp.Tool, len(recs), exp.Rejected(), issues)
			}
			for _, is := range issues {
				// Only the split select_multiple columns are worth a word.
				if is.Severity == schema.SevError || (is.Code != schema.CodeSurveyColumns || !tc.st.SplitMultiple) {
					t.Errorf("unexpected issue %v", is)
				}
			}
			var got []string
			for _, r := range recs {
				doc, _ := r.AnswersJSON()
				got = append(got, r.InstanceID+" "+r.Country+" "+strconv.Itoa(r.Year)+" "+string(doc))
			}
			// The refusal (no country asked) takes the file's country.
			if recs[2].Consent != "no" || recs[2].Country != "LAO" || recs[2].Year != 2023 {
				t.Errorf("refusal: %+v", recs[2])
			}
			if recs[0].SubmittedAt == nil || !recs[0].SubmittedAt.Equal(at("2024-03-16T08:00:00Z")) {
				t.Errorf("submitted at %v", recs[0].SubmittedAt)
			}
			if want == nil {
				want = got
				wantFirst := `uuid:0a1b-1 LAO 2024 {"admin1":"Xiangkhouang","age":34,"cause":"cm_remnant","consent":"yes","country":"LAO",` +
					`"incident_year":2019,"interview_date":"2024-03-15","need_medical_care":"yes","need_psychosocial_support":"no",` +
					`"need_rehabilitation":"yes","need_socioeconomic_inclusion":"yes","received_medical_care":"yes",` +
					`"received_rehabilitation":"no","received_socioeconomic_inclusion":"no","sex":"female","victim_type":"survivor",` +
					`"wg_cognition":"some_difficulty","wg_communication":"no_difficulty","wg_hearing":"no_difficulty",` +
					`"wg_seeing":"no_difficulty","wg_selfcare":"no_difficulty","wg_walking":"cannot_do_at_all"}`
				if got[0] != wantFirst {
					t.Errorf("first record\n got %s\nwant %s", got[0], wantFirst)
				}
				return
			}
			if !slices.Equal(got, want) {
				t.Errorf("records differ from the first shape's:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
		})
	}
}

// Rows that cannot be used are counted and named; answers that are not the
// form's are read as unanswered, with one warning per question.
func TestExportRejectedRows(t *testing.T) {
	t.Parallel()
	st := surveytest.Style{Tool: svy.SourceKobo, GroupSep: "/", Lang: "en"}
	ivs := []surveytest.Interview{
		{UUID: "u1", Submitted: at("2024-05-01T10:00:00Z"), Answers: full("age", "400", "need_rehabilitation", "n/a", "received_rehabilitation", "")},
		{UUID: "u2", Submitted: at("2024-05-01T10:00:00Z"), Answers: full("consent", "maybe")},
		{UUID: "u3", Submitted: at("2024-05-01T10:00:00Z"), Answers: full("country", "Atlantis")},
		{UUID: "u4", Submitted: at("2024-05-01T10:00:00Z"), Answers: full("wg_seeing", "blurry")},
	}
	var b bytes.Buffer
	if err := surveytest.WriteCSV(&b, st, ';', true, ivs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kobo.csv")
	// A fifth row without any id.
	text := b.String() + strings.Repeat(";", 10) + "yes" + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	recs, exp, issues := stream(t, path, survey.Options{})
	if len(recs) != 2 || exp.Rejected() != 3 {
		t.Fatalf("%d records, %d rejected; issues %v", len(recs), exp.Rejected(), issues)
	}
	if recs[0].Age != nil || recs[0].Need["rehabilitation"] != "" || len(recs[0].Need) != 3 {
		t.Errorf("bad age or n/a read as an answer: age %v need %v", recs[0].Age, recs[0].Need)
	}
	if _, ok := recs[1].WG["wg_seeing"]; ok {
		t.Errorf("unknown WG answer kept: %v", recs[1].WG)
	}
	var got []string
	for _, is := range issues {
		got = append(got, is.Sheet+"!"+is.Cell+" "+is.Code)
	}
	want := []string{"kobo!A3 survey_row_rejected", "kobo!B4 survey_row_rejected", "kobo!A6 survey_row_rejected",
		"kobo!F2 survey_bad_answer", "kobo!A3 survey_bad_answer", "kobo!B4 survey_bad_answer", "kobo!J5 survey_bad_answer"}
	if !slices.Equal(got, want) {
		t.Errorf("issues %v\nwant %v\n%v", got, want, issues)
	}
	for _, frag := range []string{"consent is not answered", "country is not answered", "no instance id",
		`1 answer(s) to age are not answers the form allows ("400")`, "Expected a whole number of years"} {
		if !strings.Contains(issuesText(issues), frag) {
			t.Errorf("no issue says %q: %v", frag, issues)
		}
	}
}

func issuesText(is schema.Issues) string {
	var b strings.Builder
	for _, i := range is {
		b.WriteString(i.String() + "\n")
	}
	return b.String()
}

// Headers decide whose export a file is.
func TestClassifyHeader(t *testing.T) {
	t.Parallel()
	form := svy.Standard()
	var names []string
	for _, q := range form.Questions() {
		names = append(names, q.Name)
	}
	cases := []struct {
		name                string
		header              []string
		standard, exportish bool
		tool                string
		missing, questions  int
	}{
		{"kobo values", append(append([]string{}, names...), "_id", "_uuid", "_submission_time", "__version__", "_index"), true, true, survey.ToolKobo, 0, 23},
		{"odk", append(append([]string{"SubmissionDate"}, names...), "meta-instanceID", "KEY", "ReviewState"), true, true, survey.ToolODK, 0, 23},
		{"deep groups", []string{"consent", "sec_a/country", "sec_b/wg_ss/wg_seeing", "x-y-need_rehabilitation", "_uuid", "_id"}, false, true, survey.ToolKobo, 19, 4},
		{"another form", []string{"start", "end", "deviceid", "consent", "resp_age", "uuid", "index"}, false, true, survey.ToolKobo, 22, 1},
		{"a casualty table", []string{"country", "year", "killed", "injured"}, false, false, survey.ToolKobo, 22, 1},
		{"empty", nil, false, false, survey.ToolKobo, 23, 0},
	}
	for _, tc := range cases {
		l := survey.ClassifyHeader(tc.header)
		if l.Standard() != tc.standard || l.Exportish() != tc.exportish || l.Tool != tc.tool ||
			len(l.Missing) != tc.missing || len(l.Questions) != tc.questions {
			t.Errorf("%s: standard %v exportish %v tool %s missing %d questions %d", tc.name, l.Standard(), l.Exportish(),
				l.Tool, len(l.Missing), len(l.Questions))
		}
	}
}

// The REACH MSNA 2024 dummy raw data is a Kobo export of another form
// (household roster, education, health, nutrition sheets): it is named as
// such, with the standard questions it lacks, never a panic.
func TestREACHDummyRawData(t *testing.T) {
	t.Parallel()
	path := sharedFile(t, "reach-msna/REACH_2024_MSNA_dummy_raw_data.xlsx")
	exp, issues, err := survey.Open(context.Background(), path, survey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if exp != nil {
		exp.Close()
		t.Fatal("read as the standard form")
	}
	if len(issues) != 1 || issues[0].Severity != schema.SevError || issues[0].Code != schema.CodeNoVAData || issues[0].Sheet != "main" {
		t.Fatalf("issues %v", issues)
	}
	for _, frag := range []string{"KoboToolbox/ODK data export", "not vahub's standard survey",
		"sheet 'main' (the best of 5 sheets) has only 2 of its 23 questions (consent, admin1)",
		"missing: country, interview_date, sex, age, victim_type, cause, incident_year, wg_seeing"} {
		if !strings.Contains(issues[0].Message, frag) {
			t.Errorf("message lacks %q:\n%s", frag, issues[0].Message)
		}
	}
}

// sharedFile finds ../shared/data/rel above the module (the main checkout
// and its worktrees alike), skipping when the data is not there.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("shared/data/%s not found above the module", rel)
		}
		dir = parent
	}
}

// Which version an edit replaces: ODK's meta-deprecatedID when exported,
// else KEY (the first version) when it differs from meta-instanceID; Kobo's
// meta/rootUuid likewise.
func TestExportEditIDs(t *testing.T) {
	t.Parallel()
	edit := surveytest.Interview{UUID: "v3", Deprecated: "v2", Submitted: at("2024-05-01T10:00:00Z"), Answers: full()}
	first := surveytest.Interview{UUID: "v1", Submitted: at("2024-05-01T10:00:00Z"), Answers: full()}
	cases := []struct {
		name    string
		text    func() string
		id, dep []string
	}{
		{"odk meta-deprecatedID", func() string {
			var b bytes.Buffer
			_ = surveytest.WriteCSV(&b, surveytest.Style{Tool: svy.SourceODK, GroupSep: "-", DeprecatedColumn: true}, ',', false,
				[]surveytest.Interview{first, edit})
			return b.String()
		}, []string{"uuid:v1", "uuid:v3"}, []string{"", "uuid:v2"}},
		{"odk KEY", func() string {
			var b bytes.Buffer
			_ = surveytest.WriteCSV(&b, surveytest.Style{Tool: svy.SourceODK, GroupSep: "-"}, ',', false, []surveytest.Interview{first, edit})
			return b.String()
		}, []string{"uuid:v1", "uuid:v3"}, []string{"", "uuid:v2"}},
		{"kobo meta/rootUuid", func() string {
			// Every question's column, answered up to interview_date.
			var names []string
			for _, q := range svy.Standard().Questions() {
				names = append(names, q.Name)
			}
			blanks := strings.Repeat(";", len(names)-4)
			return strings.Join(names, ";") + ";meta/instanceID;meta/rootUuid;_uuid;_id\n" +
				"yes;LAO;;2024-05-01" + blanks + ";uuid:k1;uuid:k1;k1;1\n" +
				"yes;LAO;;2024-05-02" + blanks + ";uuid:k2;uuid:k1;k2;2\n"
		}, []string{"uuid:k1", "uuid:k2"}, []string{"", "uuid:k1"}},
	}
	for _, tc := range cases {
		path := filepath.Join(t.TempDir(), "export.csv")
		if err := os.WriteFile(path, []byte(tc.text()), 0o600); err != nil {
			t.Fatal(err)
		}
		recs, _, issues := stream(t, path, survey.Options{})
		if len(recs) != 2 {
			t.Fatalf("%s: %d records; issues %v", tc.name, len(recs), issues)
		}
		for i, r := range recs {
			if r.InstanceID != tc.id[i] || r.DeprecatedID != tc.dep[i] {
				t.Errorf("%s row %d: id %q deprecated %q, want %q %q", tc.name, i, r.InstanceID, r.DeprecatedID, tc.id[i], tc.dep[i])
			}
		}
	}
}
