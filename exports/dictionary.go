package exports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/vahub/vahub/schema"
)

// The researchers' CSV downloads and their data dictionary. Both are made
// from Downloads(), the one table that says what every column is: the CSV
// header and HXL rows, the dictionary CSV and the dictionary page. The store
// checks its queries give exactly these columns (pg.StreamView), so the
// dictionary cannot drift from the files.

// Column types of the downloads.
const (
	TypeCode    = "code"    // one of a fixed list of codes
	TypeInteger = "integer" // whole number of persons, or an id
	TypeDecimal = "decimal" // a fraction, point as decimal separator
)

// DictColumn describes one column of a download.
type DictColumn struct {
	Name    string `json:"name"`
	HXL     string `json:"hxl"`
	Type    string `json:"type"`
	Codes   string `json:"codes"`   // allowed values ("" for numbers)
	Meaning string `json:"meaning"` // what a value says
	Null    string `json:"null"`    // what an empty cell says
}

// Download is one CSV download: the rows of a reporting view.
type Download struct {
	View  string `json:"view"` // the reporting view, and the file's base name
	Title string `json:"title"`
	About string `json:"about"`
	// Pillars is set when pillar= filters the rows.
	Pillars bool         `json:"pillars"`
	Columns []DictColumn `json:"columns"`
}

// ColumnNames are the download's header row.
func (d Download) ColumnNames() []string {
	out := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		out[i] = c.Name
	}
	return out
}

// HXLTags are the download's HXL hashtag row.
func (d Download) HXLTags() []string {
	out := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		out[i] = c.HXL
	}
	return out
}

func codes(set []string) string {
	return strings.Join(append(append([]string{}, set...), schema.Total), ", ")
}

// Columns shared by several downloads.
func colCountry() DictColumn {
	return DictColumn{"country", "#country+code", TypeCode, "ISO 3166-1 alpha-3; XKX, ESH, XNK for the Monitor's other areas",
		"Country or area the figures are about.", "never empty"}
}

func colYear() DictColumn {
	return DictColumn{"year", "#date+year", TypeInteger, "", "Calendar year the figures cover.", "never empty"}
}

func colSex() DictColumn {
	return DictColumn{"sex", "#meta+sex", TypeCode, codes(schema.Sexes),
		"Sex of the group. unknown: not recorded (a real category); total: the source gave no breakdown by sex for this figure.", "never empty"}
}

func colAge() DictColumn {
	return DictColumn{"age_group", "#meta+age_group", TypeCode, codes(schema.AgeGroups),
		"child: under 18; adult: 18 and over; unknown: age not recorded; total: no breakdown by age.", "never empty"}
}

func colDisability() DictColumn {
	return DictColumn{"disability", "#meta+disability", TypeCode, codes(schema.Disabilities),
		"Disability (Washington Group Short Set rule when derived from a survey); total: no breakdown by disability.", "never empty"}
}

func colPillar() DictColumn {
	return DictColumn{"pillar", "#sector", TypeCode, strings.Join(schema.ServicePillars, ", "),
		"Victim-assistance pillar of the services.", "never empty"}
}

func colSource() DictColumn {
	return DictColumn{"source_id", "#meta+source_id", TypeInteger, "",
		"Report the figures come from (report.id). Per country and year one report is chosen: approved official report, then survey aggregate, then web source; newest version first.",
		"never empty"}
}

func colInNeed() DictColumn {
	return DictColumn{"in_need", "#inneed", TypeInteger, "",
		"Persons in need of the pillar's services (needs assessment). Persons, not services delivered.",
		"not reported, unknown, withheld or not applicable, or a small count from survey records withheld (see About): never zero"}
}

func colReached() DictColumn {
	return DictColumn{"reached", "#reached", TypeInteger, "",
		"Unique persons reached by the pillar's services in the year.",
		"not reported, unknown, withheld or not applicable, or a small count from survey records withheld (see About): never zero"}
}

