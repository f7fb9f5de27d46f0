package survey

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// XLSForm is the three sheets of an XLSForm (xlsform.org) as rows of cell
// texts, the header row first. It is what exports writes to a workbook and
// what ingest reads back from one, so the XLSForm rules are checked here
// without any I/O.
type XLSForm struct {
	Survey, Choices, Settings [][]string
}

// XLSForm lays the form out as XLSForm sheets: one label, hint and
// constraint-message column per language ("label::English (en)"), groups as
// begin_group/end_group rows, settings with form_id, version and the
// default language.
func (f *Form) XLSForm() XLSForm {
	langs := Languages()
	header := []string{"type", "name"}
	for _, col := range []string{"label", "hint"} {
		for _, l := range langs {
			header = append(header, col+"::"+l.Column())
		}
	}
	header = append(header, "required", "relevant", "constraint")
	for _, l := range langs {
		header = append(header, "constraint_message::"+l.Column())
	}
	header = append(header, "appearance")
	x := XLSForm{Survey: [][]string{header}}
	for _, it := range f.Items {
		row := []string{it.XLSType(), it.Name}
		for _, t := range []Text{it.Label, it.Hint} {
			for _, l := range langs {
				row = append(row, t.In(l.Code))
			}
		}
		req := ""
		if it.Required {
			req = "yes"
		}
		row = append(row, req, it.Relevant, it.Constraint)
		for _, l := range langs {
			row = append(row, it.ConstraintMessage.In(l.Code))
		}
		x.Survey = append(x.Survey, append(row, it.Appearance))
	}
	ch := []string{"list_name", "name"}
	for _, l := range langs {
		ch = append(ch, "label::"+l.Column())
	}
	x.Choices = [][]string{ch}
	for _, list := range f.Lists {
		for _, c := range list.Choices {
			row := []string{list.Name, c.Name}
			for _, l := range langs {
				row = append(row, c.Label.In(l.Code))
			}
			x.Choices = append(x.Choices, row)
		}
	}
	x.Settings = [][]string{
		{"form_title", "form_id", "version", "default_language"},
		{f.Title.In("en"), f.ID, f.Version, langs[0].Column()},
	}
	return x
}

// xlsTypes are the XLSForm question types (xlsform.org, pyxform 2.x), with
// begin/end written with an underscore; a type with a list (select_one
// LIST) is listed by its first word.
var xlsTypes = map[string]bool{
	"integer": true, "decimal": true, "range": true, "text": true, "select_one": true, "select_multiple": true,
	"select_one_from_file": true, "select_multiple_from_file": true, "rank": true, "note": true,
	"geopoint": true, "geotrace": true, "geoshape": true, "date": true, "time": true, "datetime": true,
	"image": true, "audio": true, "background-audio": true, "video": true, "file": true, "barcode": true,
	"calculate": true, "acknowledge": true, "trigger": true, "hidden": true, "xml-external": true, "csv-external": true,
	"start": true, "end": true, "today": true, "deviceid": true, "phonenumber": true, "username": true,
	"email": true, "audit": true, "start-geopoint": true, "simserial": true, "subscriberid": true,
	"begin_group": true, "end_group": true, "begin_repeat": true, "end_repeat": true,
}

// xlsUnlabelled are the types that take no label: metadata, calculations
// and group ends.
var xlsUnlabelled = map[string]bool{
	"calculate": true, "hidden": true, "start": true, "end": true, "today": true, "deviceid": true,
	"phonenumber": true, "username": true, "email": true, "audit": true, "start-geopoint": true,
	"simserial": true, "subscriberid": true, "end_group": true, "end_repeat": true, "xml-external": true,
	"csv-external": true,
}

// xlsName is XLSForm's rule for names: they become XML element names.
var xlsName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

var xlsRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// xlsSheet is an XLSForm sheet with its columns found by header.
type xlsSheet struct {
	rows   [][]string // data rows, after the header
	first  int        // 1-based sheet row of rows[0]
	col    map[string]int
	langs  map[string][]int // "label" -> columns of label::X, in order
	langOf map[int]string
}

