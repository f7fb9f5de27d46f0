package exports

import (
	"strconv"

	"github.com/vahub/vahub/schema"
)

// Sheet names. Pillar sheets are named by pillar code: stable, the value of
// #sector, and all under Excel's 31-character limit.
const (
	gapSheetSummary        = "Summary"
	gapSheetCasualties     = "Casualties"
	gapSheetShares         = "Commitments"
	gapSheetStatuses       = "Commitment status"
	gapSheetSources        = "Sources"
	gapSheetReconciliation = "Reconciliation"
	gapSheetDisclosure     = "Disclosure"
	gapSheetDefinitions    = "Definitions"
)

// Definitions common to several sheets.
const (
	gapDefCountry    = "ISO 3166-1 alpha-3 code (XKX, ESH, XNK for the Monitor's other areas)."
	gapDefYear       = "Calendar year the figures cover."
	gapDefSourceID   = "Report the figures come from (report.id); see the Sources sheet."
	gapDefSex        = "female, male, unknown (not recorded), or total (no breakdown by sex)."
	gapDefAge        = "child (under 18), adult, unknown, or total."
	gapDefDisability = "yes, no, unknown (Washington Group Short Set), or total."
	gapDefCoverage   = "reached ÷ in_need, as a fraction shown as a percentage. Blank when in_need is 0 or not reported."
)

func gapSummaryCols() []gapCol {
	cols := []gapCol{
		{"country", "#country+code", 9, gapDefCountry},
		{"country_name", "#country+name", 28, "English name of the country or area."},
		{"year", "#date+year", 7, gapDefYear},
		{"killed", "#affected+killed", 9, "Casualties killed in the year (new, not cumulative): the figure the source states, else the sum over the coarsest complete breakdown by sex, age group and disability (every combination of their known codes present; unknown cells added in). Breakdowns by cause or civilian status are not summed here: see the Casualties sheet."},
		{"injured", "#affected+injured", 9, "Casualties injured in the year, derived as killed is."},
		{"outcome_unknown", "#affected+outcome_unknown", 10, "Casualties whose outcome (killed or injured) is not known, derived as killed is. Kept visible, never spread over killed and injured."},
		{"casualties_total", "#affected+total", 10, "All casualties in the year: the total the source states (or its complete breakdown, as for killed), else killed + injured + outcome_unknown when both killed and injured are given (see note)."},
		{"casualty_qualifier", "#meta+qualifier", 10, "Weakest qualifier of the casualty figures of the row: exact, at_least or estimate."},
	}
	for _, p := range schema.ServicePillars {
		cols = append(cols, gapCol{"coverage_" + p, "#reached+pct+" + p, 12,
			"Coverage of " + p + " services: the row with sex, age_group and disability all total when it gives one; " +
				"else summed over the coarsest complete breakdown (every combination of the known codes present, in_need and reached given for every row, unknown rows included in the sums); else blank. The note says which."})
	}
	return append(cols,
		gapCol{"worst_served_group", "#meta+worst_group", 24, "Identified group (no unknown dimension) with the lowest coverage over all service pillars and breakdowns, e.g. \"female child\"."},
		gapCol{"worst_served_pillar", "#sector+worst", 20, "Pillar of that lowest coverage."},
		gapCol{"worst_served_coverage", "#reached+pct+worst", 10, "That lowest coverage."},
		gapCol{"note", "#meta+note", 60, "How figures were derived and why cells are blank."},
	)
}

func gapPillarCols() []gapCol {
	return []gapCol{
		{"country", "#country+code", 9, gapDefCountry},
		{"year", "#date+year", 7, gapDefYear},
		{"pillar", "#sector", 20, "Service pillar code (the sheet's name)."},
		{"sex", "#meta+sex", 9, gapDefSex},
		{"age_group", "#meta+age_group", 10, gapDefAge},
		{"disability", "#meta+disability", 10, gapDefDisability},
		{"in_need", "#inneed", 10, "Persons in need of the pillar's services (needs assessment). Blank: not reported."},
		{"reached", "#reached", 10, "Unique persons reached. Blank: not reported."},
		{"unmet", "#inneed+unmet", 10, "in_need − reached. Negative when more were reached than counted in need (see note). Blank when either is not reported."},
		{"coverage", "#reached+pct", 10, gapDefCoverage},
		{"parity_index", "#indicator+parity", 10, "coverage ÷ coverage of parity_reference, the best-served identified group of the same country, year, pillar and breakdown. 1 = as well served as the best; flagged outside the parity band. Blank for the total row and when either coverage is blank or the reference's is 0."},
		{"parity_reference", "#meta+parity_reference", 22, "The best-served identified group (no unknown dimension) of the row's breakdown: highest coverage, ties to the first in sheet order."},
		{"note", "#meta+note", 40, "Why a number is blank or odd: in need not reported, reached not reported, in need is 0, reached exceeds in need."},
		{"source_id", "#meta+source_id", 9, gapDefSourceID},
	}
}

