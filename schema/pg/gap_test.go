package pg_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// gapSeed writes, with plain SQL, the facts the gap queries read:
//
//	r1 LAO 2023 official approved  — wins precedence for LAO
//	r2 LAO 2023 web approved       — loses to r1: its figures must not appear
//	r3 LBN 2023 survey approved    — casualties by sex with an unknown cell
//	r4 LAO 2023 official v2 submitted — newer but not approved: ignored
func gapSeed(t *testing.T, db *pg.DB) (r1, r3 int64) {
	t.Helper()
	ctx := t.Context()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The reference-data sync may not seed areas yet: bring our own.
	exec(`INSERT INTO area (code, kind, name_en, name_fr, name_es) VALUES
	      ('LAO', 'state', 'Lao People''s Democratic Republic', 'Lao', 'Lao'),
	      ('LBN', 'state', 'Lebanon', 'Liban', 'Líbano'),
	      ('SEN', 'state', 'Senegal', 'Sénégal', 'Senegal')
	      ON CONFLICT DO NOTHING`)
	// The test owns its affected States; the seeded reference list would add others.
	exec(`DELETE FROM art5_obligation`)
	exec(`INSERT INTO art5_obligation (area_code, valid_from) VALUES ('LAO', 2011), ('LBN', 2011)`)

	file := func(name string, b byte) int64 {
		var id int64
		if err := db.GetContext(ctx, &id, `INSERT INTO input_file (sha256, name, size, content, source_url)
		       VALUES ($1, $2, 3, '\x616263', $3) RETURNING id`,
			strings.Repeat(fmt.Sprintf("%02x", b), 32), name, "https://example.org/"+name); err != nil {
			t.Fatal(err)
		}
		return id
	}
	report := func(country, srcType, status string, version int, fileID int64) int64 {
		var id int64
		if err := db.GetContext(ctx, &id, `INSERT INTO report (country, year, kind, source_type, period_start, period_end, file_id, status, version, submitted_on)
		       VALUES ($1, 2023, 'annual', $2, '2023-01-01', '2023-12-31', $3, $4, $5, '2024-04-30') RETURNING id`,
			country, srcType, fileID, status, version); err != nil {
			t.Fatal(err)
		}
		return id
	}
	cas := func(r int64, outcome, sex, age string, people *int64, sheet string) {
		state := "reported"
		if people == nil {
			state = "unknown"
		}
		exec(`INSERT INTO casualty_count (report_id, outcome, sex, age_group, disability, cause, civilian_status, value_state, people, sheet)
		      VALUES ($1, $2, $3, $4, 'total', 'total', 'total', $5, $6, $7)`, r, outcome, sex, age, state, people, sheet)
	}
	svc := func(r int64, pillar, sex, age string, inNeed, reached *int64) {
		for _, m := range []struct {
			measure string
			v       *int64
		}{{"in_need", inNeed}, {"reached", reached}} {
			state := "reported"
			if m.v == nil {
				state = "unknown"
			}
			exec(`INSERT INTO service_count (report_id, pillar, measure, sex, age_group, disability, value_state, people, sheet)
			      VALUES ($1, $2, $3, $4, $5, 'total', $6, $7, 'H2')`, r, pillar, m.measure, sex, age, state, m.v)
		}
	}
	commit := func(r int64, code, status string) {
		exec(`INSERT INTO commitment_status (report_id, commitment, status, sheet) VALUES ($1, $2, $3, 'H3')`, r, code, status)
	}
	n := func(v int64) *int64 { return &v }

	r1 = report("LAO", "official", "approved", 1, file("lao_2023.xlsx", 1))
	cas(r1, "killed", "total", "total", n(10), "H1")
	cas(r1, "injured", "total", "total", n(20), "H1")
	cas(r1, "total", "female", "child", n(5), "H1")
	cas(r1, "total", "male", "child", n(7), "H1")
	svc(r1, "medical_care", "total", "total", n(100), n(80))
	svc(r1, "medical_care", "female", "total", n(50), n(30))
	svc(r1, "medical_care", "male", "total", n(50), n(45))
	svc(r1, "medical_care", "unknown", "total", nil, n(5))
	svc(r1, "rehabilitation", "female", "total", n(40), n(10))
	svc(r1, "rehabilitation", "male", "total", n(60), n(30))
	svc(r1, "rehabilitation", "female", "child", n(20), n(4))
	svc(r1, "psychosocial_support", "female", "total", n(10), n(5))
	commit(r1, "focal_point", "yes")
	commit(r1, "national_plan", "partial")

	r2 := report("LAO", "web", "approved", 1, file("lao_web.html", 2))
	cas(r2, "killed", "total", "total", n(99), "")
	svc(r2, "medical_care", "total", "total", n(100), n(100))
	commit(r2, "focal_point", "no")

	r3 = report("LBN", "survey", "approved", 1, file("lbn_survey.xlsx", 3))
	cas(r3, "killed", "female", "total", n(2), "S")
	cas(r3, "killed", "male", "total", n(3), "S")
	cas(r3, "killed", "unknown", "total", nil, "S")
	cas(r3, "injured", "total", "total", n(5), "S")
	commit(r3, "focal_point", "unknown")

	r4 := report("LAO", "official", "submitted", 2, file("lao_draft.xlsx", 4))
	cas(r4, "killed", "total", "total", n(1000), "H1")
	return r1, r3
}