// xlsHeader finds the header row (the first of the first ten rows with the
// key columns) and indexes its columns. Column names are matched as pyxform
// does: case aside, "list name" as "list_name".
func xlsHeader(rows [][]string, keys ...string) (*xlsSheet, bool) {
	for i, row := range rows[:min(len(rows), 10)] {
		s := &xlsSheet{col: map[string]int{}, langs: map[string][]int{}, langOf: map[int]string{}}
		for j, h := range row {
			h = strings.ToLower(strings.TrimSpace(h))
			h = strings.ReplaceAll(h, "list name", "list_name")
			base, _, hasLang := strings.Cut(h, "::")
			if !hasLang {
				base, _, hasLang = strings.Cut(h, ":")
			}
			base = strings.TrimSpace(base)
			if hasLang {
				s.langs[base] = append(s.langs[base], j)
				s.langOf[j] = headerLang(row[j])
				continue
			}
			if _, dup := s.col[h]; !dup && h != "" {
				s.col[h] = j
			}
		}
		ok := true
		for _, k := range keys {
			if _, found := s.col[k]; !found {
				ok = false
			}
		}
		if ok {
			s.rows, s.first = rows[i+1:], i+2
			return s, true
		}
	}
	return nil, false
}

// headerLang is the language part of "label::English (en)", as written.
func headerLang(h string) string {
	if _, l, ok := strings.Cut(h, "::"); ok {
		return strings.TrimSpace(l)
	}
	_, l, _ := strings.Cut(h, ":")
	return strings.TrimSpace(l)
}

func (s *xlsSheet) get(row []string, key string) string {
	j, ok := s.col[key]
	if !ok || j >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[j])
}

// texts returns the row's texts of a column (label, hint …): the plain
// column under "", each language column under its header suffix.
func (s *xlsSheet) texts(row []string, base string) map[string]string {
	out := map[string]string{}
	if v := s.get(row, base); v != "" {
		out[""] = v
	}
	for _, j := range s.langs[base] {
		if j < len(row) && strings.TrimSpace(row[j]) != "" {
			out[s.langOf[j]] = strings.TrimSpace(row[j])
		}
	}
	return out
}

func (s *xlsSheet) languages(base string) []string {
	var out []string
	for _, j := range s.langs[base] {
		out = append(out, s.langOf[j])
	}
	if _, ok := s.col[base]; ok {
		out = append(out, "")
	}
	return out
}

func blankRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// xlsType splits a type cell into its normalized type ("begin group" and
// "begin_group" alike, lower case) and its list name.
func xlsType(cell string) (typ, list string) {
	f := strings.Fields(strings.TrimSpace(cell))
	if len(f) == 0 {
		return "", ""
	}
	typ = strings.ToLower(f[0])
	if (typ == "begin" || typ == "end") && len(f) > 1 {
		return typ + "_" + strings.ToLower(f[1]), strings.Join(f[2:], " ")
	}
	if len(f) > 1 {
		// "select_one LIST or_other" keeps LIST; "select one" is
		// pyxform's old spelling.
		if (typ == "select" || typ == "select_one" || typ == "select_multiple") && (f[1] == "one" || f[1] == "multiple") {
			typ, f = "select_"+f[1], f[1:]
		}
		list = f[1]
	}
	return typ, list
}