func gapCasualtyCols() []gapCol {
	return []gapCol{
		{"country", "#country+code", 9, gapDefCountry},
		{"year", "#date+year", 7, gapDefYear},
		{"outcome", "#meta+outcome", 9, "killed, injured, unknown, or total."},
		{"sex", "#meta+sex", 9, gapDefSex},
		{"age_group", "#meta+age_group", 10, gapDefAge},
		{"disability", "#meta+disability", 10, gapDefDisability},
		{"cause", "#meta+cause", 14, "cm_attack, cm_remnant, mine, improvised_mine, erw_other, mine_erw (mines and ERW unsplit), unknown, or total."},
		{"civilian_status", "#meta+civilian_status", 12, "civilian, military, deminer, unknown, or total."},
		{"people", "#affected", 10, "Casualties in this cell of the source (new in the year). Blank: the source gave no number (see note). Sum only within one breakdown (the set of dimensions that are not total)."},
		{"qualifier", "#meta+qualifier", 10, "exact, at_least (\"at least 50\") or estimate; blank when people is blank."},
		{"note", "#meta+note", 40, "Why people is blank."},
		{"source_id", "#meta+source_id", 9, gapDefSourceID},
	}
}

func gapShareCols() []gapCol {
	return []gapCol{
		{"year", "#date+year", 7, gapDefYear},
		{"commitment", "#indicator+code", 22, "Commitment code (Lausanne Action Plan style)."},
		{"commitment_name", "#indicator+name", 50, "What the commitment asks."},
		{"pillar", "#sector", 16, "Pillar the commitment belongs to."},
		{"affected_states", "#indicator+num+affected", 9, "States Parties with Article 5 obligations in the year (art5_obligation), within the export's country filter."},
		{"yes", "#indicator+num+yes", 7, "Affected States reporting yes."},
		{"no", "#indicator+num+no", 7, "Affected States reporting no."},
		{"partial", "#indicator+num+partial", 7, "Affected States reporting partial."},
		{"unknown", "#indicator+num+unknown", 8, "Affected States reporting the status as unknown. Reported, never counted as no."},
		{"not_reported", "#indicator+num+not_reported", 9, "Affected States with no status for the commitment in the year."},
		{"share", "#indicator+pct+share", 9, "yes ÷ affected_states. Blank when no State had obligations."},
		{"gap", "#indicator+pct+gap", 9, "1 − share: affected States not known to meet the commitment (no, partial, unknown and not reported alike)."},
		{"share_known", "#indicator+pct+share_known", 9, "yes ÷ (yes + no + partial): the share where the status is known (Monitor style). Blank when none is known."},
	}
}

func gapStatusCols() []gapCol {
	cols := []gapCol{
		{"country", "#country+code", 9, gapDefCountry},
		{"country_name", "#country+name", 28, "English name of the country or area."},
		{"year", "#date+year", 7, gapDefYear},
		{"art5_obligation", "#meta+art5", 10, "yes when the State had Article 5 obligations in the year (it then counts in affected_states on the Commitments sheet), else no."},
	}
	for _, c := range schema.Commitments {
		cols = append(cols, gapCol{c, "#indicator+" + c, 12, "Status of " + c + ": yes, no, partial or unknown. Blank: not reported."})
	}
	return append(cols,
		gapCol{"note", "#meta+note", 30, "Says when a State with obligations reported no status at all."},
		gapCol{"source_id", "#meta+source_id", 9, gapDefSourceID},
	)
}

