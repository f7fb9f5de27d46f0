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
	if p := dsXLSForm(sheets); p != nil {
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
	var layouts []*dsLayout
	for _, src := range srcs {
		l, err := classifyDataset(ctx, src)
		if err != nil {
			return nil, nil //nolint:nilerr
		}
		if l.sampled >= dsMinRows && (l.personLevel() || l.incidentLevel()) {
			p, err := readDatasetLayout(ctx, in, src, l)
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
		layouts = append(layouts, l)
	}
	return dsNonData(srcs, layouts), nil
}

func readDatasetSource(ctx context.Context, in Input, src dsSource) (*Parsed, error) {
	l, err := classifyDataset(ctx, src)
	if err != nil {
		return nil, nil //nolint:nilerr
	}
	if l.sampled < dsMinRows || !(l.personLevel() || l.incidentLevel()) {
		return nil, nil
	}
	return readDatasetLayout(ctx, in, src, l)
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

	// Headers that say one thing while the values say another.
	if sw := l.swapped(); len(sw) > 0 {
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