// ValidateXLSForm checks x against the XLSForm rules vahub relies on for
// KoboToolbox and ODK to accept a form: the survey sheet has type, name
// and label columns; every type is an XLSForm type; names are valid XML
// names and unique; groups and repeats open and close in order; every
// select list exists in choices with at least one choice, choice names
// unique within their list; ${name} references in relevant, constraint,
// calculation and choice_filter name questions of the form; every label,
// hint, constraint message and choice label present in one language is
// present in all of them; settings give form_id and version, and the
// default language is one of the label languages. It returns every
// problem found, joined, or nil.
func ValidateXLSForm(x XLSForm) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	sv, ok := xlsHeader(x.Survey, "type", "name")
	if !ok {
		return errors.New("survey sheet: no header row with type and name columns")
	}
	labelLangs := sv.languages("label")
	if len(labelLangs) == 0 {
		bad("survey sheet: no label column")
	}
	ch, ok := xlsHeader(x.Choices, "list_name", "name")
	if !ok {
		bad("choices sheet: no header row with list_name and name columns")
	}
	lists := map[string][]string{}
	if ch != nil {
		for i, row := range ch.rows {
			if blankRow(row) {
				continue
			}
			r := ch.first + i
			list, name := ch.get(row, "list_name"), ch.get(row, "name")
			if list == "" || name == "" {
				bad("choices row %d: list_name and name are required", r)
				continue
			}
			if slices.Contains(lists[list], name) {
				bad("choices row %d: %s is twice in list %s", r, name, list)
			}
			lists[list] = append(lists[list], name)
			checkLangs(ch.texts(row, "label"), ch.languages("label"), fmt.Sprintf("choices row %d (%s %s): label", r, list, name), bad)
		}
	}

	names := map[string]int{}
	type open struct{ kind, name string }
	var stack []open
	type ref struct {
		row  int
		expr string
	}
	var refs []ref
	for i, row := range sv.rows {
		if blankRow(row) {
			continue
		}
		r := sv.first + i
		cell := sv.get(row, "type")
		typ, list := xlsType(cell)
		name := sv.get(row, "name")
		switch {
		case typ == "":
			bad("survey row %d: no type", r)
			continue
		case !xlsTypes[typ]:
			bad("survey row %d: unknown type %q", r, cell)
			continue
		}
		switch typ {
		case "begin_group", "begin_repeat":
			stack = append(stack, open{strings.TrimPrefix(typ, "begin_"), name})
		case "end_group", "end_repeat":
			kind := strings.TrimPrefix(typ, "end_")
			if len(stack) == 0 || stack[len(stack)-1].kind != kind {
				bad("survey row %d: %s without a matching begin_%s", r, typ, kind)
			} else {
				stack = stack[:len(stack)-1]
			}
			continue // the name of an end row is optional and repeats the begin's
		}
		switch {
		case name == "":
			bad("survey row %d: %s without a name", r, typ)
		case !xlsName.MatchString(name):
			bad("survey row %d: name %q is not a valid XML name (letters, digits, _ - . ; not starting with a digit)", r, name)
		case names[name] != 0:
			bad("survey row %d: name %s is already used on row %d", r, name, names[name])
		default:
			names[name] = r
		}
		if strings.HasPrefix(typ, "select_") && !strings.HasSuffix(typ, "_from_file") || typ == "rank" {
			switch {
			case list == "":
				bad("survey row %d: %s without a choice list", r, typ)
			case len(lists[list]) == 0:
				bad("survey row %d: choice list %s has no choices", r, list)
			}
		}
		labels := sv.texts(row, "label")
		if !xlsUnlabelled[typ] && !strings.HasPrefix(typ, "begin_") && len(labels) == 0 {
			bad("survey row %d (%s): no label", r, name)
		}
		what := fmt.Sprintf("survey row %d (%s)", r, name)
		checkLangs(labels, labelLangs, what+": label", bad)
		checkLangs(sv.texts(row, "hint"), sv.languages("hint"), what+": hint", bad)
		if sv.get(row, "constraint") != "" {
			checkLangs(sv.texts(row, "constraint_message"), sv.languages("constraint_message"), what+": constraint_message", bad)
		}
		switch strings.ToLower(sv.get(row, "required")) {
		case "", "yes", "no", "true", "false", "true()", "false()", "1", "0":
		default:
			bad("%s: required is %q, not yes or no", what, sv.get(row, "required"))
		}
		for _, col := range []string{"relevant", "constraint", "calculation", "choice_filter", "required", "default"} {
			expr := sv.get(row, col)
			if expr == "" {
				continue
			}
			if err := checkExpr(expr); err != nil {
				bad("%s: %s %q: %v", what, col, expr, err)
			}
			refs = append(refs, ref{r, expr})
		}
	}
	for _, o := range stack {
		bad("survey: begin_%s %s is never closed", o.kind, o.name)
	}
	for _, rf := range refs {
		for _, m := range xlsRef.FindAllStringSubmatch(rf.expr, -1) {
			if names[m[1]] == 0 {
				bad("survey row %d: ${%s} names no question of the form", rf.row, m[1])
			}
		}
	}

	st, ok := xlsHeader(x.Settings, "form_id")
	switch {
	case !ok:
		bad("settings sheet: no form_id column")
	case len(st.rows) == 0:
		bad("settings sheet: no row under the header")
	default:
		row := st.rows[0]
		id := st.get(row, "form_id")
		if !xlsName.MatchString(id) {
			bad("settings: form_id %q is not a valid XML name", id)
		}
		if st.get(row, "version") == "" {
			bad("settings: no version")
		}
		if dl := st.get(row, "default_language"); dl != "" && !slices.Contains(labelLangs, dl) {
			bad("settings: default_language %q is not one of the label languages %q", dl, labelLangs)
		}
	}
	return errors.Join(errs...)
}

// checkLangs: a text given in one language must be given in all.
func checkLangs(texts map[string]string, langs []string, what string, bad func(string, ...any)) {
	if len(texts) == 0 {
		return
	}
	for _, l := range langs {
		if texts[l] == "" {
			bad("%s missing in %q", what, cmpLang(l))
		}
	}
}

