// Package survey is vahub's standard needs-assessment survey: the form
// field teams fill in with KoboToolbox or ODK Collect (its questions, groups
// and choice lists, in English, French and Spanish), the lookups the
// importers use to read exports of it, and the individual record it yields.
//
// The question names and choice codes are the public contract of
// VOCABULARY.md ("Standard needs-assessment survey"); exports of the form
// import without any mapping because of them. The package does no I/O:
// exports writes the XLSForm workbook, ingest reads the exports.
package survey

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/vahub/vahub/normalize/countries"
)

// FormID is the XLSForm form_id of the standard survey; Kobo and ODK put it
// in every submission, which is how an export is known to be ours.
const FormID = "vahub_va_needs"

// FormVersion is the settings version. Change it with every change of the
// questions: Kobo's __version__ column and ODK's version attribute carry it.
const FormVersion = "2026.1"

// XLSForm question types the standard form uses.
const (
	TypeSelectOne  = "select_one"
	TypeInteger    = "integer"
	TypeDate       = "date"
	TypeText       = "text"
	TypeNote       = "note"
	TypeBeginGroup = "begin_group"
	TypeEndGroup   = "end_group"
)

// Language is one language of the form's labels.
type Language struct {
	Code string // ISO 639-1: en, fr, es
	Name string // the language's own name, as XLSForm columns show it
}

// Column is the XLSForm column suffix of the language, "English (en)":
// Kobo and ODK read the code in parentheses as the language tag.
func (l Language) Column() string { return l.Name + " (" + l.Code + ")" }

// Languages are the form's languages, English first (the default).
func Languages() []Language {
	return []Language{{"en", "English"}, {"fr", "Français"}, {"es", "Español"}}
}

// Text is a label or hint in each language of the form.
type Text struct{ EN, FR, ES string }

// In returns the text in lang (en, fr or es); "" for another language.
func (t Text) In(lang string) string {
	switch lang {
	case "en":
		return t.EN
	case "fr":
		return t.FR
	case "es":
		return t.ES
	}
	return ""
}

// IsZero reports whether the text is empty in every language.
func (t Text) IsZero() bool { return t == Text{} }

// Item is one row of the XLSForm survey sheet: a question, a note, or the
// beginning or end of a group.
type Item struct {
	Type              string // one of the Type constants
	List              string // choice list of a select_one
	Name              string // "" only for end_group
	Label             Text
	Hint              Text
	Required          bool
	Relevant          string // XPath, XLSForm ${name} references
	Constraint        string
	ConstraintMessage Text
	Appearance        string
}

// XLSType is the type cell of the XLSForm: "select_one yes_no", "integer".
func (it Item) XLSType() string {
	if it.List != "" {
		return it.Type + " " + it.List
	}
	return it.Type
}

// Question is a question that carries an answer into the exports (not a
// note or group), with the group it sits in.
type Question struct {
	Item
	Group string // enclosing group's name, "" at the top level
}

// Choice is one answer of a choice list.
type Choice struct {
	Name  string // the code stored and exported
	Label Text
}

// ChoiceList is an XLSForm choice list.
type ChoiceList struct {
	Name    string
	Choices []Choice
}

// Form is a survey definition. The one Standard returns is shared: treat it
// as read-only.
type Form struct {
	ID      string
	Version string
	Title   Text
	Items   []Item // survey sheet rows, in order
	Lists   []ChoiceList

	questions []Question
	byName    map[string]int // question name -> index in questions
	headers   map[string]string
	choices   map[string]map[string]string // list -> fold key -> code
	lists     map[string]int
}

// Pillars with a need/received question pair, in the form's order.
var formNeedPillars = []string{"medical_care", "rehabilitation", "psychosocial_support", "socioeconomic_inclusion"}

// formWGNames are the Washington Group Short Set names in the WG's order.
var formWGNames = []string{"wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication"}

// Standard returns vahub's standard needs-assessment form.
func Standard() *Form { return standardForm() }

var standardForm = sync.OnceValue(func() *Form {
	f, err := newForm(FormID, FormVersion, formTitle, formItems(), formLists())
	if err != nil {
		panic(err) // a bug in this file, caught by the tests
	}
	return f
})

var formTitle = Text{
	EN: "Victim assistance needs assessment",
	FR: "Évaluation des besoins en assistance aux victimes",
	ES: "Evaluación de necesidades de asistencia a víctimas",
}

