package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/ingest/book"
	"github.com/vahub/vahub/ingest/hxl"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// FormatHXL is the format of sheets and CSV files read by their HXL hashtags.
const FormatHXL = "hxl"

// hxlScanRows is how far down a sheet the hashtag row is looked for (the
// HXL libraries look as far).
const hxlScanRows = 25

// readHxl reads every sheet of a workbook, or a CSV file, that has an HXL
// hashtag row, by its tags (VOCABULARY.md "HXL tags"), in any column order;
// untagged columns are ignored. Wide tables (one row per country and year,
// figures in #affected+killed+f… columns) and long ones (one row per
// #gender / #age_group / #is_disabled group, as OCHA's HNO data) are both
// read. A file with no hashtag row in its first rows is not HXL: nil, nil.
//
// Reports are one per country and year. Their source type is "web": HXL
// files come from humanitarian partners and data portals, not from a
// State's approved report (official) nor from vahub's own survey
// aggregates (survey), so in the views they only fill in where neither of
// those exists.
func readHxl(ctx context.Context, in Input) (*Parsed, error) {
	b, err := book.Open(in.Path)
	if err != nil {
		return nil, nil // not a table: not ours (the template reader says what it is)
	}
	defer b.Close()
	r := &hxlReader{in: in, xlsx: b.Format() == "xlsx", date1904: b.Date1904(), acc: newHxlAcc()}
	var plain []string
	for _, sheet := range b.Sheets() {
		s, err := r.readSheet(ctx, b, sheet)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			if s == nil {
				plain = append(plain, sheet) // unreadable before any tag: not HXL
				continue
			}
			r.issue(schema.SevError, sheet, "", schema.CodeUnreadable,
				"The sheet could not be read to the end: %v.", err)
		}
		if s == nil {
			plain = append(plain, sheet)
			continue
		}
		r.sheets = append(r.sheets, s)
	}
	if len(r.sheets) == 0 {
		return nil, nil
	}
	for _, sheet := range plain {
		r.issue(schema.SevWarning, sheet, "", schema.CodeHXLRowsSkipped,
			"Sheet %q has no HXL hashtag row: it was not read.", sheet)
	}
	reports := r.build()
	return &Parsed{Format: FormatHXL, Reports: reports, Issues: r.issues}, nil
}

type hxlReader struct {
	in       Input
	xlsx     bool
	date1904 bool
	acc      *hxlAcc
	sheets   []*hxlSheet
	issues   schema.Issues
	// overrides already reported, so --country/--year warn once per value
	warnedCountry map[string]bool
	warnedYear    map[int]bool
	// no #country / #date anywhere and no --country / --year: figures wait
	// for the end, where the file is rejected if it has any.
	noCountry, noYear *hxlSheet
}

func (r *hxlReader) issue(sev schema.Severity, sheet, cell, code, format string, args ...any) {
	r.issues = append(r.issues, schema.Issue{Severity: sev, Sheet: sheet, Cell: cell, Code: code,
		Message: fmt.Sprintf(format, args...)})
}

// hxlSheet is what one HXL sheet holds and what was skipped in it.
type hxlSheet struct {
	name     string
	tagRef   string // first cell of the hashtag row
	tagRow   int
	cols     []*hxlCol
	columns  int // columns of the header and tag rows
	allTags  []string
	figures  int // figure columns vahub reads
	ignored  []*hxlCol
	reasons  map[*hxlCol]string
	facts    int // figures read
	rows     int // rows below the tag row
	deep     hxlSkip
	popGroup map[string]int
	popSkip  hxlSkip
	sectors  map[string]int // sectors that are not service pillars → rows
	secRef   string
	blankSec hxlSkip
}

type hxlSkip struct {
	n   int
	ref string
}

func (s *hxlSkip) add(ref string) {
	if s.n == 0 {
		s.ref = ref
	}
	s.n++
}

var errStopScan = errors.New("stop")

