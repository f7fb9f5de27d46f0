package exports

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports/reconcile"
	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/schema"
)

// GapFilter selects what a gap export covers (countries, years). It is
// defined in schema so that schema/pg can take it without importing exports.
type GapFilter = schema.GapFilter

// GapSource answers the gap-analysis export's questions. Each method streams
// its rows to fn in sheet order and stops at fn's first error, so a source
// never has to hold a whole table. Counts must agree with what the streams
// then send: the workbook states each sheet's size before its rows, so a
// database source answers from one snapshot (pg.DB.BeginGap).
type GapSource interface {
	Counts(ctx context.Context, f schema.GapFilter) (schema.GapCounts, error)
	// Summary: one row per country and year, ordered by country, year.
	Summary(ctx context.Context, f schema.GapFilter, fn func(schema.GapSummaryRow) error) error
	// PillarRows: ordered by country, year, sex, age group, disability.
	PillarRows(ctx context.Context, f schema.GapFilter, pillar string, fn func(schema.GapPillarRow) error) error
	Casualties(ctx context.Context, f schema.GapFilter, fn func(schema.GapCasualtyRow) error) error
	CommitmentShares(ctx context.Context, f schema.GapFilter, fn func(schema.GapShareRow) error) error
	CommitmentStatuses(ctx context.Context, f schema.GapFilter, fn func(schema.GapStatusRow) error) error
	Sources(ctx context.Context, f schema.GapFilter, fn func(schema.GapSourceRow) error) error
	// SourceServices: for every country-year with a survey, the service
	// figures of its survey report, then of its official report (the
	// disclosure control and the Reconciliation sheet read them first).
	SourceServices(ctx context.Context, f schema.GapFilter, fn func(schema.SourceServiceRow) error) error
}

// GapOptions configure a gap export. Zero thresholds take the defaults.
type GapOptions struct {
	Filter schema.GapFilter
	// LowCoverage is the midpoint (yellow) of the coverage colour scale. Default 0.5.
	LowCoverage float64
	// ParityLow and ParityHigh bound the parity band; indexes outside it are
	// flagged. Default [0.9, 1.1] (DOMAIN.md §7).
	ParityLow, ParityHigh float64
	// SuppressK is the small-cell threshold for figures built from
	// individual survey records: counts from 1 to k−1 are withheld, with
	// complementary cells (exports/suppress). Zero means suppress.DefaultK;
	// below suppress.MinK is refused: every export suppresses.
	SuppressK int
	// Reconcile sets when the Reconciliation sheet flags a difference.
	Reconcile reconcile.Options
	// GeneratedAt is printed on the Definitions sheet; zero leaves it out
	// (so golden files do not change with the clock).
	GeneratedAt time.Time
}

func (o GapOptions) withDefaults() GapOptions {
	if o.LowCoverage == 0 {
		o.LowCoverage = 0.5
	}
	if o.ParityLow == 0 {
		o.ParityLow = 0.9
	}
	if o.ParityHigh == 0 {
		o.ParityHigh = 1.1
	}
	if o.SuppressK == 0 {
		o.SuppressK = suppress.DefaultK
	}
	o.Reconcile = o.Reconcile.WithDefaults()
	return o
}

// WriteGap writes the gap-analysis workbook to w: Summary, one sheet per
// service pillar, Casualties, Commitments, Commitment status,
// Reconciliation, Sources, Disclosure and Definitions. Figures built from
// individual survey records are protected first (see gap_disclosure.go). Rows are streamed from src into excelize's StreamWriter one
// at a time; only excelize's per-sheet buffers grow with the data, each up
// to 16 MiB before it spills to a temporary file, and the zip is written
// to w as it is made.
func WriteGap(ctx context.Context, w io.Writer, src GapSource, opts GapOptions) error {
	opts = opts.withDefaults()
	if opts.SuppressK < suppress.MinK {
		return fmt.Errorf("exports: suppression threshold k = %d: it must be at least %d (every export of survey figures suppresses)", opts.SuppressK, suppress.MinK)
	}
	counts, err := src.Counts(ctx, opts.Filter)
	if err != nil {
		return fmt.Errorf("exports: gap counts: %w", err)
	}
	disc, err := loadDisclosure(ctx, src, opts)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newGapStyles(f)
	if err != nil {
		return err
	}
	g := &gapWriter{f: f, st: st, opts: opts, disc: disc}

	steps := []func() error{
		func() error { return g.summary(ctx, src, counts.Summary) },
	}
	for _, p := range schema.ServicePillars {
		steps = append(steps, func() error { return g.pillar(ctx, src, p, counts.Pillars[p]) })
	}
	steps = append(steps,
		func() error { return g.casualties(ctx, src, counts.Casualties) },
		func() error { return g.shares(ctx, src, counts.CommitmentShares) },
		func() error { return g.statuses(ctx, src, counts.CommitmentStatuses) },
		func() error { return g.reconciliation(ctx) },
		func() error { return g.sources(ctx, src, counts.Sources) },
		func() error { return g.disclosure(ctx) },
		func() error { return g.definitions(ctx) },
	)
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	// No SetActiveSheet: the first sheet is already active, and excelize
	// would parse every streamed sheet back into memory to set it.
	if err := writeZipTo(f, w); err != nil {
		return fmt.Errorf("exports: write gap workbook: %w", err)
	}
	return nil
}

