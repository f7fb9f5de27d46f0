package tables

import (
	"strings"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// Dims is what a header path says about the figures under it. An empty
// field is a dimension the headers do not break down (schema.Total when
// the figure becomes a fact).
type Dims struct {
	Sex, Age, Outcome, Measure, Pillar, Cause, Civilian, Disability string
}

// fields lists the dimensions in a fixed order, for merging and comparing.
func (d *Dims) fields() [8]*string {
	return [8]*string{&d.Sex, &d.Age, &d.Outcome, &d.Measure, &d.Pillar, &d.Cause, &d.Civilian, &d.Disability}
}

// IsZero reports whether no dimension is set.
func (d Dims) IsZero() bool { return d == Dims{} }

// Merge combines two partial dimension sets. ok is false when they give
// one dimension two different values ("Adultes" over "Garçons").
func Merge(a, b Dims) (Dims, bool) {
	out := a
	of, bf := out.fields(), b.fields()
	for i := range of {
		switch {
		case *bf[i] == "":
		case *of[i] == "":
			*of[i] = *bf[i]
		case *of[i] != *bf[i]:
			return a, false
		}
	}
	return out, true
}

// Refines reports whether d sets every dimension that general sets, to the
// same value: d is one of the parts a total over general adds up.
func (d Dims) Refines(general Dims) bool {
	df, gf := d.fields(), general.fields()
	for i := range gf {
		if *gf[i] != "" && *df[i] != *gf[i] {
			return false
		}
	}
	return true
}

// Varying returns the dimensions set in d and not in general, by name.
func (d Dims) Varying(general Dims) []string {
	names := [8]string{"sex", "age", "outcome", "measure", "pillar", "cause", "civilian", "disability"}
	df, gf := d.fields(), general.fields()
	var out []string
	for i := range df {
		if *df[i] != "" && *gf[i] == "" {
			out = append(out, names[i])
		}
	}
	return out
}

// Set sets the dimension called name (as Varying names it).
func (d *Dims) Set(name, v string) {
	switch name {
	case "sex":
		d.Sex = v
	case "age":
		d.Age = v
	case "outcome":
		d.Outcome = v
	case "measure":
		d.Measure = v
	case "pillar":
		d.Pillar = v
	case "cause":
		d.Cause = v
	case "civilian":
		d.Civilian = v
	case "disability":
		d.Disability = v
	}
}

// Meaning is what one header label says.
type Meaning struct {
	Dims  Dims
	Total bool // "Total", "Sous-total", "Total adultes"
	Notes bool // a notes or source column: ignored
	// Unknown is set for "unknown"/"inconnu"/"desconocido": a real
	// category, but of which dimension depends on its neighbours.
	Unknown bool
}

// dimension kinds a label can belong to, for resolving "unknown".
const (
	kindSexAge   = "sexage"
	kindOutcome  = "outcome"
	kindMeasure  = "measure"
	kindPillar   = "pillar"
	kindCause    = "cause"
	kindCivilian = "civilian"
	kindDisab    = "disability"
)

func (m Meaning) kind() string {
	d := m.Dims
	switch {
	case d.Sex != "" || d.Age != "":
		return kindSexAge
	case d.Outcome != "":
		return kindOutcome
	case d.Measure != "":
		return kindMeasure
	case d.Pillar != "":
		return kindPillar
	case d.Cause != "":
		return kindCause
	case d.Civilian != "":
		return kindCivilian
	case d.Disability != "":
		return kindDisab
	}
	return ""
}

// unknownAs gives "unknown" the dimension kind of its neighbours.
func unknownAs(kind string) (Dims, bool) {
	u := schema.Unknown
	switch kind {
	case kindSexAge:
		return Dims{Sex: u, Age: u}, true
	case kindOutcome:
		return Dims{Outcome: u}, true
	case kindCause:
		return Dims{Cause: u}, true
	case kindCivilian:
		return Dims{Civilian: u}, true
	case kindDisab:
		return Dims{Disability: u}, true
	}
	return Dims{}, false
}

var (
	notesWords = set("notes", "note", "remarks", "remark", "comments", "comment", "observations", "observation",
		"commentaires", "commentaire", "remarques", "remarque", "observaciones", "observacion", "comentarios",
		"comentario", "notas", "nota", "source", "sources", "fuente", "fuentes", "details", "detalles",
		"precisions", "explanation", "explication", "explicacion")
	totalWords = set("total", "totals", "totaux", "grand total", "total general", "sous total", "subtotal",
		"sub total", "ensemble", "all", "overall", "total des victimes", "total victims",
		"total de victimas", "totales")
	totalPrefixes = folded("total", "sous total", "subtotal", "sub total", "totaux")
	unknownWords  = set("unknown", "inconnu", "inconnus", "inconnue", "inconnues", "non precise", "non precises",
		"desconocido", "desconocidos", "desconocida", "sin informacion", "not known", "non connu", "unspecified",
		"non specifie", "no especificado", "not specified", "sin dato", "sin datos", "nd", "n d")
	// Measure labels are phrases ("Personnes ayant besoin d'assistance"),
	// matched as whole words inside the folded label.
	inNeedWords = folded("in need", "needing", "need assistance", "need support", "requiring", "ayant besoin",
		"besoin d", "besoin de", "en besoin", "necesitan", "necesita", "que necesitan", "con necesidad",
		"requieren", "necesidades de asistencia")
	reachedWords = folded("reached", "assisted", "received", "receiving", "beneficiaries", "served", "supported",
		"atteintes", "atteints", "assistees", "assistes", "ayant recu", "ont recu", "beneficiaires", "prises en charge",
		"pris en charge", "atendidas", "atendidos", "alcanzadas", "alcanzados", "beneficiarias", "beneficiarios",
		"recibieron", "asistidas", "asistidos", "que recibieron")
	disabilityYes = folded("with disability", "with disabilities", "persons with disabilities", "disabled",
		"avec handicap", "en situation de handicap", "handicapees", "handicapes", "handicap",
		"con discapacidad", "personas con discapacidad", "discapacidad")
	disabilityNo = folded("without disability", "without disabilities", "not disabled", "sans handicap",
		"sin discapacidad", "no disabled")
)

func folded(words ...string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = normalize.Fold(w)
	}
	return out
}

