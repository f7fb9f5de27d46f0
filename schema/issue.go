package schema

import "fmt"

// Severity of a validation issue: errors reject the whole file, warnings do not.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
)

// Issue is one problem found in an input, located to its sheet and cell and
// worded for the focal point who filled the file.
type Issue struct {
	Severity Severity `json:"severity"`
	Sheet    string   `json:"sheet"`
	Cell     string   `json:"cell"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

func (i Issue) String() string {
	loc := i.Sheet
	if i.Cell != "" {
		loc += "!" + i.Cell
	}
	if loc == "" {
		return fmt.Sprintf("%s [%s] %s", i.Severity, i.Code, i.Message)
	}
	return fmt.Sprintf("%s %s [%s] %s", i.Severity, loc, i.Code, i.Message)
}

// Issue codes: stable identifiers that tools and translations key on.
const (
	CodeNotTemplate     = "not_template"
	CodeUnreadable      = "unreadable_file"
	CodeTooLarge        = "file_too_large"
	CodeWrongType       = "wrong_type"
	CodeNegative        = "negative_count"
	CodeNotInteger      = "not_whole_number"
	CodeReachedOverNeed = "reached_exceeds_in_need"
	CodeUnknownCountry  = "unknown_country"
	CodeMissingCountry  = "missing_country"
	CodeMissingPeriod   = "missing_period"
	CodeBadPeriod       = "bad_period"
	CodePeriodOutside   = "period_outside_year"
	CodeExceedsTotal    = "parts_exceed_total"
	CodeTotalMismatch   = "total_mismatch"
	CodeUnknownCode     = "unknown_code"
	CodeTemplateVersion = "template_version"
	CodeCountryMismatch = "country_mismatch"
	CodeNoFacts         = "no_facts"
	CodeCarriedNoSource = "carried_forward_without_source"
)

// Issues is the list of problems found in one file.
type Issues []Issue

// HasErrors reports whether any issue rejects the file.
func (is Issues) HasErrors() bool {
	for _, i := range is {
		if i.Severity == SevError {
			return true
		}
	}
	return false
}

// Count returns the number of issues of the given severity.
func (is Issues) Count(s Severity) int {
	n := 0
	for _, i := range is {
		if i.Severity == s {
			n++
		}
	}
	return n
}
