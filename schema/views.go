package schema

// ViewFilter selects the rows of a reporting view a download covers. Zero
// values mean no bound.
type ViewFilter struct {
	Countries []string // alpha-3 codes; empty = every country
	From, To  int      // calendar years, inclusive; 0 = open
	// Pillars restricts service rows (service_facts, gap_analysis) and
	// commitments (by the commitment's pillar); casualties have no pillar
	// and ignore it. Empty = every pillar.
	Pillars []string
}