// writeZipTo writes f to w as it is zipped. excelize's Write assembles the
// whole zip in a bytes.Buffer first (memory growing with the output); a zip
// writer that ignores that buffer and writes to w instead streams it, and
// the buffer Write then copies to w stays empty. What is lost is excelize's
// patch of the local headers of parts over 4 GiB (ZIP64), which needs the
// whole file in memory anyway.
func writeZipTo(f *excelize.File, w io.Writer) error {
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return f.Write(w)
}

// coverageScale colours coverage red (0), yellow (the low-coverage
// threshold), green (1). Colour scales skip blank cells, so a coverage that
// could not be computed is not painted as 0.
func (g *gapWriter) coverageScale() []excelize.ConditionalFormatOptions {
	return []excelize.ConditionalFormatOptions{{
		Type: "3_color_scale", Criteria: "=",
		MinType: "num", MinValue: "0", MinColor: "#F8696B",
		MidType: "num", MidValue: gapFloat(g.opts.LowCoverage), MidColor: "#FFEB84",
		MaxType: "num", MaxValue: "1", MaxColor: "#63BE7B",
	}}
}

func gapRange(col string, first, last int) string {
	return col + strconv.Itoa(first) + ":" + col + strconv.Itoa(last)
}

func gapFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (g *gapWriter) summary(ctx context.Context, src GapSource, want int) error {
	cols := gapSummaryCols()
	t, err := g.table(ctx, gapSheetSummary, cols, want, true, func(col func(string) string, first, last int) map[string][]excelize.ConditionalFormatOptions {
		m := map[string][]excelize.ConditionalFormatOptions{}
		for _, p := range schema.ServicePillars {
			m[gapRange(col("coverage_"+p), first, last)] = g.coverageScale()
		}
		m[gapRange(col("worst_served_coverage"), first, last)] = g.coverageScale()
		return m
	})
	if err != nil {
		return err
	}
	wh := g.disc.sheet(gapSheetSummary)
	err = src.Summary(ctx, g.opts.Filter, func(r schema.GapSummaryRow) error {
		row := t.row
		cs := g.disc.surveys[cyKey{r.Country, r.Year}]
		if cs != nil && !cs.feeds {
			cs = nil // an official report outranks the survey: its figures are shown
		}
		withheldCov := map[string]bool{}
		if cs != nil {
			for p := range r.Coverage {
				if cs.totalHidden(p) {
					withheldCov[p] = true
				}
			}
			r.Worst, r.WorstPillar, r.WorstCoverage = schema.GapGroup{}, "", nil
			if w := cs.worst; w != nil {
				c := w.coverage
				r.Worst, r.WorstPillar, r.WorstCoverage = w.group, w.pillar, &c
			}
		}
		row[0], row[1], row[2] = gapText(r.Country), gapText(r.CountryName), r.Year
		row[3], row[4], row[5], row[6] = g.count(r.Killed), g.count(r.Injured), g.count(r.OutcomeUnknown), g.count(r.Casualties)
		row[7] = gapText(r.CasualtyQualifier)
		var notes []string
		if r.CasualtiesSummed {
			notes = append(notes, "casualties_total = killed + injured + outcome_unknown (no total stated)")
		}
		if r.CasualtiesPartial {
			notes = append(notes, "some parts of the casualty figures are not known: the counts cover the known parts")
		}
		for i, p := range schema.ServicePillars {
			c, ok := r.Coverage[p]
			if !ok {
				continue // no service figure: blank, not reported
			}
			if withheldCov[p] {
				row[8+i] = g.withheldCell()
				wh.derived++
				notes = append(notes, p+": coverage withheld (an overall count from survey records is below k or withheld with one)")
				continue
			}
			row[8+i] = g.pct(c.Coverage)
			switch {
			case c.Basis == schema.CoverageIncomplete:
				notes = append(notes, p+": no coverage (no total, breakdown incomplete)")
			case c.Coverage == nil:
				notes = append(notes, p+": no coverage (in need 0 or not reported)")
			case c.Basis != schema.CoverageStated:
				notes = append(notes, p+": coverage summed over the "+c.Basis+" breakdown")
			}
		}
		if cs != nil {
			notes = append(notes, fmt.Sprintf("services from individual survey records: %d counts withheld (k = %d; see Disclosure); worst-served group chosen among visible figures",
				cs.withheld.Withheld(), g.disc.k))
		}
		k := 8 + len(schema.ServicePillars)
		row[k], row[k+1], row[k+2] = gapText(r.Worst.Label()), gapText(r.WorstPillar), g.pct(r.WorstCoverage)
		row[k+3] = gapText(strings.Join(notes, "; "))
		return t.add()
	})
	if err != nil {
		return fmt.Errorf("exports: %s: %w", gapSheetSummary, err)
	}
	return t.end()
}

