// Package submission reads survey submissions sent directly to vahub: the
// JSON body of the submission API and the XML instance ODK Collect and
// Enketo post through OpenRosa. Both become an Envelope (instance ids and
// answers by path), which Record checks against the standard form and turns
// into a survey.Record, or into a list of field errors saying what each
// answer should have been.
//
// Direct submissions come from the form itself, so they carry codes, not
// labels: a value that is not one of the form's codes is an error here,
// where an import of a tool's export would map labels.
package submission

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vahub/vahub/normalize/countries"
	"github.com/vahub/vahub/schema/survey"
)

// Envelope is one submission as sent: its identity and its answers, not yet
// checked against the form.
type Envelope struct {
	InstanceID   string
	DeprecatedID string
	// FormID is the form the client says it filled ("" when it does not
	// say: the JSON API names the form in the URL).
	FormID      string
	FormVersion string
	Answers     []Answer
}

// Answer is one answer by its path in the submission: "age",
// "wg_ss/wg_seeing", "needs-need_rehabilitation".
type Answer struct {
	Path  string
	Value string
	// Problem is set when the value could not be an answer at all (a JSON
	// list or true); Value is then empty.
	Problem string
}

// FieldError says what is wrong with one answer and what was expected.
type FieldError struct {
	Field    string   `json:"field"`
	Message  string   `json:"error"`
	Expected []string `json:"expected,omitempty"`
}

// Errors are the field errors of a submission that cannot be stored.
type Errors []FieldError