// readSheet streams one sheet: it finds the hashtag row in the first rows
// and reads every row below it. nil means the sheet has no hashtag row.
func (r *hxlReader) readSheet(ctx context.Context, b book.Book, sheet string) (*hxlSheet, error) {
	var s *hxlSheet
	var above []book.Row
	err := b.EachRow(ctx, sheet, func(row book.Row) error {
		if s != nil {
			s.rows++
			r.row(s, row)
			return nil
		}
		if row.Num > hxlScanRows {
			return errStopScan
		}
		vals := make([]string, 0, len(row.Cells))
		for _, c := range row.Cells {
			vals = append(vals, c.Value)
		}
		if !hxl.IsHashtagRow(vals) {
			above = append(above, row)
			return nil
		}
		s = r.header(sheet, row, above)
		return nil
	})
	if errors.Is(err, errStopScan) {
		err = nil
	}
	if err != nil {
		return s, err
	}
	return s, nil
}

// header maps the hashtag row's columns and reports bad and unknown tags.
func (r *hxlReader) header(sheet string, row book.Row, above []book.Row) *hxlSheet {
	s := &hxlSheet{name: sheet, tagRow: row.Num, tagRef: book.Ref(1, row.Num), reasons: map[*hxlCol]string{},
		popGroup: map[string]int{}, sectors: map[string]int{}}
	headerOf := func(col int) string {
		for i := len(above) - 1; i >= 0; i-- {
			if v := above[i].Get(col); strings.TrimSpace(v) != "" {
				return v
			}
		}
		return ""
	}
	maxCol := 0
	for _, rr := range append(slices.Clone(above), row) {
		for _, c := range rr.Cells {
			maxCol = max(maxCol, c.Col)
		}
	}
	s.columns = maxCol
	var unknown []string
	for _, cell := range row.Cells {
		if !hxl.LooksLikeTag(cell.Value) && !strings.HasPrefix(strings.TrimSpace(cell.Value), "#") {
			continue // an untagged column: ignored, as the standard allows
		}
		c := &hxlCol{col: cell.Col, ref: cell.Ref, header: headerOf(cell.Col)}
		s.allTags = append(s.allTags, strings.TrimSpace(cell.Value))
		t, err := hxl.ParseTag(cell.Value)
		if err != nil {
			why := strings.TrimPrefix(strings.TrimPrefix(err.Error(), hxl.ErrBadTag.Error()), ": ")
			r.issue(schema.SevWarning, sheet, cell.Ref, schema.CodeBadHXLTag,
				"%s: '%s' is not a valid HXL tag (%s); the column was not read.", c.name(), strings.TrimSpace(cell.Value), why)
			continue
		}
		c.tag = t
		why, isUnknown := classifyHxl(c)
		switch {
		case isUnknown:
			unknown = append(unknown, fmt.Sprintf("%s (%s)", t, strings.TrimRight(cell.Ref, "0123456789")))
			continue
		case why != "":
			s.ignored = append(s.ignored, c)
			s.reasons[c] = why
			r.issue(schema.SevWarning, sheet, cell.Ref, schema.CodeHXLColumnIgnored,
				"%s: %s is not read: %s.", c.name(), t, why)
			continue
		}
		s.cols = append(s.cols, c)
	}
	if len(unknown) > 0 {
		r.issue(schema.SevWarning, sheet, s.tagRef, schema.CodeUnknownHXLTag,
			"HXL tags vahub does not read were ignored: %s.", strings.Join(unknown, ", "))
	}
	hasSector := slices.ContainsFunc(s.cols, func(c *hxlCol) bool { return c.role == hxlSector })
	var kept []*hxlCol
	for _, c := range s.cols {
		if c.role == hxlService && c.pillar == "" && !hasSector {
			why := "it names no pillar: add a #sector column or a pillar attribute (#" + c.tag.Name + "+rehabilitation)"
			s.ignored = append(s.ignored, c)
			s.reasons[c] = why
			r.issue(schema.SevWarning, sheet, c.ref, schema.CodeHXLColumnIgnored, "%s: %s is not read: %s.", c.name(), c.tag, why)
			continue
		}
		if c.role == hxlCasualty || c.role == hxlService {
			s.figures++
		}
		kept = append(kept, c)
	}
	s.cols = kept
	if r.in.Country == "" && !slices.ContainsFunc(s.cols, func(c *hxlCol) bool { return c.role == hxlCountry }) && r.noCountry == nil {
		r.noCountry = s
	}
	if r.in.Year == 0 && !slices.ContainsFunc(s.cols, func(c *hxlCol) bool { return c.role == hxlYear || c.role == hxlDate }) && r.noYear == nil {
		r.noYear = s
	}
	return s
}

