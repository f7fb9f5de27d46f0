package survey

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/normalize/countries"
	"github.com/vahub/vahub/schema"
	svy "github.com/vahub/vahub/schema/survey"
)

// Question kinds: how a cell becomes an answer.
const (
	kindChoice = iota
	kindInt
	kindDate
	kindText
)

// qcol is one question's column and a memo of the cells seen in it: the
// answers of a choice column are a handful of distinct texts repeated a
// million times, so each is folded and looked up once.
type qcol struct {
	idx  int
	name string
	kind int
	memo map[string]answer
}

type answer struct {
	code string
	ok   bool // false: not an answer the question allows
}

// memoCap bounds a column's memo (free-text answers would grow it).
const memoCap = 512

// unanswered are cells that say "no answer": never a "no", never a zero.
var unanswered = map[string]bool{"": true, "n a": true, "na": true, "nan": true, "null": true, "nil": true}

// converter turns the rows of one table into records.
type converter struct {
	t       *table
	lay     *Layout
	tool    string
	formID  string
	country string // --country: supplies a missing country
	year    int    // --year: supplies a missing year
	qcols   []*qcol
	meta    struct{ instance, deprecated, key, root, uuid, submitted, version, today, start, end int }
	notes   *notes
}

func newConverter(t *table, lay *Layout, formID, country string, year int, n *notes) *converter {
	c := &converter{t: t, lay: lay, tool: lay.Tool, formID: formID, country: country, year: year, notes: n}
	form := svy.Standard()
	for i, r := range lay.Roles {
		q, ok := form.Question(r)
		if !ok {
			continue
		}
		k := kindChoice
		switch q.Type {
		case svy.TypeInteger:
			k = kindInt
		case svy.TypeDate:
			k = kindDate
		case svy.TypeText:
			k = kindText
		}
		c.qcols = append(c.qcols, &qcol{idx: i, name: r, kind: k, memo: map[string]answer{}})
	}
	c.meta.instance = lay.col(roleInstance)
	c.meta.deprecated = lay.col(roleDeprecated)
	c.meta.key = lay.col(roleKey)
	c.meta.uuid = lay.col(roleUUID)
	c.meta.root = lay.col(roleRoot)
	c.meta.submitted = lay.col(roleSubmitted)
	c.meta.version = lay.col(roleVersion)
	c.meta.today = lay.col(roleToday)
	c.meta.start = lay.col(roleStart)
	c.meta.end = lay.col(roleEnd)
	return c
}

func cell(cols []string, i int) string {
	if i < 0 || i >= len(cols) {
		return ""
	}
	return strings.TrimSpace(cols[i])
}

// ref is the A1 reference of column index i (0-based) in row num.
func ref(i, num int) string {
	s, err := excelize.CoordinatesToCellName(i+1, num)
	if err != nil {
		return fmt.Sprintf("R%dC%d", num, i+1)
	}
	return s
}

// convert makes a record of one row. ok is false for a row that cannot be
// used (the reason is noted); a blank row is neither used nor noted.
// pendingCountry is true for a refusal whose country the form never asked
// (country is asked after consent): the caller settles it at the end.
func (c *converter) convert(num int, cols []string) (rec *svy.Record, ok, pendingCountry bool) {
	if blankRow(cols) {
		return nil, false, false
	}
	r := &svy.Record{Source: c.tool, FormID: c.formID, Sheet: c.t.name, Row: num}
	r.InstanceID, r.DeprecatedID = c.ids(cols)
	if r.InstanceID == "" {
		c.notes.reject(c.t.name, fmt.Sprintf("A%d", num), "no instance id (meta/instanceID, KEY or _uuid is blank)")
		return nil, false, false
	}
	r.FormVersion = cell(cols, c.meta.version)
	if v := cell(cols, c.meta.submitted); v != "" {
		if ts, ok := c.parseTime(v); ok {
			r.SubmittedAt = &ts
		}
	}
	for _, q := range c.qcols {
		v := cell(cols, q.idx)
		if v == "" {
			continue
		}
		c.answer(r, q, v, num)
	}
	if r.Consent == "" {
		c.notes.reject(c.t.name, c.refOf("consent", num), "consent is not answered: without a yes or no nothing of the interview can be kept")
		return nil, false, false
	}
	// The year the record counts in: the interview's, else the
	// submission's, else the day the form was filled.
	switch {
	case r.InterviewDate != nil:
		r.Year = r.InterviewDate.Year()
	case r.SubmittedAt != nil:
		r.Year = r.SubmittedAt.Year()
	default:
		for _, i := range []int{c.meta.today, c.meta.start, c.meta.end} {
			if ts, ok := c.parseTime(cell(cols, i)); ok {
				r.Year = ts.Year()
				break
			}
		}
	}
	if r.Year == 0 {
		r.Year = c.year
	}
	if r.Year < 1960 || r.Year > 2200 {
		what := "no interview date, submission time or --year says which year the interview counts in"
		if r.Year != 0 {
			what = fmt.Sprintf("the interview's year %d is outside 1960–2200", r.Year)
		}
		c.notes.reject(c.t.name, c.refOf("interview_date", num), what)
		return nil, false, false
	}
	if r.Country == "" {
		r.Country = c.country
	}
	if r.Country == "" {
		if r.Refusal() {
			r.StripForRefusal()
			return r, true, true
		}
		c.notes.reject(c.t.name, c.refOf("country", num), "the country is not answered (or not a country vahub knows), and no --country was given")
		return nil, false, false
	}
	if r.Refusal() {
		r.StripForRefusal()
	}
	return r, true, false
}

