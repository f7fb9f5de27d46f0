package pg_test

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/reconcile"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/schema/survey"
)

// respondents are n interviews of one group answering need_<pillar> and
// received_<pillar>; got of them received the service. Disability is "no"
// (no answer at "a lot of difficulty" or worse).
func respondents(prefix, country string, year int, sex string, age int, pillar string, n, got int) []survey.Record {
	var out []survey.Record
	for i := range n {
		a := age
		r := survey.Record{InstanceID: fmt.Sprintf("uuid:%s-%d", prefix, i), Source: survey.SourceAPI, Consent: "yes",
			Country: country, Year: year, Sex: sex, Age: &a, WG: map[string]string{},
			Need: map[string]string{pillar: "yes"}, Received: map[string]string{pillar: "no"}}
		for j, q := range survey.WGDomains {
			r.WG[q] = allNo[j]
		}
		if i < got {
			r.Received[pillar] = "yes"
		}
		out = append(out, r)
	}
	return out
}

// disclosureSeed stores survey records for LAO 2024 (the only source: its
// figures feed the views) and KHM 2024 (outranked by an official report
// with Form H figures, so only the Reconciliation sheet shows them).
func disclosureSeed(t *testing.T, db *pg.DB) (khmSurvey, khmOfficial int64) {
	t.Helper()
	ctx := t.Context()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO area (code, kind, name_en, name_fr, name_es) VALUES
	      ('LAO', 'state', 'Lao People''s Democratic Republic', 'Lao', 'Lao'),
	      ('KHM', 'state', 'Cambodia', 'Cambodge', 'Camboya')
	      ON CONFLICT DO NOTHING`)
	var recs []survey.Record
	// LAO rehabilitation, in need (reached): female adult 12 (8), male
	// adult 9 (2), female child 3 (3), male child 7 (7).
	recs = append(recs, respondents("lfa", "LAO", 2024, "female", 30, "rehabilitation", 12, 8)...)
	recs = append(recs, respondents("lma", "LAO", 2024, "male", 40, "rehabilitation", 9, 2)...)
	recs = append(recs, respondents("lfc", "LAO", 2024, "female", 10, "rehabilitation", 3, 3)...)
	recs = append(recs, respondents("lmc", "LAO", 2024, "male", 12, "rehabilitation", 7, 7)...)
	// KHM medical care: female adult 10 (6), male adult 10 (10).
	recs = append(recs, respondents("kfa", "KHM", 2024, "female", 30, "medical_care", 10, 6)...)
	recs = append(recs, respondents("kma", "KHM", 2024, "male", 30, "medical_care", 10, 10)...)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: "export.xlsx", Name: "export.xlsx", SHA256: sha(900),
		Content: []byte("x"), Format: "kobo", Survey: surveyFile(recs...)}); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &khmSurvey, `SELECT id FROM report WHERE country = 'KHM' AND source_type = 'survey'`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &khmOfficial, `INSERT INTO report (country, year, kind, source_type, period_start, period_end, status)
	       VALUES ('KHM', 2024, 'annual', 'official', '2024-01-01', '2024-12-31', 'approved') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	svc := func(pillar, measure, sex string, v int64) {
		exec(`INSERT INTO service_count (report_id, pillar, measure, sex, age_group, disability, value_state, people, sheet)
		      VALUES ($1, $2, $3, $4, 'total', 'total', 'reported', $5, 'H2')`, khmOfficial, pillar, measure, sex, v)
	}
	svc("medical_care", "in_need", "total", 21)
	svc("medical_care", "reached", "total", 40)
	svc("medical_care", "in_need", "female", 10)
	svc("medical_care", "reached", "female", 30)
	svc("rehabilitation", "in_need", "total", 5)
	svc("rehabilitation", "reached", "total", 5)
	return khmSurvey, khmOfficial
}