func (e Errors) Error() string {
	parts := make([]string, 0, len(e))
	for _, f := range e {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "submission: " + strings.Join(parts, "; ")
}

// DecodeError is a body that is not a submission at all (malformed JSON or
// XML, the wrong shape): the client's fault, answered 400.
type DecodeError struct{ msg string }

func (e *DecodeError) Error() string { return e.msg }

func decodeErrorf(format string, args ...any) error {
	return &DecodeError{msg: fmt.Sprintf(format, args...)}
}

// ErrUnknownForm: the submission is for another form than vahub's survey.
var ErrUnknownForm = errors.New("submission: not vahub's survey form")

// Options of Record.
type Options struct {
	// Now is the time of receipt: the record's SubmittedAt, the year of a
	// record without an interview date, and the limit of dates.
	Now time.Time
	// Source is survey.SourceAPI or survey.SourceOpenRosa.
	Source string
	// DefaultCountry counts a refusal that names no country (the form asks
	// the country only after consent): the enumerator's only country. ""
	// makes such a refusal an error.
	DefaultCountry string
}

// Limits on what a submission may hold.
const (
	maxIDLen    = 128
	maxTextLen  = 200
	maxAnswers  = 500
	minAge      = 0
	maxAge      = 120 // the form's constraint
	minIncident = 1940
	minYear     = 1960 // survey_record's range
	maxYear     = 2200
)

// metadataNames are answers a tool adds that are not questions: ODK's
// metadata questions and Kobo's bookkeeping. They are dropped, never stored
// (some, like phonenumber or email, would be personal data).
var metadataNames = []string{"start", "end", "today", "deviceid", "phonenumber", "simserial", "subscriberid",
	"username", "email", "audit", "start-geopoint", "instanceName", "instanceID", "deprecatedID"}

// Record checks e against form and returns the record to store. A refusal
// keeps nothing but what counts it: its answers are not even checked,
// except the country it is counted in.
func (e Envelope) Record(form *survey.Form, o Options) (survey.Record, error) {
	var errs Errors
	add := func(field, msg string, expected ...string) {
		errs = append(errs, FieldError{Field: field, Message: msg, Expected: expected})
	}
	rec := survey.Record{FormID: form.ID, FormVersion: e.FormVersion, Source: o.Source}
	now := o.Now.UTC()
	rec.SubmittedAt = &now

	if e.FormID != "" && e.FormID != form.ID {
		return rec, ErrUnknownForm
	}
	if msg := checkID(e.InstanceID); msg != "" {
		add("instance_id", msg)
	}
	rec.InstanceID = e.InstanceID
	if e.DeprecatedID != "" {
		if msg := checkID(e.DeprecatedID); msg != "" {
			add("deprecated_id", msg)
		} else if e.DeprecatedID == e.InstanceID {
			add("deprecated_id", "an edit needs a new instance_id; deprecated_id names the version it replaces")
		}
	}
	rec.DeprecatedID = e.DeprecatedID
	if len(e.FormVersion) > maxIDLen || !printable(e.FormVersion) {
		add("form_version", fmt.Sprintf("at most %d printable characters", maxIDLen))
	}
	if len(e.Answers) > maxAnswers {
		add("answers", fmt.Sprintf("%d answers; the form has %d questions", len(e.Answers), len(form.Questions())))
		return rec, errs
	}

	answers := map[string]string{}
	for _, a := range e.Answers {
		name, skip, msg := resolve(form, a.Path)
		switch {
		case skip:
			continue
		case msg != "":
			add(a.Path, msg)
			continue
		case a.Problem != "":
			add(name, a.Problem)
			continue
		}
		if _, dup := answers[name]; dup {
			add(name, "answered twice (with and without its group, or repeated)")
			continue
		}
		answers[name] = strings.TrimSpace(a.Value)
	}

	v := validator{form: form, answers: answers, now: now, add: add}
	switch answers["consent"] {
	case "yes":
		rec.Consent = "yes"
	case "no":
		rec.Consent = "no"
	case "":
		add("consent", "required: the respondent's consent comes first", "yes", "no")
	default:
		v.choice("consent") // says what was expected
	}
	rec.Country = v.choice("country")

	if rec.Consent == "no" {
		if rec.Country == "" && answers["country"] == "" {
			if o.DefaultCountry == "" {
				add("country", "required to count a refusal: give the country, or submit with an account of one country")
			}
			rec.Country = o.DefaultCountry
		}
		rec.Year = now.Year()
		if d := v.date("interview_date"); d != nil {
			rec.InterviewDate, rec.Year = d, d.Year()
		}
		if len(errs) > 0 {
			return rec, errs
		}
		rec.StripForRefusal()
		return rec, nil
	}

	v.required("country", "interview_date", "sex", "age", "victim_type", "cause")
	rec.Admin1 = v.text("admin1")
	rec.InterviewDate = v.date("interview_date")
	rec.Year = now.Year()
	if rec.InterviewDate != nil {
		rec.Year = rec.InterviewDate.Year()
	}
	rec.Sex = v.choice("sex")
	rec.Age = v.integer("age", minAge, maxAge)
	rec.VictimType = v.choice("victim_type")
	rec.Cause = v.choice("cause")
	rec.IncidentYear = v.integer("incident_year", minIncident, now.Year())
	for _, d := range form.WGQuestionNames() {
		v.required(d)
		if c := v.choice(d); c != "" {
			if rec.WG == nil {
				rec.WG = map[string]string{}
			}
			rec.WG[d] = c
		}
	}
	for _, p := range form.NeedPillars() {
		need, received := "need_"+p, "received_"+p
		v.required(need)
		n, r := v.choice(need), v.choice(received)
		if n != "" {
			if rec.Need == nil {
				rec.Need = map[string]string{}
			}
			rec.Need[p] = n
		}
		switch {
		case n == "yes" && answers[received] == "":
			add(received, "required when "+need+" is yes", "yes", "no")
		case n != "yes" && answers[received] != "":
			// The form asks it only of those in need, so that reached is a
			// part of in need.
			add(received, "asked only when "+need+" is yes; leave it out")
		case r != "":
			if rec.Received == nil {
				rec.Received = map[string]string{}
			}
			rec.Received[p] = r
		}
	}
	if len(errs) > 0 {
		return rec, errs
	}
	return rec, nil
}

// resolve maps an answer's path to its question. skip is true for notes,
// groups' metadata and the tools' own fields; msg says why a path is not a
// question of the form.
func resolve(form *survey.Form, path string) (name string, skip bool, msg string) {
	segs := strings.Split(path, "/")
	last := segs[len(segs)-1]
	if segs[0] == "meta" || segs[0] == "formhub" || strings.HasPrefix(last, "_") ||
		(len(segs) == 1 && slices.Contains(metadataNames, last)) {
		return "", true, ""
	}
	group := strings.Join(segs[:len(segs)-1], "/")
	q, ok := form.Question(last)
	if !ok && group == "" {
		// Kobo's "needs-need_rehabilitation" and "wg_ss.wg_seeing".
		for _, sep := range []string{"-", ".", ":"} {
			if g, n, cut := strings.Cut(last, sep); cut {
				if q2, ok2 := form.Question(n); ok2 && q2.Group == g {
					return n, false, ""
				}
			}
		}
	}
	if !ok {
		if isNote(form, last) {
			return "", true, ""
		}
		return "", false, fmt.Sprintf("not a question of %s", form.ID)
	}
	if group != "" && group != q.Group {
		if q.Group == "" {
			return "", false, fmt.Sprintf("%s is not in a group; send it as %s", last, last)
		}
		return "", false, fmt.Sprintf("%s is in the group %s; send it as %s or %s/%s", last, q.Group, last, q.Group, last)
	}
	return last, false, ""
}

func isNote(form *survey.Form, name string) bool {
	for _, it := range form.Items {
		if it.Name == name && (it.Type == survey.TypeNote || it.Type == survey.TypeBeginGroup) {
			return true
		}
	}
	return false
}

// checkID: instance ids are ODK's "uuid:…", Kobo's bare uuids, or any
// client's own key; they are stored and shown, so keep them plain.
func checkID(id string) string {
	switch {
	case id == "":
		return "required: the submission's unique id, e.g. uuid:8d4a3c1e-…; a retry sends the same one"
	case len(id) > maxIDLen:
		return fmt.Sprintf("at most %d characters", maxIDLen)
	}
	for _, r := range id {
		if !(r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":._-", r))) {
			return "only letters, digits and : . _ - (e.g. uuid:8d4a3c1e-…)"
		}
	}
	return ""
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// validator checks answers by the form's question types.
type validator struct {
	form    *survey.Form
	answers map[string]string
	now     time.Time
	add     func(field, msg string, expected ...string)
}

