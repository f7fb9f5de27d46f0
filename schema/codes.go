// Package schema holds vahub's domain: the canonical codes of VOCABULARY.md,
// the facts that every ingester produces and every exporter reads, and the
// issue and report types shared by the command line, the web and the store.
// It does no I/O.
package schema

import "slices"

// Total is the code every dimension takes when the source gave no breakdown
// on it for a figure (SDMX's _T). It is not Unknown, which is a real category.
const Total = "total"

// Unknown is the real category "not recorded" on any dimension.
const Unknown = "unknown"

// The dimensions of VOCABULARY.md. Each list is the closed set of codes the
// database's CHECK constraints accept; Total is valid on every dimension of a fact.
var (
	Outcomes         = []string{"killed", "injured", Unknown}
	Sexes            = []string{"female", "male", Unknown}
	AgeGroups        = []string{"child", "adult", Unknown}
	AgeBands         = []string{"0-4", "5-9", "10-14", "15-17", "18-24", "25-59", "60+"}
	Disabilities     = []string{"yes", "no", Unknown}
	CivilianStatuses = []string{"civilian", "military", "deminer", Unknown}
	Causes           = []string{"cm_attack", "cm_remnant", "mine", "improvised_mine", "erw_other", "mine_erw", Unknown}
	// Pillars in the order exports list them. The first five carry service counts.
	Pillars         = []string{"data_collection", "medical_care", "rehabilitation", "psychosocial_support", "socioeconomic_inclusion", "laws_policies", "coordination", "participation"}
	ServicePillars  = []string{"data_collection", "medical_care", "rehabilitation", "psychosocial_support", "socioeconomic_inclusion"}
	Measures        = []string{MeasureInNeed, MeasureReached}
	Commitments     = []string{"focal_point", "national_plan", "plan_budgeted", "disaggregated_data", "referral_mechanism", "victims_in_coordination", "report_submitted"}
	CommitmentState = []string{"yes", "no", "partial", Unknown}
	ReportKinds     = []string{"initial", "annual", "voluntary"}
)

const (
	MeasureInNeed  = "in_need"
	MeasureReached = "reached"
)

// ValueState says what a number cell holds. A blank cell is not a state: it
// is the absence of a fact. None of these is ever turned into zero.
type ValueState string

const (
	StateReported       ValueState = "reported"
	StateUnknown        ValueState = "unknown"
	StateWithheld       ValueState = "withheld"
	StateCarriedForward ValueState = "carried_forward"
	StateNotApplicable  ValueState = "not_applicable"
)

// HasNumber reports whether a fact in this state carries a count.
func (s ValueState) HasNumber() bool { return s == StateReported || s == StateCarriedForward }

// Qualifier qualifies a reported number.
type Qualifier string

const (
	QualExact    Qualifier = "exact"
	QualAtLeast  Qualifier = "at_least"
	QualEstimate Qualifier = "estimate"
)

// SourceType ranks sources in the reporting views' precedence rule:
// an approved official report beats a survey aggregate, which beats a web source.
type SourceType string

const (
	SourceOfficial SourceType = "official"
	SourceSurvey   SourceType = "survey"
	SourceWeb      SourceType = "web"
)

// Valid reports whether code belongs to set or is Total.
func Valid(set []string, code string) bool {
	return code == Total || slices.Contains(set, code)
}

// IsServicePillar reports whether p carries service counts.
func IsServicePillar(p string) bool { return slices.Contains(ServicePillars, p) }
