package pg_test

import (
	"errors"
	"testing"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// The API's fact queries return the reporting views' rows for the filter:
// approved reports only, one country, one year, or everything.
func TestFactQueries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	record := func(i int, country string, year int, status string, killed int64) {
		t.Helper()
		r := yearReport(year)
		r.Country = country
		r.Casualties = []schema.Casualty{
			{Scope: "new", Outcome: "killed", Sex: "total", AgeGroup: "total", Disability: "total", Cause: "total", CivilianStatus: "total", Value: num(killed)},
			{Scope: "new", Outcome: "injured", Sex: "total", AgeGroup: "total", Disability: "total", Cause: "total", CivilianStatus: "total", Value: schema.Value{State: schema.StateUnknown}},
		}
		r.Services = []schema.Service{
			{Pillar: "medical_care", Measure: schema.MeasureInNeed, Sex: "total", AgeGroup: "total", Disability: "total", Value: num(killed * 10)},
		}
		if _, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: "f", Name: "f", SHA256: sha(100 + i), Content: []byte{byte(i)},
			Reports: []*schema.Report{r}, ReportStatus: status}); err != nil {
			t.Fatal(err)
		}
	}
	record(1, "LAO", 2023, "approved", 7)
	record(2, "LAO", 2024, "submitted", 9) // a focal point's upload: not in the views
	record(3, "LBN", 2024, "approved", 3)

	casualties := func(f pg.FactFilter) []pg.CasualtyFact {
		t.Helper()
		var got []pg.CasualtyFact
		if err := db.CasualtyFacts(ctx, f, func(c pg.CasualtyFact) error { got = append(got, c); return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := casualties(pg.FactFilter{}); len(got) != 4 {
		t.Fatalf("all casualties: %d rows, want 4 (two approved reports × killed, injured): %+v", len(got), got)
	}
	lao := casualties(pg.FactFilter{Countries: []string{"LAO"}})
	if len(lao) != 2 || lao[0].Year != 2023 || lao[0].Outcome != "injured" || lao[0].People != nil ||
		lao[1].Outcome != "killed" || lao[1].People == nil || *lao[1].People != 7 {
		t.Errorf("LAO casualties = %+v, want 2023 injured unknown and killed 7", lao)
	}
	if got := casualties(pg.FactFilter{Countries: []string{"LAO"}, Year: 2024}); len(got) != 0 {
		t.Errorf("LAO 2024 (submitted only): %+v, want no rows", got)
	}
	if got := casualties(pg.FactFilter{Year: 2024}); len(got) != 2 || got[0].Country != "LBN" {
		t.Errorf("2024: %+v, want LBN's two rows", got)
	}

	var svc []pg.ServiceFact
	if err := db.ServiceFacts(ctx, pg.FactFilter{Countries: []string{"LBN", "LAO"}}, func(s pg.ServiceFact) error { svc = append(svc, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(svc) != 2 || svc[0].Country != "LAO" || svc[0].InNeed == nil || *svc[0].InNeed != 70 || svc[0].Reached != nil ||
		svc[1].Country != "LBN" || *svc[1].InNeed != 30 {
		t.Errorf("services = %+v, want LAO 70 in need then LBN 30", svc)
	}

	stop := errors.New("stop")
	n := 0
	err = db.CasualtyFacts(ctx, pg.FactFilter{}, func(pg.CasualtyFact) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("callback error: got %v after %d rows, want stop after 1", err, n)
	}
}