func (g *gapWriter) pillar(ctx context.Context, src GapSource, pillar string, want int) error {
	cols := gapPillarCols()
	t, err := g.table(ctx, pillar, cols, want, true, func(col func(string) string, first, last int) map[string][]excelize.ConditionalFormatOptions {
		p := col("parity_index") + strconv.Itoa(first)
		// A formula rule, not "cell < 0.9", which would also paint blanks.
		flag := fmt.Sprintf("AND(ISNUMBER(%s),OR(%s<%s,%s>%s))", p, p, gapFloat(g.opts.ParityLow), p, gapFloat(g.opts.ParityHigh))
		return map[string][]excelize.ConditionalFormatOptions{
			gapRange(col("coverage"), first, last):     g.coverageScale(),
			gapRange(col("parity_index"), first, last): {{Type: "formula", Criteria: flag, Format: &g.st.alert}},
		}
	})
	if err != nil {
		return err
	}
	wh := g.disc.sheet(pillar)
	err = src.PillarRows(ctx, g.opts.Filter, pillar, func(r schema.GapPillarRow) error {
		row := t.row
		var si, sr suppress.State
		derived := false
		if cs := g.disc.survey(r.Country, r.Year, r.SourceID); cs != nil {
			r.InNeed, r.Reached, si, sr = cs.svc.Row(r.Pillar, r.Sex, r.AgeGroup, r.Disability)
			derived = suppress.DerivedHidden(si, sr)
			if derived {
				r.Unmet, r.Coverage = nil, nil
			}
			pr := cs.parity[r.Pillar][r.GapGroup]
			r.Parity, r.Reference = pr.parity, pr.ref
		}
		row[0], row[1], row[2] = gapText(r.Country), r.Year, gapText(r.Pillar)
		row[3], row[4], row[5] = gapText(r.Sex), gapText(r.AgeGroup), gapText(r.Disability)
		row[6], row[7], row[8] = g.count(r.InNeed), g.count(r.Reached), g.count(r.Unmet)
		row[9], row[10], row[11] = g.pct(r.Coverage), g.ratio(r.Parity), gapText(r.Reference.Label())
		var notes []string
		for _, m := range []struct {
			name string
			st   suppress.State
			col  int
		}{{"in_need", si, 6}, {"reached", sr, 7}} {
			switch m.st {
			case suppress.Primary:
				notes = append(notes, fmt.Sprintf("%s withheld: fewer than %d people (survey records)", m.name, g.disc.k))
			case suppress.Complementary:
				notes = append(notes, m.name+" withheld so that totals cannot reveal another withheld count")
			}
			if m.st.Hidden() {
				row[m.col] = g.withheldCell()
				wh.count(m.st)
			}
		}
		if derived {
			row[8], row[9] = g.withheldCell(), g.withheldCell()
			wh.derived += 2
			if breakdownOf(r.GapGroup) != "" {
				row[10] = g.withheldCell()
				wh.derived++
			}
			notes = append(notes, "unmet, coverage and parity withheld with them")
		}
		switch {
		case si.Hidden():
		case r.InNeed == nil:
			notes = append(notes, "in need not reported")
		case *r.InNeed == 0:
			notes = append(notes, "in need is 0: coverage undefined")
		}
		if r.Reached == nil && !sr.Hidden() {
			notes = append(notes, "reached not reported")
		}
		if r.Unmet != nil && *r.Unmet < 0 {
			notes = append(notes, "reached exceeds in need")
		}
		row[12], row[13] = gapText(strings.Join(notes, "; ")), r.SourceID
		return t.add()
	})
	if err != nil {
		return fmt.Errorf("exports: %s: %w", pillar, err)
	}
	return t.end()
}

