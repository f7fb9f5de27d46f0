package pg_test

import (
	"testing"
	"time"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

func num(n int64) schema.Value {
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: schema.QualExact}
}

func yearReport(year int) *schema.Report {
	return &schema.Report{
		Country: "LAO", Year: year, Kind: "annual", SourceType: schema.SourceOfficial,
		PeriodStart: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC),
		PeriodEnd:   time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC),
	}
}

// "Unchanged since 2023" with no figures carries 2023's figures into 2024,
// marked carried_forward with their year; unknown stays unknown.
func TestCarryForward(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	r23 := yearReport(2023)
	r23.Casualties = []schema.Casualty{
		{Scope: "new", Outcome: "killed", Sex: "male", AgeGroup: "adult", Disability: schema.Total, Cause: schema.Total, CivilianStatus: schema.Total, Value: num(7), Cell: schema.Cell{Sheet: "Casualties", Ref: "C5"}},
		{Scope: "new", Outcome: "injured", Sex: "male", AgeGroup: "adult", Disability: schema.Total, Cause: schema.Total, CivilianStatus: schema.Total, Value: schema.Value{State: schema.StateUnknown}, Cell: schema.Cell{Sheet: "Casualties", Ref: "C6"}},
	}
	r23.Services = []schema.Service{{Pillar: "rehabilitation", Measure: schema.MeasureInNeed, Sex: schema.Total, AgeGroup: schema.Total, Disability: schema.Total, Value: num(40)}}
	r24 := yearReport(2024)
	r24.CarryForwardFrom = 2023

	for i, r := range []*schema.Report{r23, r24} {
		res, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: "f", Name: "f", SHA256: sha(i), Content: []byte{byte(i)}, Reports: []*schema.Report{r}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != pg.FileIngested {
			t.Fatalf("report %d: status %s", r.Year, res.Status)
		}
	}

	type row struct {
		Outcome string `db:"outcome"`
		People  *int64 `db:"people"`
		State   string `db:"value_state"`
		From    *int   `db:"carried_from_year"`
	}
	var rows []row
	err = db.SelectContext(ctx, &rows, `
		SELECT c.outcome, c.people, c.value_state, c.carried_from_year
		FROM casualty_count c JOIN report r ON r.id = c.report_id
		WHERE r.year = 2024 ORDER BY c.outcome`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("2024 casualty rows = %d, want 2", len(rows))
	}
	if inj := rows[0]; inj.Outcome != "injured" || inj.People != nil || inj.State != "unknown" || inj.From != nil {
		t.Errorf("injured = %+v, want unknown without a number", inj)
	}
	if k := rows[1]; k.Outcome != "killed" || k.People == nil || *k.People != 7 || k.State != "carried_forward" || k.From == nil || *k.From != 2023 {
		t.Errorf("killed = %+v, want 7 carried forward from 2023", k)
	}
	var inNeed *int64
	if err := db.GetContext(ctx, &inNeed, `SELECT in_need FROM service_facts WHERE country = 'LAO' AND year = 2024 AND pillar = 'rehabilitation'`); err != nil {
		t.Fatal(err)
	}
	if inNeed == nil || *inNeed != 40 {
		t.Errorf("service_facts 2024 in_need = %v, want 40", inNeed)
	}
}

func sha(i int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 64)
	for j := range b {
		b[j] = hex[(i+j)%16]
	}
	return string(b)
}

// The reader role sees the reporting views and nothing of the provenance.
func TestReaderRole(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	for _, tc := range []struct {
		table string
		want  bool
	}{
		{"casualty_facts", true},
		{"service_facts", true},
		{"gap_analysis", true},
		{"commitment_facts", true},
		{"area", true},
		{"input_file", false},
		{"validation_issue", false},
		{"casualty_count", false},
	} {
		var ok bool
		if err := db.GetContext(ctx, &ok, `SELECT has_table_privilege('vahub_reader', $1, 'SELECT')`, tc.table); err != nil {
			t.Fatal(err)
		}
		if ok != tc.want {
			t.Errorf("vahub_reader SELECT on %s = %v, want %v", tc.table, ok, tc.want)
		}
	}
}