// formConsented is the relevance of every item after the consent question:
// without consent the form shows only the closing note, so nothing but the
// refusal is recorded.
const formConsented = "${consent} = 'yes'"

func formItems() []Item {
	items := []Item{
		{Type: TypeNote, Name: "consent_info", Label: Text{
			EN: "We are collecting information on the needs of people affected by mines, cluster munitions and other explosive remnants of war, and on the assistance they have received, to improve services. Taking part is voluntary; you may stop or skip any question at any time. We will not ask for your name or contact details, and your answers are only published as totals for many people.",
			FR: "Nous recueillons des informations sur les besoins des personnes touchées par les mines, les armes à sous-munitions et les autres restes explosifs de guerre, et sur l'assistance qu'elles ont reçue, afin d'améliorer les services. La participation est volontaire ; vous pouvez arrêter ou ne pas répondre à une question à tout moment. Nous ne vous demanderons ni votre nom ni vos coordonnées, et vos réponses ne sont publiées que sous forme de totaux portant sur de nombreuses personnes.",
			ES: "Estamos recopilando información sobre las necesidades de las personas afectadas por minas, municiones en racimo y otros restos explosivos de guerra, y sobre la asistencia que han recibido, para mejorar los servicios. La participación es voluntaria; puede detenerse u omitir cualquier pregunta en cualquier momento. No le pediremos su nombre ni sus datos de contacto, y sus respuestas solo se publican como totales de muchas personas.",
		}},
		{Type: TypeSelectOne, List: "yes_no", Name: "consent", Required: true, Label: Text{
			EN: "Do you agree to take part in this interview?",
			FR: "Acceptez-vous de participer à cet entretien ?",
			ES: "¿Acepta participar en esta entrevista?",
		}},
		// The country is the interview's, not the respondent's, and is asked
		// whatever the answer to consent: a refusal is counted in a country.
		{Type: TypeSelectOne, List: "countries", Name: "country", Required: true, Appearance: "autocomplete", Label: Text{
			EN: "Country where the interview takes place",
			FR: "Pays où se déroule l'entretien",
			ES: "País donde se realiza la entrevista",
		}},
		{Type: TypeNote, Name: "no_consent_end", Relevant: "${consent} = 'no'", Label: Text{
			EN: "Thank you. The interview ends here; please save and close the form.",
			FR: "Merci. L'entretien s'arrête ici ; veuillez enregistrer et fermer le formulaire.",
			ES: "Gracias. La entrevista termina aquí; guarde y cierre el formulario.",
		}},
		{Type: TypeText, Name: "admin1", Relevant: formConsented, Label: Text{
			EN: "Province, region or state (first administrative level)",
			FR: "Province, région ou État (premier niveau administratif)",
			ES: "Provincia, región, departamento o estado (primer nivel administrativo)",
		}},
		{Type: TypeDate, Name: "interview_date", Required: true, Relevant: formConsented,
			Constraint: ". <= today()",
			ConstraintMessage: Text{
				EN: "The interview date cannot be in the future.",
				FR: "La date de l'entretien ne peut pas être dans le futur.",
				ES: "La fecha de la entrevista no puede ser futura.",
			},
			Label: Text{EN: "Date of the interview", FR: "Date de l'entretien", ES: "Fecha de la entrevista"}},
		{Type: TypeSelectOne, List: "sex", Name: "sex", Required: true, Relevant: formConsented, Label: Text{
			EN: "Sex of the respondent", FR: "Sexe de la personne interrogée", ES: "Sexo de la persona entrevistada",
		}},
		{Type: TypeInteger, Name: "age", Required: true, Relevant: formConsented,
			Constraint: ". >= 0 and . <= 120",
			ConstraintMessage: Text{
				EN: "Age must be between 0 and 120 years.",
				FR: "L'âge doit être compris entre 0 et 120 ans.",
				ES: "La edad debe estar entre 0 y 120 años.",
			},
			Label: Text{EN: "Age (completed years)", FR: "Âge (années révolues)", ES: "Edad (años cumplidos)"},
			Hint: Text{
				EN: "For a child, the parent or caregiver may answer on the child's behalf.",
				FR: "Pour un enfant, le parent ou la personne qui s'en occupe peut répondre à sa place.",
				ES: "En el caso de un niño o niña, el padre, la madre o la persona cuidadora puede responder en su nombre.",
			}},
		{Type: TypeSelectOne, List: "victim_type", Name: "victim_type", Required: true, Relevant: formConsented, Label: Text{
			EN: "How were you affected?", FR: "Comment avez-vous été touché(e) ?", ES: "¿Cómo se vio afectado/a?",
		}, Hint: Text{
			EN: "Survivor: injured in an incident. Family member: of a person killed or injured. Community member: the community was affected.",
			FR: "Survivant(e) : blessé(e) lors d'un accident. Membre de la famille : d'une personne tuée ou blessée. Membre de la communauté : la communauté a été touchée.",
			ES: "Sobreviviente: resultó herido/a en un accidente. Familiar: de una persona muerta o herida. Miembro de la comunidad: la comunidad se vio afectada.",
		}},
		{Type: TypeSelectOne, List: "cause", Name: "cause", Required: true, Relevant: formConsented, Label: Text{
			EN: "What caused the incident?", FR: "Quelle a été la cause de l'accident ?", ES: "¿Qué causó el accidente?",
		}},
		{Type: TypeInteger, Name: "incident_year", Relevant: formConsented,
			Constraint:        ". >= 1940 and . <= number(format-date(today(), '%Y'))",
			ConstraintMessage: Text{EN: "Give a year between 1940 and this year.", FR: "Indiquez une année entre 1940 et l'année en cours.", ES: "Indique un año entre 1940 y el año en curso."},
			Label:             Text{EN: "In what year did the incident happen?", FR: "En quelle année l'accident a-t-il eu lieu ?", ES: "¿En qué año ocurrió el accidente?"},
			Hint:              Text{EN: "Leave blank if not known.", FR: "Laissez vide si l'année n'est pas connue.", ES: "Deje en blanco si no se conoce."}},

		{Type: TypeBeginGroup, Name: "wg_ss", Relevant: formConsented, Label: Text{
			EN: "Washington Group Short Set on Functioning",
			FR: "Questionnaire court du Groupe de Washington sur le fonctionnement",
			ES: "Conjunto breve de preguntas del Grupo de Washington sobre funcionamiento",
		}},
		{Type: TypeNote, Name: "wg_intro", Label: Text{
			EN: "The next questions ask about difficulties you may have doing certain activities because of a HEALTH PROBLEM.",
			FR: "Les questions suivantes portent sur les difficultés que vous pourriez avoir à faire certaines activités en raison d'un PROBLÈME DE SANTÉ.",
			ES: "Las siguientes preguntas se refieren a las dificultades que usted puede tener para realizar ciertas actividades debido a un PROBLEMA DE SALUD.",
		}},
	}
	wgLabels := []Text{
		{EN: "Do you have difficulty seeing, even if wearing glasses?",
			FR: "Avez-vous des difficultés à voir, même si vous portez des lunettes ?",
			ES: "¿Tiene dificultad para ver, incluso si usa anteojos o lentes?"},
		{EN: "Do you have difficulty hearing, even if using a hearing aid?",
			FR: "Avez-vous des difficultés à entendre, même si vous utilisez un appareil auditif ?",
			ES: "¿Tiene dificultad para oír, incluso si usa un audífono?"},
		{EN: "Do you have difficulty walking or climbing steps?",
			FR: "Avez-vous des difficultés à marcher ou à monter des marches ?",
			ES: "¿Tiene dificultad para caminar o subir escalones?"},
		{EN: "Do you have difficulty remembering or concentrating?",
			FR: "Avez-vous des difficultés à vous souvenir ou à vous concentrer ?",
			ES: "¿Tiene dificultad para recordar o concentrarse?"},
		{EN: "Do you have difficulty (with self-care such as) washing all over or dressing?",
			FR: "Avez-vous des difficultés à prendre soin de vous, comme vous laver entièrement ou vous habiller ?",
			ES: "¿Tiene dificultad para el cuidado personal, como lavarse todo el cuerpo o vestirse?"},
		{EN: "Using your usual (customary) language, do you have difficulty communicating, for example understanding or being understood?",
			FR: "En utilisant votre langue habituelle, avez-vous des difficultés à communiquer, par exemple à comprendre ou à vous faire comprendre ?",
			ES: "Usando su idioma habitual, ¿tiene dificultad para comunicarse, por ejemplo, para entender o para que le entiendan?"},
	}
	for i, name := range formWGNames {
		items = append(items, Item{Type: TypeSelectOne, List: "wg_difficulty", Name: name, Required: true, Label: wgLabels[i]})
	}
	items = append(items,
		Item{Type: TypeEndGroup},
		Item{Type: TypeBeginGroup, Name: "needs", Relevant: formConsented, Label: Text{
			EN: "Needs and assistance received", FR: "Besoins et assistance reçue", ES: "Necesidades y asistencia recibida",
		}},
	)
	type pillarText struct{ need, received Text }
	pillarLabels := map[string]pillarText{
		"medical_care": {
			need: Text{
				EN: "Since the incident, have you needed medical care (emergency and continuing medical care) because of it?",
				FR: "Depuis l'accident, avez-vous eu besoin de soins médicaux (soins d'urgence et soins continus) à cause de celui-ci ?",
				ES: "Desde el accidente, ¿ha necesitado atención médica (de emergencia y continuada) a causa de él?",
			},
			received: Text{
				EN: "Have you received the medical care you needed?",
				FR: "Avez-vous reçu les soins médicaux dont vous aviez besoin ?",
				ES: "¿Ha recibido la atención médica que necesitaba?",
			},
		},
		"rehabilitation": {
			need: Text{
				EN: "Since the incident, have you needed rehabilitation (physiotherapy, prosthesis, orthosis, wheelchair or other assistive device)?",
				FR: "Depuis l'accident, avez-vous eu besoin de réadaptation (kinésithérapie, prothèse, orthèse, fauteuil roulant ou autre aide technique) ?",
				ES: "Desde el accidente, ¿ha necesitado rehabilitación (fisioterapia, prótesis, órtesis, silla de ruedas u otro producto de apoyo)?",
			},
			received: Text{
				EN: "Have you received the rehabilitation you needed?",
				FR: "Avez-vous reçu la réadaptation dont vous aviez besoin ?",
				ES: "¿Ha recibido la rehabilitación que necesitaba?",
			},
		},
		"psychosocial_support": {
			need: Text{
				EN: "Since the incident, have you needed psychological or psychosocial support (counselling, peer support)?",
				FR: "Depuis l'accident, avez-vous eu besoin d'un soutien psychologique ou psychosocial (conseil, soutien par les pairs) ?",
				ES: "Desde el accidente, ¿ha necesitado apoyo psicológico o psicosocial (consejería, apoyo entre pares)?",
			},
			received: Text{
				EN: "Have you received the psychological or psychosocial support you needed?",
				FR: "Avez-vous reçu le soutien psychologique ou psychosocial dont vous aviez besoin ?",
				ES: "¿Ha recibido el apoyo psicológico o psicosocial que necesitaba?",
			},
		},
		"socioeconomic_inclusion": {
			need: Text{
				EN: "Since the incident, have you needed support for education, work or income (training, employment, livelihood, social protection)?",
				FR: "Depuis l'accident, avez-vous eu besoin d'un appui pour l'éducation, le travail ou les revenus (formation, emploi, moyens de subsistance, protection sociale) ?",
				ES: "Desde el accidente, ¿ha necesitado apoyo para la educación, el trabajo o los ingresos (formación, empleo, medios de vida, protección social)?",
			},
			received: Text{
				EN: "Have you received the support for education, work or income you needed?",
				FR: "Avez-vous reçu l'appui pour l'éducation, le travail ou les revenus dont vous aviez besoin ?",
				ES: "¿Ha recibido el apoyo para la educación, el trabajo o los ingresos que necesitaba?",
			},
		},
	}
	for _, p := range formNeedPillars {
		l := pillarLabels[p]
		need := "need_" + p
		items = append(items,
			Item{Type: TypeSelectOne, List: "yes_no", Name: need, Required: true, Label: l.need},
			// received is asked only of those who needed the service, so that
			// reached (received = yes) is a subset of in need and unmet =
			// in_need - reached holds; a blank received after need = no is
			// not applicable, never "no".
			Item{Type: TypeSelectOne, List: "yes_no", Name: "received_" + p, Required: true,
				Relevant: "${" + need + "} = 'yes'", Label: l.received},
		)
	}
	items = append(items, Item{Type: TypeEndGroup})
	return items
}

