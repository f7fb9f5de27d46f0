package exports

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func i64(v int64) *int64     { return &v }
func f64(v float64) *float64 { return &v }

// fakeGap is a GapSource over fixed rows: a data-source fake for the writer,
// so the golden test pins the workbook without a database.
type fakeGap struct {
	summary  []schema.GapSummaryRow
	pillars  map[string][]schema.GapPillarRow
	cas      []schema.GapCasualtyRow
	shares   []schema.GapShareRow
	statuses []schema.GapStatusRow
	sources  []schema.GapSourceRow
	bySource []schema.SourceServiceRow
	// extra is added to every count, to test a source whose counts and rows disagree.
	extra int
}

func each[T any](rows []T, fn func(T) error) error {
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeGap) Counts(context.Context, schema.GapFilter) (schema.GapCounts, error) {
	c := schema.GapCounts{
		Summary: len(s.summary) + s.extra, Casualties: len(s.cas), CommitmentShares: len(s.shares),
		CommitmentStatuses: len(s.statuses), Sources: len(s.sources), Pillars: map[string]int{},
	}
	for p, rows := range s.pillars {
		c.Pillars[p] = len(rows)
	}
	return c, nil
}
func (s *fakeGap) Summary(_ context.Context, _ schema.GapFilter, fn func(schema.GapSummaryRow) error) error {
	return each(s.summary, fn)
}
func (s *fakeGap) PillarRows(_ context.Context, _ schema.GapFilter, p string, fn func(schema.GapPillarRow) error) error {
	return each(s.pillars[p], fn)
}
func (s *fakeGap) Casualties(_ context.Context, _ schema.GapFilter, fn func(schema.GapCasualtyRow) error) error {
	return each(s.cas, fn)
}
func (s *fakeGap) CommitmentShares(_ context.Context, _ schema.GapFilter, fn func(schema.GapShareRow) error) error {
	return each(s.shares, fn)
}
func (s *fakeGap) CommitmentStatuses(_ context.Context, _ schema.GapFilter, fn func(schema.GapStatusRow) error) error {
	return each(s.statuses, fn)
}
func (s *fakeGap) Sources(_ context.Context, _ schema.GapFilter, fn func(schema.GapSourceRow) error) error {
	return each(s.sources, fn)
}

func (s *fakeGap) SourceServices(_ context.Context, _ schema.GapFilter, fn func(schema.SourceServiceRow) error) error {
	return each(s.bySource, fn)
}

