package ingest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vahub/vahub/ingest/book"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// Formats of the dataset reader.
const (
	// FormatDataset is a national casualty dataset: one row per casualty
	// (Colombia's MAP/MUSE victims) or per incident with counts (Cambodia's
	// CMVIS incidents), aggregated to one report per country and year.
	FormatDataset = "dataset"
	// FormatNonData is a file recognised as holding no victim-assistance
	// figures (a survey form, a clearance table, a 3W list): rejected with
	// a no_va_data issue saying what it is.
	FormatNonData = "non-data"
)

// readDataset reads national casualty datasets, and is the last reader:
// files nobody claimed that it recognises as non-data (XLSForms, foreign
// survey exports, clearance tables, 3W lists) get a precise no_va_data
// rejection here. It returns nil, nil for anything else, and for files
// with an HXL hashtag row (the HXL reader's).
//
// What it reads (README "National datasets"):
//   - each column is classified by its values first (sex, outcome, age band
//     or years, year or date, civilian status, cause, country) and its
//     header second; a header that names another dimension than its
//     values hold gets a warning, and the values win;
//   - a table with an outcome column and a sex or age column is one row
//     per casualty; one with killed and injured (or amputation) count
//     columns is one row per incident; either needs a year or date column
//     (or --year) and at least dsMinRows rows;
//   - "Sin información" and other placeholders, and blanks, are the unknown
//     category of their dimension; values that map to nothing too, with a
//     warning listing them;
//   - exact duplicate rows are kept when there is no record id column
//     (several victims of one event look identical) and dropped when there
//     is one; a warning gives the count either way;
//   - the country comes from a country column, else --country; without
//     either the file is rejected. --country with a country column keeps
//     that country's rows; --year keeps that year's rows;
//   - one report per (country, year), source official (these are
//     government registers), kind annual, the calendar year.
//
// Memory stays flat: rows are streamed twice (a sample to classify, then
// all to aggregate) and only the per-group counts are held, plus an 8-byte
// fingerprint per distinct row (capped) to count exact duplicates.
func readDataset(ctx context.Context, in Input) (p *Parsed, err error) {
	defer func() {
		// A damaged workbook must never bring the run down: what the
		// template reader said about it stands.
		if r := recover(); r != nil {
			p, err = nil, nil
		}
	}()
	if looksLikeGeoJSON(in.Content) {
		src, err := newDSGeoSource(ctx, in.Content)
		if err != nil || len(src.header()) == 0 {
			return nil, nil //nolint:nilerr // malformed JSON: not a dataset
		}
		return readDatasetSource(ctx, in, src)
	}
	b, err := book.Open(in.Path)
	if err != nil {
		return nil, nil //nolint:nilerr // not tabular: the template reader said so
	}
	defer b.Close()
	sheets := b.Sheets()
	if p := dsXLSForm(ctx, b, sheets); p != nil {
		return p, nil
	}
	var srcs []*dsBookSource
	for _, s := range sheets {
		src, err := newDSBookSource(ctx, b, s)
		if err != nil {
			return nil, nil //nolint:nilerr // unreadable sheet: not ours to judge
		}
		if src.hxl {
			return nil, nil // the HXL reader's file
		}
		if len(src.cols) > 0 {
			srcs = append(srcs, src)
		}
	}
	format := b.Format()
	var layouts []*dsLayout
	var draft *dsDraft
	mappingUsed := false
	for _, src := range srcs {
		l, err := classifyDataset(ctx, src)
		if err != nil {
			return nil, nil //nolint:nilerr
		}
		fp := dsTableFingerprint(src, format, sheets)
		use, err := dsChooseMapping(ctx, in, src, l, fp, format)
		if err != nil {
			return nil, err
		}
		if use.Source == LayoutFromFile {
			mappingUsed = true
		}
		if l.sampled >= dsMinRows && (l.personLevel() || l.incidentLevel()) {
			p, err := readDatasetLayout(ctx, in, src, l)
			if p != nil {
				p.Layout = use
				if in.Mapping != nil && use.Source != LayoutFromFile {
					p.Issues = append(p.Issues, dsMappingNotUsed(in.Mapping))
				}
			}
			if p != nil && len(srcs) > 1 {
				var other []string
				for _, o := range srcs {
					if o != src {
						other = append(other, o.name)
					}
				}
				p.Issues = append(p.Issues, schema.Issue{Severity: schema.SevWarning, Sheet: src.name,
					Code: schema.CodeDatasetRowsLeftOut,
					Message: fmt.Sprintf("Casualties were read from sheet '%s' only; sheets %s were not read.",
						src.name, quoteList(other))})
			}
			return p, err
		}
		if use.Source != LayoutClassified && l.sampled >= dsMinRows {
			// A mapping was meant for this table but does not make it readable.
			return dsBadMapping(src, l, use), nil
		}
		if draft == nil && l.sampled >= dsMinRows && (dsCasualtySignal(l) || in.WantMapping) {
			draft = &dsDraft{src: src, l: l, fp: fp}
		}
		layouts = append(layouts, l)
	}
	if p := dsNonData(srcs, layouts); p != nil {
		return p, nil
	}
	if draft != nil {
		return draft.parsed(in, mappingUsed), nil
	}
	return nil, nil
}

