package ingest_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/ingest/survey/surveytest"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	svy "github.com/vahub/vahub/schema/survey"
)

// interviewAnswers is a consenting interview; kv override or add answers.
func interviewAnswers(country, date, sex, age string, wg [6]string, kv ...string) map[string]string {
	m := map[string]string{"consent": "yes", "country": country, "interview_date": date, "sex": sex, "age": age,
		"victim_type": "survivor", "cause": "cm_remnant"}
	for i, d := range []string{"wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication"} {
		m[d] = wg[i]
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var (
	wgNone    = [6]string{"no_difficulty", "no_difficulty", "some_difficulty", "no_difficulty", "no_difficulty", "no_difficulty"}
	wgWalking = [6]string{"no_difficulty", "no_difficulty", "cannot_do_at_all", "no_difficulty", "refused", "no_difficulty"}
	wgOpen    = [6]string{"no_difficulty", "dont_know", "some_difficulty", "no_difficulty", "no_difficulty", "no_difficulty"}
)

// expectedFacts computes service_facts from interviews the way the survey
// is defined (VOCABULARY.md), without vahub's code: persons in need say yes
// to need_<pillar>, persons reached yes to received_<pillar> (asked only
// after a yes to the need: a no to the need is not reached); a group where
// nobody answered a question has no figure for it (NULL).
func expectedFacts(ivs []surveytest.Interview) []string {
	type cell struct{ need, got *int }
	facts := map[string]*cell{}
	inc := func(p **int, yes bool) {
		if *p == nil {
			*p = new(int)
		}
		if yes {
			**p++
		}
	}
	for _, iv := range ivs {
		a := iv.Answers
		if a["consent"] != "yes" {
			continue
		}
		sex := a["sex"]
		if sex != "female" && sex != "male" {
			sex = "unknown"
		}
		group := "unknown"
		if a["age"] != "" {
			var n int
			fmt.Sscan(a["age"], &n)
			group = map[bool]string{true: "child", false: "adult"}[n < 18]
		}
		dis, open := "no", false
		for _, d := range []string{"wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication"} {
			switch a[d] {
			case "a_lot_of_difficulty", "cannot_do_at_all":
				dis = "yes"
			case "no_difficulty", "some_difficulty":
			default:
				open = true
			}
		}
		if dis == "no" && open {
			dis = "unknown"
		}
		year := a["interview_date"][:4]
		for _, p := range []string{"medical_care", "rehabilitation", "psychosocial_support", "socioeconomic_inclusion"} {
			n, r := a["need_"+p], a["received_"+p]
			// "n/a" is how exports write a question not answered.
			if n == "n/a" {
				n = ""
			}
			if r == "n/a" {
				r = ""
			}
			if n == "" && r == "" {
				continue
			}
			k := strings.Join([]string{a["country"], year, p, sex, group, dis}, " ")
			if facts[k] == nil {
				facts[k] = &cell{}
			}
			if n != "" {
				inc(&facts[k].need, n == "yes")
			}
			if r != "" || n == "no" {
				inc(&facts[k].got, r == "yes")
			}
		}
	}
	var out []string
	for k, c := range facts {
		out = append(out, k+" "+optInt(c.need)+" "+optInt(c.got))
	}
	slices.Sort(out)
	return out
}

func optInt(p *int) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(*p)
}

// Three exports of the standard form, as the tools write them, go through
// `vahub ingest`: a Kobo XLSX in English (a duplicate row, a refusal, an
// unusable row), a Kobo CSV with French labels (one interview re-exported,
// one edited under the same uuid, a new one), and an ODK Central CSV zip
// (an edit under a new instance id, KEY naming the first version, and a
// Spanish-speaking country). The per-file counts are exact, and
// service_facts holds what the current interviews say, computed here
// independently.
func TestIngestSurveyExports(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	dir := t.TempDir()
	sub := time.Date(2024, 3, 20, 9, 0, 0, 0, time.UTC)

	a := surveytest.Interview{UUID: "a1", Submitted: sub, Answers: interviewAnswers("LAO", "2024-03-15", "female", "34", wgWalking,
		"need_rehabilitation", "yes", "received_rehabilitation", "no", "need_medical_care", "yes", "received_medical_care", "yes")}
	b := surveytest.Interview{UUID: "b1", Submitted: sub, Answers: interviewAnswers("LAO", "2024-03-16", "male", "12", wgNone,
		"need_psychosocial_support", "yes", "received_psychosocial_support", "yes", "need_rehabilitation", "no")}
	c := surveytest.Interview{UUID: "c1", Submitted: sub, Answers: interviewAnswers("LAO", "2024-04-02", "male", "40", wgOpen,
		"need_medical_care", "no", "need_rehabilitation", "yes", "received_rehabilitation", "no")}
	refusal := surveytest.Interview{UUID: "r1", Submitted: sub, Answers: map[string]string{"consent": "no"}}
	unusable := surveytest.Interview{UUID: "x1", Submitted: sub, Answers: interviewAnswers("", "2024-03-15", "female", "50", wgNone,
		"need_medical_care", "yes")}
	bEdited := b
	bEdited.Answers = interviewAnswers("LAO", "2024-03-16", "male", "12", wgNone,
		"need_psychosocial_support", "yes", "received_psychosocial_support", "no", "need_rehabilitation", "no")
	d := surveytest.Interview{UUID: "d1", Submitted: sub, Answers: interviewAnswers("LAO", "2024-05-01", "prefer_not_to_say", "", wgNone,
		"need_socioeconomic_inclusion", "yes", "received_socioeconomic_inclusion", "no", "need_rehabilitation", "n/a")}
	cEdited := surveytest.Interview{UUID: "c2", Deprecated: "c1", Submitted: sub.Add(48 * time.Hour),
		Answers: interviewAnswers("LAO", "2024-04-02", "male", "40", wgOpen, "need_medical_care", "no",
			"need_rehabilitation", "yes", "received_rehabilitation", "yes")}
	e := surveytest.Interview{UUID: "e1", Submitted: sub, Answers: interviewAnswers("COL", "2023-11-30", "female", "9", wgWalking,
		"need_rehabilitation", "yes", "received_rehabilitation", "yes")}

	kobo := filepath.Join(dir, "kobo-en.xlsx")
	stEN := surveytest.Style{Tool: svy.SourceKobo, GroupSep: "/", Lang: "en"}
	first := []surveytest.Interview{a, b, c, refusal, unusable, b}
	if err := surveytest.WriteXLSX(kobo, stEN, len(first), func(i int) surveytest.Interview { return first[i] }); err != nil {
		t.Fatal(err)
	}
	koboFR := filepath.Join(dir, "kobo-fr.csv")
	var buf bytes.Buffer
	stFR := surveytest.Style{Tool: svy.SourceKobo, Labels: true, Values: true, Lang: "fr", GroupSep: "/"}
	if err := surveytest.WriteCSV(&buf, stFR, ';', true, []surveytest.Interview{a, bEdited, d}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(koboFR, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	odk := filepath.Join(dir, "vahub_va_needs.zip")
	if err := surveytest.WriteODKZip(odk, surveytest.Style{Tool: svy.SourceODK, GroupSep: "-"}, []surveytest.Interview{cEdited, e}); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		path, format string
		want         ingest.SurveyReport
	}{
		{kobo, ingest.FormatSurveyKobo, ingest.SurveyReport{Accepted: 3, Duplicates: 1, NoConsent: 1, Rejected: 1}},
		{koboFR, ingest.FormatSurveyKobo, ingest.SurveyReport{Accepted: 2, Duplicates: 1, Replaced: 1}},
		{odk, ingest.FormatSurveyODK, ingest.SurveyReport{Accepted: 2, Replaced: 1}},
		// The first export again, byte for byte: a duplicate file.
		{kobo, ingest.FormatSurveyKobo, ingest.SurveyReport{}},
	}
	for i, st := range steps {
		res := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, st.path)
		fr := res.Files[0]
		if i == 3 {
			if fr.Status != pg.FileDuplicate || fr.Survey != nil {
				t.Errorf("re-ingest: status %s survey %+v", fr.Status, fr.Survey)
			}
			continue
		}
		if fr.Status != pg.FileIngested || fr.Format != st.format || fr.Survey == nil || *fr.Survey != st.want {
			t.Fatalf("%s: status %s format %s survey %+v, want %+v; issues %v", filepath.Base(st.path), fr.Status, fr.Format,
				fr.Survey, st.want, fr.Issues)
		}
		if wantCountry := map[int]string{0: "LAO", 1: "LAO", 2: ""}[i]; fr.Country != wantCountry {
			t.Errorf("%s: country %q, want %q (one country, or none when several)", filepath.Base(st.path), fr.Country, wantCountry)
		}
		if i == 0 {
			if len(fr.Issues) != 1 || fr.Issues[0].Cell != "B6" || fr.Issues[0].Code != "survey_row_rejected" {
				t.Errorf("kobo issues %v; want the row without a country (B6)", fr.Issues)
			}
		}
	}

	rows, err := db.QueryContext(t.Context(), `SELECT country, year, pillar, sex, age_group, disability,
		coalesce(in_need::text, 'NULL'), coalesce(reached::text, 'NULL') FROM service_facts ORDER BY 1, 2, 3, 4, 5, 6`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v [8]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join(v[:], " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := expectedFacts([]surveytest.Interview{a, bEdited, cEdited, d, e})
	if !slices.Equal(got, want) {
		t.Errorf("service_facts:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}

	var history []string
	if err := db.SelectContext(t.Context(), &history, `
		SELECT instance_id || ':' || current || ':' || consent || ':' || country || ':' || year FROM survey_record ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	// b1 is twice in the first export: its later row is the one kept.
	wantHistory := []string{"uuid:a1:true:yes:LAO:2024", "uuid:c1:false:yes:LAO:2024", "uuid:b1:false:yes:LAO:2024",
		"uuid:r1:true:no:LAO:2024", "uuid:b1:true:yes:LAO:2024", "uuid:d1:true:yes:LAO:2024",
		"uuid:c2:true:yes:LAO:2024", "uuid:e1:true:yes:COL:2023"}
	if !slices.Equal(history, wantHistory) {
		t.Errorf("survey_record:\n got %v\nwant %v", history, wantHistory)
	}
}

// A dry run reads the whole export and counts what it would store.
func TestIngestSurveyDryRun(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "odk.csv")
	var buf bytes.Buffer
	ivs := []surveytest.Interview{
		{UUID: "a", Submitted: time.Now(), Answers: interviewAnswers("BIH", "2025-01-10", "male", "61", wgNone, "need_medical_care", "yes")},
		{UUID: "b", Submitted: time.Now(), Answers: map[string]string{"consent": "no"}},
		{UUID: "c", Submitted: time.Now(), Answers: map[string]string{"consent": "yes", "country": "BIH"}},
	}
	if err := surveytest.WriteCSV(&buf, surveytest.Style{Tool: svy.SourceODK, GroupSep: "-"}, ',', false, ivs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Files(t.Context(), nil, []string{path}, ingest.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	fr := res.Files[0]
	// c has neither interview date nor... its submission time gives the
	// year: it is usable.
	want := ingest.SurveyReport{Accepted: 2, NoConsent: 1}
	if fr.Status != pg.FileDryRun || fr.Format != ingest.FormatSurveyODK || fr.Survey == nil || *fr.Survey != want {
		t.Fatalf("status %s format %s survey %+v; issues %v", fr.Status, fr.Format, fr.Survey, fr.Issues)
	}
	// The records' one country and their years: what the web upload checks
	// the uploader's scope against.
	if fr.Country != "BIH" || fr.Period == nil || fr.Period.Start != "2025-01-01" || fr.Period.End != fmt.Sprintf("%d-12-31", time.Now().Year()) {
		t.Errorf("country %q period %+v", fr.Country, fr.Period)
	}
}

// ODK Central names an edit's first version in KEY, not the version it
// edits: a second edit still replaces the version in force, and the history
// links each version to the next.
func TestIngestSurveyODKEditChain(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	dir := t.TempDir()
	sub := time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)
	st := surveytest.Style{Tool: svy.SourceODK, GroupSep: "-"}
	versions := []surveytest.Interview{
		{UUID: "v1", Submitted: sub, Answers: interviewAnswers("KHM", "2025-01-20", "male", "30", wgNone, "need_medical_care", "yes")},
		{UUID: "v2", Deprecated: "v1", Submitted: sub, Answers: interviewAnswers("KHM", "2025-01-20", "male", "31", wgNone, "need_medical_care", "yes")},
		{UUID: "v3", Deprecated: "v1", Submitted: sub, Answers: interviewAnswers("KHM", "2025-01-20", "male", "31", wgNone, "need_medical_care", "no")},
	}
	want := []ingest.SurveyReport{{Accepted: 1}, {Accepted: 1, Replaced: 1}, {Accepted: 1, Replaced: 1}}
	for i, v := range versions {
		path := filepath.Join(dir, fmt.Sprintf("export-%d.zip", i))
		if err := surveytest.WriteODKZip(path, st, []surveytest.Interview{v}); err != nil {
			t.Fatal(err)
		}
		fr := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, path).Files[0]
		if fr.Survey == nil || *fr.Survey != want[i] {
			t.Fatalf("export %d: %+v, want %+v; issues %v", i, fr.Survey, want[i], fr.Issues)
		}
	}
	var history []string
	if err := db.SelectContext(t.Context(), &history, `
		SELECT o.instance_id || ':' || o.current || ':' || coalesce(n.instance_id, '-')
		FROM survey_record o LEFT JOIN survey_record n ON n.id = o.replaced_by ORDER BY o.id`); err != nil {
		t.Fatal(err)
	}
	if w := []string{"uuid:v1:false:uuid:v2", "uuid:v2:false:uuid:v3", "uuid:v3:true:-"}; !slices.Equal(history, w) {
		t.Errorf("history %v, want %v", history, w)
	}
	var need, reached *int64
	if err := db.QueryRowContext(t.Context(), `SELECT in_need, reached FROM service_facts
		WHERE country = 'KHM' AND year = 2025 AND pillar = 'medical_care'`).Scan(&need, &reached); err != nil {
		t.Fatal(err)
	}
	if need == nil || *need != 0 || reached == nil || *reached != 0 {
		t.Errorf("medical_care in need %v reached %v; want 0 and 0 (the last version says no)", need, reached)
	}
}