func formLists() []ChoiceList {
	countryList := ChoiceList{Name: "countries"}
	for _, a := range countries.All() {
		countryList.Choices = append(countryList.Choices, Choice{Name: a.Code, Label: Text{
			EN: countries.Name(a.Code, "en"), FR: countries.Name(a.Code, "fr"), ES: countries.Name(a.Code, "es"),
		}})
	}
	// Enumerators scroll or type the name: sort by the default language.
	slices.SortFunc(countryList.Choices, func(a, b Choice) int {
		return strings.Compare(Fold(a.Label.EN), Fold(b.Label.EN))
	})
	return []ChoiceList{
		{Name: "yes_no", Choices: []Choice{
			{"yes", Text{EN: "Yes", FR: "Oui", ES: "Sí"}},
			{"no", Text{EN: "No", FR: "Non", ES: "No"}},
		}},
		countryList,
		{Name: "sex", Choices: []Choice{
			{"female", Text{EN: "Female", FR: "Féminin", ES: "Femenino"}},
			{"male", Text{EN: "Male", FR: "Masculin", ES: "Masculino"}},
			{"prefer_not_to_say", Text{EN: "Prefer not to say", FR: "Préfère ne pas répondre", ES: "Prefiere no decirlo"}},
		}},
		{Name: "victim_type", Choices: []Choice{
			{"survivor", Text{EN: "Survivor", FR: "Survivant(e)", ES: "Sobreviviente"}},
			{"family_member", Text{EN: "Family member", FR: "Membre de la famille", ES: "Familiar"}},
			{"community_member", Text{EN: "Community member", FR: "Membre de la communauté", ES: "Miembro de la comunidad"}},
		}},
		{Name: "cause", Choices: []Choice{
			{"cm_attack", Text{EN: "Cluster munition attack (at the time of use)",
				FR: "Attaque à l'arme à sous-munitions (au moment de l'utilisation)",
				ES: "Ataque con municiones en racimo (en el momento de su uso)"}},
			{"cm_remnant", Text{EN: "Cluster munition remnant (an unexploded submunition found later)",
				FR: "Reste d'arme à sous-munitions (sous-munition non explosée trouvée plus tard)",
				ES: "Restos de municiones en racimo (submunición sin estallar encontrada después)"}},
			{"landmine", Text{EN: "Landmine", FR: "Mine terrestre", ES: "Mina terrestre"}},
			{"other_erw", Text{EN: "Other explosive remnant of war", FR: "Autre reste explosif de guerre", ES: "Otro resto explosivo de guerra"}},
			{"unknown", Text{EN: "Not known", FR: "Inconnue", ES: "Se desconoce"}},
		}},
		{Name: "wg_difficulty", Choices: []Choice{
			{"no_difficulty", Text{EN: "No difficulty", FR: "Non, aucune difficulté", ES: "No, ninguna dificultad"}},
			{"some_difficulty", Text{EN: "Some difficulty", FR: "Oui, quelques difficultés", ES: "Sí, alguna dificultad"}},
			{"a_lot_of_difficulty", Text{EN: "A lot of difficulty", FR: "Oui, beaucoup de difficultés", ES: "Sí, mucha dificultad"}},
			{"cannot_do_at_all", Text{EN: "Cannot do at all", FR: "Ne peut pas du tout", ES: "No puede hacerlo en absoluto"}},
			{"refused", Text{EN: "Refused", FR: "Refus de répondre", ES: "Se niega a responder"}},
			{"dont_know", Text{EN: "Don't know", FR: "Ne sait pas", ES: "No sabe"}},
		}},
	}
}