// hxlRowCtx is what a row says about the figures in it.
type hxlRowCtx struct {
	dims    hxlDims
	pillar  string // from #sector; "" when the sheet has no #sector column
	sector  string // the #sector text
	secCell string
	adm1    string // the #adm1 unit of a sub-national row
	level   int    // 0 national, 1 adm1, 2+ deeper
}

// row reads one data row.
func (r *hxlReader) row(s *hxlSheet, row book.Row) {
	var rc hxlRowCtx
	var countryCol, codeCol, dateCol, yearCol *hxlCol
	hasSector := false
	for _, c := range s.cols {
		v := strings.TrimSpace(row.Get(c.col))
		ref := book.Ref(c.col, row.Num)
		switch c.role {
		case hxlPopGroup:
			if f := normalize.Fold(v); v != "" && f != "all" && f != "total" && f != "t" {
				s.popGroup[v]++
				s.popSkip.add(ref)
				return
			}
		case hxlSubnat:
			if v == "" {
				continue
			}
			if c.level > rc.level {
				rc.level = c.level
			}
			if c.level == 1 && (rc.adm1 == "" || c.tag.Has("code")) {
				rc.adm1 = v
			}
		case hxlSector:
			hasSector = true
			rc.sector, rc.secCell = v, ref
			if p, ok := normalize.Pillar(v); ok && schema.IsServicePillar(p) {
				rc.pillar = p
			}
		case hxlGender:
			sex, ok := hxlSex(v)
			if !ok {
				r.issue(schema.SevError, s.name, ref, schema.CodeUnknownCode,
					"'%s' is not a #gender code vahub knows (f, m, t for total): the row was not read.", v)
				return
			}
			rc.dims.sex = sex
		case hxlAgeGroup:
			g, band, ok := hxlAge(v)
			if !ok {
				r.issue(schema.SevError, s.name, ref, schema.CodeUnknownCode,
					"'%s' is not an #age_group vahub can place under 18 or from 18 (0-17, 18-64, 65+, all): the row was not read.", v)
				return
			}
			rc.dims.age, rc.dims.band = g, band
		case hxlDisabled:
			d, ok := hxlDisability(v)
			if !ok {
				r.issue(schema.SevError, s.name, ref, schema.CodeUnknownCode,
					"'%s' is not an #is_disabled code (y, n, or blank for everyone): the row was not read.", v)
				return
			}
			rc.dims.disability = d
		case hxlMetaDim:
			if !metaDim(&rc.dims, c.dim, v) {
				r.issue(schema.SevError, s.name, ref, schema.CodeUnknownCode,
					"'%s' is not a vahub %s code: the row was not read.", v, c.dim)
				return
			}
		case hxlCountry:
			if c.tag.Has("code") || c.tag.Has("iso") {
				if codeCol == nil {
					codeCol = c
				}
			} else if countryCol == nil {
				countryCol = c
			}
		case hxlYear:
			if yearCol == nil {
				yearCol = c
			}
		case hxlDate:
			if dateCol == nil {
				dateCol = c
			}
		}
	}
	// The figures of the row, before anything is looked up for them.
	type cellVal struct {
		c   *hxlCol
		raw string
	}
	var vals []cellVal
	for _, c := range s.cols {
		if c.role != hxlCasualty && c.role != hxlService {
			continue
		}
		if v := row.Get(c.col); strings.TrimSpace(v) != "" {
			vals = append(vals, cellVal{c, v})
		}
	}
	if len(vals) == 0 {
		return
	}
	if rc.level >= 2 {
		s.deep.add(book.Ref(vals[0].c.col, row.Num))
		return
	}
	// Services need a pillar: the column's attribute or the row's #sector.
	services, kept := 0, vals[:0]
	for _, cv := range vals {
		if cv.c.role == hxlService && cv.c.pillar == "" {
			if hasSector && rc.pillar == "" {
				if rc.sector == "" {
					s.blankSec.add(rc.secCell)
				} else {
					if s.secRef == "" {
						s.secRef = rc.secCell
					}
					s.sectors[rc.sector]++
				}
				continue
			}
		}
		if cv.c.role == hxlService {
			services++
		}
		kept = append(kept, cv)
	}
	vals = kept
	if len(vals) == 0 {
		return
	}
	country, ok := r.country(s, row, codeCol, countryCol)
	if !ok {
		return
	}
	year, ok := r.year(s, row, yearCol, dateCol)
	if !ok {
		return
	}
	for _, cv := range vals {
		ref := book.Ref(cv.c.col, row.Num)
		v, ok := r.value(s.name, ref, cv.raw)
		if !ok {
			continue
		}
		d, ok := cv.c.dims.merge(rc.dims)
		if !ok {
			r.issue(schema.SevError, s.name, ref, schema.CodeUnknownCode,
				"%s says %s but the row's #gender / #age_group / #is_disabled say %s: the cell was not read.",
				cv.c.tag, cv.c.dims.describe(), rc.dims.describe())
			continue
		}
		k := hxlKey{country: country, year: year, dims: d}
		if cv.c.role == hxlService {
			k.measure, k.pillar = cv.c.measure, cv.c.pillar
			if k.pillar == "" {
				k.pillar = rc.pillar
			}
		}
		if r.acc.add(r, k, rc, v, schema.Cell{Sheet: s.name, Ref: ref}) {
			s.facts++
		}
	}
}