func readDatasetSource(ctx context.Context, in Input, src dsSource) (*Parsed, error) {
	l, err := classifyDataset(ctx, src)
	if err != nil {
		return nil, nil //nolint:nilerr
	}
	fp := dsTableFingerprint(src, "geojson", nil)
	use, err := dsChooseMapping(ctx, in, src, l, fp, "geojson")
	if err != nil {
		return nil, err
	}
	if l.sampled < dsMinRows {
		return nil, nil
	}
	if !(l.personLevel() || l.incidentLevel()) {
		switch {
		case use.Source != LayoutClassified:
			return dsBadMapping(src, l, use), nil
		case dsCasualtySignal(l) || in.WantMapping:
			return (&dsDraft{src: src, l: l, fp: fp}).parsed(in, false), nil
		}
		return nil, nil
	}
	p, err := readDatasetLayout(ctx, in, src, l)
	if p != nil {
		p.Layout = use
		if in.Mapping != nil && use.Source != LayoutFromFile {
			p.Issues = append(p.Issues, dsMappingNotUsed(in.Mapping))
		}
	}
	return p, err
}

// dsChooseMapping decides how a table's columns are read: a data officer's
// mapping file for this layout (--mapping) first, then a mapping stored for
// its fingerprint (an officer's, else one classified before), else the
// classification. A chosen mapping replaces the classified roles.
func dsChooseMapping(ctx context.Context, in Input, src dsSource, l *dsLayout, fp, format string) (*LayoutUse, error) {
	use := &LayoutUse{Fingerprint: fp, Format: format, Source: LayoutClassified}
	switch {
	case in.Mapping != nil && in.Mapping.matches(fp, format, src.sheet()):
		use.Source = LayoutFromFile
		use.Mapping = in.Mapping
	case in.Layouts != nil:
		st, err := in.Layouts.Get(ctx, fp)
		if err != nil {
			return nil, fmt.Errorf("layout memory: %w", err)
		}
		if st != nil {
			use.Source = LayoutStoredAuto
			if st.Source == "officer" {
				use.Source = LayoutOfficer
			}
			use.Mapping = st.Mapping
		}
	}
	if use.Mapping == nil {
		use.Mapping = dsMappingOf(src, l, fp)
		return use, nil
	}
	m := *use.Mapping
	m.Fingerprint, m.Sheet, m.HeaderRow = fp, src.sheet(), dsHeaderRow(src)
	use.Mapping = &m
	m.apply(l)
	l.mapped = use.Source
	if use.Source == LayoutStoredAuto && !(l.personLevel() || l.incidentLevel()) {
		// What was classified once no longer reads: classify afresh.
		for _, c := range l.cols {
			c.role = dsNone
		}
		l.byRole = map[dsRole]*dsColumn{}
		l.mapped = ""
		l.assign(src.xlsx())
		use.Source = LayoutClassified
		use.Mapping = dsMappingOf(src, l, fp)
	}
	return use, nil
}

// dsDraft is a table the reader could not map, for which a mapping file
// is written.
type dsDraft struct {
	src dsSource
	l   *dsLayout
	fp  string
}

func (d *dsDraft) parsed(in Input, mappingUsed bool) *Parsed {
	var known, unknown []string
	for _, c := range d.l.cols {
		if c.header == "" {
			continue
		}
		if c.role != dsNone {
			known = append(known, fmt.Sprintf("'%s' = %s", c.header, dsRoleNames[c.role]))
		} else {
			unknown = append(unknown, "'"+c.header+"'")
		}
	}
	msg := "vahub could not tell which column of this table is which"
	switch {
	case d.l.has(dsOutcome) && !d.l.personLevel():
		msg += ": it found an outcome column but no sex or age column"
	case !d.l.has(dsOutcome) && !d.l.has(dsKilled):
		msg += ": it found no outcome column (killed/injured) and no killed count column"
	}
	msg += "."
	if len(known) > 0 {
		msg += " Read by content: " + strings.Join(known, ", ") + "."
	}
	if len(unknown) > 0 {
		msg += " Not recognised: " + strings.Join(unknown, ", ") + "."
	}
	p := &Parsed{Format: FormatDataset, Draft: dsDraftMapping(d.src, d.l, d.fp),
		Issues: schema.Issues{{Severity: schema.SevError, Sheet: d.src.sheet(), Cell: d.src.headerRef(0),
			Code: CodeMappingNeeded, Message: msg}}}
	if in.Mapping != nil && !mappingUsed {
		p.Issues = append(p.Issues, dsMappingNotUsed(in.Mapping))
	}
	return p
}

