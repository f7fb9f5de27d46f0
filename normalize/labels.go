package normalize

import (
	"fmt"

	"github.com/vahub/vahub/normalize/internal/fold"
)

// labels maps Fold keys to codes. Built once at start-up; a label listed
// under two codes is a bug in the tables, caught the first time the package
// loads.
type labels map[string]string

func newLabels(byCode map[string][]string) labels {
	l := labels{}
	for code, words := range byCode {
		for _, w := range words {
			k := fold.Key(w)
			if old, ok := l[k]; ok && old != code {
				panic(fmt.Sprintf("normalize: label %q is both %s and %s", w, old, code))
			}
			l[k] = code
		}
	}
	return l
}

func (l labels) get(s string) (string, bool) {
	c, ok := l[fold.Key(s)]
	return c, ok
}

var outcomes = newLabels(map[string][]string{
	"killed": {"killed", "kill", "dead", "death", "deaths", "died", "fatalities", "fatality", "deceased",
		"tué", "tués", "tuée", "tuées", "décédé", "décédés", "décédée", "décédées", "décès", "mort", "morts", "mortes",
		"muerto", "muertos", "muerta", "muertas", "fallecido", "fallecidos", "fallecida", "fallecidas", "muertes"},
	"injured": {"injured", "wounded", "injuries", "injury",
		"blessé", "blessés", "blessée", "blessées",
		"herido", "heridos", "herida", "heridas", "lesionado", "lesionados"},
	"unknown": {"unknown", "survival unknown", "outcome unknown", "status unknown",
		"statut vital non connu", "inconnu", "non connu", "non précisé",
		"por determinar", "desconocido", "sin información"},
})

// Outcome maps a casualty-outcome label (EN/FR/ES) to killed, injured or
// unknown. "Survivors" is not accepted: survivors are a stock, not the
// injured of a period.
func Outcome(label string) (string, bool) { return outcomes.get(label) }

var causes = newLabels(map[string][]string{
	"cm_attack": {"cm_attack", "attack", "attacks", "cm attack", "cm attacks", "cluster munition attack",
		"cluster munition attacks", "cluster munition strike", "cluster munition strikes", "cluster munition use",
		"attaque", "attaques", "attaque aux armes à sous-munitions", "attaques aux armes à sous-munitions",
		"ataque", "ataques", "ataque con municiones en racimo", "ataques con municiones en racimo"},
	"cm_remnant": {"cm_remnant", "remnant", "remnants", "cm remnant", "cm remnants", "cmr",
		"cluster munition remnant", "cluster munition remnants", "unexploded submunition", "unexploded submunitions",
		"submunition", "submunitions", "reste d'arme à sous-munitions", "restes d'armes à sous-munitions",
		"sous-munition non explosée", "sous-munitions non explosées",
		"restos de municiones en racimo", "submunición sin estallar", "submuniciones sin estallar",
		"submuniciones sin explotar"},
	"mine": {"mine", "mines", "landmine", "landmines", "land mine", "land mines", "antipersonnel mine",
		"antipersonnel mines", "anti-personnel mine", "anti-personnel mines", "ap mine", "ap mines",
		"antivehicle mine", "antivehicle mines", "anti-vehicle mine", "anti-vehicle mines", "av mine", "av mines",
		"mine terrestre", "mines terrestres", "mine antipersonnel", "mines antipersonnel",
		"mina", "minas", "mina antipersonal", "minas antipersonal", "mina terrestre", "minas terrestres"},
	"improvised_mine": {"improvised_mine", "improvised mine", "improvised mines", "victim-activated ied",
		"victim-activated ieds", "victim activated improvised explosive device", "mine improvisée", "mines improvisées",
		"mina improvisada", "minas improvisadas", "mina antipersonal improvisada", "minas antipersonal improvisadas"},
	"erw_other": {"erw_other", "erw", "other erw", "explosive remnants of war", "other explosive remnants of war",
		"uxo", "unexploded ordnance", "abandoned explosive ordnance", "axo", "reg", "autres reg",
		"restes explosifs de guerre", "autres restes explosifs de guerre", "engins non explosés",
		"restos explosivos de guerra", "otros reg", "muse", "municiones sin explotar"},
	"mine_erw": {"mine_erw", "mine/erw", "mines/erw", "landmine/erw", "landmines/erw", "mines and erw",
		"landmines and erw", "mines and explosive remnants of war", "mines et reg", "mines/reg",
		"minas y reg", "minas/reg", "map/muse", "map muse"},
	"unknown": {"unknown", "unknown item", "unknown items", "unknown device", "unknown explosive",
		"inconnu", "engin inconnu", "desconocido", "artefacto desconocido"},
})

