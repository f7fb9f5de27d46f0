package schema

import (
	"fmt"
	"strings"
	"time"
)

// The rows of the gap-analysis export. The store produces them from the
// reporting views and the exporter writes them; they live here, at the
// centre, because schema/pg may not import exports.

// GapFilter selects what a gap export covers. Zero values mean no bound.
type GapFilter struct {
	Countries []string // alpha-3 codes; empty = every country
	From, To  int      // calendar years, inclusive; 0 = open
}

// String describes the filter for the workbook's Definitions sheet.
func (f GapFilter) String() string {
	c := "all countries"
	if len(f.Countries) > 0 {
		c = strings.Join(f.Countries, ", ")
	}
	y := "all years"
	switch {
	case f.From != 0 && f.To != 0:
		y = fmt.Sprintf("%d–%d", f.From, f.To)
	case f.From != 0:
		y = fmt.Sprintf("from %d", f.From)
	case f.To != 0:
		y = fmt.Sprintf("up to %d", f.To)
	}
	return c + "; " + y
}

// GapCounts is the number of rows each table of a gap export will have. The
// exporter needs them before it streams a sheet: the sheet's dimension and
// autofilter range are written ahead of its rows.
type GapCounts struct {
	Summary            int
	Pillars            map[string]int // by service pillar
	Casualties         int
	CommitmentShares   int
	CommitmentStatuses int
	Sources            int
}

// GapGroup is a population group: a combination of sex, age group and
// disability codes, each possibly Total.
type GapGroup struct {
	Sex, AgeGroup, Disability string
}

// IsZero reports whether no group is set (e.g. no reference was found).
func (g GapGroup) IsZero() bool { return g == GapGroup{} }

// Label names the group for people: "female child", "male adult with
// disability", "sex unknown"; "all" when every dimension is Total.
func (g GapGroup) Label() string {
	if g.IsZero() {
		return ""
	}
	var parts []string
	switch g.Sex {
	case Total, "":
	case Unknown:
		parts = append(parts, "sex unknown")
	default:
		parts = append(parts, g.Sex)
	}
	switch g.AgeGroup {
	case Total, "":
	case Unknown:
		parts = append(parts, "age unknown")
	default:
		parts = append(parts, g.AgeGroup)
	}
	switch g.Disability {
	case Total, "":
	case "yes":
		parts = append(parts, "with disability")
	case "no":
		parts = append(parts, "without disability")
	default:
		parts = append(parts, "disability unknown")
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}

// PillarCoverage is one service pillar's headline coverage for a country and
// year. Basis says where it comes from: CoverageStated (the row with every
// dimension Total), a breakdown such as "sex" or "sex+age_group" (the
// coarsest complete one, summed), or CoverageIncomplete (figures exist but
// neither gives a coverage).
type PillarCoverage struct {
	Coverage *float64
	Basis    string
}

const (
	CoverageStated     = "total"
	CoverageIncomplete = "incomplete"
)

// GapSummaryRow is one country and year of the Summary sheet.
type GapSummaryRow struct {
	Country     string
	CountryName string
	Year        int
	// Casualties in the year; nil = not reported.
	Killed, Injured, OutcomeUnknown, Casualties *int64
	// CasualtyQualifier is the weakest qualifier of the figures above
	// (exact < at_least < estimate); "" when there are none.
	CasualtyQualifier string
	// CasualtiesSummed: the source gave no total, so Casualties is killed +
	// injured + outcome unknown.
	CasualtiesSummed bool
	// CasualtiesPartial: some parts of a figure above were not known (a
	// NULL cell), so the figure counts the known parts only.
	CasualtiesPartial bool
	// Coverage by service pillar; a pillar without any service figure is absent.
	Coverage map[string]PillarCoverage
	// The identified group (no unknown dimension) with the lowest coverage
	// over every pillar; zero when none has a coverage.
	Worst         GapGroup
	WorstPillar   string
	WorstCoverage *float64
}

// GapPillarRow is one row of gap_analysis with its parity index.
type GapPillarRow struct {
	Country string
	Year    int
	Pillar  string
	GapGroup
	InNeed, Reached, Unmet *int64
	Coverage               *float64
	// Parity is Coverage ÷ the coverage of Reference, the best-served
	// identified group of the same country, year, pillar and breakdown.
	Parity    *float64
	Reference GapGroup
	SourceID  int64
}

// GapCasualtyRow is one row of casualty_facts.
type GapCasualtyRow struct {
	Country        string
	Year           int
	Outcome        string
	Sex            string
	AgeGroup       string
	Disability     string
	Cause          string
	CivilianStatus string
	People         *int64 // nil: the source gave no number (unknown, withheld, n/a)
	Qualifier      string
	SourceID       int64
}

// GapShareRow is one commitment in one year over the States with Article 5
// obligations that year (LAP-style indicator).
type GapShareRow struct {
	Year                               int
	Commitment, CommitmentName, Pillar string
	Affected                           int // States with Art. 5 obligations
	Yes, No, Partial, Unknown          int
	NotReported                        int      // affected States with no status
	Share                              *float64 // Yes / Affected; nil when Affected = 0
	Gap                                *float64 // 1 − Share
	ShareKnown                         *float64 // Yes / (Yes + No + Partial)
}

// GapStatusRow is one country and year of commitment statuses.
type GapStatusRow struct {
	Country     string
	CountryName string
	Year        int
	Art5        bool              // the State had Art. 5 obligations that year
	Status      map[string]string // commitment code → status; absent = not reported
	SourceID    *int64
}

// GapSourceRow is one report behind the figures of a gap export.
type GapSourceRow struct {
	SourceID    int64
	Country     string
	Year        int
	SourceType  string
	Kind        string
	Feeds       string // which views it feeds: "casualties, commitments, services"
	FileName    string
	SHA256      string
	SourceURL   string
	Sheets      string // sheets its facts were read from, comma-separated
	SubmittedOn *time.Time
	IngestedAt  time.Time
	Version     int
	Status      string
}

// SourceServiceRow is one service figure of one source for the disclosure
// control and the reconciliation: a row of the top approved survey report
// of a country and year, or of the top approved official report of a
// country and year that also has a survey. Age bands are summed as in
// service_facts; InNeed and Reached are nil when not reported.
type SourceServiceRow struct {
	Country    string
	Year       int
	SourceID   int64
	SourceType string // survey or official
	Pillar     string
	GapGroup
	InNeed, Reached *int64
}
