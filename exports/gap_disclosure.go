package exports

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/vahub/vahub/exports/reconcile"
	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/schema"
)

// Disclosure control in the gap workbook. Figures built from individual
// survey records (source type survey) are protected with exports/suppress
// before anything is written: the Summary, the pillar sheets and the
// Reconciliation sheet all read the same protected tables, so they withhold
// the same cells. Official and web figures are aggregates that States and
// partners publish themselves; they are shown as given.

type cyKey struct {
	country string
	year    int
}

// cyServices are one country-year's protected survey figures.
type cyServices struct {
	surveyID int64
	feeds    bool // no official report outranks it: its figures are the Summary's and pillar sheets'
	svc      *suppress.Services
	rows     []suppress.ServiceRow
	// parity per pillar and group, recomputed over visible coverages only.
	parity map[string]map[schema.GapGroup]parityRef
	worst  *worstServed
	// withheld figures of the published rows (for the Summary's note).
	withheld suppress.Stats
}

// parityRef is a row's parity index (nil when its coverage is withheld or
// undefined) and its reference group.
type parityRef struct {
	parity *float64
	ref    schema.GapGroup
}

type worstServed struct {
	pillar   string
	group    schema.GapGroup
	coverage float64
}

// gapDisclosure is what the pre-pass learns: protected survey tables by
// country-year, the reconciliation rows, and the counts of what the sheets
// withhold (filled as they are written).
type gapDisclosure struct {
	k        int
	surveys  map[cyKey]*cyServices
	recon    []reconcile.Row
	withheld map[string]*sheetWithheld
}

type sheetWithheld struct {
	counts  suppress.Stats // counts withheld, by reason
	derived int            // unmet, coverage, parity, differences withheld with them
}

func (d *gapDisclosure) sheet(name string) *sheetWithheld {
	s, ok := d.withheld[name]
	if !ok {
		s = &sheetWithheld{}
		d.withheld[name] = s
	}
	return s
}

func (s *sheetWithheld) count(st suppress.State) {
	switch st {
	case suppress.Primary:
		s.counts.Primary++
	case suppress.Complementary:
		s.counts.Complementary++
	}
}

// survey returns the protected figures when the row's source is the
// country-year's survey report, else nil.
func (d *gapDisclosure) survey(country string, year int, sourceID int64) *cyServices {
	cs := d.surveys[cyKey{country, year}]
	if cs == nil || cs.surveyID != sourceID {
		return nil
	}
	return cs
}

