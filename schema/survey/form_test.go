package survey

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The question names and codes of VOCABULARY.md, "Standard needs-assessment
// survey", copied here by hand: a change to the form that breaks the public
// contract fails this test.
var vocabularyQuestions = []string{
	"consent", "country", "admin1", "interview_date", "sex", "age", "victim_type", "cause", "incident_year",
	"wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication",
	"need_medical_care", "received_medical_care", "need_rehabilitation", "received_rehabilitation",
	"need_psychosocial_support", "received_psychosocial_support",
	"need_socioeconomic_inclusion", "received_socioeconomic_inclusion",
}

var vocabularyCodes = map[string][]string{
	"consent":               {"yes", "no"},
	"sex":                   {"female", "male", "prefer_not_to_say"},
	"victim_type":           {"survivor", "family_member", "community_member"},
	"cause":                 {"cm_attack", "cm_remnant", "landmine", "other_erw", "unknown"},
	"wg_seeing":             {"no_difficulty", "some_difficulty", "a_lot_of_difficulty", "cannot_do_at_all", "refused", "dont_know"},
	"wg_communication":      {"no_difficulty", "some_difficulty", "a_lot_of_difficulty", "cannot_do_at_all", "refused", "dont_know"},
	"need_rehabilitation":   {"yes", "no"},
	"received_medical_care": {"yes", "no"},
}

func TestStandardMatchesVocabulary(t *testing.T) {
	f := Standard()
	if f.ID != "vahub_va_needs" || f.Version == "" {
		t.Fatalf("id %q version %q", f.ID, f.Version)
	}
	var names []string
	for _, q := range f.Questions() {
		names = append(names, q.Name)
	}
	if !slices.Equal(names, vocabularyQuestions) {
		t.Fatalf("questions\n got %q\nwant %q", names, vocabularyQuestions)
	}
	types := map[string]string{"consent": "select_one yes_no", "country": "select_one countries", "admin1": "text",
		"interview_date": "date", "age": "integer", "incident_year": "integer", "wg_selfcare": "select_one wg_difficulty"}
	for name, want := range types {
		q, _ := f.Question(name)
		if got := q.XLSType(); got != want {
			t.Errorf("%s: type %q, want %q", name, got, want)
		}
	}
	for name, want := range vocabularyCodes {
		q, _ := f.Question(name)
		l, ok := f.List(q.List)
		if !ok {
			t.Fatalf("%s: no list %q", name, q.List)
		}
		var got []string
		for _, c := range l.Choices {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: codes %q, want %q", name, got, want)
		}
	}
	countries, _ := f.List("countries")
	codes := map[string]bool{}
	for _, c := range countries.Choices {
		codes[c.Name] = true
		if c.Label.EN == "" || c.Label.FR == "" || c.Label.ES == "" {
			t.Errorf("country %s lacks a label: %+v", c.Name, c.Label)
		}
	}
	for _, c := range []string{"LAO", "LBN", "COL", "BIH", "VAT", "XKX", "ESH", "XNK", "UKR"} {
		if !codes[c] {
			t.Errorf("country list lacks %s", c)
		}
	}
	if len(codes) < 240 {
		t.Errorf("only %d countries", len(codes))
	}
}

func TestStandardRelevance(t *testing.T) {
	f := Standard()
	// Everything after consent hangs on consent = yes, directly or through
	// its group, so a refusal records nothing else: nothing but the
	// interview's country, which counts the refusal.
	for _, q := range f.Questions()[1:] {
		rel := q.Relevant
		if q.Name == "country" {
			if rel != "" {
				t.Errorf("country: relevance %q, want none: a refusal is counted in its country", rel)
			}
			continue
		}
		if q.Group != "" {
			for _, it := range f.Items {
				if it.Type == TypeBeginGroup && it.Name == q.Group {
					rel = it.Relevant
				}
			}
		}
		if rel != "${consent} = 'yes'" {
			t.Errorf("%s: relevance %q does not require consent", q.Name, rel)
		}
	}
	groups := map[string]string{"wg_seeing": "wg_ss", "wg_communication": "wg_ss", "need_medical_care": "needs",
		"received_socioeconomic_inclusion": "needs", "age": ""}
	for name, want := range groups {
		if q, _ := f.Question(name); q.Group != want {
			t.Errorf("%s: group %q, want %q", name, q.Group, want)
		}
	}
	for _, p := range f.NeedPillars() {
		q, _ := f.Question("received_" + p)
		if q.Relevant != "${need_"+p+"} = 'yes'" {
			t.Errorf("received_%s: relevance %q", p, q.Relevant)
		}
	}
}

