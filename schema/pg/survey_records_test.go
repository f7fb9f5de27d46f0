package pg_test

import (
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/schema/survey"
)

// Retention: a purge cuts old records down to what the aggregates need,
// deletes their history and the bytes of exports wholly in range, and
// leaves the reporting views exactly as they were.
func TestPurgeSurvey(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	on := func(r survey.Record, day string) survey.Record {
		d, _ := time.Parse(time.DateOnly, day)
		r.InterviewDate, r.Year, r.Admin1, r.Cause = &d, d.Year(), "Xiengkhouang", "landmine"
		return r
	}
	walking := append([]string{}, allNo...)
	walking[2] = "a_lot_of_difficulty"
	a := on(interview("uuid:a", "female", 34, "yes", "no", walking...), "2023-05-01")
	b := on(interview("uuid:b", "male", 12, "yes", "yes", allNo...), "2023-06-01")
	c := on(interview("uuid:c", "male", 40, "yes", "no", allNo...), "2025-01-01")
	bEdited := on(interview("uuid:b", "male", 12, "yes", "no", allNo...), "2023-06-01")
	refusal := survey.Record{InstanceID: "uuid:r", Source: survey.SourceKobo, Consent: "no", Country: "LAO", Year: 2023}
	d := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	refusal.InterviewDate = &d

	files := map[string]int64{}
	for i, f := range []struct {
		name string
		recs []survey.Record
	}{{"first", []survey.Record{a, b, c, refusal}}, {"edit", []survey.Record{bEdited}}} {
		res, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: f.name, Name: f.name + ".csv", SHA256: sha(700 + i),
			Content: []byte("raw export " + f.name), Format: "kobo", Survey: surveyFile(f.recs...)})
		if err != nil || res.Status != pg.FileIngested {
			t.Fatalf("%s: %+v %v", f.name, res, err)
		}
		files[f.name] = res.FileID
	}

	type fact struct {
		Year       int           `db:"year"`
		Pillar     string        `db:"pillar"`
		Sex        string        `db:"sex"`
		AgeGroup   string        `db:"age_group"`
		Disability string        `db:"disability"`
		InNeed     sql.NullInt64 `db:"in_need"`
		Reached    sql.NullInt64 `db:"reached"`
	}
	facts := func() []fact {
		var fs []fact
		if err := db.SelectContext(ctx, &fs, `SELECT year, pillar, sex, age_group, disability, in_need, reached
			FROM service_facts WHERE country = 'LAO' ORDER BY 1, 2, 3, 4, 5`); err != nil {
			t.Fatal(err)
		}
		return fs
	}
	before := facts()
	if len(before) == 0 {
		t.Fatal("no survey facts to compare")
	}

	cutoff := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	want := pg.SurveyPurge{Reduced: 2, Deleted: 1, Files: 1, Refusals: 1}
	if got, err := db.PurgeSurvey(ctx, cutoff, []string{"LBN"}, false, "cli:test"); err != nil || got != (pg.SurveyPurge{}) {
		t.Errorf("purge of another country: %+v %v, want nothing", got, err)
	}
	got, err := db.PurgeSurvey(ctx, cutoff, nil, true, "cli:test")
	if err != nil || got != want {
		t.Fatalf("dry run: %+v %v, want %+v", got, err, want)
	}
	var versions int
	if err := db.GetContext(ctx, &versions, `SELECT count(*) FROM survey_record`); err != nil || versions != 5 {
		t.Fatalf("a dry run changed the records: %d %v", versions, err)
	}
	if got, err = db.PurgeSurvey(ctx, cutoff, []string{"LAO"}, false, "cli:test"); err != nil || got != want {
		t.Fatalf("purge: %+v %v, want %+v", got, err, want)
	}

	var rows []struct {
		Instance string  `db:"instance_id"`
		Answers  string  `db:"answers"`
		Age      *int    `db:"age"`
		Date     *string `db:"interview_date"`
		AgeGroup *string `db:"age_group"`
		Sex      *string `db:"sex"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT instance_id, answers::text AS answers, age, interview_date::text AS interview_date,
		age_group, sex FROM survey_record ORDER BY instance_id`); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.Instance)
	}
	if !slices.Equal(ids, []string{"uuid:a", "uuid:b", "uuid:c", "uuid:r"}) {
		t.Fatalf("records after the purge: %v, want one version of each", ids)
	}
	wantAnswers := map[string]string{
		"uuid:a": `{"consent": "yes", "country": "LAO", "need_rehabilitation": "yes", "received_rehabilitation": "no"}`,
		"uuid:b": `{"consent": "yes", "country": "LAO", "need_rehabilitation": "yes", "received_rehabilitation": "no"}`,
	}
	for _, r := range rows {
		switch r.Instance {
		case "uuid:c": // 2025: untouched
			if r.Age == nil || r.Date == nil || r.Answers == wantAnswers["uuid:a"] {
				t.Errorf("c was purged: %+v", r)
			}
		case "uuid:r": // a refusal is already nothing but a count
			if r.Answers != "{}" || r.Age != nil || r.Sex != nil {
				t.Errorf("refusal after the purge: %+v", r)
			}
		default:
			if r.Answers != wantAnswers[r.Instance] || r.Age != nil || r.Date != nil {
				t.Errorf("%s after the purge: %+v", r.Instance, r)
			}
			if r.AgeGroup == nil || r.Sex == nil {
				t.Errorf("%s lost the aggregate's dimensions: %+v", r.Instance, r)
			}
		}
	}
	var kept []struct {
		ID      int64 `db:"id"`
		Content int   `db:"content"`
	}
	if err := db.SelectContext(ctx, &kept, `SELECT id, length(content) AS content FROM input_file ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, k := range kept {
		if wantEmpty := k.ID == files["edit"]; (k.Content == 0) != wantEmpty {
			t.Errorf("file %d keeps %d bytes (edit file %d is wholly in range, first file holds c of 2025)", k.ID, k.Content, files["edit"])
		}
	}

	after := facts()
	if !slices.Equal(after, before) {
		t.Errorf("the purge changed the facts\nbefore %+v\n after %+v", before, after)
	}

	// What was purged stays known: a's original answers resent are a
	// duplicate, and the purged export re-imported is the same file.
	if _, created, err := db.StoreSubmission(ctx, a, "enum"); err != nil || created {
		t.Errorf("a resent after the purge: created %v, %v", created, err)
	}
	res, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: "edit", Name: "edit.csv", SHA256: sha(701),
		Content: []byte("raw export edit"), Format: "kobo", Survey: surveyFile(bEdited)})
	if err != nil || res.Status != pg.FileDuplicate {
		t.Errorf("purged export re-imported: %+v %v", res, err)
	}
	if got := facts(); !slices.Equal(got, before) {
		t.Errorf("facts after resending purged records changed: %+v", got)
	}
	var audits int
	if err := db.GetContext(ctx, &audits, `SELECT count(*) FROM audit_log WHERE action = 'survey_purge'`); err != nil || audits != 2 {
		t.Errorf("purge audit rows = %d %v, want 2 (the dry run is not a write)", audits, err)
	}
}