func (g *gapWriter) casualties(ctx context.Context, src GapSource, want int) error {
	t, err := g.table(ctx, gapSheetCasualties, gapCasualtyCols(), want, true, nil)
	if err != nil {
		return err
	}
	err = src.Casualties(ctx, g.opts.Filter, func(r schema.GapCasualtyRow) error {
		row := t.row
		row[0], row[1], row[2] = gapText(r.Country), r.Year, gapText(r.Outcome)
		row[3], row[4], row[5] = gapText(r.Sex), gapText(r.AgeGroup), gapText(r.Disability)
		row[6], row[7], row[8] = gapText(r.Cause), gapText(r.CivilianStatus), g.count(r.People)
		if r.People == nil {
			row[10] = "number not given by the source (unknown, withheld or not applicable)"
		} else {
			row[9] = gapText(r.Qualifier)
		}
		row[11] = r.SourceID
		return t.add()
	})
	if err != nil {
		return fmt.Errorf("exports: %s: %w", gapSheetCasualties, err)
	}
	return t.end()
}

func (g *gapWriter) shares(ctx context.Context, src GapSource, want int) error {
	t, err := g.table(ctx, gapSheetShares, gapShareCols(), want, true, func(col func(string) string, first, last int) map[string][]excelize.ConditionalFormatOptions {
		return map[string][]excelize.ConditionalFormatOptions{gapRange(col("share"), first, last): g.coverageScale()}
	})
	if err != nil {
		return err
	}
	err = src.CommitmentShares(ctx, g.opts.Filter, func(r schema.GapShareRow) error {
		row := t.row
		row[0], row[1], row[2], row[3] = r.Year, gapText(r.Commitment), gapText(r.CommitmentName), gapText(r.Pillar)
		row[4], row[5], row[6], row[7] = g.countInt(r.Affected), g.countInt(r.Yes), g.countInt(r.No), g.countInt(r.Partial)
		row[8], row[9] = g.countInt(r.Unknown), g.countInt(r.NotReported)
		row[10], row[11], row[12] = g.pct(r.Share), g.pct(r.Gap), g.pct(r.ShareKnown)
		return t.add()
	})
	if err != nil {
		return fmt.Errorf("exports: %s: %w", gapSheetShares, err)
	}
	return t.end()
}

func (g *gapWriter) statuses(ctx context.Context, src GapSource, want int) error {
	t, err := g.table(ctx, gapSheetStatuses, gapStatusCols(), want, true, nil)
	if err != nil {
		return err
	}
	err = src.CommitmentStatuses(ctx, g.opts.Filter, func(r schema.GapStatusRow) error {
		row := t.row
		row[0], row[1], row[2] = gapText(r.Country), gapText(r.CountryName), r.Year
		row[3] = "no"
		if r.Art5 {
			row[3] = "yes"
		}
		for i, c := range schema.Commitments {
			row[4+i] = gapText(r.Status[c])
		}
		k := 4 + len(schema.Commitments)
		if r.Art5 && len(r.Status) == 0 {
			row[k] = "obligations, but no commitment status reported"
		}
		if r.SourceID != nil {
			row[k+1] = *r.SourceID
		}
		return t.add()
	})
	if err != nil {
		return fmt.Errorf("exports: %s: %w", gapSheetStatuses, err)
	}
	return t.end()
}