// newForm indexes a form for the lookups and checks that the indexes are
// unambiguous: a header or label that could mean two things is a bug in the
// form, not something to guess at import.
func newForm(id, version string, title Text, items []Item, lists []ChoiceList) (*Form, error) {
	f := &Form{ID: id, Version: version, Title: title, Items: items, Lists: lists,
		byName: map[string]int{}, headers: map[string]string{},
		choices: map[string]map[string]string{}, lists: map[string]int{}}
	for i, l := range lists {
		f.lists[l.Name] = i
		keys := map[string]string{}
		for _, c := range l.Choices {
			for _, k := range []string{c.Name, c.Label.EN, c.Label.FR, c.Label.ES} {
				k = Fold(k)
				if prev, ok := keys[k]; ok && prev != c.Name {
					return nil, fmt.Errorf("survey: list %s: %q means both %s and %s", l.Name, k, prev, c.Name)
				}
				keys[k] = c.Name
			}
		}
		f.choices[l.Name] = keys
	}
	var group *Item
	for i := range items {
		it := items[i]
		switch it.Type {
		case TypeBeginGroup:
			if group != nil {
				return nil, fmt.Errorf("survey: group %s inside %s: the lookups handle one level", it.Name, group.Name)
			}
			group = &items[i]
			continue
		case TypeEndGroup:
			group = nil
			continue
		case TypeNote:
			continue
		}
		q := Question{Item: it}
		if group != nil {
			q.Group = group.Name
		}
		f.byName[it.Name] = len(f.questions)
		f.questions = append(f.questions, q)
		// Kobo and ODK export value headers (the name, with or without the
		// group path joined by "/", "-", "." or ":") or label headers (the
		// label, with or without the group's label); Fold makes every
		// separator one space, so one key covers them all.
		keys := []string{it.Name}
		if group != nil {
			keys = append(keys, group.Name+" "+it.Name)
		}
		for _, lang := range Languages() {
			l := it.Label.In(lang.Code)
			keys = append(keys, l)
			if group != nil {
				keys = append(keys, group.Label.In(lang.Code)+" "+l)
			}
		}
		for _, k := range keys {
			k = Fold(k)
			if k == "" {
				continue
			}
			if prev, ok := f.headers[k]; ok && prev != it.Name {
				return nil, fmt.Errorf("survey: header %q means both %s and %s", k, prev, it.Name)
			}
			f.headers[k] = it.Name
		}
	}
	return f, nil
}

