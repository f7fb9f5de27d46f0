package auth

import "slices"

// Action is something a principal may be allowed to do.
type Action string

// Actions. Every route of the server maps to one.
const (
	ActUpload          Action = "upload"           // upload a filled template or dataset
	ActViewSubmissions Action = "view_submissions" // see submissions, their issues and status
	ActApprove         Action = "approve"          // approve or return a submission
	ActViewFacts       Action = "view_facts"       // read the reporting views (and download the template)
	ActExport          Action = "export"           // download the gap workbook and CSV exports
	ActManageUsers     Action = "manage_users"     // users, tokens, the audit log
	ActViewRuns        Action = "view_runs"        // ingestion runs, the needs-manual-entry list
	ActSubmitSurvey    Action = "submit_survey"    // send survey submissions by API token
	ActViewSurveys     Action = "view_surveys"     // read individual survey records (personal data)
)

// Actions lists every action (for tests and documentation).
var Actions = []Action{ActUpload, ActViewSubmissions, ActApprove, ActViewFacts, ActExport, ActManageUsers, ActViewRuns, ActSubmitSurvey, ActViewSurveys}

// Principal is who is asking: a user of vahub, by role and countries.
type Principal struct {
	Name      string
	Role      string
	Countries []string // ISO 3166-1 alpha-3; the scope of focal points and enumerators
}

// reach says for which countries a role may do an action.
type reach int

const (
	never reach = iota
	ownCountries
	anyCountry
)

// rules is the whole authorization policy: role × action → reach. A pair not
// listed is never allowed.
var rules = map[string]map[Action]reach{
	RoleAdmin: {
		ActUpload: anyCountry, ActViewSubmissions: anyCountry, ActApprove: anyCountry,
		ActViewFacts: anyCountry, ActExport: anyCountry, ActManageUsers: anyCountry,
		ActViewRuns: anyCountry, ActSubmitSurvey: anyCountry,
		ActViewSurveys: anyCountry,
	},
	RoleFocalPoint: {
		ActUpload: ownCountries, ActViewSubmissions: ownCountries,
		ActViewFacts: ownCountries, ActExport: ownCountries,
	},
	RoleResearcher: {
		ActViewFacts: anyCountry, ActExport: anyCountry,
	},
	RoleEnumerator: {
		ActSubmitSurvey: ownCountries,
		// Individual records stay with admins and the enumerators of
		// their country: researchers and focal points see aggregates.
		ActViewSurveys: ownCountries,
	},
}

// Can reports whether u may do a for country (an ISO alpha-3 code).
// country "" means "for every country, or for no country in particular"
// (a list of all countries, the users page): only roles whose reach is not
// limited to their own countries may do that. An unknown role, or a
// scoped principal without countries, may do nothing.
func Can(u Principal, a Action, country string) bool {
	switch rules[u.Role][a] {
	case anyCountry:
		return true
	case ownCountries:
		return country != "" && slices.Contains(u.Countries, country)
	default:
		return false
	}
}