// refOf is the cell of question q in row num, or column A when the export
// has no column for it.
func (c *converter) refOf(q string, num int) string {
	if i := c.lay.col(q); i >= 0 {
		return ref(i, num)
	}
	return ref(0, num)
}

// ids are the instance id and the id of the version it replaces:
// meta/instanceID, else ODK Central's KEY, else Kobo's _uuid, all in the
// "uuid:…" form. ODK Central's KEY and Kobo's meta/rootUuid are the first
// version's id: when one differs from the instance id and no deprecatedID
// column says otherwise, the row is an edit of that submission.
func (c *converter) ids(cols []string) (id, deprecated string) {
	key := normID(cell(cols, c.meta.key))
	id = normID(cell(cols, c.meta.instance))
	if id == "" {
		id = key
	}
	if id == "" {
		id = normID(cell(cols, c.meta.uuid))
	}
	deprecated = normID(cell(cols, c.meta.deprecated))
	for _, first := range []string{key, normID(cell(cols, c.meta.root))} {
		if deprecated == "" && first != "" && first != id {
			deprecated = first
		}
	}
	return id, deprecated
}

// normID gives a bare UUID (Kobo's _uuid) the "uuid:" prefix ODK and Kobo
// use in meta/instanceID, so one submission has one id in every export.
func normID(v string) string {
	if v == "" || strings.Contains(v, ":") {
		return v
	}
	return "uuid:" + v
}

func (c *converter) answer(r *svy.Record, q *qcol, v string, num int) {
	a, seen := q.memo[v]
	if !seen {
		a = c.read(q, v)
		if len(q.memo) < memoCap {
			q.memo[v] = a
		}
	}
	if !a.ok {
		c.notes.badAnswer(c.t.name, q.name, ref(q.idx, num), v)
		return
	}
	if a.code == "" {
		return // unanswered
	}
	switch q.name {
	case "consent":
		r.Consent = a.code
	case "country":
		r.Country = a.code
	case "admin1":
		r.Admin1 = a.code
	case "interview_date":
		d, _ := time.Parse(time.DateOnly, a.code)
		r.InterviewDate = &d
	case "sex":
		r.Sex = a.code
	case "age":
		n, _ := strconv.Atoi(a.code)
		r.Age = &n
	case "victim_type":
		r.VictimType = a.code
	case "cause":
		r.Cause = a.code
	case "incident_year":
		n, _ := strconv.Atoi(a.code)
		r.IncidentYear = &n
	default:
		switch {
		case strings.HasPrefix(q.name, "wg_"):
			if r.WG == nil {
				r.WG = make(map[string]string, 6)
			}
			r.WG[q.name] = a.code
		case strings.HasPrefix(q.name, "need_"):
			if r.Need == nil {
				r.Need = make(map[string]string, 4)
			}
			r.Need[strings.TrimPrefix(q.name, "need_")] = a.code
		case strings.HasPrefix(q.name, "received_"):
			if r.Received == nil {
				r.Received = make(map[string]string, 4)
			}
			r.Received[strings.TrimPrefix(q.name, "received_")] = a.code
		}
	}
}

// read turns one cell into an answer code ("" for unanswered).
func (c *converter) read(q *qcol, v string) answer {
	if unanswered[svy.Fold(v)] {
		return answer{ok: true}
	}
	switch q.kind {
	case kindText:
		return answer{code: v, ok: true}
	case kindInt:
		n, ok := wholeNumber(v)
		lo, hi := 0, 130
		if q.name == "incident_year" {
			lo, hi = 1900, 2200
		}
		if !ok || n < lo || n > hi {
			return answer{}
		}
		return answer{code: strconv.Itoa(n), ok: true}
	case kindDate:
		ts, ok := c.parseTime(v)
		if !ok || ts.Year() < 1900 || ts.Year() > 2200 {
			return answer{}
		}
		return answer{code: ts.Format(time.DateOnly), ok: true}
	}
	code, ok := svy.Standard().ChoiceCode(q.name, v)
	if ok && q.name == "country" {
		// The form's list is normalize/countries' areas; a code it does
		// not know could not be stored.
		if _, known := countries.Lookup(code); !known {
			return answer{}
		}
	}
	return answer{code: code, ok: ok}
}