// country resolves a row's country: --country, else the row's #country
// (code first, then name), else the file states none.
func (r *hxlReader) country(s *hxlSheet, row book.Row, cols ...*hxlCol) (string, bool) {
	var stated, ref string
	for _, c := range cols {
		if c == nil {
			continue
		}
		if v := strings.TrimSpace(row.Get(c.col)); v != "" {
			stated, ref = v, book.Ref(c.col, row.Num)
			break
		}
	}
	code := ""
	if stated != "" {
		var ok bool
		if code, ok = normalize.Country(stated); !ok && r.in.Country == "" {
			r.issue(schema.SevError, s.name, ref, schema.CodeUnknownCountry,
				"'%s' is not a country or area vahub knows (ISO 3166-1 alpha-3 code or name): the row was not read.", stated)
			return "", false
		}
	}
	if r.in.Country != "" {
		if stated != "" && code != r.in.Country && !r.warnedCountry[stated] {
			if r.warnedCountry == nil {
				r.warnedCountry = map[string]bool{}
			}
			r.warnedCountry[stated] = true
			r.issue(schema.SevWarning, s.name, ref, schema.CodeCountryMismatch,
				"The file states country %s; --country %s overrides it.", stated, r.in.Country)
		}
		return r.in.Country, true
	}
	if code != "" {
		return code, true
	}
	if cols[0] == nil && cols[1] == nil {
		return "", true // no #country column: the end of the read says so once
	}
	c := cols[0]
	if c == nil {
		c = cols[1]
	}
	r.issue(schema.SevError, s.name, book.Ref(c.col, row.Num), schema.CodeMissingCountry,
		"This row gives figures but no country under %s, and no --country was given: the row was not read.", c.tag)
	return "", false
}

var hxlYearText = regexp.MustCompile(`^(\d{4})(\.0+)?$`)

// year resolves a row's year: --year, else #date+year, else the year of
// #date (a date or a period within one calendar year).
func (r *hxlReader) year(s *hxlSheet, row book.Row, cols ...*hxlCol) (int, bool) {
	stated, ref, year := "", "", 0
	for _, c := range cols {
		if c == nil {
			continue
		}
		if v := strings.TrimSpace(row.Get(c.col)); v != "" {
			stated, ref = v, book.Ref(c.col, row.Num)
			break
		}
	}
	if stated != "" {
		year = r.parseYear(stated)
		if year == 0 && r.in.Year == 0 {
			r.issue(schema.SevError, s.name, ref, schema.CodeBadPeriod,
				"'%s' is not a year, a date or a period within one calendar year: the row was not read.", stated)
			return 0, false
		}
	}
	if r.in.Year != 0 {
		if stated != "" && year != r.in.Year && !r.warnedYear[year] {
			if r.warnedYear == nil {
				r.warnedYear = map[int]bool{}
			}
			r.warnedYear[year] = true
			r.issue(schema.SevWarning, s.name, ref, schema.CodePeriodOutside,
				"The file states year %s; --year %d overrides it.", stated, r.in.Year)
		}
		return r.in.Year, true
	}
	if year != 0 {
		return year, true
	}
	if cols[0] == nil && cols[1] == nil {
		return 0, true
	}
	c := cols[0]
	if c == nil {
		c = cols[1]
	}
	r.issue(schema.SevError, s.name, book.Ref(c.col, row.Num), schema.CodeMissingPeriod,
		"This row gives figures but no year under %s, and no --year was given: the row was not read.", c.tag)
	return 0, false
}