// Downloads lists every CSV download, in the order the exports page shows
// them.
func Downloads() []Download {
	return []Download{
		{
			View:  "casualty_facts",
			Title: "Casualties",
			About: "Casualties of cluster munitions, mines and explosive remnants of war, one row per figure the chosen source gives. Sum only within one breakdown (the set of dimensions that are not total), so nothing is counted twice. pillar= does not apply.",
			Columns: []DictColumn{
				colCountry(), colYear(),
				{"outcome", "#meta+outcome", TypeCode, codes(schema.Outcomes), "killed, injured, or unknown (the source does not say); total: no breakdown by outcome.", "never empty"},
				colSex(), colAge(), colDisability(),
				{"cause", "#meta+cause", TypeCode, codes(schema.Causes), "Device: cm_attack (cluster munition attack), cm_remnant (unexploded submunition), mine, improvised_mine, erw_other, mine_erw (mines and ERW not split), unknown; total: no breakdown by cause.", "never empty"},
				{"civilian_status", "#meta+civilian_status", TypeCode, codes(schema.CivilianStatuses), "civilian, military, deminer, unknown; total: no breakdown.", "never empty"},
				{"people", "#affected", TypeInteger, "", "Casualties in the year (new, not cumulative).", "the source gives no number: unknown, withheld (suppressed) or not applicable; never zero"},
				{"qualifier", "#meta+qualifier", TypeCode, "exact, at_least, estimate", "How exact people is: at_least for the Monitor's \"at least 50\".", "people is empty"},
				colSource(),
			},
		},
		{
			View:    "service_facts",
			Title:   "Services: in need and reached",
			About:   "Persons in need of and reached by each service pillar, per group, from the chosen source. Figures of a survey report are built from individual records: counts below the server's threshold k, and the counts that would give them back, are withheld (empty), as in the gap workbook.",
			Pillars: true,
			Columns: []DictColumn{colCountry(), colYear(), colPillar(), colSex(), colAge(), colDisability(), colInNeed(), colReached(), colSource()},
		},
		{
			View:    "gap_analysis",
			Title:   "Gap analysis",
			About:   "service_facts with the unmet need and the coverage of each group; survey figures withheld as in service_facts (then unmet and coverage are empty too).",
			Pillars: true,
			Columns: []DictColumn{colCountry(), colYear(), colPillar(), colSex(), colAge(), colDisability(), colInNeed(), colReached(),
				{"unmet", "#inneed+unmet", TypeInteger, "", "in_need − reached. Negative when more were reached than counted in need.", "in_need or reached is not reported"},
				{"coverage", "#reached+pct", TypeDecimal, "", "reached ÷ in_need, a fraction (0.5 = half), rounded to 4 decimal places.", "in_need is 0 or not reported, or reached is not reported"},
				colSource(),
			},
		},
		{
			View:    "commitment_facts",
			Title:   "Commitments",
			About:   "Status of the victim-assistance commitments (Lausanne Action Plan style) each State reports. pillar= selects the commitments of those pillars.",
			Pillars: true,
			Columns: []DictColumn{colCountry(), colYear(),
				{"commitment", "#indicator+code", TypeCode, strings.Join(schema.Commitments, ", "), "The commitment.", "never empty"},
				{"status", "#status+code", TypeCode, strings.Join(schema.CommitmentState, ", "), "What the report says: unknown is reported as such, never counted as no.", "never empty"},
				colSource(),
			},
		},
	}
}

// DownloadByView returns the download of a reporting view.
func DownloadByView(view string) (Download, bool) {
	for _, d := range Downloads() {
		if d.View == view {
			return d, true
		}
	}
	return Download{}, false
}

// WriteDictionary writes the data dictionary as CSV: one row per column of
// every download.
func WriteDictionary(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"file", "column", "hxl_tag", "type", "codes", "meaning", "empty_means"}); err != nil {
		return fmt.Errorf("exports: dictionary: %w", err)
	}
	for _, d := range Downloads() {
		for _, c := range d.Columns {
			if err := cw.Write([]string{d.View + ".csv", c.Name, c.HXL, c.Type, c.Codes, c.Meaning, c.Null}); err != nil {
				return fmt.Errorf("exports: dictionary: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("exports: dictionary: %w", err)
	}
	return nil
}