func (v validator) required(names ...string) {
	for _, n := range names {
		if v.answers[n] == "" {
			q, _ := v.form.Question(n)
			v.add(n, "required", v.expected(q)...)
		}
	}
}

// expected lists what a question takes, for the error message.
func (v validator) expected(q survey.Question) []string {
	switch {
	case q.List == "countries":
		return []string{"an ISO 3166-1 alpha-3 code such as LAO"}
	case q.List != "":
		l, _ := v.form.List(q.List)
		codes := make([]string, 0, len(l.Choices))
		for _, c := range l.Choices {
			codes = append(codes, c.Name)
		}
		return codes
	case q.Type == survey.TypeDate:
		return []string{"a date YYYY-MM-DD"}
	case q.Type == survey.TypeInteger && q.Name == "age":
		return []string{fmt.Sprintf("whole years %d to %d", minAge, maxAge)}
	case q.Type == survey.TypeInteger:
		return []string{fmt.Sprintf("a year %d to %d", minIncident, v.now.Year())}
	}
	return nil
}

// choice returns the code answered to a select_one, "" when unanswered or
// not one of the list's codes (then an error is added).
func (v validator) choice(name string) string {
	raw := v.answers[name]
	if raw == "" {
		return ""
	}
	q, _ := v.form.Question(name)
	if q.List == "countries" {
		up := strings.ToUpper(raw)
		if code, ok := countries.Lookup(up); ok && code == up {
			return code
		}
		v.add(name, fmt.Sprintf("%q is not a country code vahub knows", clip(raw)), v.expected(q)...)
		return ""
	}
	l, _ := v.form.List(q.List)
	for _, c := range l.Choices {
		if c.Name == raw {
			return raw
		}
	}
	v.add(name, fmt.Sprintf("%q is not one of the codes", clip(raw)), v.expected(q)...)
	return ""
}

// integer reads a whole number in [lo, hi]; JSON's 34.0 is 34.
func (v validator) integer(name string, lo, hi int) *int {
	raw := v.answers[name]
	if raw == "" {
		return nil
	}
	q, _ := v.form.Question(name)
	n, err := strconv.Atoi(raw)
	if err != nil {
		f, ferr := strconv.ParseFloat(raw, 64)
		if ferr != nil || f != float64(int(f)) || f < -1e9 || f > 1e9 {
			v.add(name, fmt.Sprintf("%q is not a whole number", clip(raw)), v.expected(q)...)
			return nil
		}
		n = int(f)
	}
	if n < lo || n > hi {
		v.add(name, fmt.Sprintf("%d is out of range", n), v.expected(q)...)
		return nil
	}
	return &n
}

// date reads YYYY-MM-DD (a date-time's date part is accepted, as some
// clients send one); a date after tomorrow is refused, as the form does
// (a day's slack for the device's time zone).
func (v validator) date(name string) *time.Time {
	raw := v.answers[name]
	if raw == "" {
		return nil
	}
	q, _ := v.form.Question(name)
	s := raw
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	d, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil:
		v.add(name, fmt.Sprintf("%q is not a date", clip(raw)), v.expected(q)...)
		return nil
	case d.Year() < minYear || d.Year() > maxYear:
		v.add(name, fmt.Sprintf("%s is out of range", s), fmt.Sprintf("a date from %d on", minYear))
		return nil
	case d.After(v.now.AddDate(0, 0, 1)):
		v.add(name, fmt.Sprintf("%s is in the future", s), "today or earlier")
		return nil
	}
	return &d
}

// text reads a free-text answer: printable, at most maxTextLen characters.
func (v validator) text(name string) string {
	raw := v.answers[name]
	switch {
	case raw == "":
		return ""
	case !printable(raw):
		v.add(name, "only printable text (no control characters)")
		return ""
	case utf8.RuneCountInString(raw) > maxTextLen:
		v.add(name, fmt.Sprintf("at most %d characters", maxTextLen))
		return ""
	}
	return raw
}

// clip shortens a value quoted back in an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}