func (r *hxlReader) parseYear(v string) int {
	ok := func(y int) int {
		if y >= 1960 && y <= 2200 {
			return y
		}
		return 0
	}
	if m := hxlYearText.FindStringSubmatch(v); m != nil {
		y, _ := strconv.Atoi(m[1])
		return ok(y)
	}
	if r.xlsx && hxlNumber.MatchString(v) { // a date cell: an Excel serial
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 2958466 {
			return ok(normalize.ExcelDate(f, r.date1904).Year())
		}
	}
	if t, err := normalize.Date(v); err == nil {
		return ok(t.Year())
	}
	if a, b, err := normalize.Period(v); err == nil && a.Year() == b.Year() {
		return ok(a.Year())
	}
	// ISO 8601 intervals and months: "2024-01-01/2024-12-31", "2024-03".
	if a, b, cut := strings.Cut(v, "/"); cut {
		ya, yb := r.parseYear(strings.TrimSpace(a)), r.parseYear(strings.TrimSpace(b))
		if ya != 0 && ya == yb {
			return ya
		}
		return 0
	}
	if t, err := time.Parse("2006-01", v); err == nil {
		return ok(t.Year())
	}
	return 0
}

var hxlNumber = regexp.MustCompile(`^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$`)

// value reads a figure: a workbook's number cells as stored, text as
// written. Blank is never zero; words for unknown keep their state.
func (r *hxlReader) value(sheet, ref, raw string) (schema.Value, bool) {
	var v schema.Value
	var err error
	if r.xlsx && hxlNumber.MatchString(strings.TrimSpace(raw)) {
		v, err = normalize.NumericCount(raw)
	} else {
		v, err = normalize.Count(raw, "")
	}
	if err == nil && v.State == "" {
		return v, false
	}
	if err != nil {
		code, what := schema.CodeWrongType, "is not a count of people"
		switch {
		case errors.Is(err, normalize.ErrNegative):
			code, what = schema.CodeNegative, "is negative: a count of people cannot be"
		case errors.Is(err, normalize.ErrFraction):
			code, what = schema.CodeNotInteger, "is not a whole number of people"
		}
		r.issue(schema.SevError, sheet, ref, code, "'%s' %s.", strings.TrimSpace(raw), what)
		return v, false
	}
	return v, true
}

// build turns the figures read into reports and says what was not read.
func (r *hxlReader) build() []*schema.Report {
	reports := r.acc.reports(r)
	facts := 0
	for _, rep := range reports {
		facts += rep.FactCount()
	}
	for _, s := range r.sheets {
		r.skipNotes(s)
	}
	if facts > 0 {
		if s := r.noCountry; s != nil {
			r.issue(schema.SevError, s.name, s.tagRef, schema.CodeMissingCountry,
				"The file states no country: no #country column and no --country given. Add a #country+code column or ingest with --country.")
		}
		if s := r.noYear; s != nil {
			r.issue(schema.SevError, s.name, s.tagRef, schema.CodeMissingPeriod,
				"The file states no year: no #date column and no --year given. Add a #date+year column or ingest with --year.")
		}
	}
	for _, s := range r.sheets {
		if s.facts > 0 {
			continue
		}
		sev := schema.SevWarning
		if facts == 0 {
			sev = schema.SevError
		}
		r.issue(sev, s.name, s.tagRef, schema.CodeNoVAData, "%s", r.noDataReason(s))
	}
	return reports
}