func gapFixture() *fakeGap {
	sub := time.Date(2024, 4, 30, 0, 0, 0, 0, time.UTC)
	src2 := int64(2)
	return &fakeGap{
		summary: []schema.GapSummaryRow{
			{
				Country: "LAO", CountryName: "Lao People's Democratic Republic", Year: 2023,
				Killed: i64(10), Injured: i64(20), Casualties: i64(30), CasualtyQualifier: "exact", CasualtiesSummed: true,
				Coverage: map[string]schema.PillarCoverage{
					"medical_care":         {Coverage: f64(0.8), Basis: schema.CoverageStated},
					"rehabilitation":       {Coverage: f64(0.45), Basis: "sex"},
					"psychosocial_support": {Basis: schema.CoverageIncomplete},
				},
				Worst:       schema.GapGroup{Sex: "female", AgeGroup: "child", Disability: "total"},
				WorstPillar: "rehabilitation", WorstCoverage: f64(0.2),
			},
			{
				// Text from an upload that a spreadsheet would run as a formula.
				Country: "LBN", CountryName: "=HYPERLINK(\"http://evil\",\"x\")", Year: 2023,
				Injured: i64(0), OutcomeUnknown: i64(3), CasualtyQualifier: "at_least", CasualtiesPartial: true,
				Coverage: map[string]schema.PillarCoverage{"medical_care": {Basis: schema.CoverageStated}},
			},
			{
				// Services from survey records (source 3): the store's worst
				// group is a withheld one; the writer must not show it.
				Country: "KHM", CountryName: "Cambodia", Year: 2023,
				Coverage: map[string]schema.PillarCoverage{"medical_care": {Coverage: f64(20.0 / 31), Basis: "sex+age_group+disability"}},
				Worst:    schema.GapGroup{Sex: "male", AgeGroup: "adult", Disability: "no"}, WorstPillar: "medical_care", WorstCoverage: f64(2.0 / 9),
			},
		},
		pillars: map[string][]schema.GapPillarRow{
			"medical_care": {
				{Country: "LAO", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "total", AgeGroup: "total", Disability: "total"},
					InNeed: i64(100), Reached: i64(80), Unmet: i64(20), Coverage: f64(0.8), SourceID: 1},
				{Country: "LAO", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "female", AgeGroup: "total", Disability: "total"},
					InNeed: i64(50), Reached: i64(30), Unmet: i64(20), Coverage: f64(0.6), Parity: f64(0.6 / 0.9),
					Reference: schema.GapGroup{Sex: "male", AgeGroup: "total", Disability: "total"}, SourceID: 1},
				{Country: "LAO", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "male", AgeGroup: "total", Disability: "total"},
					InNeed: i64(50), Reached: i64(45), Unmet: i64(5), Coverage: f64(0.9), Parity: f64(1),
					Reference: schema.GapGroup{Sex: "male", AgeGroup: "total", Disability: "total"}, SourceID: 1},
				{Country: "LAO", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "unknown", AgeGroup: "total", Disability: "total"},
					Reached: i64(5), Reference: schema.GapGroup{Sex: "male", AgeGroup: "total", Disability: "total"}, SourceID: 1},
				{Country: "LAO", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "female", AgeGroup: "child", Disability: "total"},
					InNeed: i64(0), Reached: i64(2), Unmet: i64(-2), SourceID: 1},
				{Country: "KHM", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "female", AgeGroup: "child", Disability: "no"},
					InNeed: i64(3), Reached: i64(3), Unmet: i64(0), Coverage: f64(1), SourceID: 3},
				{Country: "KHM", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "female", AgeGroup: "adult", Disability: "no"},
					InNeed: i64(12), Reached: i64(8), Unmet: i64(4), Coverage: f64(8.0 / 12), SourceID: 3},
				{Country: "KHM", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "male", AgeGroup: "child", Disability: "no"},
					InNeed: i64(7), Reached: i64(7), Unmet: i64(0), Coverage: f64(1), SourceID: 3},
				{Country: "KHM", Year: 2023, Pillar: "medical_care", GapGroup: schema.GapGroup{Sex: "male", AgeGroup: "adult", Disability: "no"},
					InNeed: i64(9), Reached: i64(2), Unmet: i64(7), Coverage: f64(2.0 / 9), SourceID: 3},
			},
		},
		cas: []schema.GapCasualtyRow{
			{Country: "LAO", Year: 2023, Outcome: "killed", Sex: "total", AgeGroup: "total", Disability: "total", Cause: "total", CivilianStatus: "total", People: i64(10), Qualifier: "exact", SourceID: 1},
			{Country: "LAO", Year: 2023, Outcome: "injured", Sex: "total", AgeGroup: "total", Disability: "total", Cause: "total", CivilianStatus: "total", People: i64(20), Qualifier: "exact", SourceID: 1},
			{Country: "LBN", Year: 2023, Outcome: "killed", Sex: "total", AgeGroup: "total", Disability: "total", Cause: "total", CivilianStatus: "total", Qualifier: "exact", SourceID: 2},
			{Country: "LBN", Year: 2023, Outcome: "injured", Sex: "total", AgeGroup: "total", Disability: "total", Cause: "total", CivilianStatus: "total", People: i64(0), Qualifier: "exact", SourceID: 2},
		},
		shares: []schema.GapShareRow{
			{Year: 2023, Commitment: "focal_point", CommitmentName: "A government focal point for victim assistance is designated", Pillar: "coordination",
				Affected: 3, Yes: 1, No: 1, Unknown: 1, Share: f64(1.0 / 3), Gap: f64(2.0 / 3), ShareKnown: f64(0.5)},
			{Year: 2023, Commitment: "national_plan", CommitmentName: "A national victim assistance or disability plan is in force", Pillar: "coordination",
				Affected: 3, Partial: 1, NotReported: 2, Share: f64(0), Gap: f64(1), ShareKnown: f64(0)},
		},
		statuses: []schema.GapStatusRow{
			{Country: "LAO", CountryName: "Lao People's Democratic Republic", Year: 2023, Art5: true,
				Status: map[string]string{"focal_point": "yes", "national_plan": "partial"}, SourceID: i64(1)},
			{Country: "LBN", CountryName: "Lebanon", Year: 2023, Art5: true, Status: map[string]string{}},
			{Country: "SEN", CountryName: "Senegal", Year: 2023, Status: map[string]string{"focal_point": "no"}, SourceID: &src2},
		},
		sources: []schema.GapSourceRow{
			{SourceID: 1, Country: "LAO", Year: 2023, SourceType: "official", Kind: "annual", Feeds: "casualties, commitments, services",
				FileName: "lao_2023_form_h.xlsx", SHA256: strings.Repeat("ab", 32), Sheets: "H1 Casualties, H2 Services",
				SubmittedOn: &sub, IngestedAt: time.Date(2024, 5, 2, 9, 30, 0, 0, time.UTC), Version: 1, Status: "approved"},
			{SourceID: 2, Country: "LBN", Year: 2023, SourceType: "web", Kind: "annual", Feeds: "casualties",
				FileName: "=cmd|' /C calc'!A0", SHA256: strings.Repeat("cd", 32), SourceURL: "https://example.org/lbn",
				Sheets: "+SUM(A1), -1, @x, \tTab", IngestedAt: time.Date(2024, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 7200)), Version: 2, Status: "approved"},
			{SourceID: 3, Country: "KHM", Year: 2023, SourceType: "survey", Kind: "voluntary", Feeds: "services",
				IngestedAt: time.Date(2024, 7, 1, 8, 0, 0, 0, time.UTC), Version: 1, Status: "approved"},
		},
		bySource: []schema.SourceServiceRow{
			{Country: "KHM", Year: 2023, SourceID: 3, SourceType: "survey", Pillar: "medical_care",
				GapGroup: schema.GapGroup{Sex: "female", AgeGroup: "adult", Disability: "no"}, InNeed: i64(12), Reached: i64(8)},
			{Country: "KHM", Year: 2023, SourceID: 3, SourceType: "survey", Pillar: "medical_care",
				GapGroup: schema.GapGroup{Sex: "female", AgeGroup: "child", Disability: "no"}, InNeed: i64(3), Reached: i64(3)},
			{Country: "KHM", Year: 2023, SourceID: 3, SourceType: "survey", Pillar: "medical_care",
				GapGroup: schema.GapGroup{Sex: "male", AgeGroup: "adult", Disability: "no"}, InNeed: i64(9), Reached: i64(2)},
			{Country: "KHM", Year: 2023, SourceID: 3, SourceType: "survey", Pillar: "medical_care",
				GapGroup: schema.GapGroup{Sex: "male", AgeGroup: "child", Disability: "no"}, InNeed: i64(7), Reached: i64(7)},
		},
	}
}