func TestQuestionForHeader(t *testing.T) {
	f := Standard()
	tests := []struct {
		header, want string
	}{
		{"consent", "consent"},
		{" Consent ", "consent"},
		{"wg_ss/wg_seeing", "wg_seeing"},
		{"wg_ss-wg_seeing", "wg_seeing"},
		{"wg_seeing", "wg_seeing"},
		{"needs-need_rehabilitation", "need_rehabilitation"},
		{"needs/received_psychosocial_support", "received_psychosocial_support"},
		{"NEEDS.NEED_MEDICAL_CARE", "need_medical_care"},
		{"Do you have difficulty seeing, even if wearing glasses?", "wg_seeing"},
		{"do you have difficulty seeing even if wearing glasses", "wg_seeing"},
		{"Washington Group Short Set on Functioning/Do you have difficulty hearing, even if using a hearing aid?", "wg_hearing"},
		{"Do you have difficulty (with self-care such as) washing all over or dressing?", "wg_selfcare"},
		{"Do you have difficulty with self-care, such as washing all over or dressing?", "wg_selfcare"},
		{"Avez-vous des difficultés à marcher ou à monter des marches ?", "wg_walking"},
		{"AVEZ-VOUS DES DIFFICULTES A MARCHER OU A MONTER DES MARCHES", "wg_walking"},
		{"¿Tiene dificultad para recordar o concentrarse?", "wg_cognition"},
		{"Besoins et assistance reçue/Avez-vous reçu la réadaptation dont vous aviez besoin ?", "received_rehabilitation"},
		{"Age (completed years)", "age"},
		{"Edad (años cumplidos)", "age"},
		{"Date of the interview", "interview_date"},
		{"Pays où se déroule l'entretien", "country"},
		{"interview_date", "interview_date"},
		{"incident_year", "incident_year"},
		{"_uuid", ""},
		{"meta/instanceID", ""},
		{"KEY", ""},
		{"SubmissionDate", ""},
		{"consent_info", ""}, // a note, no answer
		{"wg_ss", ""},        // a group, no answer
		{"", ""},
		{"wg_ss/wg_unknown", ""},
	}
	for _, tt := range tests {
		got, ok := f.QuestionForHeader(tt.header)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("QuestionForHeader(%q) = %q, %v; want %q", tt.header, got, ok, tt.want)
		}
	}
}

func TestChoiceCode(t *testing.T) {
	f := Standard()
	tests := []struct {
		question, cell, want string
	}{
		{"consent", "yes", "yes"},
		{"consent", "Yes", "yes"},
		{"consent", "Oui", "yes"},
		{"consent", "Sí", "yes"},
		{"consent", "si", "yes"},
		{"consent", " NON ", "no"},
		{"need_rehabilitation", "No", "no"},
		{"sex", "Female", "female"},
		{"sex", "féminin", "female"},
		{"sex", "Masculino", "male"},
		{"sex", "prefer_not_to_say", "prefer_not_to_say"},
		{"sex", "Préfère ne pas répondre", "prefer_not_to_say"},
		{"victim_type", "Membre de la famille", "family_member"},
		{"cause", "Cluster munition remnant (an unexploded submunition found later)", "cm_remnant"},
		{"cause", "Mina terrestre", "landmine"},
		{"wg_seeing", "a_lot_of_difficulty", "a_lot_of_difficulty"},
		{"wg_seeing", "A lot of difficulty", "a_lot_of_difficulty"},
		{"wg_hearing", "Oui, beaucoup de difficultés", "a_lot_of_difficulty"},
		{"wg_walking", "No puede hacerlo en absoluto", "cannot_do_at_all"},
		{"wg_selfcare", "Don't know", "dont_know"},
		{"wg_selfcare", "Ne sait pas", "dont_know"},
		{"wg_communication", "Refused", "refused"},
		{"country", "LAO", "LAO"},
		{"country", "lao", "LAO"},
		{"country", "Lebanon", "LBN"},
		{"country", "Liban", "LBN"},
		{"country", "Líbano", "LBN"},
		{"country", "Côte d’Ivoire", "CIV"},
		{"country", "CO", "COL"}, // alpha-2 through normalize/countries
		{"country", "Kosovo", "XKX"},
		{"country", "Atlantis", ""},
		{"consent", "", ""},
		{"consent", "maybe", ""},
		{"age", "12", ""}, // not a select
		{"nope", "yes", ""},
	}
	for _, tt := range tests {
		got, ok := f.ChoiceCode(tt.question, tt.cell)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ChoiceCode(%q, %q) = %q, %v; want %q", tt.question, tt.cell, got, ok, tt.want)
		}
	}
}