func gapSourceCols() []gapCol {
	return []gapCol{
		{"source_id", "#meta+source_id", 9, "Report id, as in the source_id columns."},
		{"country", "#country+code", 9, gapDefCountry},
		{"year", "#date+year", 7, "Year the report covers."},
		{"source_type", "#meta+source_type", 10, "official (Article 7 report), survey (aggregate) or web."},
		{"kind", "#meta+report_kind", 10, "initial, annual or voluntary."},
		{"feeds", "#meta+feeds", 24, "Which figures of this workbook it gives: casualties, commitments, services."},
		{"file_name", "#meta+file_name", 30, "Name of the input file. Blank when the report has no file."},
		{"sha256", "#meta+sha256", 66, "SHA-256 of the input file's bytes."},
		{"source_url", "#meta+url", 40, "Where the file was fetched from, when crawled."},
		{"sheets", "#meta+sheets", 24, "Sheets of the file the facts were read from."},
		{"submitted_on", "#date+submitted", 11, "Date the State submitted the report, when known."},
		{"ingested_at", "#date+ingested", 19, "When vahub recorded the report (UTC)."},
		{"version", "#meta+version", 8, "Version of the report; a corrected upload is a new version."},
		{"status", "#meta+status", 10, "Review status; only approved reports feed the figures."},
	}
}

func gapReconcileCols() []gapCol {
	return []gapCol{
		{"country", "#country+code", 9, gapDefCountry},
		{"year", "#date+year", 7, gapDefYear},
		{"pillar", "#sector", 20, "Service pillar code."},
		{"measure", "#meta+measure", 9, "in_need or reached."},
		{"level", "#meta+level", 10, "total, sex, age_group or disability: the breakdown compared."},
		{"sex", "#meta+sex", 9, gapDefSex},
		{"age_group", "#meta+age_group", 10, gapDefAge},
		{"disability", "#meta+disability", 10, gapDefDisability},
		{"survey", "#affected+survey", 10, "The survey aggregate's figure (sum of its groups). withheld: below the threshold k or withheld with one (see Disclosure). Blank: not reported or not in the survey."},
		{"official", "#affected+official", 10, "The official report's figure: the row it states, else the sum of its coarsest complete finer breakdown. Blank: not reported."},
		{"difference", "#affected+difference", 10, "survey − official."},
		{"relative_difference", "#indicator+pct+difference", 10, "difference ÷ official. Blank when official is 0."},
		{"status", "#status", 14, "agrees, differs (beyond the tolerance: flagged), withheld, not_comparable (a side gives no number), survey_missing, official_missing."},
		{"survey_source_id", "#meta+source_id+survey", 9, "report.id of the survey aggregate."},
		{"official_source_id", "#meta+source_id+official", 9, "report.id of the official report; blank when the country has none for the year."},
	}
}

func gapDisclosureCols() []gapCol {
	return []gapCol{
		{"sheet", "#meta+sheet", 18, "Sheet that shows figures built from individual survey records; (all) sums them."},
		{"withheld_primary", "#indicator+num+withheld+primary", 10, "Counts withheld because they are from 1 to k−1."},
		{"withheld_complementary", "#indicator+num+withheld+complementary", 12, "Counts withheld so that no withheld count can be recomputed from totals and visible counts."},
		{"withheld_derived", "#indicator+num+withheld+derived", 10, "Unmet, coverage, parity and differences withheld because they are computed from a withheld count."},
		{"note", "#meta+note", 120, "The rule applied."},
	}
}

func gapDefinitionCols() []gapCol {
	return []gapCol{
		{"sheet", "", 18, ""},
		{"column", "", 24, ""},
		{"hxl_tag", "", 28, ""},
		{"definition", "", 120, ""},
	}
}