// Questions are the questions that carry answers, in form order.
func (f *Form) Questions() []Question { return slices.Clone(f.questions) }

// Question returns the question named name.
func (f *Form) Question(name string) (Question, bool) {
	i, ok := f.byName[name]
	if !ok {
		return Question{}, false
	}
	return f.questions[i], true
}

// List returns the choice list named name.
func (f *Form) List(name string) (ChoiceList, bool) {
	i, ok := f.lists[name]
	if !ok {
		return ChoiceList{}, false
	}
	return f.Lists[i], true
}

// WGQuestionNames are the six Washington Group Short Set questions in the
// WG's order: seeing, hearing, walking, cognition, self-care, communication.
func (f *Form) WGQuestionNames() []string { return slices.Clone(formWGNames) }

// NeedPillars are the pillars with a need_<pillar>/received_<pillar> pair.
// received_<pillar> is asked only when need_<pillar> is yes, so a person
// counts as reached (received = yes) only if also in need.
func (f *Form) NeedPillars() []string { return slices.Clone(formNeedPillars) }

// QuestionForHeader maps a column header of a KoboToolbox or ODK export to
// the question name: a value header ("consent", "wg_ss/wg_seeing",
// "needs-need_rehabilitation", "group.name") or a label header in English,
// French or Spanish, with or without its group's name or label in front.
// Case, accents, punctuation and spacing do not matter. Metadata columns
// (_uuid, meta/instanceID, KEY …) and notes are not questions: ok is false.
func (f *Form) QuestionForHeader(header string) (name string, ok bool) {
	name, ok = f.headers[Fold(header)]
	return name, ok
}