func writeGapBytes(t testing.TB, src GapSource, opts GapOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteGap(t.Context(), &buf, src, opts); err != nil {
		t.Fatalf("WriteGap: %v", err)
	}
	return buf.Bytes()
}

// dumpWorkbook renders what a reader of the workbook sees as text: sheets,
// dimension, panes, autofilters, conditional formats, and every cell with
// its type and number format. Golden-test this, not the bytes.
func dumpWorkbook(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open written workbook: %v", err)
	}
	defer f.Close()
	var b strings.Builder
	filters := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filters[d.Scope] = d.RefersTo
		}
	}
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "== sheet %q\n", sheet)
		dim, err := f.GetSheetDimension(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "dimension %s\n", dim)
		p, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "panes freeze=%v ysplit=%d topleft=%s\n", p.Freeze, p.YSplit, p.TopLeftCell)
		fmt.Fprintf(&b, "autofilter %s\n", filters[sheet])
		cfs, err := f.GetConditionalFormats(sheet)
		if err != nil {
			t.Fatal(err)
		}
		refs := make([]string, 0, len(cfs))
		for ref := range cfs {
			refs = append(refs, ref)
		}
		slices.Sort(refs)
		for _, ref := range refs {
			for _, c := range cfs[ref] {
				fill := ""
				if c.Format != nil {
					st, err := f.GetConditionalStyle(*c.Format)
					if err != nil {
						t.Fatal(err)
					}
					fill = strings.Join(st.Fill.Color, ",")
				}
				fmt.Fprintf(&b, "conditional %s type=%s criteria=%q min=%s:%s:%s mid=%s:%s:%s max=%s:%s:%s fill=%s\n",
					ref, c.Type, c.Criteria, c.MinType, c.MinValue, c.MinColor, c.MidType, c.MidValue, c.MidColor,
					c.MaxType, c.MaxValue, c.MaxColor, fill)
			}
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, err := f.GetCellType(sheet, ref)
				if err != nil {
					t.Fatal(err)
				}
				kind := "str"
				if typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber {
					kind = "num"
				}
				numFmt := ""
				if sid, err := f.GetCellStyle(sheet, ref); err == nil && sid != 0 {
					st, err := f.GetStyle(sid)
					if err != nil {
						t.Fatal(err)
					}
					switch {
					case st.CustomNumFmt != nil:
						numFmt = " fmt=" + *st.CustomNumFmt
					case st.NumFmt != 0:
						numFmt = fmt.Sprintf(" fmt=%d", st.NumFmt)
					}
				}
				fmt.Fprintf(&b, "%s %s %q%s\n", ref, kind, v, numFmt)
			}
		}
	}
	return b.String()
}

