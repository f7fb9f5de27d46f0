package pg_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/schema/survey"
)

func interview(id, sex string, age int, needRehab, gotRehab string, wg ...string) survey.Record {
	r := survey.Record{InstanceID: id, Source: survey.SourceKobo, Consent: "yes", Country: "LAO", Year: 2024, Sex: sex, Age: &age,
		WG: map[string]string{}, Need: map[string]string{}, Received: map[string]string{}}
	for i, a := range wg {
		r.WG[survey.WGDomains[i]] = a
	}
	if needRehab != "" {
		r.Need["rehabilitation"] = needRehab
	}
	if gotRehab != "" {
		r.Received["rehabilitation"] = gotRehab
	}
	return r
}

func surveyFile(recs ...survey.Record) pg.SurveyFunc {
	return func(ctx context.Context, emit func(*survey.Record) error) (schema.Issues, error) {
		for i := range recs {
			if err := emit(&recs[i]); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}

var allNo = []string{"no_difficulty", "no_difficulty", "some_difficulty", "no_difficulty", "no_difficulty", "no_difficulty"}

// The store's rules for survey records, file after file: a re-export is
// duplicates, an edit replaces and keeps history, a refusal keeps nothing
// but itself, and the aggregates follow the current records.
func TestStoreSurveyFiles(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	walking := append([]string{}, allNo...)
	walking[2] = "cannot_do_at_all"
	refusal := survey.Record{InstanceID: "uuid:r", Source: survey.SourceKobo, Consent: "no", Country: "LAO", Year: 2024, Sex: "female"}
	a := interview("uuid:a", "female", 34, "yes", "no", walking...)
	b := interview("uuid:b", "male", 12, "yes", "yes", allNo...)
	c := interview("uuid:c", "male", 40, "no", "", allNo...)
	bEdited := interview("uuid:b", "male", 12, "yes", "no", allNo...)
	cODK := interview("uuid:c2", "male", 40, "yes", "yes", allNo...)
	cODK.DeprecatedID = "uuid:c"

	steps := []struct {
		name string
		recs []survey.Record
		want pg.SurveyCounts
	}{
		{"first export", []survey.Record{a, b, c, refusal}, pg.SurveyCounts{Accepted: 3, NoConsent: 1}},
		{"same answers re-exported, one row twice", []survey.Record{a, b, b, c, refusal}, pg.SurveyCounts{Duplicates: 5}},
		{"b edited (same uuid), c edited ODK-style", []survey.Record{a, bEdited, cODK}, pg.SurveyCounts{Accepted: 2, Duplicates: 1, Replaced: 2}},
		{"an old export again", []survey.Record{b, c}, pg.SurveyCounts{Duplicates: 2}},
	}
	for i, st := range steps {
		res, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: st.name, Name: "export.xlsx", SHA256: sha(100 + i),
			Content: []byte{byte(i)}, Format: "kobo", Survey: surveyFile(st.recs...)})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Status != pg.FileIngested || res.Survey == nil || *res.Survey != st.want {
			t.Fatalf("%s: status %s, counts %+v, want %+v", st.name, res.Status, res.Survey, st.want)
		}
	}

	var history []struct {
		ID      string `db:"instance_id"`
		Current bool   `db:"current"`
		Linked  bool   `db:"linked"`
		Answers string `db:"answers"`
	}
	if err := db.SelectContext(ctx, &history, `
		SELECT instance_id, current, replaced_by IS NOT NULL AS linked, answers::text FROM survey_record ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(len(history))
	for _, h := range history {
		got += fmt.Sprintf(" %s:%v:%v", h.ID, h.Current, h.Linked)
		if h.ID == "uuid:r" && h.Answers != "{}" {
			t.Errorf("a refusal kept answers: %s", h.Answers)
		}
	}
	if want := "6 uuid:a:true:false uuid:b:false:true uuid:c:false:true uuid:r:true:false uuid:b:true:false uuid:c2:true:false"; got != want {
		t.Errorf("history %s\nwant    %s", got, want)
	}

	// Current: a (female adult, disability yes, needs rehab, not reached),
	// b edited (male child, no disability, needs, not reached), c2 (male
	// adult, no disability, needs, reached).
	var facts []struct {
		Sex        string `db:"sex"`
		AgeGroup   string `db:"age_group"`
		Disability string `db:"disability"`
		InNeed     *int64 `db:"in_need"`
		Reached    *int64 `db:"reached"`
	}
	if err := db.SelectContext(ctx, &facts, `
		SELECT sex, age_group, disability, in_need, reached FROM service_facts
		WHERE country = 'LAO' AND year = 2024 AND pillar = 'rehabilitation' ORDER BY sex, age_group`); err != nil {
		t.Fatal(err)
	}
	got = ""
	for _, f := range facts {
		got += fmt.Sprintf("%s/%s/%s:%d/%d ", f.Sex, f.AgeGroup, f.Disability, *f.InNeed, *f.Reached)
	}
	if want := "female/adult/yes:1/0 male/adult/no:1/1 male/child/no:1/0 "; got != want {
		t.Errorf("service_facts %q, want %q", got, want)
	}
	var pillars int
	if err := db.GetContext(ctx, &pillars, `SELECT count(DISTINCT pillar) FROM service_facts WHERE country = 'LAO' AND year = 2024`); err != nil {
		t.Fatal(err)
	}
	if pillars != 1 {
		t.Errorf("pillars nobody was asked about appear: %d", pillars)
	}
}

// A stream that finds an error stores nothing but the file and its issues.
func TestStoreSurveyRejectedFile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: "bad.csv", Name: "bad.csv", SHA256: sha(7), Content: []byte("x"),
		Survey: func(ctx context.Context, emit func(*survey.Record) error) (schema.Issues, error) {
			r := interview("uuid:a", "female", 30, "yes", "yes", allNo...)
			if err := emit(&r); err != nil {
				return nil, err
			}
			return schema.Issues{{Severity: schema.SevError, Code: "survey_bad", Message: "row 3: no instance id"}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != pg.FileRejected || len(res.Issues) != 1 {
		t.Fatalf("status %s, issues %v", res.Status, res.Issues)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT (SELECT count(*) FROM survey_record) + (SELECT count(*) FROM report)`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d records or reports stored from a rejected file", n)
	}
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM validation_issue`); err != nil || n != 1 {
		t.Errorf("issues stored: %d (%v)", n, err)
	}
}

// Direct submissions: a retry is the same record, other answers under the
// same instance id conflict, an edit naming deprecatedID replaces.
func TestStoreSubmission(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	a := interview("uuid:s1", "female", 30, "yes", "yes", allNo...)
	a.Source = survey.SourceAPI
	id1, created, err := db.StoreSubmission(ctx, a, "enum1")
	if err != nil || !created {
		t.Fatalf("first: %v %v", created, err)
	}
	id2, created, err := db.StoreSubmission(ctx, a, "enum1")
	if err != nil || created || id2 != id1 {
		t.Fatalf("retry: id %d (first %d) created %v err %v", id2, id1, created, err)
	}
	other := interview("uuid:s1", "female", 31, "yes", "yes", allNo...)
	other.Source = survey.SourceAPI
	if _, _, err := db.StoreSubmission(ctx, other, "enum1"); !errors.Is(err, pg.ErrSurveyConflict) {
		t.Fatalf("conflicting body: %v, want ErrSurveyConflict", err)
	}
	edit := interview("uuid:s2", "female", 31, "yes", "no", allNo...)
	edit.Source, edit.DeprecatedID = survey.SourceOpenRosa, "uuid:s1"
	id3, created, err := db.StoreSubmission(ctx, edit, "enum1")
	if err != nil || !created || id3 == id1 {
		t.Fatalf("edit: id %d created %v err %v", id3, created, err)
	}
	// The first version sent again after the edit: still the edit in force.
	id4, created, err := db.StoreSubmission(ctx, a, "enum1")
	if err != nil || created || id4 != id3 {
		t.Fatalf("stale retry: id %d (want %d) created %v err %v", id4, id3, created, err)
	}
	var reached int64
	if err := db.GetContext(ctx, &reached, `SELECT reached FROM service_facts WHERE country = 'LAO' AND pillar = 'rehabilitation'`); err != nil || reached != 0 {
		t.Errorf("reached after the edit: %d (%v), want 0", reached, err)
	}
}

func TestDisability(t *testing.T) {
	cases := []struct {
		answers []string
		want    string
	}{
		{allNo, "no"},
		{[]string{"no_difficulty", "a_lot_of_difficulty", "refused"}, "yes"},
		{[]string{"refused", "no_difficulty", "no_difficulty", "no_difficulty", "no_difficulty", "no_difficulty"}, "unknown"},
		{[]string{"dont_know", "no_difficulty", "no_difficulty", "no_difficulty", "no_difficulty", "cannot_do_at_all"}, "yes"},
		{[]string{"no_difficulty"}, "unknown"},
		{nil, "unknown"},
	}
	for _, c := range cases {
		wg := map[string]string{}
		for i, a := range c.answers {
			wg[survey.WGDomains[i]] = a
		}
		if got := survey.Disability(wg); got != c.want {
			t.Errorf("Disability(%v) = %s, want %s", c.answers, got, c.want)
		}
	}
}

// Two edits of one version sent at once: exactly one comes into force, the
// other is a conflict, and the instance never has two versions in force.
func TestStoreSubmissionConcurrentEdits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	orig := interview("uuid:o", "female", 30, "yes", "no", allNo...)
	if _, _, err := db.StoreSubmission(ctx, orig, "enum1"); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			e := interview(fmt.Sprintf("uuid:e%d", i), "female", 30+i, "yes", "yes", allNo...)
			e.DeprecatedID = "uuid:o"
			_, _, err := db.StoreSubmission(ctx, e, "enum1")
			errs <- err
		}()
	}
	var ok, conflicts int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, pg.ErrSurveyConflict):
			conflicts++
		default:
			t.Fatal(err)
		}
	}
	var current int
	if err := db.GetContext(ctx, &current, `SELECT count(*) FROM survey_record WHERE current`); err != nil {
		t.Fatal(err)
	}
	if ok != 1 || conflicts != 1 || current != 1 {
		t.Errorf("%d stored, %d conflicts, %d versions in force; want 1, 1, 1", ok, conflicts, current)
	}
}
