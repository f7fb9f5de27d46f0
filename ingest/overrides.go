package ingest

import (
	"fmt"
	"time"

	"github.com/vahub/vahub/schema"
)

// applyOverrides applies --country and --year to a report read from a file.
// A file that states a different country or year gets a warning naming
// both, so an operator's override is never silent.
func applyOverrides(r *schema.Report, in Input, issues *schema.Issues) {
	if in.Country != "" && r.Country != in.Country {
		if r.Country != "" {
			*issues = append(*issues, schema.Issue{Severity: schema.SevWarning, Code: schema.CodeCountryMismatch,
				Message: fmt.Sprintf("The file states country %s; --country %s overrides it.", r.Country, in.Country)})
		}
		r.Country = in.Country
	}
	if in.Year != 0 && r.Year != in.Year {
		if r.Year != 0 {
			*issues = append(*issues, schema.Issue{Severity: schema.SevWarning, Code: schema.CodePeriodOutside,
				Message: fmt.Sprintf("The file states year %d; --year %d overrides it.", r.Year, in.Year)})
		}
		r.Year = in.Year
		r.PeriodStart = time.Date(in.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		r.PeriodEnd = time.Date(in.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	}
}
