package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
)

// a7CoverInfo is what the cover page (or the cells above a table) says.
type a7CoverInfo struct {
	countryText, countrySheet, countryRef string
	periodSheet, periodRef                string
	formH                                 string // formh.FormHChanged, …, "" when not stated
	formHYear                             int
	formHSheet, formHRef                  string
}

// Labels of cover fields, folded.
var (
	a7CountryLabels = a7Set("state", "state party", "name of state", "name of state party", "country", "pays",
		"etat", "etat partie", "nom de l etat", "nom de l etat partie", "estado", "estado parte",
		"nombre del estado", "nombre del estado parte", "pais", "country name", "nom du pays", "nombre del pais")
	a7PeriodLabels = a7Folded("reporting period", "reporting time period", "period covered", "period", "periode",
		"periode couverte", "periode de rapport", "periode du rapport", "periodo", "periodo cubierto",
		"periodo del informe", "periodo que abarca el informe", "periodo de presentacion de informes")
	a7KindVoluntary = a7Folded("voluntary report", "rapport volontaire", "informe voluntario", "voluntary")
	a7KindInitial   = a7Folded("initial report", "rapport initial", "informe inicial", "initial article 7 report")
	a7KindAnnual    = a7Folded("annual report", "rapport annuel", "informe anual", "annual article 7 report", "annual update")
	a7YearLabels    = a7Set("year", "reporting year", "annee", "annee du rapport", "ano", "ano del informe")
	a7SubmitLabels  = a7Set("date of submission", "submission date", "date submitted", "date de soumission",
		"date de presentation", "date de remise", "fecha de presentacion", "fecha de envio", "fecha de entrega")
	a7FormLabel = regexp.MustCompile(`^(form|formulaire|formulario) ([a-j])( |$)`)
	a7YearRe    = regexp.MustCompile(`(?:^|[^0-9])((?:19|20|21)[0-9]{2})(?:[^0-9]|$)`)
	a7Fillers   = regexp.MustCompile(`\([^)]*\)|\[[^\]]*\]|[._…]{2,}|_+`)
)

// a7CoverRows is how far down each sheet the reader looks for cover fields.
const a7CoverRows = 300

func a7Set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[normalize.Fold(w)] = true
	}
	return m
}

// a7SplitLabel cuts "Pays : Liban" into its label and value.
func a7SplitLabel(v string) (label, value string, ok bool) {
	for _, sep := range []string{":", "："} {
		if l, r, found := strings.Cut(v, sep); found {
			return strings.TrimSpace(l), strings.TrimSpace(r), true
		}
	}
	return strings.TrimSpace(v), "", false
}

// a7Clean removes the placeholders a blank form carries ("______",
// "(dd/mm/yyyy)", "[Party]").
func a7Clean(v string) string {
	return strings.TrimSpace(a7Fillers.ReplaceAllString(v, " "))
}

// cellText renders a cell for reading dates: a spreadsheet date serial
// becomes dd/mm/yyyy.
func (wb *a7Workbook) cellText(v string) string {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 20000 && f < 80000 {
		return normalize.ExcelDate(f, wb.date1904).Format("02/01/2006")
	}
	return v
}

// a7Rest returns the texts right of column c in row r, up to the next
// cover-form label.
func a7Rest(row []string, c int) []string {
	var out []string
	for j := c + 1; j < len(row); j++ {
		v := strings.TrimSpace(row[j])
		if v == "" {
			continue
		}
		if a7FormLabel.MatchString(normalize.Fold(v)) {
			break
		}
		out = append(out, v)
	}
	return out
}