// skipNotes says which rows of a sheet were read but not turned into facts.
func (r *hxlReader) skipNotes(s *hxlSheet) {
	if s.deep.n > 0 {
		r.issue(schema.SevWarning, s.name, s.deep.ref, schema.CodeHXLRowsSkipped,
			"%d row(s) below #adm1 level (a value under #adm2 … #adm5 or #loc) were not read: vahub's facts are national, and national rows or #adm1 rows give the figures; adding smaller areas would count people twice.", s.deep.n)
	}
	if s.popSkip.n > 0 {
		groups := slices.Sorted(maps.Keys(s.popGroup))
		r.issue(schema.SevWarning, s.name, s.popSkip.ref, schema.CodeHXLRowsSkipped,
			"%d row(s) for population subgroups (#population_group %s) were not read: they are parts of the 'all' rows, and vahub has no dimension for them.", s.popSkip.n, strings.Join(groups, ", "))
	}
	if s.blankSec.n > 0 {
		r.issue(schema.SevWarning, s.name, s.blankSec.ref, schema.CodeHXLRowsSkipped,
			"%d row(s) give people in need or reached with a blank #sector: without a pillar they were not read.", s.blankSec.n)
	}
	if len(s.sectors) > 0 && s.facts > 0 {
		r.issue(schema.SevWarning, s.name, s.secRef, schema.CodeHXLRowsSkipped,
			"Rows of sectors %s were not read: they are not victim-assistance service pillars (%s).",
			strings.Join(slices.Sorted(maps.Keys(s.sectors)), ", "), strings.Join(schema.ServicePillars, ", "))
	}
}

// noDataReason classifies a sheet that gave no figure.
func (r *hxlReader) noDataReason(s *hxlSheet) string {
	tags := func(cols []*hxlCol) string {
		var out []string
		for _, c := range cols {
			out = append(out, c.tag.String())
		}
		return strings.Join(out, ", ")
	}
	has := func(name string) bool {
		return slices.ContainsFunc(s.cols, func(c *hxlCol) bool { return c.tag.Name == name })
	}
	if s.figures == 0 {
		var affected []*hxlCol
		for _, c := range s.ignored {
			if c.tag.Name == "affected" && c.dims.outcome != "" {
				affected = append(affected, c)
			}
		}
		switch {
		case len(affected) > 0 && slices.ContainsFunc(s.cols, func(c *hxlCol) bool { return c.role == hxlDate }):
			return fmt.Sprintf("This HXL sheet is an incident list (one row per event, dated under #date) whose #affected columns (%s) count people by profession, not casualties by outcome, sex and age: it holds no casualty counts by outcome/sex/age and no victim-assistance figures.", tags(affected))
		case len(affected) > 0:
			return fmt.Sprintf("The #affected columns of this HXL sheet (%s) count people by profession, not casualties by outcome, sex and age: it holds no casualty counts by outcome/sex/age and no victim-assistance figures.", tags(affected))
		case len(s.ignored) > 0:
			var why []string
			for _, c := range s.ignored {
				why = append(why, c.tag.String()+": "+s.reasons[c])
			}
			return "This HXL sheet holds no victim-assistance figures vahub can read: " + strings.Join(why, "; ") + "."
		}
		kind := ""
		if has("org") || has("sector") {
			kind = " This looks like an operational-presence list (who does what where), not figures."
		}
		return fmt.Sprintf("This HXL sheet holds no victim-assistance figures: %d of its %d columns are tagged (%s) and none is a figure vahub reads (#affected+killed, #affected+injured, #inneed, #reached).%s",
			len(s.allTags), s.columns, strings.Join(s.allTags, ", "), kind)
	}
	if len(s.sectors) > 0 {
		return fmt.Sprintf("This HXL file holds no victim-assistance figures: sectors %s are not victim-assistance pillars (vahub reads %s).",
			strings.Join(slices.Sorted(maps.Keys(s.sectors)), ", "), strings.Join(schema.ServicePillars, ", "))
	}
	if r.issues.HasErrors() {
		return "No figure of this HXL sheet could be read: see the errors above."
	}
	return "This HXL sheet holds no figures: every cell under its figure tags is blank or in rows that were not read."
}