func wholeNumber(v string) (int, bool) {
	if n, err := strconv.Atoi(v); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1e6 {
		return 0, false
	}
	return int(f), true
}

// timeLayouts are the date and time texts of Kobo and ODK exports: ISO
// dates, ODK Central's "2024-03-15T10:22:11.123Z", Kobo's zone-less
// _submission_time, and Collect's "+0200" offsets. Fractional seconds
// parse without being in the layout.
var timeLayouts = []string{time.DateOnly, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05-07", "2006-01-02 15:04:05", "2006-01-02 15:04:05-07:00", "2006/01/02", "2006/01/02 15:04:05"}

// parseTime reads a date or time cell: text in one of timeLayouts, or in a
// workbook an Excel serial number.
func (c *converter) parseTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if ts, err := time.Parse(l, v); err == nil {
			return ts, true
		}
	}
	if c.t.xlsx {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 2958466 {
			if ts, err := excelize.ExcelDateToTime(f, c.t.date1904); err == nil {
				return ts, true
			}
		}
	}
	return time.Time{}, false
}

// notes collects a stream's issues with a bound: a problem repeated on a
// million rows is named for its first rows and counted, not listed a
// million times.
type notes struct {
	file     string
	issues   schema.Issues
	rejected int
	perCode  map[string]int
	whys     []string               // perCode's keys in the order met
	bad      map[string]*badAnswers // by question
	badOrder []string
}

type badAnswers struct {
	sheet  string
	n      int
	first  string // first cell
	values []string
}

// listed is how many rejected rows are named one by one.
const listed = 50

func newNotes(file string) *notes {
	return &notes{file: file, perCode: map[string]int{}, bad: map[string]*badAnswers{}}
}

func (n *notes) reject(sheet, cell, why string) {
	n.rejected++
	if n.perCode[why] == 0 {
		n.whys = append(n.whys, why)
	}
	n.perCode[why]++
	if n.perCode[why] > listed {
		return
	}
	n.issues = append(n.issues, schema.Issue{Severity: schema.SevWarning, Sheet: sheet, Cell: cell, Code: schema.CodeSurveyRowRejected,
		Message: fmt.Sprintf("%s: this row was not imported: %s.", n.file, why)})
}

func (n *notes) badAnswer(sheet, question, cell, value string) {
	b := n.bad[question]
	if b == nil {
		b = &badAnswers{sheet: sheet, first: cell}
		n.bad[question] = b
		n.badOrder = append(n.badOrder, question)
	}
	b.n++
	if len(b.values) < 5 && !contains(b.values, value) {
		b.values = append(b.values, value)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// finish returns the issues, with the summaries of what was cut short.
func (n *notes) finish() schema.Issues {
	out := append(schema.Issues(nil), n.issues...)
	for _, why := range n.whys {
		if k := n.perCode[why]; k > listed {
			out = append(out, schema.Issue{Severity: schema.SevWarning, Code: schema.CodeSurveyRowRejected,
				Message: fmt.Sprintf("%s: %d more rows were not imported for the same reason: %s.", n.file, k-listed, why)})
		}
	}
	for _, q := range n.badOrder {
		b := n.bad[q]
		quoted := make([]string, len(b.values))
		for i, v := range b.values {
			quoted[i] = strconv.Quote(truncate(v, 40))
		}
		out = append(out, schema.Issue{Severity: schema.SevWarning, Sheet: b.sheet, Cell: b.first, Code: schema.CodeSurveyBadAnswer,
			Message: fmt.Sprintf("%s: %d answer(s) to %s are not answers the form allows (%s), first at %s; they are read as unanswered. %s",
				n.file, b.n, q, strings.Join(quoted, ", "), b.first, expected(q))})
	}
	return out
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// expected says what a question takes.
func expected(q string) string {
	form := svy.Standard()
	qq, ok := form.Question(q)
	if !ok {
		return ""
	}
	switch qq.Type {
	case svy.TypeInteger:
		if q == "incident_year" {
			return "Expected a year between 1900 and 2200."
		}
		return "Expected a whole number of years between 0 and 130."
	case svy.TypeDate:
		return "Expected a date (2024-03-15 or an Excel date)."
	}
	l, ok := form.List(qq.List)
	if !ok || len(l.Choices) > 12 {
		if q == "country" {
			return "Expected an ISO 3166 alpha-3 code or a country name."
		}
		return ""
	}
	names := make([]string, len(l.Choices))
	for i, ch := range l.Choices {
		names[i] = ch.Name
	}
	return "Expected one of " + strings.Join(names, ", ") + " (or their labels in English, French or Spanish)."
}