// cover reads country, period, kind, submission date and the status of
// Form H from wherever the workbook states them.
func (wb *a7Workbook) cover(in Input, rep *schema.Report) a7CoverInfo {
	var ci a7CoverInfo
	var yearOnly int
	var yearSheet, yearRef string
	kind := ""
	for _, s := range wb.sheets {
		for r, row := range s.Grid {
			if r >= a7CoverRows {
				break
			}
			for c, raw := range row {
				v := strings.TrimSpace(raw)
				if v == "" || wb.inTable(s.Name, r, c) {
					continue
				}
				ref := a7Ref0(c, r)
				label, value, _ := a7SplitLabel(v)
				lk := normalize.Fold(a7Clean(label))
				k := normalize.Fold(v)
				after := func() []string { return a7Rest(row, c) }
				first := func() string {
					if value = a7Clean(value); value != "" {
						return value
					}
					for _, a := range after() {
						if a = a7Clean(a); a != "" {
							return a
						}
					}
					return ""
				}
				switch {
				case a7CountryLabels[lk] && ci.countryText == "":
					if val := first(); val != "" {
						ci.countryText, ci.countrySheet, ci.countryRef = val, s.Name, ref
					}
				case a7StartsWithAny(lk, a7PeriodLabels) && rep.PeriodStart.IsZero():
					if a, b, ok := wb.period(v, after()); ok {
						rep.PeriodStart, rep.PeriodEnd = a, b
						ci.periodSheet, ci.periodRef = s.Name, ref
					}
				case a7YearLabels[lk] && yearOnly == 0:
					if y, err := strconv.Atoi(first()); err == nil && y >= 1960 && y <= 2200 {
						yearOnly, yearSheet, yearRef = y, s.Name, ref
					}
				case a7SubmitLabels[lk] && rep.SubmittedOn == nil:
					if d, err := normalize.Date(wb.cellText(first())); err == nil {
						rep.SubmittedOn = &d
					}
				case a7FormLabel.MatchString(k) && strings.HasSuffix(a7FormLabel.FindStringSubmatch(k)[2], "h") && ci.formH == "":
					status, year, ok := a7FormStatus(v, after())
					switch {
					case ok:
						ci.formH, ci.formHYear, ci.formHSheet, ci.formHRef = status, year, s.Name, ref
					case status == "?":
						wb.issue(schema.SevWarning, s.Name, ref, schema.CodeFormStatus,
							"The status of Form H (changed / unchanged / not applicable) could not be read here; vahub reads the form as changed.")
					}
				}
				if kind == "" {
					kind = a7ReportKind(k)
				}
			}
		}
	}
	if kind != "" {
		rep.Kind = kind
	}
	if rep.PeriodStart.IsZero() && yearOnly != 0 {
		rep.PeriodStart = time.Date(yearOnly, 1, 1, 0, 0, 0, 0, time.UTC)
		rep.PeriodEnd = time.Date(yearOnly, 12, 31, 0, 0, 0, 0, time.UTC)
		ci.periodSheet, ci.periodRef = yearSheet, yearRef
	}
	if !rep.PeriodEnd.IsZero() {
		rep.Year = rep.PeriodEnd.Year()
	}
	if ci.countryText != "" {
		if code, ok := normalize.Country(ci.countryText); ok {
			rep.Country = code
		} else {
			sev := schema.SevError
			if in.Country != "" {
				sev = schema.SevWarning
			}
			wb.issue(sev, ci.countrySheet, ci.countryRef, schema.CodeUnknownCountry,
				fmt.Sprintf("%q is not a country or area vahub knows. Write its name in English, French or Spanish, or its ISO code (e.g. LBN).", ci.countryText))
		}
	}
	return ci
}

func a7Ref0(c, r int) string { return formh.Ref(c+1, r+1) }

func a7StartsWithAny(k string, words []string) bool {
	for _, w := range words {
		if k == w || strings.HasPrefix(k, w+" ") {
			return true
		}
	}
	return false
}