// Every label of the form, in every language, with the group's name or
// label in front as Kobo and ODK write it, leads back to its question and
// answer code.
func TestLookupsRoundTrip(t *testing.T) {
	f := Standard()
	groups := map[string]Item{}
	for _, it := range f.Items {
		if it.Type == TypeBeginGroup {
			groups[it.Name] = it
		}
	}
	for _, q := range f.Questions() {
		headers := []string{q.Name, strings.ToUpper(q.Name)}
		for _, l := range Languages() {
			headers = append(headers, q.Label.In(l.Code))
			if g, ok := groups[q.Group]; ok {
				headers = append(headers, g.Label.In(l.Code)+"/"+q.Label.In(l.Code), g.Label.In(l.Code)+"-"+q.Label.In(l.Code))
			}
		}
		if q.Group != "" {
			headers = append(headers, q.Group+"/"+q.Name, q.Group+"-"+q.Name, q.Group+"."+q.Name)
		}
		for _, h := range headers {
			if got, ok := f.QuestionForHeader(h); !ok || got != q.Name {
				t.Errorf("QuestionForHeader(%q) = %q, %v; want %s", h, got, ok, q.Name)
			}
		}
		l, _ := f.List(q.List)
		for _, c := range l.Choices {
			for _, cell := range []string{c.Name, c.Label.EN, c.Label.FR, c.Label.ES, strings.ToUpper(c.Label.FR)} {
				if got, ok := f.ChoiceCode(q.Name, cell); !ok || got != c.Name {
					t.Errorf("ChoiceCode(%s, %q) = %q, %v; want %s", q.Name, cell, got, ok, c.Name)
				}
			}
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Wg_SS/wg_seeing", "wg ss wg seeing"},
		{"  Sí ", "si"},
		{"Évaluation — des  besoins", "evaluation des besoins"},
		{"¿Tiene dificultad?", "tiene dificultad"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzLookups(f *testing.F) {
	for _, s := range []string{"wg_ss/wg_seeing", "Oui", "Côte d’Ivoire", "\xff\xfe", "", "ñ̃̃"} {
		f.Add("country", s)
		f.Add("consent", s)
	}
	form := Standard()
	f.Fuzz(func(t *testing.T, question, cell string) {
		if name, ok := form.QuestionForHeader(cell); ok {
			if _, found := form.Question(name); !found {
				t.Fatalf("header %q gave unknown question %q", cell, name)
			}
		}
		code, ok := form.ChoiceCode(question, cell)
		if !ok {
			return
		}
		q, _ := form.Question(question)
		l, _ := form.List(q.List)
		if !slices.ContainsFunc(l.Choices, func(c Choice) bool { return c.Name == code }) {
			t.Fatalf("ChoiceCode(%q, %q) = %q, not in list %s", question, cell, code, q.List)
		}
	})
}

// TestVocabularyFile reads the contract itself, when it is beside the
// module (../shared/VOCABULARY.md), so the hand copy above cannot drift.
func TestVocabularyFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "VOCABULARY.md"))
	if err != nil {
		t.Skipf("VOCABULARY.md not beside the module: %v", err)
	}
	_, section, ok := strings.Cut(string(b), "## Standard needs-assessment survey")
	if !ok {
		t.Fatal("no survey section in VOCABULARY.md")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	tick := regexp.MustCompile("`([a-z0-9_<>]+)`")
	var names []string
	var pillars []string
	for _, line := range strings.Split(section, "\n") {
		first, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " | ")
		if !ok || !strings.HasPrefix(first, "`") {
			continue
		}
		if _, list, ok := strings.Cut(first, "<pillar>` for "); ok {
			for _, m := range tick.FindAllStringSubmatch(list, -1) {
				pillars = append(pillars, m[1])
			}
			continue
		}
		for _, m := range tick.FindAllStringSubmatch(first, -1) {
			names = append(names, m[1])
		}
	}
	for _, p := range pillars {
		names = append(names, "need_"+p, "received_"+p)
	}
	var got []string
	for _, q := range Standard().Questions() {
		got = append(got, q.Name)
	}
	slices.Sort(names)
	slices.Sort(got)
	if !slices.Equal(got, names) {
		t.Fatalf("questions differ from VOCABULARY.md:\n got %q\nwant %q", got, names)
	}
}
