package normalize

import (
	"github.com/vahub/vahub/normalize/internal/fold"
	"github.com/vahub/vahub/schema"
)

type sexAge struct{ sex, age string }

var (
	maleAdult   = sexAge{"male", "adult"}
	femaleAdult = sexAge{"female", "adult"}
	maleChild   = sexAge{"male", "child"}
	femaleChild = sexAge{"female", "child"}
	maleAll     = sexAge{"male", schema.Total}
	femaleAll   = sexAge{"female", schema.Total}
	children    = sexAge{schema.Total, "child"}
	adults      = sexAge{schema.Total, "adult"}
	unknownBoth = sexAge{schema.Unknown, schema.Unknown}
	total       = sexAge{schema.Total, schema.Total}
)

var sexAgeLabels = map[string]sexAge{}

func init() {
	add := func(v sexAge, words ...string) {
		for _, w := range words {
			sexAgeLabels[fold.Key(w)] = v
		}
	}
	add(maleAdult, "men", "man", "adult men", "adult male", "adult males", "male adults",
		"hommes", "homme", "hommes adultes", "hombres", "hombres adultos")
	add(femaleAdult, "women", "woman", "adult women", "adult female", "adult females", "female adults",
		"femmes", "femme", "femmes adultes", "mujeres", "mujeres adultas")
	add(maleChild, "boys", "boy", "male children", "garçons", "garçon", "niños", "niño")
	add(femaleChild, "girls", "girl", "female children", "filles", "fille", "niñas", "niña")
	add(maleAll, "male", "males", "m", "masculin", "masculins", "masculine", "sexe masculin",
		"masculino", "masculinos", "sexo masculino", "hombre")
	add(femaleAll, "female", "females", "f", "féminin", "féminins", "feminine", "sexe féminin",
		"femenino", "femeninos", "sexo femenino", "mujer")
	add(children, "children", "child", "minors", "minor", "boys and girls", "girls and boys",
		"enfants", "enfant", "mineurs", "garçons et filles", "filles et garçons",
		"niños y niñas", "niñas y niños", "menores", "menor", "menores de edad", "menor de edad", "niñez")
	add(adults, "adults", "adult", "adultes", "adulte", "adultos", "adulto", "adultas", "mayores de edad")
	add(unknownBoth, "unknown", "sex unknown", "sex/age unknown", "age/sex unknown", "unknown sex",
		"inconnu", "inconnus", "inconnue", "sexe inconnu", "non précisé", "non précisés",
		"desconocido", "desconocidos", "sexo desconocido", "sin información")
	add(total, "total", "totals", "grand total", "overall", "total général", "total general", "ensemble")
}

// SexAge maps a column or row label of a casualty or beneficiary table to
// the sex and age group it stands for; "men/women/boys/girls" set both.
// hasGirls says whether the same table has a girls column: Spanish "niños"
// is boys next to "niñas" and children without it (DOMAIN.md §5). lang is
// accepted for callers that know it; the labels of the three languages do
// not collide, so it does not change the answer today.
func SexAge(label, lang string, hasGirls bool) (sex, ageGroup string, ok bool) {
	_ = lang
	k := fold.Key(label)
	v, ok := sexAgeLabels[k]
	if !ok {
		return "", "", false
	}
	if (k == "ninos" || k == "nino") && !hasGirls {
		v = children
	}
	return v.sex, v.age, true
}