// period reads "Période : du 01/01/2024 au 31/12/2024" from the cell alone
// or with the cells to its right ("Reporting period" | 01/01/2024 | to | 31/12/2024).
func (wb *a7Workbook) period(cell string, after []string) (time.Time, time.Time, bool) {
	try := func(s string) (time.Time, time.Time, bool) {
		a, b, err := normalize.Period(a7Clean(s))
		return a, b, err == nil
	}
	if a, b, ok := try(cell); ok {
		return a, b, true
	}
	parts := []string{cell}
	for _, v := range after {
		parts = append(parts, wb.cellText(v))
	}
	return try(strings.Join(parts, " "))
}

// a7ReportKind finds "initial report", "voluntary report" and the like.
func a7ReportKind(k string) string {
	switch {
	case a7ContainsWords(k, a7KindVoluntary):
		return "voluntary"
	case a7ContainsWords(k, a7KindInitial):
		return "initial"
	case a7ContainsWords(k, a7KindAnnual):
		return "annual"
	}
	return ""
}

// a7LowerPlain lower-cases and strips accents but keeps every other
// character (check boxes, parentheses), unlike Fold.
func a7LowerPlain(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

type a7StatusWord struct {
	text, status string
}

// Options of the cover page, longest first where one contains another.
var a7StatusWords = []a7StatusWord{
	{"unchanged", formh.FormHUnchanged}, {"inchangee", formh.FormHUnchanged}, {"inchange", formh.FormHUnchanged},
	{"sans changement", formh.FormHUnchanged}, {"sin cambios", formh.FormHUnchanged}, {"sin cambio", formh.FormHUnchanged},
	{"sin modificaciones", formh.FormHUnchanged}, {"sin modificacion", formh.FormHUnchanged}, {"no change", formh.FormHUnchanged},
	{"not applicable", formh.FormHNotApplicable}, {"non applicable", formh.FormHNotApplicable},
	{"non-applicable", formh.FormHNotApplicable}, {"sans objet", formh.FormHNotApplicable},
	{"no aplicable", formh.FormHNotApplicable}, {"no aplica", formh.FormHNotApplicable}, {"n/a", formh.FormHNotApplicable},
	{"changed", formh.FormHChanged}, {"modifiee", formh.FormHChanged}, {"modifie", formh.FormHChanged},
	{"modificado", formh.FormHChanged}, {"modificada", formh.FormHChanged}, {"change", formh.FormHChanged},
}

var a7CheckMarks = []string{"☒", "☑", "✓", "✔", "✗", "✘", "■", "[x]", "(x)", "x"}

type a7Option struct {
	status   string
	at, end  int  // byte offsets in the joined text
	checked  bool // a check mark right before it
	unmarked bool // an empty box right before it
}

// a7FormStatus reads the status of a form from its cover line: the label
// cell and the cells right of it. ok is false when no status is stated;
// status "?" when several options are listed and none is marked.
func a7FormStatus(cell string, after []string) (status string, year int, ok bool) {
	_, tail, _ := a7SplitLabel(cell)
	segs := append([]string{tail}, after...)
	text := a7LowerPlain(strings.Join(segs, " | "))
	var opts []a7Option
	for i := 0; i < len(text); {
		matched := false
		for _, w := range a7StatusWords {
			if strings.HasPrefix(text[i:], w.text) && (i == 0 || !a7IsLetter(text[i-1])) &&
				(i+len(w.text) == len(text) || !a7IsLetter(text[i+len(w.text)])) {
				opts = append(opts, a7Option{status: w.status, at: i, end: i + len(w.text)})
				i += len(w.text)
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	if len(opts) == 0 {
		return "", 0, false
	}
	for j := range opts {
		from := 0
		if j > 0 {
			from = opts[j-1].end
		}
		before := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(text[from:opts[j].at]), "|: "))
		for _, m := range a7CheckMarks {
			if strings.HasSuffix(before, m) && (m != "x" || len(before) == 1 || !a7IsLetter(before[len(before)-2])) {
				opts[j].checked = true
			}
		}
		for _, m := range []string{"☐", "□", "[ ]", "( )", "[]", "()"} {
			if strings.HasSuffix(before, m) {
				opts[j].unmarked = true
			}
		}
	}
	chosen := -1
	switch {
	case len(opts) == 1 && !opts[0].unmarked:
		chosen = 0
	default:
		n := 0
		for j, o := range opts {
			if o.checked {
				chosen = j
				n++
			}
		}
		if n != 1 {
			return "?", 0, false
		}
	}
	o := opts[chosen]
	if o.status == formh.FormHUnchanged {
		end := len(text)
		if chosen+1 < len(opts) {
			end = opts[chosen+1].at
		}
		if m := a7YearRe.FindStringSubmatch(text[o.end:end]); m != nil {
			year, _ = strconv.Atoi(m[1])
		}
	}
	return o.status, year, true
}

func a7IsLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80 }

// Commitments: folded key words, tried in this order.
var a7CommitmentWords = []struct {
	code  string
	words []string
}{
	{"plan_budgeted", []string{"budget", "presupuest", "plan chiffre"}},
	{"disaggregated_data", []string{"disaggregat", "desagreg", "ventile", "desglos"}},
	{"referral_mechanism", []string{"referral", "mecanisme d orientation", "orientation", "referencement", "remision", "derivacion",
		"directory of services", "repertoire des services", "directorio de servicios"}},
	{"victims_in_coordination", nil}, // see a7CommitmentOf
	{"national_plan", []string{"national plan", "plan national", "plan nacional", "national action plan",
		"plan d action national", "plan de accion nacional", "plan de accion", "plan d action"}},
	{"focal_point", []string{"focal point", "point focal", "punto focal", "focal"}},
	{"report_submitted", []string{"form h submitted", "formulaire h soumis", "formulario h presentado"}},
}

func a7CommitmentOf(k string) string {
	victims := strings.Contains(k, "victim") || strings.Contains(k, "survivor") || strings.Contains(k, "survivant") ||
		strings.Contains(k, "sobreviviente") || strings.Contains(k, "superviviente")
	involved := strings.Contains(k, "coordinat") || strings.Contains(k, "coordinac") || strings.Contains(k, "particip") ||
		strings.Contains(k, "involv") || strings.Contains(k, "associe") || strings.Contains(k, "implic")
	for _, c := range a7CommitmentWords {
		if c.code == "victims_in_coordination" {
			if victims && involved {
				return c.code
			}
			continue
		}
		for _, w := range c.words {
			if strings.Contains(k, w) {
				return c.code
			}
		}
	}
	return ""
}

// a7Answer reads a yes/no/partial/unknown answer written as a word.
func a7Answer(v string) (string, bool) {
	k := normalize.Fold(v)
	if len(k) < 2 || strings.Trim(k, "0123456789 ") == "" {
		return "", false
	}
	return normalize.Status(v)
}

// commitments reads the yes/no statements of Form H: a statement cell
// with its answer in the same cell ("Focal point designated: yes") or
// to its right, and the next text as detail.
func (wb *a7Workbook) commitments() []schema.Commitment {
	var out []schema.Commitment
	seen := map[string]string{}
	for _, s := range wb.sheets {
		for r, row := range s.Grid {
			for c, raw := range row {
				v := strings.TrimSpace(raw)
				if v == "" || wb.inTable(s.Name, r, c) {
					continue
				}
				label, value, _ := a7SplitLabel(strings.TrimSuffix(strings.ReplaceAll(v, "?", ":"), ":"))
				code := a7CommitmentOf(normalize.Fold(label))
				if code == "" {
					continue
				}
				status, ok := "", false
				at := a7Ref0(c, r)
				detail := ""
				if value != "" {
					status, ok = a7Answer(value)
				}
				if !ok {
					for j := c + 1; j < len(row); j++ {
						w := strings.TrimSpace(row[j])
						if w == "" {
							continue
						}
						if status, ok = a7Answer(w); ok {
							at = a7Ref0(j, r)
							for k := j + 1; k < len(row); k++ {
								if d := strings.TrimSpace(row[k]); d != "" {
									detail = d
									break
								}
							}
						}
						break
					}
				}
				if !ok {
					continue
				}
				if prev, dup := seen[code]; dup {
					if prev != status {
						wb.issue(schema.SevWarning, s.Name, at, schema.CodeDuplicateFigure,
							fmt.Sprintf("The commitment %q is answered twice, %q and %q; vahub keeps the first answer.", code, prev, status))
					}
					continue
				}
				seen[code] = status
				out = append(out, schema.Commitment{Code: code, Status: status, Detail: detail, Cell: schema.Cell{Sheet: s.Name, Ref: at}})
			}
		}
	}
	return out
}

func (wb *a7Workbook) inTable(sheet string, r, c int) bool {
	for _, t := range wb.found {
		if t.Sheet == sheet && r >= t.Top && r <= t.Bottom && c >= t.Left && c <= t.Right {
			return true
		}
	}
	return false
}

// finish applies --country and --year, checks that the report knows its
// country and period, and applies the cover's Form H status.
func (wb *a7Workbook) finish(in Input, rep *schema.Report, ci a7CoverInfo) {
	applyOverrides(rep, in, &wb.issues)
	first := ""
	if len(wb.sheets) > 0 {
		first = wb.sheets[0].Name
	}
	if rep.Country == "" {
		wb.issue(schema.SevError, first, "", schema.CodeMissingCountry,
			"The file does not say which country it reports on (no \"Country:\", \"State:\", \"Pays :\" or \"País:\" cell) and no --country was given. Add the country to the file or pass --country with its ISO code.")
	}
	if rep.Year == 0 {
		wb.issue(schema.SevError, first, "", schema.CodeMissingPeriod,
			"The file does not say which period it covers (no \"Reporting period:\", \"Période :\" or \"Período:\" cell) and no --year was given. Add the period to the file or pass --year.")
	} else if rep.PeriodStart.Year() != rep.PeriodEnd.Year() && rep.Kind != "initial" && in.Year == 0 {
		wb.issue(schema.SevWarning, ci.periodSheet, ci.periodRef, schema.CodePeriodOutside,
			fmt.Sprintf("The period %s – %s is not one calendar year; the report is filed under %d.",
				rep.PeriodStart.Format("02/01/2006"), rep.PeriodEnd.Format("02/01/2006"), rep.Year))
	}
	numbers := len(rep.Casualties) + len(rep.Services)
	switch {
	case ci.formH == formh.FormHUnchanged && ci.formHYear == 0:
		wb.localized(schema.SevWarning, ci.formHSheet, ci.formHRef, schema.CodeCarriedNoSource+".noyear")
	case ci.formH == formh.FormHUnchanged && numbers == 0:
		rep.CarryForwardFrom = ci.formHYear
		wb.localized(schema.SevWarning, ci.formHSheet, ci.formHRef, schema.CodeCarriedNoSource, ci.formHYear)
	case ci.formH == formh.FormHUnchanged:
		carry := func(v *schema.Value) {
			if v.State == schema.StateReported {
				v.State, v.CarriedFrom = schema.StateCarriedForward, ci.formHYear
			}
		}
		for i := range rep.Casualties {
			carry(&rep.Casualties[i].Value)
		}
		for i := range rep.Services {
			carry(&rep.Services[i].Value)
		}
	}
	if rep.FactCount() == 0 && rep.CarryForwardFrom == 0 {
		switch {
		case ci.formH == formh.FormHNotApplicable:
			wb.localized(schema.SevWarning, ci.formHSheet, ci.formHRef, schema.CodeNoFacts+".not_applicable")
		case ci.formH == formh.FormHUnchanged: // warned above
		default:
			wb.issue(schema.SevError, first, "", schema.CodeNoFacts,
				"No casualty or service figures and no commitment answers were found in this workbook. "+
					"vahub reads tables with sex/age headers (men, women, boys, girls) and killed/injured or in need/reached headers, in English, French or Spanish.")
		}
	}
}