// loadDisclosure reads every survey and official service figure of the
// country-years with a survey, protects the survey's and compares the two.
// Memory grows with the survey country-years (at most 5 pillars × 27
// groups × 2 measures each), not with the export.
func loadDisclosure(ctx context.Context, src ServiceSourcer, opts GapOptions) (*gapDisclosure, error) {
	d := &gapDisclosure{k: opts.SuppressK, surveys: map[cyKey]*cyServices{}, withheld: map[string]*sheetWithheld{}}
	var (
		cur      cyKey
		survey   []suppress.ServiceRow
		official []schema.SourceServiceRow
		sid, oid int64
		started  bool
	)
	flush := func() {
		if !started || sid == 0 {
			return
		}
		cs := &cyServices{surveyID: sid, feeds: oid == 0, svc: suppress.ProtectServices(d.k, survey), rows: survey}
		cs.finish()
		d.surveys[cur] = cs
		d.recon = append(d.recon, reconcile.Compare(cur.country, cur.year, sid, cs.svc, oid, official, opts.Reconcile)...)
	}
	err := src.SourceServices(ctx, opts.Filter, func(r schema.SourceServiceRow) error {
		k := cyKey{r.Country, r.Year}
		if !started || k != cur {
			flush()
			cur, started, survey, official, sid, oid = k, true, nil, nil, 0, 0
		}
		switch r.SourceType {
		case "survey":
			sid = r.SourceID
			survey = append(survey, suppress.ServiceRow{Pillar: r.Pillar, Sex: r.Sex, AgeGroup: r.AgeGroup,
				Disability: r.Disability, InNeed: r.InNeed, Reached: r.Reached})
		default:
			oid = r.SourceID
			official = append(official, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("exports: survey figures: %w", err)
	}
	flush()
	return d, nil
}

// ServiceSourcer streams the survey and official service figures of every
// country-year with a survey (pg.DB and pg.GapSnapshot do).
type ServiceSourcer interface {
	SourceServices(ctx context.Context, f schema.GapFilter, fn func(schema.SourceServiceRow) error) error
}

// Reconcile compares survey and official figures for the filter, the survey
// side protected with threshold k, as the workbook's Reconciliation sheet
// does (`vahub reconcile`).
func Reconcile(ctx context.Context, src ServiceSourcer, f schema.GapFilter, k int, opts reconcile.Options) ([]reconcile.Row, error) {
	if k < suppress.MinK {
		return nil, fmt.Errorf("exports: suppression threshold k = %d: it must be at least %d", k, suppress.MinK)
	}
	d, err := loadDisclosure(ctx, src, GapOptions{Filter: f, SuppressK: k, Reconcile: opts.WithDefaults()})
	if err != nil {
		return nil, err
	}
	return d.recon, nil
}

// groupRank orders groups as the sheets do: total first, unknown last.
func groupRank(g schema.GapGroup) [3]int {
	pos := func(code string, codes []string) int {
		if code == schema.Total {
			return 0
		}
		if i := slices.Index(codes, code); i >= 0 {
			return i + 1
		}
		return len(codes) + 1
	}
	return [3]int{pos(g.Sex, schema.Sexes), pos(g.AgeGroup, schema.AgeGroups), pos(g.Disability, schema.Disabilities)}
}

func groupLess(a, b schema.GapGroup) bool {
	ra, rb := groupRank(a), groupRank(b)
	return slices.Compare(ra[:], rb[:]) < 0
}

func breakdownOf(g schema.GapGroup) string {
	b := ""
	for i, c := range []string{g.Sex, g.AgeGroup, g.Disability} {
		if c != schema.Total {
			b += strconv.Itoa(i)
		}
	}
	return b
}

func knownGroup(g schema.GapGroup) bool {
	return g.Sex != schema.Unknown && g.AgeGroup != schema.Unknown && g.Disability != schema.Unknown
}

// finish recomputes, over visible figures only, what the store computed
// over all of them: parity indexes and their reference groups, and the
// worst-served group. A reference or a minimum picked among withheld
// coverages would hint at them.
func (cs *cyServices) finish() {
	cs.parity = map[string]map[schema.GapGroup]parityRef{}
	type cov struct {
		g schema.GapGroup
		c *float64
	}
	byPillar := map[string][]cov{}
	for _, r := range cs.rows {
		g := schema.GapGroup{Sex: r.Sex, AgeGroup: r.AgeGroup, Disability: r.Disability}
		in, re, si, sr := cs.svc.Row(r.Pillar, r.Sex, r.AgeGroup, r.Disability)
		for _, st := range []suppress.State{si, sr} {
			if st.Hidden() {
				cs.withheld.Primary += b2i(st == suppress.Primary)
				cs.withheld.Complementary += b2i(st == suppress.Complementary)
			}
		}
		var c *float64
		if !suppress.DerivedHidden(si, sr) && in != nil && re != nil && *in > 0 {
			v := float64(*re) / float64(*in)
			c = &v
		}
		byPillar[r.Pillar] = append(byPillar[r.Pillar], cov{g, c})
		if c != nil && breakdownOf(g) != "" && knownGroup(g) {
			w := cs.worst
			better := w == nil || *c < w.coverage ||
				(*c == w.coverage && (pillarSort(r.Pillar) < pillarSort(w.pillar) ||
					(r.Pillar == w.pillar && groupLess(g, w.group))))
			if better {
				cs.worst = &worstServed{pillar: r.Pillar, group: g, coverage: *c}
			}
		}
	}
	for p, covs := range byPillar {
		slices.SortStableFunc(covs, func(a, b cov) int {
			ra, rb := groupRank(a.g), groupRank(b.g)
			return slices.Compare(ra[:], rb[:])
		})
		refs := map[string]cov{}
		for _, c := range covs {
			b := breakdownOf(c.g)
			if b == "" || !knownGroup(c.g) || c.c == nil {
				continue
			}
			if r, ok := refs[b]; !ok || *c.c > *r.c {
				refs[b] = c
			}
		}
		m := map[schema.GapGroup]parityRef{}
		for _, c := range covs {
			var pr parityRef
			if r, ok := refs[breakdownOf(c.g)]; ok && breakdownOf(c.g) != "" {
				pr.ref = r.g
				if c.c != nil && *r.c > 0 {
					v := *c.c / *r.c
					pr.parity = &v
				}
			}
			m[c.g] = pr
		}
		cs.parity[p] = m
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pillarSort(p string) int {
	if i := slices.Index(schema.ServicePillars, p); i >= 0 {
		return i
	}
	return len(schema.ServicePillars)
}

// totalHidden reports whether a pillar's overall in-need or reached count
// is withheld, so that a coverage computed from them must be too.
func (cs *cyServices) totalHidden(pillar string) bool {
	t := schema.Total
	_, si, _ := cs.svc.Figure(pillar, schema.MeasureInNeed, t, t, t)
	_, sr, _ := cs.svc.Figure(pillar, schema.MeasureReached, t, t, t)
	return si.Hidden() || sr.Hidden()
}

// SurveyFigures are the protected survey figures of the country-years a
// filter covers, for answers that stream service_facts rows (the JSON API):
// the same tables, so the same cells withheld, as the gap workbook.
type SurveyFigures struct {
	d *gapDisclosure
}

// LoadSurveyFigures protects the survey figures the filter covers with
// threshold k (at least suppress.MinK).
func LoadSurveyFigures(ctx context.Context, src ServiceSourcer, f schema.GapFilter, k int) (*SurveyFigures, error) {
	if k < suppress.MinK {
		return nil, fmt.Errorf("exports: suppression threshold k = %d: it must be at least %d", k, suppress.MinK)
	}
	d, err := loadDisclosure(ctx, src, GapOptions{Filter: f, SuppressK: k, Reconcile: reconcile.Options{}.WithDefaults()})
	if err != nil {
		return nil, err
	}
	return &SurveyFigures{d: d}, nil
}

// Row returns what a service_facts row may show. protected is false when
// the row's source is not the country-year's survey report: then the row is
// shown as it is. A survey row whose group the protected tables do not hold
// (the data changed between the two reads) is withheld whole.
func (s *SurveyFigures) Row(country string, year int, sourceID int64, pillar string, g schema.GapGroup) (
	inNeed, reached *int64, inNeedState, reachedState suppress.State, protected bool) {
	cs := s.d.survey(country, year, sourceID)
	if cs == nil {
		return nil, nil, suppress.Visible, suppress.Visible, false
	}
	_, _, okIn := cs.svc.Figure(pillar, schema.MeasureInNeed, g.Sex, g.AgeGroup, g.Disability)
	_, _, okRe := cs.svc.Figure(pillar, schema.MeasureReached, g.Sex, g.AgeGroup, g.Disability)
	if !okIn && !okRe {
		return nil, nil, suppress.Primary, suppress.Primary, true
	}
	inNeed, reached, inNeedState, reachedState = cs.svc.Row(pillar, g.Sex, g.AgeGroup, g.Disability)
	return inNeed, reached, inNeedState, reachedState, true
}