// dsBadMapping: a mapping (given or stored) was applied to the table and
// still leaves it unreadable.
func dsBadMapping(src dsSource, l *dsLayout, use *LayoutUse) *Parsed {
	what := "the mapping file given with --mapping"
	if use.Source != LayoutFromFile {
		what = "the mapping stored for this layout (" + use.Source + ")"
	}
	var need string
	switch {
	case !l.has(dsOutcome) && !l.has(dsKilled):
		need = "an outcome column, or killed and injured count columns"
	case l.has(dsOutcome) && !l.personLevel():
		need = "a sex or age column with the outcome column"
	case l.has(dsKilled) && !l.incidentLevel():
		need = "an injured or amputations count column with the killed column, and no outcome column"
	default:
		need = "a readable table"
	}
	p := &Parsed{Format: FormatDataset, Draft: use.Mapping,
		Issues: schema.Issues{{Severity: schema.SevError, Sheet: src.sheet(), Cell: src.headerRef(0), Code: CodeMappingNeeded,
			Message: fmt.Sprintf("With %s (%s) this table has no %s.", what, mappingJSON(use.Mapping), need)}}}
	if l.sampled < dsMinRows {
		p.Issues[0].Message = fmt.Sprintf("With %s this table has only %d data rows.", what, l.sampled)
	}
	return p
}

func dsMappingNotUsed(m *Mapping) schema.Issue {
	return schema.Issue{Severity: schema.SevWarning, Code: CodeMappingNeeded,
		Message: fmt.Sprintf("The mapping file given with --mapping is for another layout (fingerprint %.12s…, sheet '%s'); it was not used for this file.",
			m.Fingerprint, m.Sheet)}
}

// readDatasetLayout aggregates a classified table into reports.
func readDatasetLayout(ctx context.Context, in Input, src dsSource, l *dsLayout) (*Parsed, error) {
	p := &Parsed{Format: FormatDataset}
	sheet := src.sheet()
	warn := func(cell, code, msg string, args ...any) {
		p.Issues = append(p.Issues, schema.Issue{Severity: schema.SevWarning, Sheet: sheet, Cell: cell, Code: code,
			Message: fmt.Sprintf(msg, args...)})
	}
	fail := func(cell, code, msg string, args ...any) {
		p.Issues = append(p.Issues, schema.Issue{Severity: schema.SevError, Sheet: sheet, Cell: cell, Code: code,
			Message: fmt.Sprintf(msg, args...)})
	}

	// Headers that say one thing while the values say another (a data
	// officer's mapping says what they are: no warning then).
	if sw := l.swapped(); len(sw) > 0 && l.mapped != LayoutFromFile && l.mapped != LayoutOfficer {
		var parts []string
		for _, c := range sw {
			parts = append(parts, fmt.Sprintf("column '%s' holds %s values (%s)", c.header, dsRoleNames[c.role], c.exampleText()))
		}
		warn(src.headerRef(sw[0].idx), schema.CodeDatasetReadByContent, "%s: read by content, not by header.", strings.Join(parts, ", "))
	}

	// The country.
	country := ""
	if in.Country != "" {
		code, ok := normalize.Country(in.Country)
		if !ok {
			fail("", schema.CodeUnknownCountry, "--country %q is not a country vahub knows.", in.Country)
			return p, nil
		}
		in.Country = code
		country = code
	}
	if !l.has(dsCountry) && country == "" {
		fail("", schema.CodeMissingCountry,
			"This national dataset does not state its country; give --country with its ISO 3166 alpha-3 code "+
				"(it has no country column%s).", dsRegionNote(l))
	}
	if l.col(dsYear) < 0 && l.col(dsDate) < 0 && in.Year == 0 {
		fail("", schema.CodeMissingPeriod, "This dataset has no year or date column; give --year.")
	}
	if p.Issues.HasErrors() {
		return p, nil
	}

	a := newDSAgg(src, l, in, country)
	if err := a.run(ctx); err != nil {
		return nil, fmt.Errorf("dataset %s: %w", sheet, err)
	}
	p.Reports = a.reports(dsLanguage(l))

	// What was read, and what was not.
	if a.dupes > 0 {
		if l.has(dsID) {
			warn(a.firstDupe, schema.CodeDatasetDuplicateRows,
				"%s rows are exact copies of an earlier row with the same record id ('%s'); each record was counted once.",
				dsThousands(a.dupes), l.byRole[dsID].header)
		} else {
			warn(a.firstDupe, schema.CodeDatasetDuplicateRows,
				"%s rows are exact copies of an earlier row; kept, because the file has no record id and several victims of one event look identical.",
				dsThousands(a.dupes))
		}
	}
	if a.untracked {
		warn("", schema.CodeDatasetDuplicateRows, "Exact duplicate rows were looked for in the first %s distinct rows only.",
			dsThousands(dsMaxTrackedRows))
	}
	if a.noYear > 0 {
		warn(a.firstNoYear, schema.CodeDatasetRowsLeftOut, "%s rows have no readable year; they are not counted.", dsThousands(a.noYear))
	}
	if len(a.otherYear) > 0 {
		var n int64
		for _, k := range a.otherYear {
			n += k
		}
		warn("", schema.CodeDatasetRowsLeftOut, "--year %d: %s rows of other years (%s) are not counted.",
			in.Year, dsThousands(n), dsYearSpan(a.otherYear))
	}
	if len(a.otherCountry) > 0 {
		warn(src.headerRef(l.col(dsCountry)), schema.CodeDatasetRowsLeftOut, "--country %s: rows of other countries are not counted (%s).",
			in.Country, dsCounts(a.otherCountry))
	}
	if len(a.badCountry) > 0 {
		fail(a.firstBadCountry, schema.CodeUnknownCountry, "Column '%s' names countries vahub does not know: %s.",
			l.byRole[dsCountry].header, dsCounts(a.badCountry))
	}
	for _, col := range slices.Sorted(maps.Keys(a.unrecognised)) {
		c := l.cols[col]
		warn(src.headerRef(col), schema.CodeDatasetUnrecognised, "Column '%s' (%s): values counted as unknown because they map to no %s: %s.",
			c.header, dsRoleNames[c.role], dsRoleNames[c.role], dsCounts(a.unrecognised[col]))
	}
	if a.amputations > 0 {
		warn(src.headerRef(l.col(dsAmputation)), schema.CodeDatasetCountedAsInjured,
			"Column '%s': %s amputees are counted as injured (an amputation is an injury the person survived).",
			l.byRole[dsAmputation].header, dsThousands(a.amputations))
	}
	if a.victimMismatch > 0 {
		warn(a.firstVictimBad, schema.CodeTotalMismatch,
			"In %s rows the victims column '%s' differs from killed + injured + amputations; the parts are counted.",
			dsThousands(a.victimMismatch), l.byRole[dsVictims].header)
	}
	if len(p.Reports) == 0 && !p.Issues.HasErrors() {
		fail("", schema.CodeNoFacts, "No casualty could be counted from the %s rows of this dataset.", dsThousands(a.rows))
	}
	return p, nil
}

