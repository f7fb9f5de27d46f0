package schema

import "time"

// Cell locates a value in its source: the lineage every fact and issue carries.
// Sheet and Ref are empty for sources without cells (a web page's figure).
type Cell struct {
	Sheet string `json:"sheet"`
	Ref   string `json:"cell"` // A1-style reference, e.g. "C7"
}

// Value is one number cell after normalization.
type Value struct {
	State     ValueState
	People    *int64 // set only when State.HasNumber()
	Qualifier Qualifier
	// CarriedFrom is the year whose figure a carried_forward value repeats.
	CarriedFrom int
}

// Casualty is one casualty count over the dimensions of VOCABULARY.md.
// Dimensions the source did not break down hold Total.
type Casualty struct {
	Scope          string // "new" (in the period) or "cumulative"
	Outcome        string
	Sex            string
	AgeGroup       string
	AgeBand        string // finer band or the source's own text; "" when none
	Disability     string
	Cause          string
	CivilianStatus string
	Value
	Cell
}

// Service is a count of persons in need of, or reached by, a pillar's services.
type Service struct {
	Pillar     string
	SubService string // "" for the pillar as a whole
	Measure    string // MeasureInNeed or MeasureReached
	Sex        string
	AgeGroup   string
	AgeBand    string
	Disability string
	Value
	Cell
}

// Commitment is the status of one Lausanne-style commitment.
type Commitment struct {
	Code   string
	Status string // yes, no, partial, unknown
	Detail string
	Cell
}

// Report is what one input yields for one country and period: the unit of
// versioning (a corrected upload supersedes) and of precedence in the views.
type Report struct {
	Country       string // ISO 3166-1 alpha-3 or user-assigned other-area code
	Year          int
	Kind          string // initial, annual, voluntary
	SourceType    SourceType
	PeriodStart   time.Time
	PeriodEnd     time.Time
	Language      string // en, fr, es, …
	FormatVersion string
	SubmittedOn   *time.Time
	// CarryForwardFrom is set when the form says "unchanged since year N"
	// and gives no figures: the store copies year N's figures, marked
	// carried_forward, never zero and never missing.
	CarryForwardFrom int
	Casualties       []Casualty
	Services         []Service
	Commitments      []Commitment
}

// FactCount is the number of facts a report carries.
func (r *Report) FactCount() int {
	return len(r.Casualties) + len(r.Services) + len(r.Commitments)
}
