package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/normalize"
)

// Sources of a record: which tool delivered it. An import's source is the
// tool whose export it is; the API and OpenRosa are direct submissions.
const (
	SourceKobo     = "kobo"
	SourceODK      = "odk"
	SourceAPI      = "api"
	SourceOpenRosa = "openrosa"
)

// WGDomains are the six Washington Group Short Set questions, in the
// Washington Group's order.
var WGDomains = []string{"wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication"}

// ServicePillars are the pillars the survey asks need_<pillar> and
// received_<pillar> for.
var ServicePillars = []string{"medical_care", "rehabilitation", "psychosocial_support", "socioeconomic_inclusion"}

// Washington Group answer codes: normalize's, which reads them from
// reports too.
const (
	WGNoDifficulty   = normalize.WGNoDifficulty
	WGSomeDifficulty = normalize.WGSomeDifficulty
	WGALot           = normalize.WGALot
	WGCannot         = normalize.WGCannot
	WGRefused        = normalize.WGRefused
	WGDontKnow       = normalize.WGDontKnow
)

// Record is one interview after normalization: the question names and
// codes of VOCABULARY.md, whatever tool and language delivered it. Only
// Consent, InstanceID, Country and Year are kept for a refusal.
type Record struct {
	// InstanceID identifies the submission across tools: ODK's
	// meta/instanceID ("uuid:…"), Kobo's _uuid, the API's instance id.
	InstanceID string `json:"instance_id"`
	// DeprecatedID is the instance an edited submission replaces (ODK's
	// meta/deprecatedID); "" for a first version.
	DeprecatedID string `json:"deprecated_id,omitempty"`
	FormID       string `json:"form_id,omitempty"`
	FormVersion  string `json:"form_version,omitempty"`
	Source       string `json:"source"`
	// SubmittedAt is when the tool received it (Kobo _submission_time,
	// ODK SubmissionDate); nil when the export does not say.
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`

	Consent       string     `json:"consent"` // yes or no
	Country       string     `json:"country"` // ISO alpha-3
	Admin1        string     `json:"admin1,omitempty"`
	InterviewDate *time.Time `json:"interview_date,omitempty"`
	// Year is the interview's year (else the submission's): the year the
	// record counts in.
	Year         int    `json:"year"`
	Sex          string `json:"sex,omitempty"` // female, male, prefer_not_to_say, "" (not answered)
	Age          *int   `json:"age,omitempty"`
	VictimType   string `json:"victim_type,omitempty"`
	Cause        string `json:"cause,omitempty"`
	IncidentYear *int   `json:"incident_year,omitempty"`
	// WG holds the six Washington Group answers by question name; a
	// missing key is an unanswered question.
	WG map[string]string `json:"wg,omitempty"`
	// Need and Received hold "yes" or "no" by pillar; a missing key is an
	// unanswered question, never a no.
	Need     map[string]string `json:"need,omitempty"`
	Received map[string]string `json:"received,omitempty"`

	// Lineage in the imported file ("" and 0 for direct submissions).
	Sheet string `json:"-"`
	Row   int    `json:"-"`
}

// Refusal reports whether the respondent did not consent: then nothing but
// the refusal is kept.
func (r *Record) Refusal() bool { return r.Consent != "yes" }

// StripForRefusal drops every answer of a record without consent, keeping
// what identifies and counts the refusal.
func (r *Record) StripForRefusal() {
	*r = Record{
		InstanceID: r.InstanceID, DeprecatedID: r.DeprecatedID, FormID: r.FormID, FormVersion: r.FormVersion,
		Source: r.Source, SubmittedAt: r.SubmittedAt, Consent: "no", Country: r.Country, Year: r.Year,
		InterviewDate: r.InterviewDate, Sheet: r.Sheet, Row: r.Row,
	}
}

// Disability derives the disability code from the six answers by the
// Washington Group Short Set rule: "yes" when any domain has a lot of
// difficulty or cannot be done at all; "no" when all six are answered with
// no or some difficulty; otherwise "unknown" (a refused, don't-know or
// missing answer leaves it open unless another answer already decides it).
func Disability(wg map[string]string) string {
	open := false
	for _, d := range WGDomains {
		switch wg[d] {
		case WGALot, WGCannot:
			return "yes"
		case WGNoDifficulty, WGSomeDifficulty:
		default:
			open = true
		}
	}
	if open {
		return "unknown"
	}
	return "no"
}

// AgeGroup is VOCABULARY.md's age_group of an age in years: child under 18.
func AgeGroup(age *int) string {
	switch {
	case age == nil || *age < 0:
		return "unknown"
	case *age < 18:
		return "child"
	default:
		return "adult"
	}
}

// AgeBand is VOCABULARY.md's finer band of an age in years, "" when
// unknown: normalize's bands, so reports and surveys band alike. An age over
// 120 (the form refuses it) is still counted as 60+.
func AgeBand(age *int) string {
	if age == nil || *age < 0 {
		return ""
	}
	return normalize.AgeBand(min(*age, 120))
}

// FactSex maps the survey's sex answer onto the facts' dimension: a
// respondent who preferred not to say, or was not asked, is "unknown".
func FactSex(sex string) string {
	if sex == "female" || sex == "male" {
		return sex
	}
	return "unknown"
}

// Answers is the canonical form of a record's answers: what two versions of
// one instance are compared on. Tool metadata (submission time, form
// version, lineage) is left out, so a re-export of the same answers is the
// same record.
func (r *Record) Answers() map[string]any {
	a := map[string]any{"consent": r.Consent, "country": r.Country}
	put := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	put("admin1", r.Admin1)
	if r.InterviewDate != nil {
		a["interview_date"] = r.InterviewDate.Format(time.DateOnly)
	}
	put("sex", r.Sex)
	if r.Age != nil {
		a["age"] = *r.Age
	}
	put("victim_type", r.VictimType)
	put("cause", r.Cause)
	if r.IncidentYear != nil {
		a["incident_year"] = *r.IncidentYear
	}
	for k, v := range r.WG {
		put(k, v)
	}
	for k, v := range r.Need {
		put("need_"+k, v)
	}
	for k, v := range r.Received {
		put("received_"+k, v)
	}
	return a
}

// AnswersJSON is Answers as JSON with sorted keys, and its SHA-256 in hex.
// A record whose WG, Need and Received keys are the form's is written
// straight from its fields in the sorted key order (a million-row import
// calls this once per row); any other goes through Answers, with the same
// result.
func (r *Record) AnswersJSON() (doc []byte, sum string) {
	if b, ok := r.answersFast(); ok {
		doc = b
	} else {
		doc = r.answersGeneric()
	}
	h := sha256.Sum256(doc)
	return doc, hex.EncodeToString(h[:])
}

func (r *Record) answersGeneric() []byte {
	a := r.Answers()
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		vj, _ := json.Marshal(a[k])
		b.Write(kj)
		b.WriteByte(':')
		b.Write(vj)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// answerKeys are every key Answers can hold for a record of the form, in
// sorted order, with how to read each from a record.
var answerKeys = func() []answerKey {
	var ks []answerKey
	str := func(k string, f func(*Record) string) { ks = append(ks, answerKey{name: k, str: f}) }
	num := func(k string, f func(*Record) *int) { ks = append(ks, answerKey{name: k, num: f}) }
	str("admin1", func(r *Record) string { return r.Admin1 })
	num("age", func(r *Record) *int { return r.Age })
	str("cause", func(r *Record) string { return r.Cause })
	str("consent", func(r *Record) string { return r.Consent })
	str("country", func(r *Record) string { return r.Country })
	num("incident_year", func(r *Record) *int { return r.IncidentYear })
	str("interview_date", func(r *Record) string {
		if r.InterviewDate == nil {
			return ""
		}
		return r.InterviewDate.Format(time.DateOnly)
	})
	for _, p := range ServicePillars {
		str("need_"+p, func(r *Record) string { return r.Need[p] })
		str("received_"+p, func(r *Record) string { return r.Received[p] })
	}
	str("sex", func(r *Record) string { return r.Sex })
	str("victim_type", func(r *Record) string { return r.VictimType })
	for _, d := range WGDomains {
		str(d, func(r *Record) string { return r.WG[d] })
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].name < ks[j].name })
	return ks
}()

type answerKey struct {
	name string
	str  func(*Record) string
	num  func(*Record) *int
}

func (r *Record) answersFast() ([]byte, bool) {
	known := func(m map[string]string, keys []string) bool {
		for k := range m {
			if !slicesContains(keys, k) {
				return false
			}
		}
		return true
	}
	if !known(r.WG, WGDomains) || !known(r.Need, ServicePillars) || !known(r.Received, ServicePillars) {
		return nil, false
	}
	b := make([]byte, 0, 768)
	b = append(b, '{')
	first := true
	for _, k := range answerKeys {
		var v []byte
		switch {
		case k.num != nil:
			n := k.num(r)
			if n == nil {
				continue
			}
			v = strconv.AppendInt(nil, int64(*n), 10)
		default:
			s := k.str(r)
			// consent and country are always written, even empty.
			if s == "" && k.name != "consent" && k.name != "country" {
				continue
			}
			v = jsonString(s)
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, k.name...)
		b = append(b, '"', ':')
		b = append(b, v...)
	}
	return append(b, '}'), true
}

// jsonString is json.Marshal of s, without its cost for the plain codes
// most answers are.
func jsonString(s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return b
		}
	}
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
