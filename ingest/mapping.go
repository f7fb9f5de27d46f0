package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/ingest/tables"
	"github.com/vahub/vahub/schema"
)

// CodeMappingNeeded: the dataset reader could not tell which column is
// which; vahub wrote a mapping file for a data officer to complete and pass
// back with --mapping.
const CodeMappingNeeded = "mapping_needed"

// Mapping says which column of a table means which dimension: what the
// dataset reader classified itself, or what a data officer wrote in a
// mapping file. Columns are keyed by column letter (A, B, …; for GeoJSON
// the properties in the order they first appear).
type Mapping struct {
	Help        []string                 `json:"_help,omitempty"`
	Fingerprint string                   `json:"fingerprint"`
	Sheet       string                   `json:"sheet"`
	HeaderRow   int                      `json:"header_row"`
	Columns     map[string]MappingColumn `json:"columns,omitempty"`
	// Labels is for the table reader (Article 7 forms and other tables):
	// each header text vahub did not know, mapped to what it means
	// ("sex=male", "sex=male, age_group=adult", "total", "ignore"); see
	// MappingLabelValues.
	Labels map[string]string `json:"labels,omitempty"`
}

// MappingColumn is one column of a mapping. Header is informative (what
// the file said); Dimension is one of MappingDimensions.
type MappingColumn struct {
	Header    string `json:"header"`
	Dimension string `json:"dimension"`
}

// Dimensions a column can be mapped to, and what the dataset reader does
// with each.
var mappingDims = map[string]dsRole{
	"outcome":         dsOutcome,
	"sex":             dsSex,
	"age":             dsAgeBand, // bands or years, told by the values
	"year":            dsYear,
	"date":            dsDate,
	"civilian_status": dsCivilian,
	"cause":           dsCause,
	"country":         dsCountry,
	"killed":          dsKilled,
	"injured":         dsInjured,
	"amputations":     dsAmputation,
	"victims":         dsVictims,
	"record_id":       dsID,
	"ignore":          dsNone,
}

var mappingHelp = []string{
	"Set each column's \"dimension\" to one of: " + strings.Join(MappingDimensions(), ", ") + ".",
	"One row per casualty: map an outcome column (killed/injured) and a sex or age column. " +
		"One row per incident: map killed and injured (or amputations) count columns instead of outcome.",
	"A year or date column is needed unless you give --year. 'age' takes age bands ('Menor de 18 años', '0-17') or ages in years.",
	"Then run: vahub ingest --mapping THIS_FILE.json FILE. The mapping is stored: next year's file with the same layout needs no flag.",
}

// MappingDimensions lists the allowed dimensions, sorted.
func MappingDimensions() []string { return slices.Sorted(maps.Keys(mappingDims)) }

func roleDimension(r dsRole) string {
	switch r {
	case dsAgeYears:
		return "age"
	case dsNone:
		return "ignore"
	}
	for d, rr := range mappingDims {
		if rr == r && d != "ignore" {
			return d
		}
	}
	return "ignore"
}

// Validate checks a mapping: known dimensions, column letters, each
// dimension on one column at most. The error names the offending key.
func (m *Mapping) Validate() error {
	if len(m.Columns) == 0 && len(m.Labels) == 0 {
		return fmt.Errorf(`"columns" is missing or empty`)
	}
	if m.Fingerprint != "" && !isHex64(m.Fingerprint) {
		return fmt.Errorf(`"fingerprint": %q is not a layout fingerprint (64 hexadecimal digits); leave it as vahub wrote it, or remove it`, m.Fingerprint)
	}
	for _, key := range slices.Sorted(maps.Keys(m.Labels)) {
		if _, err := ParseLabelValue(m.Labels[key]); err != nil {
			return fmt.Errorf("labels[%q]: %w", key, err)
		}
	}
	used := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(m.Columns)) {
		if _, err := mappingColIndex(key); err != nil {
			return fmt.Errorf("columns.%s: %q is not a column letter (A, B, … XFD)", key, key)
		}
		d := strings.ToLower(strings.TrimSpace(m.Columns[key].Dimension))
		if _, ok := mappingDims[d]; !ok {
			return fmt.Errorf("columns.%s.dimension: unknown dimension %q; use one of %s", key, m.Columns[key].Dimension,
				strings.Join(MappingDimensions(), ", "))
		}
		if d == "ignore" {
			continue
		}
		if other, ok := used[d]; ok {
			return fmt.Errorf("columns.%s.dimension: %q is already the dimension of column %s; map each dimension to one column", key, d, other)
		}
		used[d] = key
	}
	return nil
}

// mappingColIndex turns a column letter into a 0-based index.
func mappingColIndex(key string) (int, error) {
	k := strings.ToUpper(strings.TrimSpace(key))
	if k == "" || strings.Trim(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return 0, fmt.Errorf("not a column letter")
	}
	n, err := excelize.ColumnNameToNumber(k)
	if err != nil {
		return 0, err
	}
	return n - 1, nil
}