func TestSourceServicesAndReconciliation(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	sid, oid := disclosureSeed(t, db)
	rows := collect(t, func(fn func(schema.SourceServiceRow) error) error {
		return db.SourceServices(t.Context(), schema.GapFilter{Countries: []string{"KHM"}}, fn)
	})
	if len(rows) != 2+3 || rows[0].SourceType != "survey" || rows[2].SourceType != "official" {
		t.Fatalf("KHM rows = %+v, want 2 survey groups then 3 official groups", rows)
	}
	got := reconcileRows(t, db, "KHM")
	n := func(v int64) *int64 { return &v }
	want := []reconcile.Row{
		{Pillar: "medical_care", Measure: "in_need", Level: "total", Survey: n(20), Official: n(21), Difference: n(-1), Status: "agrees"},
		{Pillar: "medical_care", Measure: "in_need", Level: "sex", Survey: n(10), Official: n(10), Difference: n(0), Status: "agrees"},
		{Pillar: "medical_care", Measure: "reached", Level: "total", Survey: n(16), Official: n(40), Difference: n(-24), Status: "differs"},
		{Pillar: "medical_care", Measure: "reached", Level: "sex", Survey: n(6), Official: n(30), Difference: n(-24), Status: "differs"},
		{Pillar: "rehabilitation", Measure: "in_need", Level: "total", Official: n(5), Status: "survey_missing"},
		{Pillar: "rehabilitation", Measure: "reached", Level: "total", Official: n(5), Status: "survey_missing"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Pillar != w.Pillar || g.Measure != w.Measure || g.Level != w.Level || val(g.Survey) != val(w.Survey) ||
			val(g.Official) != val(w.Official) || val(g.Difference) != val(w.Difference) || g.Status != w.Status ||
			g.SurveyID != sid || g.OfficialID != oid {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
	if got[1].Sex != "female" || !near(got[2].Relative, -0.6) {
		t.Errorf("female row %+v / relative %v", got[1], fval(got[2].Relative))
	}
}

// reconcileRows runs the comparison as `vahub reconcile` does.
func reconcileRows(t *testing.T, db *pg.DB, country string) []reconcile.Row {
	t.Helper()
	out, err := exports.Reconcile(t.Context(), db, schema.GapFilter{Countries: []string{country}}, 5, reconcile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGapWorkbookSuppression builds the workbook from the seeded database
// and reads it back as a user would: LAO's small survey counts are
// withheld, the visible ones are the true counts, no withheld count can be
// recomputed from a row, column or total the workbook shows, and the
// Disclosure sheet counts exactly the withheld cells.
func TestGapWorkbookSuppression(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	disclosureSeed(t, db)
	s, done := gapSnapshot(t, db)
	defer done()
	var buf bytes.Buffer
	if err := exports.WriteGap(t.Context(), &buf, s, exports.GapOptions{Filter: schema.GapFilter{From: 2024, To: 2024}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheetRows := func(sheet string) [][]string {
		t.Helper()
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	cell := func(row []string, i int) string {
		if i < len(row) {
			return row[i]
		}
		return ""
	}

	// True LAO rehabilitation counts by (sex, age group), disability no.
	type grp struct{ sex, age string }
	truth := map[grp][2]int64{
		{"female", "adult"}: {12, 8}, {"male", "adult"}: {9, 2}, {"female", "child"}: {3, 3}, {"male", "child"}: {7, 7},
	}
	shown := map[grp][2]string{}
	withheld := map[string][3]int{} // sheet → in_need/reached withheld, derived withheld
	for _, p := range schema.ServicePillars {
		for _, row := range sheetRows(p)[2:] {
			w := withheld[p]
			for i := 6; i <= 7; i++ {
				if cell(row, i) == "withheld" {
					w[0]++
				}
			}
			for i := 8; i <= 10; i++ {
				if cell(row, i) == "withheld" {
					w[2]++
				}
			}
			withheld[p] = w
			if row[0] != "LAO" {
				continue
			}
			if p != "rehabilitation" || cell(row, 5) != "no" {
				t.Fatalf("unexpected LAO row on %s: %q", p, row)
			}
			g := grp{cell(row, 3), cell(row, 4)}
			shown[g] = [2]string{cell(row, 6), cell(row, 7)}
			if (cell(row, 6) == "withheld" || cell(row, 7) == "withheld") && (cell(row, 8) != "withheld" || cell(row, 9) != "withheld") {
				t.Errorf("%v: unmet/coverage %q %q shown next to a withheld count", g, cell(row, 8), cell(row, 9))
			}
		}
	}
	if len(shown) != 4 {
		t.Fatalf("LAO rows = %v", shown)
	}
	// Primary: the female children's 3 and 3, and the male adults' 2 reached.
	if shown[grp{"female", "child"}] != [2]string{"withheld", "withheld"} || shown[grp{"male", "adult"}][1] != "withheld" {
		t.Errorf("small counts shown: %v", shown)
	}
	// Every visible count is the true one.
	for g, v := range shown {
		for m := range 2 {
			if v[m] != "withheld" && v[m] != strconv.FormatInt(truth[g][m], 10) {
				t.Errorf("%v measure %d shows %q, want %d", g, m, v[m], truth[g][m])
			}
		}
	}

	// The total a reader gets: the Reconciliation sheet's LAO survey
	// figure (no official report: only the totals are compared).
	totals := map[string]string{}
	recon := sheetRows("Reconciliation")
	var reconWithheld int
	for _, row := range recon[2:] {
		if cell(row, 8) == "withheld" {
			reconWithheld++
		}
		if row[0] != "LAO" {
			continue
		}
		if row[2] != "rehabilitation" || row[4] != "total" {
			t.Errorf("LAO reconciliation row %q", row)
		}
		if cell(row, 12) != "official_missing" && cell(row, 12) != "withheld" {
			t.Errorf("LAO reconciliation status %q", cell(row, 12))
		}
		totals[row[3]] = cell(row, 8)
	}
	// The equation the workbook shows: the four groups add up to the total.
	for m, measure := range []string{"in_need", "reached"} {
		line := []string{shown[grp{"female", "adult"}][m], shown[grp{"male", "adult"}][m],
			shown[grp{"female", "child"}][m], shown[grp{"male", "child"}][m], totals[measure]}
		n := 0
		for _, c := range line {
			if c == "" {
				t.Fatalf("%s: a cell or the total is missing: %q", measure, line)
			}
			if c == "withheld" {
				n++
			}
		}
		if n == 1 {
			t.Errorf("%s: %q has exactly one withheld cell: it can be recomputed", measure, line)
		}
	}

	// The Disclosure sheet counts what the sheets show as withheld.
	disc := sheetRows("Disclosure")
	bySheet := map[string][]string{}
	for _, row := range disc[2:] {
		bySheet[row[0]] = row
	}
	for _, p := range schema.ServicePillars {
		row := bySheet[p]
		pc, _ := strconv.Atoi(cell(row, 1))
		cc, _ := strconv.Atoi(cell(row, 2))
		dc, _ := strconv.Atoi(cell(row, 3))
		if pc+cc != withheld[p][0] || dc != withheld[p][2] {
			t.Errorf("Disclosure %s = %q, the sheet withholds %d counts and %d derived", p, row, withheld[p][0], withheld[p][2])
		}
	}
	rp, _ := strconv.Atoi(cell(bySheet["Reconciliation"], 1))
	rc, _ := strconv.Atoi(cell(bySheet["Reconciliation"], 2))
	if rp+rc != reconWithheld {
		t.Errorf("Disclosure Reconciliation = %q, the sheet withholds %d", bySheet["Reconciliation"], reconWithheld)
	}
	if rp, _ := strconv.Atoi(cell(bySheet["rehabilitation"], 1)); rp != 3 {
		t.Errorf("primary on rehabilitation = %d, want 3 (3, 3 and 2)", rp)
	}
	if note := cell(bySheet["(all)"], 4); note == "" || !bytes.Contains([]byte(note), []byte("threshold k = 5")) {
		t.Errorf("Disclosure note = %q", note)
	}
	// KHM: official figures outrank the survey and are shown as given.
	for _, row := range sheetRows("medical_care")[2:] {
		if row[0] == "KHM" && (cell(row, 6) == "withheld" || cell(row, 7) == "withheld") {
			t.Errorf("official KHM figure withheld: %q", row)
		}
	}
	// The Summary says why LAO's figures have gaps.
	for _, row := range sheetRows("Summary")[2:] {
		if row[0] == "LAO" && !bytes.Contains([]byte(row[len(row)-1]), []byte("counts withheld (k = 5")) {
			t.Errorf("LAO summary note = %q", row[len(row)-1])
		}
	}
}