// Cause maps a device-type label to a cause code. The most specific code the
// label supports is returned; a bare "IED" is refused because it may be
// command-detonated, which is not a mine.
func Cause(label string) (string, bool) { return causes.get(label) }

var civilianStatuses = newLabels(map[string][]string{
	"civilian": {"civilian", "civilians", "civil", "civils", "civile", "civiles", "civilián"},
	"military": {"military", "militaries", "military personnel", "soldier", "soldiers", "security forces",
		"security force", "militaire", "militaires", "forces de sécurité", "militar", "militares",
		"fuerza pública", "fuerzas de seguridad"},
	"deminer": {"deminer", "deminers", "clearance personnel", "démineur", "démineurs", "démineuse",
		"desminador", "desminadores", "desminadora"},
	"unknown": {"unknown", "status unknown", "inconnu", "non précisé", "desconocido", "sin información"},
})

// CivilianStatus maps civilian/military/deminer labels to their codes.
func CivilianStatus(label string) (string, bool) { return civilianStatuses.get(label) }

var pillars = newLabels(map[string][]string{
	"data_collection": {"data_collection", "data collection", "data collection and needs assessment",
		"needs assessment", "needs_assessment", "referral", "identification and referral",
		"collecte de données", "évaluation des besoins", "recopilación de datos", "recolección de datos",
		"evaluación de necesidades"},
	"medical_care": {"medical_care", "medical care", "emergency and continuing medical care",
		"emergency and ongoing medical care", "emergency medical care", "ongoing medical care", "emergency",
		"ongoing", "soins médicaux", "atención médica"},
	"rehabilitation": {"rehabilitation", "physical rehabilitation", "assistive_devices", "assistive devices",
		"réadaptation", "réadaptation physique", "rehabilitación", "rehabilitación física"},
	"psychosocial_support": {"psychosocial_support", "psychosocial support", "psychological support",
		"psychological and psychosocial support", "psychological and social support", "peer_support",
		"peer support", "soutien psychologique", "soutien psychosocial", "apoyo psicológico", "apoyo psicosocial"},
	"socioeconomic_inclusion": {"socioeconomic_inclusion", "socioeconomic inclusion", "socio-economic inclusion",
		"social and economic inclusion", "education", "livelihood", "livelihoods", "social_protection",
		"social protection", "inclusion socio-économique", "inclusion socioéconomique",
		"inclusion sociale et économique", "inclusión social y económica", "inclusión socioeconómica"},
	"laws_policies": {"laws_policies", "laws and policies", "laws and public policies", "non_discrimination",
		"non-discrimination", "lois et politiques", "leyes y políticas"},
	"coordination": {"coordination", "focal_point", "focal point", "national_plan", "national plan",
		"coordinación"},
	"participation": {"participation", "involvement of victims", "participation of victims", "participación"},
})

// Pillar maps a pillar name (EN/FR/ES, DOMAIN.md §2) or code to its code.
// Sub-pillar codes and names (needs_assessment, peer support, education …)
// map to their pillar.
func Pillar(label string) (string, bool) { return pillars.get(label) }

var yesNo = newLabels(map[string][]string{
	"yes": {"yes", "y", "true", "1", "oui", "sí", "si", "x"},
	"no":  {"no", "n", "false", "0", "non"},
})

// YesNo maps yes/no answers (EN/FR/ES, y/n, true/false, 1/0; a checked "x")
// to yes or no. Anything else, including unknown, is refused.
func YesNo(label string) (string, bool) { return yesNo.get(label) }

var statuses = newLabels(map[string][]string{
	"partial": {"partial", "partially", "partly", "in part", "in progress", "partiel", "partielle", "partiel(le)",
		"partiellement", "en partie", "en cours", "parcial", "parcialmente", "en parte", "en curso", "en proceso"},
	"unknown": {"unknown", "not known", "don't know", "inconnu", "non connu", "ne sait pas", "desconocido",
		"no se sabe", "sin información"},
})

// Status maps a commitment status (yes/no/partial/unknown in EN/FR/ES) to
// its code. "In progress" counts as partial: the commitment is started,
// not met.
func Status(label string) (string, bool) {
	if c, ok := yesNo.get(label); ok {
		return c, true
	}
	return statuses.get(label)
}