func mappingColName(idx int) string {
	s, err := excelize.ColumnNumberToName(idx + 1)
	if err != nil {
		return fmt.Sprint(idx + 1)
	}
	return s
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// ReadMappingFile reads and validates a mapping file. Errors are worded
// for the data officer who edited it (they become usage errors).
func ReadMappingFile(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(b)
}

// ParseMapping decodes and validates a mapping. Unknown keys are refused
// (a misspelt "dimension" must not be silently ignored).
func ParseMapping(b []byte) (*Mapping, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a vahub mapping file (JSON): %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	for k, c := range m.Columns {
		c.Dimension = strings.ToLower(strings.TrimSpace(c.Dimension))
		delete(m.Columns, k)
		m.Columns[strings.ToUpper(strings.TrimSpace(k))] = c
	}
	for k, v := range m.Labels {
		m.Labels[k] = normLabelValue(v)
	}
	m.Help = nil
	return &m, nil
}

// encode gives the mapping's JSON, with the help text when withHelp.
func (m *Mapping) encode(withHelp bool) ([]byte, error) {
	c := *m
	c.Help = nil
	if withHelp {
		c.Help = mappingHelp
		if len(c.Columns) == 0 && c.Labels != nil {
			c.Help = labelsHelp()
		}
	}
	return json.MarshalIndent(&c, "", "  ")
}

// WriteMappingFile writes m as a mapping file for a data officer to edit.
func WriteMappingFile(path string, m *Mapping) error {
	b, err := m.encode(true)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Dimensions and values a header label can be mapped to (Mapping.Labels),
// besides "total" (a total row or column: a check on its parts) and
// "ignore" (a notes column: its figures are not read).
var labelDims = map[string][]string{
	"sex":             schema.Sexes,
	"age_group":       schema.AgeGroups,
	"outcome":         schema.Outcomes,
	"measure":         schema.Measures,
	"pillar":          schema.Pillars,
	"cause":           schema.Causes,
	"civilian_status": schema.CivilianStatuses,
	"disability":      schema.Disabilities,
}

// MappingLabelValues lists the allowed label values: dimension=value for
// each dimension and value, then total and ignore.
func MappingLabelValues() []string {
	var out []string
	for _, d := range slices.Sorted(maps.Keys(labelDims)) {
		for _, v := range labelDims[d] {
			out = append(out, d+"="+v)
		}
	}
	return append(out, "total", "ignore")
}

func labelsHelp() []string {
	return []string{
		"Set each label's value to what the header text means: dimension=value, several joined with commas " +
			"(\"sex=male, age_group=adult\"), or \"total\" (a total row or column), or \"ignore\" (figures not read).",
		"Allowed: " + strings.Join(MappingLabelValues(), ", ") + ".",
		"Then run: vahub ingest --mapping THIS_FILE.json FILE. The mapping is stored: next year's file with the same layout needs no flag.",
	}
}

func normLabelValue(v string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		d, val, ok := strings.Cut(p, "=")
		if ok {
			parts[i] = strings.ToLower(strings.TrimSpace(d)) + "=" + strings.ToLower(strings.TrimSpace(val))
		} else {
			parts[i] = strings.ToLower(strings.TrimSpace(p))
		}
	}
	return strings.Join(parts, ", ")
}

// ParseLabelValue reads a label value of a mapping file into what the
// table reader makes of a header label.
func ParseLabelValue(v string) (tables.Meaning, error) {
	var m tables.Meaning
	if strings.TrimSpace(v) == "" {
		return m, fmt.Errorf("no value; write what the label means, e.g. \"sex=male\", \"outcome=killed\", \"total\" or \"ignore\"")
	}
	seen, dims := false, map[string]bool{}
	for p := range strings.SplitSeq(normLabelValue(v), ", ") {
		switch p {
		case "ignore":
			m.Notes = true
			continue
		case "total":
			m.Total = true
			continue
		}
		d, val, ok := strings.Cut(p, "=")
		allowed, known := labelDims[d]
		if !ok || !known {
			return m, fmt.Errorf("%q is not dimension=value or total or ignore; dimensions are %s", p,
				strings.Join(slices.Sorted(maps.Keys(labelDims)), ", "))
		}
		if !slices.Contains(allowed, val) {
			return m, fmt.Errorf("%q: unknown %s value %q; use one of %s", p, d, val, strings.Join(allowed, ", "))
		}
		name := d
		switch d {
		case "age_group":
			name = "age"
		case "civilian_status":
			name = "civilian"
		}
		if dims[d] {
			return m, fmt.Errorf("%q: %s is given twice", p, d)
		}
		dims[d] = true
		m.Dims.Set(name, val)
		seen = true
	}
	if m.Notes && (seen || m.Total) {
		return m, fmt.Errorf("\"ignore\" cannot be combined with other values")
	}
	return m, nil
}