func collect[T any](t *testing.T, run func(func(T) error) error) []T {
	t.Helper()
	var out []T
	if err := run(func(r T) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

func val(p *int64) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(*p)
}

func fval(p *float64) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprintf("%.4f", *p)
}

// gapSnapshot opens a snapshot; the caller defers the returned close, which
// must run before t.Context is cancelled (a cancelled context ends the
// transaction under us).
func gapSnapshot(t *testing.T, db *pg.DB) (*pg.GapSnapshot, func()) {
	t.Helper()
	s, err := db.BeginGap(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s, func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestGapQueries(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	r1, r3 := gapSeed(t, db)
	s, done := gapSnapshot(t, db)
	defer done()
	ctx, all := t.Context(), schema.GapFilter{}

	t.Run("summary", func(t *testing.T) {
		rows := collect(t, func(fn func(schema.GapSummaryRow) error) error { return s.Summary(ctx, all, fn) })
		if len(rows) != 2 {
			t.Fatalf("got %d summary rows, want 2: %+v", len(rows), rows)
		}
		lao, lbn := rows[0], rows[1]
		if lao.Country != "LAO" || lao.CountryName != "Lao People's Democratic Republic" || lao.Year != 2023 {
			t.Errorf("LAO key = %+v", lao)
		}
		// r1 beats the web report (killed 99) and the unapproved one (1000).
		if val(lao.Killed) != "10" || val(lao.Injured) != "20" || val(lao.OutcomeUnknown) != "NULL" ||
			val(lao.Casualties) != "30" || !lao.CasualtiesSummed || lao.CasualtiesPartial || lao.CasualtyQualifier != "exact" {
			t.Errorf("LAO casualties = killed %s injured %s unknown %s total %s summed %v partial %v qual %q",
				val(lao.Killed), val(lao.Injured), val(lao.OutcomeUnknown), val(lao.Casualties), lao.CasualtiesSummed, lao.CasualtiesPartial, lao.CasualtyQualifier)
		}
		for p, want := range map[string]struct {
			cov   string
			basis string
		}{
			"medical_care":         {"0.8000", schema.CoverageStated},
			"rehabilitation":       {"0.4000", "sex"}, // (10+30)/(40+60); the lone female-child cell is incomplete
			"psychosocial_support": {"NULL", schema.CoverageIncomplete},
		} {
			got, ok := lao.Coverage[p]
			if !ok || fval(got.Coverage) != want.cov || got.Basis != want.basis {
				t.Errorf("LAO %s coverage = %s %q (present %v), want %s %q", p, fval(got.Coverage), got.Basis, ok, want.cov, want.basis)
			}
		}
		if _, ok := lao.Coverage["data_collection"]; ok {
			t.Errorf("data_collection has no figures but got a coverage entry")
		}
		if lao.Worst.Label() != "female child" || lao.WorstPillar != "rehabilitation" || !near(lao.WorstCoverage, 0.2) {
			t.Errorf("LAO worst = %q %s %s, want female child rehabilitation 0.2", lao.Worst.Label(), lao.WorstPillar, fval(lao.WorstCoverage))
		}
		// LBN killed is a sex breakdown with an unknown cell: the known parts, flagged.
		if val(lbn.Killed) != "5" || val(lbn.Injured) != "5" || val(lbn.Casualties) != "10" || !lbn.CasualtiesPartial || len(lbn.Coverage) != 0 {
			t.Errorf("LBN = killed %s injured %s total %s partial %v coverage %v",
				val(lbn.Killed), val(lbn.Injured), val(lbn.Casualties), lbn.CasualtiesPartial, lbn.Coverage)
		}
	})

	t.Run("pillar rows", func(t *testing.T) {
		rows := collect(t, func(fn func(schema.GapPillarRow) error) error { return s.PillarRows(ctx, all, "medical_care", fn) })
		var got []string
		for _, r := range rows {
			if r.SourceID != r1 {
				t.Errorf("row %+v from source %d, want the official report %d", r.GapGroup, r.SourceID, r1)
			}
			got = append(got, fmt.Sprintf("%s %d %s/%s/%s need=%s reached=%s unmet=%s cov=%s parity=%s ref=%q",
				r.Country, r.Year, r.Sex, r.AgeGroup, r.Disability, val(r.InNeed), val(r.Reached), val(r.Unmet),
				fval(r.Coverage), fval(r.Parity), r.Reference.Label()))
		}
		want := []string{
			`LAO 2023 total/total/total need=100 reached=80 unmet=20 cov=0.8000 parity=NULL ref=""`,
			`LAO 2023 female/total/total need=50 reached=30 unmet=20 cov=0.6000 parity=0.6667 ref="male"`,
			`LAO 2023 male/total/total need=50 reached=45 unmet=5 cov=0.9000 parity=1.0000 ref="male"`,
			`LAO 2023 unknown/total/total need=NULL reached=5 unmet=NULL cov=NULL parity=NULL ref="male"`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("medical_care rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("casualties", func(t *testing.T) {
		rows := collect(t, func(fn func(schema.GapCasualtyRow) error) error { return s.Casualties(ctx, all, fn) })
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s %s/%s/%s=%s #%d", r.Country, r.Outcome, r.Sex, r.AgeGroup, val(r.People), r.SourceID))
		}
		want := []string{
			fmt.Sprintf("LAO total/female/child=5 #%d", r1),
			fmt.Sprintf("LAO total/male/child=7 #%d", r1),
			fmt.Sprintf("LAO killed/total/total=10 #%d", r1),
			fmt.Sprintf("LAO injured/total/total=20 #%d", r1),
			fmt.Sprintf("LBN killed/female/total=2 #%d", r3),
			fmt.Sprintf("LBN killed/male/total=3 #%d", r3),
			fmt.Sprintf("LBN killed/unknown/total=NULL #%d", r3),
			fmt.Sprintf("LBN injured/total/total=5 #%d", r3),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("casualties:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("commitment shares", func(t *testing.T) {
		rows := collect(t, func(fn func(schema.GapShareRow) error) error { return s.CommitmentShares(ctx, all, fn) })
		if len(rows) != len(schema.Commitments) {
			t.Fatalf("got %d share rows, want one per commitment", len(rows))
		}
		got := map[string]string{}
		for _, r := range rows {
			got[r.Commitment] = fmt.Sprintf("%d aff=%d yes=%d no=%d partial=%d unknown=%d nr=%d share=%s gap=%s known=%s",
				r.Year, r.Affected, r.Yes, r.No, r.Partial, r.Unknown, r.NotReported, fval(r.Share), fval(r.Gap), fval(r.ShareKnown))
		}
		for code, want := range map[string]string{
			// LAO yes (r1, not the web report's no); LBN unknown: reported, not a no.
			"focal_point":      "2023 aff=2 yes=1 no=0 partial=0 unknown=1 nr=0 share=0.5000 gap=0.5000 known=1.0000",
			"national_plan":    "2023 aff=2 yes=0 no=0 partial=1 unknown=0 nr=1 share=0.0000 gap=1.0000 known=0.0000",
			"report_submitted": "2023 aff=2 yes=0 no=0 partial=0 unknown=0 nr=2 share=0.0000 gap=1.0000 known=NULL",
		} {
			if got[code] != want {
				t.Errorf("%s = %s, want %s", code, got[code], want)
			}
		}
	})

	t.Run("commitment statuses", func(t *testing.T) {
		rows := collect(t, func(fn func(schema.GapStatusRow) error) error { return s.CommitmentStatuses(ctx, all, fn) })
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s %d art5=%v %v src=%s", r.Country, r.Year, r.Art5, r.Status, val(r.SourceID)))
		}
		want := []string{
			fmt.Sprintf("LAO 2023 art5=true map[focal_point:yes national_plan:partial] src=%d", r1),
			fmt.Sprintf("LBN 2023 art5=true map[focal_point:unknown] src=%d", r3),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("statuses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("sources", func(t *testing.T) {
		rows := collect(t, func(fn func(schema.GapSourceRow) error) error { return s.Sources(ctx, all, fn) })
		var got []string
		for _, r := range rows {
			sub := ""
			if r.SubmittedOn != nil {
				sub = r.SubmittedOn.Format("2006-01-02")
			}
			got = append(got, fmt.Sprintf("%d %s %d %s %s [%s] %s %s sheets=%q %s v%d %s ingested=%v",
				r.SourceID, r.Country, r.Year, r.SourceType, r.Kind, r.Feeds, r.FileName, r.SHA256[:4], r.Sheets, sub, r.Version, r.Status, !r.IngestedAt.IsZero()))
		}
		want := []string{
			fmt.Sprintf(`%d LAO 2023 official annual [casualties, commitments, services] lao_2023.xlsx 0101 sheets="H1, H2, H3" 2024-04-30 v1 approved ingested=true`, r1),
			fmt.Sprintf(`%d LBN 2023 survey annual [casualties, commitments] lbn_survey.xlsx 0303 sheets="H3, S" 2024-04-30 v1 approved ingested=true`, r3),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("sources:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("counts", func(t *testing.T) {
		c, err := s.Counts(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		want := schema.GapCounts{Summary: 2, Casualties: 8, CommitmentShares: 7, CommitmentStatuses: 2, Sources: 2,
			Pillars: map[string]int{"data_collection": 0, "medical_care": 4, "rehabilitation": 3, "psychosocial_support": 1, "socioeconomic_inclusion": 0}}
		if fmt.Sprint(c) != fmt.Sprint(want) {
			t.Errorf("counts = %+v, want %+v", c, want)
		}
	})

	t.Run("filter", func(t *testing.T) {
		f := schema.GapFilter{Countries: []string{"LBN"}, From: 2023, To: 2023}
		c, err := s.Counts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if c.Summary != 1 || c.Casualties != 4 || c.CommitmentStatuses != 1 || c.Sources != 1 || c.Pillars["medical_care"] != 0 {
			t.Errorf("LBN counts = %+v", c)
		}
		shares := collect(t, func(fn func(schema.GapShareRow) error) error { return s.CommitmentShares(ctx, f, fn) })
		if shares[0].Commitment != "focal_point" || shares[0].Affected != 1 || shares[0].Unknown != 1 || !near(shares[0].Share, 0) {
			t.Errorf("LBN focal_point share = %+v", shares[0])
		}
		none := schema.GapFilter{From: 2030}
		if c, err := s.Counts(ctx, none); err != nil || c.Summary != 0 || c.CommitmentShares != 0 || c.Sources != 0 {
			t.Errorf("counts after 2030 = %+v, %v; want none", c, err)
		}
	})
}

// TestGapExportFromDatabase writes the whole workbook from a snapshot: the
// writer checks every sheet's streamed rows against the counts.
func TestGapExportFromDatabase(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	gapSeed(t, db)
	s, done := gapSnapshot(t, db)
	defer done()
	var buf bytes.Buffer
	if err := exports.WriteGap(t.Context(), &buf, s, exports.GapOptions{}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() == 0 {
		t.Fatal("empty workbook")
	}
}

// TestGapSnapshotEmpty: a database with no facts yields empty sheets, not errors.
func TestGapSnapshotEmpty(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	s, done := gapSnapshot(t, db)
	defer done()
	if err := exports.WriteGap(context.WithoutCancel(t.Context()), &bytes.Buffer{}, s, exports.GapOptions{}); err != nil {
		t.Fatal(err)
	}
}