// gapDefinitionRows lists the conventions, then every column of every
// sheet. It is small and fixed, so it is built in memory.
func gapDefinitionRows(opts GapOptions) [][4]string {
	rows := [][4]string{
		{"(all)", "blank cell", "", "Not reported. A blank is never zero; a zero is a reported zero."},
		{"(all)", "unknown", "", "The code unknown is a real category (\"sex not recorded\") and stays visible; it is not total, which means \"no breakdown on this dimension\"."},
		{"(all)", "numbers", "", "Counts, shares and indexes are numbers, not text; shares are fractions formatted as percentages."},
		{"(all)", "missing numbers", "", "A number the source did not give (not reported, unknown, withheld, not applicable) is an empty cell, never a word in a number column; the row's note column says which number is missing and why. The one exception is a count vahub itself withholds (below)."},
		{"(all)", "withheld", "", "A count built from individual survey records that is below the threshold k, or that would let a reader recompute one, shows the word withheld on grey (never blank, never 0); so do the unmet, coverage, parity and differences computed from it. The note column says which and why; the Disclosure sheet counts them."},
		{"(all)", "disclosure control", "", "threshold k = " + strconv.Itoa(opts.SuppressK) + ": survey counts from 1 to " + strconv.Itoa(opts.SuppressK-1) + " are withheld (primary); further counts are withheld (complementary, smallest first) until no withheld count follows from the visible counts and totals of any row, column or table, taken alone or together. Zeros are not withheld for themselves. Totals count as published (they are on the Reconciliation sheet), so they are protected too. Official Form H and web figures are aggregates their publishers release; they are never withheld. The reporting views in the database keep exact figures."},
		{"(all)", "reconciliation", "", "Reconciliation compares, per country, year, pillar and measure, the survey aggregate with the official Form H report (both approved, each the first of its type by precedence): the total always, by sex, age group and disability where both give the group. An official figure not stated is summed over its coarsest complete finer breakdown. differs = |survey − official| above " + strconv.FormatInt(opts.Reconcile.MinDiff, 10) + " people and above " + gapFloat(opts.Reconcile.Tolerance*100) + " % of the official figure. A survey counts its respondents only, so it is expected to fall short of a national figure unless it covers every survivor."},
		{"(all)", "breakdowns", "", "Sum only within one breakdown (the set of dimensions that are not total): the same casualties appear once by outcome and again by sex and age."},
		{"(all)", "precedence", "", "Per country and year and kind of figure (casualties, services, commitments) exactly one report is used: among approved, current reports an official Article 7 report beats a survey aggregate, which beats a web source; then the latest period end, the newest version, the newest report. Superseded, submitted and returned reports are never used."},
		{"(all)", "coverage", "", "coverage = reached ÷ in_need; blank (NULL) when in_need is 0 or not reported."},
		{"(all)", "unmet", "", "unmet = in_need − reached."},
		{"(all)", "parity_index", "", "parity_index = coverage of the group ÷ coverage of the best-served identified group (highest coverage, no unknown dimension) of the same country, year, pillar and breakdown. Best-served rather than a fixed reference (male adult without disability) because that group is often not in the breakdown. Rows outside the parity band are flagged red."},
		{"(all)", "share / gap", "", "Lausanne Action Plan style: share = States meeting the commitment (yes) ÷ States with Article 5 obligations in the year; gap = 1 − share. Unknown statuses are reported in their own column and never counted as no; share_known uses only the known statuses."},
		{"(all)", "colours", "", "Coverage cells run red (0) – yellow (low-coverage threshold) – green (1 or more). Parity indexes outside the parity band have a red fill."},
		{"(all)", "hashtags", "", "Row 2 of each data sheet carries HXL hashtags; the filter buttons sit on that row so sorting never moves it. sex, age_group and disability hold vahub codes (female, child, yes …) rather than HNO's f/m/t, so they are tagged #meta+… rather than #gender+code."},
		{"(all)", "text", "", "Text starting with = + - @, a tab or a carriage return is prefixed with an apostrophe so no spreadsheet runs it as a formula."},
		{"(all)", "filter", "", opts.Filter.String()},
		{"(all)", "thresholds", "", "low coverage " + gapFloat(opts.LowCoverage) + "; parity band [" + gapFloat(opts.ParityLow) + ", " + gapFloat(opts.ParityHigh) + "]"},
	}
	if !opts.GeneratedAt.IsZero() {
		rows = append(rows, [4]string{"(all)", "generated", "", opts.GeneratedAt.UTC().Format("2006-01-02 15:04:05 UTC")})
	}
	add := func(sheet string, cols []gapCol) {
		for _, c := range cols {
			rows = append(rows, [4]string{sheet, c.name, c.hxl, c.def})
		}
	}
	add(gapSheetSummary, gapSummaryCols())
	add("(pillar sheets)", gapPillarCols())
	add(gapSheetCasualties, gapCasualtyCols())
	add(gapSheetShares, gapShareCols())
	add(gapSheetStatuses, gapStatusCols())
	add(gapSheetReconciliation, gapReconcileCols())
	add(gapSheetSources, gapSourceCols())
	add(gapSheetDisclosure, gapDisclosureCols())
	return rows
}