func cmpLang(l string) string {
	if l == "" {
		return "the default column"
	}
	return l
}

// checkExpr catches the slips that make ODK reject an XPath expression:
// unbalanced quotes, parentheses or ${ } references.
func checkExpr(expr string) error {
	depth := 0
	var quote rune
	for i, r := range expr {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("')' at %d closes nothing", i)
			}
		case r == '$' && !strings.HasPrefix(expr[i:], "${"):
			return fmt.Errorf("'$' at %d not followed by '{'", i)
		}
	}
	switch {
	case quote != 0:
		return errors.New("a quote is never closed")
	case depth != 0:
		return errors.New("a parenthesis is never closed")
	case strings.Count(expr, "${") != strings.Count(expr, "}"):
		return errors.New("a ${ is never closed")
	}
	return nil
}

// Definition describes an XLSForm: what ingest tells a user who loads the
// survey definition instead of its data.
type Definition struct {
	FormID, Title, Version string
	Questions              []string // names of the rows that carry answers
	Languages              []string // label language columns, "English (en)"; none for a plain label column
	// Ours: the form is vahub's standard form (form_id and questions).
	Ours bool
	// Differences says how a form that claims vahub's form_id, or asks
	// all of vahub's questions, differs from it; "" otherwise.
	Differences string
	// WG lists the form's questions that look like the Washington Group
	// Short Set under other names (wgq_vision, wg1 …).
	WG []string
}

// DescribeXLSForm reads what an XLSForm is. ok is false when x is not an
// XLSForm (no survey sheet with type and name columns).
func DescribeXLSForm(x XLSForm) (d Definition, ok bool) {
	sv, ok := xlsHeader(x.Survey, "type", "name")
	if !ok {
		return Definition{}, false
	}
	for _, l := range sv.languages("label") {
		if l != "" { // the plain label column names no language
			d.Languages = append(d.Languages, l)
		}
	}
	for _, row := range sv.rows {
		typ, _ := xlsType(sv.get(row, "type"))
		name := sv.get(row, "name")
		if name == "" || !xlsTypes[typ] || typ == "note" || strings.HasPrefix(typ, "begin_") || strings.HasPrefix(typ, "end_") {
			continue
		}
		d.Questions = append(d.Questions, name)
		if looksWG(name, sv.texts(row, "label")) {
			d.WG = append(d.WG, name)
		}
	}
	if st, ok := xlsHeader(x.Settings, "form_id"); ok && len(st.rows) > 0 {
		d.FormID = st.get(st.rows[0], "form_id")
		d.Title = st.get(st.rows[0], "form_title")
		d.Version = st.get(st.rows[0], "version")
	}
	std := Standard()
	var want []string
	for _, q := range std.questions {
		want = append(want, q.Name)
	}
	sameQuestions := slices.Equal(d.Questions, want)
	d.Ours = d.FormID == std.ID && sameQuestions
	var missing, extra []string
	for _, n := range want {
		if !slices.Contains(d.Questions, n) {
			missing = append(missing, n)
		}
	}
	for _, n := range d.Questions {
		if !slices.Contains(want, n) {
			extra = append(extra, n)
		}
	}
	switch {
	case d.Ours:
	case d.FormID == std.ID:
		d.Differences = fmt.Sprintf("its form_id is vahub's (%s) but its questions differ%s", std.ID, listDiff(missing, extra))
	case len(missing) == 0:
		d.Differences = fmt.Sprintf("it asks all of vahub's questions but its form_id is %q, not %s", d.FormID, std.ID)
		if len(extra) > 0 {
			d.Differences += listDiff(nil, extra)
		}
	}
	return d, true
}

func listDiff(missing, extra []string) string {
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+strings.Join(missing[:min(len(missing), 5)], ", "))
	}
	if len(extra) > 0 {
		parts = append(parts, "extra "+strings.Join(extra[:min(len(extra), 5)], ", "))
	}
	if len(parts) == 0 {
		return " (order)"
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// looksWG: a question named like a Washington Group question (wg…,
// wgq_…) or whose English label is one of the Short Set's.
func looksWG(name string, labels map[string]string) bool {
	n := strings.ToLower(name)
	if strings.HasPrefix(n, "wg") {
		return true
	}
	for _, l := range labels {
		k := Fold(l)
		for _, p := range []string{"difficulty seeing", "difficulty hearing", "difficulty walking", "difficulty remembering",
			"difficulty with self care", "difficulty washing", "difficulty communicating"} {
			if strings.Contains(k, p) {
				return true
			}
		}
	}
	return false
}