func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[normalize.Fold(w)] = true
	}
	return m
}

// hasWords reports whether folded label k contains phrase p as whole words.
func hasWords(k, p string) bool {
	return k == p || strings.HasPrefix(k, p+" ") || strings.HasSuffix(k, " "+p) || strings.Contains(k, " "+p+" ")
}

// Classify says what a header label means. hasGirls tells whether the
// label's header group has a "niñas" (girls) label: Spanish "niños" is
// boys beside it and children without it. ok is false for a label vahub
// does not know.
func Classify(label string, hasGirls bool) (Meaning, bool) {
	k := normalize.Fold(label)
	if k == "" {
		return Meaning{}, false
	}
	if notesWords[k] {
		return Meaning{Notes: true}, true
	}
	if totalWords[k] {
		return Meaning{Total: true}, true
	}
	for _, p := range totalPrefixes {
		if rest, ok := strings.CutPrefix(k, p+" "); ok {
			m, ok := Classify(rest, hasGirls)
			if !ok || m.Notes || m.Unknown {
				return Meaning{}, false
			}
			m.Total = true
			return m, true
		}
	}
	if unknownWords[k] {
		return Meaning{Unknown: true}, true
	}
	if sex, age, ok := normalize.SexAge(label, "", hasGirls); ok {
		if sex == schema.Total && age == schema.Total {
			return Meaning{Total: true}, true
		}
		d := Dims{}
		if sex != schema.Total {
			d.Sex = sex
		}
		if age != schema.Total {
			d.Age = age
		}
		return Meaning{Dims: d}, true
	}
	if o, ok := normalize.Outcome(label); ok {
		return Meaning{Dims: Dims{Outcome: o}}, true
	}
	if p, ok := normalize.Pillar(label); ok {
		return Meaning{Dims: Dims{Pillar: p}}, true
	}
	if c, ok := normalize.Cause(label); ok {
		return Meaning{Dims: Dims{Cause: c}}, true
	}
	if c, ok := normalize.CivilianStatus(label); ok {
		return Meaning{Dims: Dims{Civilian: c}}, true
	}
	for _, w := range disabilityNo {
		if hasWords(k, w) {
			return Meaning{Dims: Dims{Disability: "no"}}, true
		}
	}
	for _, w := range inNeedWords {
		if hasWords(k, w) {
			return Meaning{Dims: Dims{Measure: schema.MeasureInNeed}}, true
		}
	}
	for _, w := range reachedWords {
		if hasWords(k, w) {
			return Meaning{Dims: Dims{Measure: schema.MeasureReached}}, true
		}
	}
	for _, w := range disabilityYes {
		if hasWords(k, w) {
			return Meaning{Dims: Dims{Disability: "yes"}}, true
		}
	}
	return Meaning{}, false
}

// MeasureIn finds an in-need or reached phrase in a title.
func MeasureIn(title string) string {
	k := normalize.Fold(title)
	for _, w := range inNeedWords {
		if hasWords(k, w) {
			return schema.MeasureInNeed
		}
	}
	for _, w := range reachedWords {
		if hasWords(k, w) {
			return schema.MeasureReached
		}
	}
	return ""
}

// isGirls reports whether a label is Spanish "niñas"/"niña".
func isGirls(label string) bool {
	k := normalize.Fold(label)
	return k == "ninas" || k == "nina"
}