// dsRegionNote names the sub-national columns that show the file is one
// country's.
func dsRegionNote(l *dsLayout) string {
	var names []string
	for _, c := range l.cols {
		k := normalize.Fold(c.header)
		for _, w := range []string{"departamento", "municipio", "province", "provincia", "district", "distrito", "region", "commune", "admin1", "adm1"} {
			if k == w {
				names = append(names, c.header)
				break
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return ", only " + strings.Join(names, " and ")
}

// dsLanguage guesses the language of a dataset from its recognised headers.
func dsLanguage(l *dsLayout) string {
	es := map[string]bool{"ano": true, "anio": true, "edad": true, "rangoedad": true, "genero": true, "sexo": true,
		"estado": true, "condicion": true, "fecha": true, "pais": true, "departamento": true, "municipio": true}
	fr := map[string]bool{"annee": true, "sexe": true, "pays": true, "etat": true, "statut": true}
	var nes, nfr int
	for _, c := range l.cols {
		for _, t := range strings.Fields(normalize.Fold(c.header)) {
			if es[t] {
				nes++
			}
			if fr[t] {
				nfr++
			}
		}
	}
	switch {
	case nes > nfr:
		return "es"
	case nfr > 0:
		return "fr"
	}
	return "en"
}

func dsThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dsCounts lists values with their row counts, most frequent first, at most ten.
func dsCounts[K cmp.Ordered](m map[K]int64) string {
	keys := slices.SortedFunc(maps.Keys(m), func(x, y K) int {
		return cmp.Or(cmp.Compare(m[y], m[x]), cmp.Compare(x, y))
	})
	var parts []string
	for i, k := range keys {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-10))
			break
		}
		parts = append(parts, fmt.Sprintf("'%v' (%s rows)", k, dsThousands(m[k])))
	}
	return strings.Join(parts, ", ")
}

func dsYearSpan(m map[int]int64) string {
	ys := slices.Sorted(maps.Keys(m))
	if len(ys) == 1 {
		return fmt.Sprint(ys[0])
	}
	return fmt.Sprintf("%d–%d", ys[0], ys[len(ys)-1])
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}