func TestWriteGapGolden(t *testing.T) {
	t.Parallel()
	got := dumpWorkbook(t, writeGapBytes(t, gapFixture(), GapOptions{Filter: schema.GapFilter{From: 2023, To: 2023}}))
	path := filepath.Join("testdata", "gap.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./exports -run TestWriteGapGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("workbook differs from %s (rerun with -update and review the diff):\n%s", path, firstDiff(string(want), got))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}

func TestSafeText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                  "",
		"Lao PDR":           "Lao PDR",
		"=1+1":              "'=1+1",
		"+SUM(A1)":          "'+SUM(A1)",
		"-2":                "'-2",
		"@cmd":              "'@cmd",
		"\tx":               "'\tx",
		"\rx":               "'\rx",
		"a=b":               "a=b",
		"#country+code":     "#country+code",
		"=cmd|' /C calc'!A": "'=cmd|' /C calc'!A",
	} {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriteGapNeutralisesAndKeepsBlanks reads the cells back: untrusted text
// is prefixed, and numbers the source did not give are empty cells, not 0.
func TestWriteGapNeutralisesAndKeepsBlanks(t *testing.T) {
	t.Parallel()
	f, err := excelize.OpenReader(bytes.NewReader(writeGapBytes(t, gapFixture(), GapOptions{})))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cell := func(sheet, ref string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct{ sheet, ref, want string }{
		{"Summary", "B4", `'=HYPERLINK("http://evil","x")`},
		{"Sources", "G4", "'=cmd|' /C calc'!A0"},
		{"Sources", "J4", "'+SUM(A1), -1, @x, \tTab"},
		// Reported zeros stay zeros.
		{"Summary", "E4", "0"},
		{"Casualties", "I6", "0"},
	} {
		if got := cell(c.sheet, c.ref); got != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.ref, got, c.want)
		}
	}
	// NULLs: blank, never "0".
	for _, c := range []struct{ sheet, ref string }{
		{"Summary", "D4"},      // LBN killed not reported
		{"Summary", "G4"},      // LBN total not derivable
		{"Summary", "I3"},      // data_collection: no figures
		{"Summary", "L3"},      // psychosocial_support: breakdown incomplete
		{"Summary", "M3"},      // socioeconomic_inclusion: no figures
		{"Summary", "J4"},      // LBN medical_care: in need 0 or not reported
		{"medical_care", "G6"}, // sex unknown: in_need NULL
		{"medical_care", "I6"}, // unmet NULL
		{"medical_care", "J6"}, // coverage NULL
		{"medical_care", "J7"}, // in_need 0: coverage NULL
		{"medical_care", "K3"}, // headline row: no parity
		{"Casualties", "I5"},   // LBN killed: no number
	} {
		if got := cell(c.sheet, c.ref); got != "" {
			t.Errorf("%s!%s = %q, want an empty cell for a value not reported", c.sheet, c.ref, got)
		}
	}
}

func TestWriteGapRejectsCountMismatch(t *testing.T) {
	t.Parallel()
	src := gapFixture()
	src.extra = 1
	err := WriteGap(t.Context(), io.Discard, src, GapOptions{})
	if err == nil || !strings.Contains(err.Error(), "counted 4 rows but sent 3") {
		t.Fatalf("err = %v, want a count mismatch", err)
	}
}

func TestWriteGapStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := WriteGap(ctx, io.Discard, &lazyGap{rows: 1000}, GapOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// lazyGap generates rows on demand, so the benchmark measures the writer's
// memory, not the fake's.
type lazyGap struct {
	rows int
	// peak records the largest live heap seen while streaming (sampled).
	peak uint64
}

func (s *lazyGap) sample(i int) {
	if i%5000 == 0 {
		// The live heap as of the last GC: what the export keeps, without
		// the garbage the collector has not yet reclaimed.
		m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(m)
		s.peak = max(s.peak, m[0].Value.Uint64())
	}
}

func (s *lazyGap) Counts(context.Context, schema.GapFilter) (schema.GapCounts, error) {
	c := schema.GapCounts{Summary: s.rows / 100, Casualties: s.rows, Pillars: map[string]int{}}
	for _, p := range schema.ServicePillars {
		c.Pillars[p] = s.rows / 5
	}
	return c, nil
}

var lazySexes = []string{"total", "female", "male", "unknown"}

func (s *lazyGap) Summary(_ context.Context, _ schema.GapFilter, fn func(schema.GapSummaryRow) error) error {
	for i := range s.rows / 100 {
		cov := map[string]schema.PillarCoverage{"medical_care": {Coverage: f64(0.5), Basis: "total"}}
		if err := fn(schema.GapSummaryRow{Country: "LAO", CountryName: "Lao", Year: 2000 + i,
			Killed: i64(int64(i)), Injured: i64(2), Casualties: i64(int64(i) + 2), Coverage: cov}); err != nil {
			return err
		}
	}
	return nil
}

func (s *lazyGap) PillarRows(_ context.Context, _ schema.GapFilter, p string, fn func(schema.GapPillarRow) error) error {
	for i := range s.rows / 5 {
		s.sample(i)
		g := schema.GapGroup{Sex: lazySexes[i%4], AgeGroup: "total", Disability: "total"}
		if err := fn(schema.GapPillarRow{Country: "LAO", Year: 2000 + i/4, Pillar: p, GapGroup: g,
			InNeed: i64(100), Reached: i64(int64(i % 100)), Unmet: i64(int64(100 - i%100)), Coverage: f64(float64(i%100) / 100),
			Parity: f64(0.8), Reference: schema.GapGroup{Sex: "male", AgeGroup: "total", Disability: "total"}, SourceID: int64(i)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *lazyGap) Casualties(_ context.Context, _ schema.GapFilter, fn func(schema.GapCasualtyRow) error) error {
	for i := range s.rows {
		s.sample(i)
		if err := fn(schema.GapCasualtyRow{Country: "LAO", Year: 2000 + i/50, Outcome: "killed", Sex: lazySexes[i%4],
			AgeGroup: "child", Disability: "total", Cause: "cm_remnant", CivilianStatus: "civilian",
			People: i64(int64(i % 37)), Qualifier: "exact", SourceID: int64(i)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *lazyGap) CommitmentShares(context.Context, schema.GapFilter, func(schema.GapShareRow) error) error {
	return nil
}
func (s *lazyGap) CommitmentStatuses(context.Context, schema.GapFilter, func(schema.GapStatusRow) error) error {
	return nil
}
func (s *lazyGap) Sources(context.Context, schema.GapFilter, func(schema.GapSourceRow) error) error {
	return nil
}
func (s *lazyGap) SourceServices(context.Context, schema.GapFilter, func(schema.SourceServiceRow) error) error {
	return nil
}

// BenchmarkWriteGap writes workbooks of growing size. rows/s is the
// throughput; peak-live-MiB is the live heap while rows stream. Rows are
// never collected: what excelize keeps is at most 16 MiB of XML per sheet
// (beyond that it spills to a temporary file), and, at the end, the zip it
// assembles in memory (the size of the output).
func BenchmarkWriteGap(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 300_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			src := &lazyGap{rows: n}
			total := n + n/100 + n // casualties + summary + 5 pillars of n/5
			for b.Loop() {
				if err := WriteGap(b.Context(), io.Discard, src, GapOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(src.peak)/(1<<20), "peak-live-MiB")
		})
	}
}

// TestWriteGapRefusesNoSuppression: every export of survey figures
// suppresses; a threshold below suppress.MinK is an error, not "off".
func TestWriteGapRefusesNoSuppression(t *testing.T) {
	t.Parallel()
	err := WriteGap(t.Context(), io.Discard, gapFixture(), GapOptions{SuppressK: 1})
	if err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}