func (g *gapWriter) sources(ctx context.Context, src GapSource, want int) error {
	t, err := g.table(ctx, gapSheetSources, gapSourceCols(), want, true, nil)
	if err != nil {
		return err
	}
	err = src.Sources(ctx, g.opts.Filter, func(r schema.GapSourceRow) error {
		row := t.row
		row[0], row[1], row[2], row[3] = r.SourceID, gapText(r.Country), r.Year, gapText(r.SourceType)
		row[4], row[5], row[6], row[7] = gapText(r.Kind), gapText(r.Feeds), gapText(r.FileName), gapText(r.SHA256)
		row[8], row[9], row[10], row[11] = gapText(r.SourceURL), gapText(r.Sheets), g.date(r.SubmittedOn), g.stamp(r.IngestedAt)
		row[12], row[13] = r.Version, gapText(r.Status)
		return t.add()
	})
	if err != nil {
		return fmt.Errorf("exports: %s: %w", gapSheetSources, err)
	}
	return t.end()
}

func (g *gapWriter) definitions(ctx context.Context) error {
	rows := gapDefinitionRows(g.opts)
	t, err := g.table(ctx, gapSheetDefinitions, gapDefinitionCols(), len(rows), false, nil)
	if err != nil {
		return err
	}
	for _, r := range rows {
		for i, v := range r {
			t.row[i] = gapText(v)
		}
		if err := t.add(); err != nil {
			return fmt.Errorf("exports: %s: %w", gapSheetDefinitions, err)
		}
	}
	return t.end()
}

func (g *gapWriter) reconciliation(ctx context.Context) error {
	t, err := g.table(ctx, gapSheetReconciliation, gapReconcileCols(), len(g.disc.recon), true, nil)
	if err != nil {
		return err
	}
	wh := g.disc.sheet(gapSheetReconciliation)
	for _, r := range g.disc.recon {
		row := t.row
		row[0], row[1], row[2], row[3] = gapText(r.Country), r.Year, gapText(r.Pillar), gapText(r.Measure)
		row[4], row[5], row[6], row[7] = gapText(r.Level), gapText(r.Sex), gapText(r.AgeGroup), gapText(r.Disability)
		row[8], row[9], row[10], row[11] = g.count(r.Survey), g.count(r.Official), g.count(r.Difference), g.pct(r.Relative)
		row[12] = gapText(r.Status)
		if r.SurveyWithheld {
			row[8], row[10], row[11] = g.withheldCell(), g.withheldCell(), g.withheldCell()
			wh.count(r.SurveyState)
			wh.derived += 2
		}
		row[13] = r.SurveyID
		if r.OfficialID != 0 {
			row[14] = r.OfficialID
		}
		if err := t.add(); err != nil {
			return fmt.Errorf("exports: %s: %w", gapSheetReconciliation, err)
		}
	}
	return t.end()
}

// disclosure writes what the sheets withheld and why: one row for the whole
// workbook, then one per sheet that can hold survey figures.
func (g *gapWriter) disclosure(ctx context.Context) error {
	sheets := append(append([]string{gapSheetSummary}, schema.ServicePillars...), gapSheetReconciliation)
	t, err := g.table(ctx, gapSheetDisclosure, gapDisclosureCols(), len(sheets)+1, true, nil)
	if err != nil {
		return err
	}
	var all sheetWithheld
	for _, s := range sheets {
		w := g.disc.sheet(s)
		all.counts = all.counts.Add(w.counts)
		all.derived += w.derived
	}
	write := func(name string, w sheetWithheld, note string) error {
		t.row[0], t.row[1], t.row[2] = gapText(name), g.countInt(w.counts.Primary), g.countInt(w.counts.Complementary)
		t.row[3], t.row[4] = g.countInt(w.derived), gapText(note)
		return t.add()
	}
	note := fmt.Sprintf("threshold k = %d. Figures built from individual survey records (source type survey) show counts "+
		"from 1 to %d as withheld (primary), and further counts (complementary) so that no withheld count can be recomputed "+
		"from the visible ones with any row, column or total, nor from all of them together; unmet, coverage, parity and "+
		"reconciliation differences that would reveal a withheld count are withheld with it (derived). Zeros are not "+
		"withheld for themselves. Official and web figures are published aggregates and are never withheld. "+
		"%d survey country-years in this export.", g.disc.k, g.disc.k-1, len(g.disc.surveys))
	if err := write("(all)", all, note); err != nil {
		return fmt.Errorf("exports: %s: %w", gapSheetDisclosure, err)
	}
	for _, s := range sheets {
		if err := write(s, *g.disc.sheet(s), ""); err != nil {
			return fmt.Errorf("exports: %s: %w", gapSheetDisclosure, err)
		}
	}
	return t.end()
}