// ChoiceCode maps a cell of an export to the code of the answer to
// question: the code itself or its label in English, French or Spanish,
// whatever the case, accents or spacing. Countries also accept any name or
// code normalize/countries knows. ok is false for a blank cell, a question
// without choices and an answer the list does not have.
func (f *Form) ChoiceCode(question, cell string) (code string, ok bool) {
	q, found := f.Question(question)
	if !found || q.List == "" {
		return "", false
	}
	key := Fold(cell)
	if key == "" {
		return "", false
	}
	if code, ok := f.choices[q.List][key]; ok {
		return code, true
	}
	if q.List == "countries" {
		if code, ok := countries.Lookup(cell); ok {
			if _, inList := f.choices[q.List][Fold(code)]; inList {
				return code, true
			}
		}
	}
	return "", false
}

// Fold is the matching key of headers and answers: Unicode NFKD without
// combining marks, lower case, and every run of characters that are not
// letters or digits turned into one space, trimmed. "Wg_SS/wg_seeing",
// "wg_ss-wg_seeing" and "wg ss wg seeing" fold alike, and so do "Sí" and
// "si".
func Fold(s string) string {
	s = strings.ToLower(s)
	if !formASCII(s) {
		t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if out, _, err := transform.String(t, s); err == nil {
			s = strings.ToLower(out)
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

func formASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
