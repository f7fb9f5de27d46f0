package normalize

import "testing"

type labelCase struct{ in, want string }

// checkLabels runs f over cases; want "" means the label must be refused.
func checkLabels(t *testing.T, name string, f func(string) (string, bool), cases []labelCase) {
	t.Helper()
	for _, c := range cases {
		got, ok := f(c.in)
		if c.want == "" {
			if ok {
				t.Errorf("%s(%q) = %q, want refused", name, c.in, got)
			}
			continue
		}
		if !ok || got != c.want {
			t.Errorf("%s(%q) = %q, %v; want %q", name, c.in, got, ok, c.want)
		}
	}
}

func TestOutcome(t *testing.T) {
	checkLabels(t, "Outcome", Outcome, []labelCase{
		{"killed", "killed"}, {"Dead", "killed"}, {"deaths", "killed"}, {"died", "killed"},
		{"tués", "killed"}, {"Tues", "killed"}, {"décédés", "killed"}, {"morts", "killed"},
		{"muertos", "killed"}, {"fallecidos", "killed"}, {"muerto", "killed"},
		{"injured", "injured"}, {"Wounded", "injured"}, {"blessés", "injured"}, {"heridos", "injured"},
		{"herido", "injured"}, {"unknown", "unknown"}, {"survival unknown", "unknown"},
		{"statut vital non connu", "unknown"}, {"por determinar", "unknown"}, {"(Killed)", "killed"},
		{"survivors", ""}, {"total", ""}, {"", ""},
	})
}

func TestCause(t *testing.T) {
	checkLabels(t, "Cause", Cause, []labelCase{
		{"cm_attack", "cm_attack"}, {"Cluster munition attacks", "cm_attack"}, {"ataques", "cm_attack"},
		{"cm_remnant", "cm_remnant"}, {"unexploded submunitions", "cm_remnant"}, {"CMR", "cm_remnant"},
		{"restes d'armes à sous-munitions", "cm_remnant"},
		{"landmines", "mine"}, {"Antipersonnel mine", "mine"}, {"minas antipersonal", "mine"},
		{"victim-activated IED", "improvised_mine"}, {"improvised mines", "improvised_mine"},
		{"ERW", "erw_other"}, {"other ERW", "erw_other"}, {"UXO", "erw_other"}, {"REG", "erw_other"},
		{"mines/ERW", "mine_erw"}, {"MAP/MUSE", "mine_erw"}, {"unknown item", "unknown"},
		{"IED", ""}, {"bomb", ""},
	})
}

func TestCivilianStatus(t *testing.T) {
	checkLabels(t, "CivilianStatus", CivilianStatus, []labelCase{
		{"civil", "civilian"}, {"Civilian", "civilian"}, {"civilians", "civilian"}, {"civilián", "civilian"},
		{"civiles", "civilian"}, {"military", "military"}, {"militaire", "military"}, {"militar", "military"},
		{"Fuerza Pública", "military"}, {"fuerza publica", "military"}, {"security forces", "military"},
		{"deminer", "deminer"}, {"démineurs", "deminer"}, {"desminador", "deminer"}, {"unknown", "unknown"},
		{"police", ""},
	})
}

func TestPillar(t *testing.T) {
	checkLabels(t, "Pillar", Pillar, []labelCase{
		{"data_collection", "data_collection"}, {"Data collection", "data_collection"},
		{"collecte de données", "data_collection"}, {"recopilación de datos", "data_collection"},
		{"medical_care", "medical_care"}, {"Emergency and continuing medical care", "medical_care"},
		{"soins médicaux", "medical_care"}, {"atención médica", "medical_care"},
		{"rehabilitation", "rehabilitation"}, {"Physical rehabilitation", "rehabilitation"},
		{"réadaptation", "rehabilitation"}, {"rehabilitación", "rehabilitation"},
		{"psychosocial_support", "psychosocial_support"}, {"Psychological support", "psychosocial_support"},
		{"soutien psychologique", "psychosocial_support"}, {"apoyo psicológico", "psychosocial_support"},
		{"socioeconomic_inclusion", "socioeconomic_inclusion"},
		{"Social & economic inclusion", "socioeconomic_inclusion"},
		{"inclusion socio-économique", "socioeconomic_inclusion"},
		{"inclusión social y económica", "socioeconomic_inclusion"},
		{"laws_policies", "laws_policies"}, {"Laws and public policies", "laws_policies"},
		{"lois et politiques", "laws_policies"}, {"leyes y políticas", "laws_policies"},
		{"coordination", "coordination"}, {"coordinación", "coordination"},
		{"participation", "participation"}, {"Involvement of victims", "participation"},
		{"participación", "participation"}, {"needs_assessment", "data_collection"},
		{"health", ""},
	})
}

func TestYesNo(t *testing.T) {
	checkLabels(t, "YesNo", YesNo, []labelCase{
		{"yes", "yes"}, {"Yes", "yes"}, {"oui", "yes"}, {"sí", "yes"}, {"si", "yes"}, {"Y", "yes"},
		{"true", "yes"}, {"1", "yes"}, {"no", "no"}, {"non", "no"}, {"N", "no"}, {"FALSE", "no"}, {"0", "no"},
		{"partial", ""}, {"unknown", ""}, {"", ""}, {"2", ""},
	})
}

func TestStatus(t *testing.T) {
	checkLabels(t, "Status", Status, []labelCase{
		{"yes", "yes"}, {"Oui", "yes"}, {"Sí", "yes"}, {"no", "no"}, {"non", "no"},
		{"partial", "partial"}, {"partially", "partial"}, {"en partie", "partial"}, {"parcialmente", "partial"},
		{"partiel", "partial"}, {"partielle", "partial"}, {"partiel(le)", "partial"}, {"parcial", "partial"},
		{"unknown", "unknown"}, {"inconnu", "unknown"}, {"desconocido", "unknown"},
		{"maybe", ""},
	})
}

func TestSexAge(t *testing.T) {
	tests := []struct {
		label, lang string
		hasGirls    bool
		sex, age    string
		ok          bool
	}{
		{"men", "en", true, "male", "adult", true},
		{"Man", "en", true, "male", "adult", true},
		{"hommes", "fr", true, "male", "adult", true},
		{"hombres", "es", true, "male", "adult", true},
		{"women", "en", true, "female", "adult", true},
		{"Femmes", "fr", true, "female", "adult", true},
		{"mujeres", "es", true, "female", "adult", true},
		{"boys", "en", false, "male", "child", true},
		{"garçons", "fr", false, "male", "child", true},
		{"Garcons", "fr", false, "male", "child", true},
		{"niños", "es", true, "male", "child", true},
		{"niños", "es", false, "total", "child", true},
		{"Niño", "es", false, "total", "child", true},
		{"girls", "en", true, "female", "child", true},
		{"filles", "fr", true, "female", "child", true},
		{"niñas", "es", true, "female", "child", true},
		{"male", "en", false, "male", "total", true},
		{"masculin", "fr", false, "male", "total", true},
		{"masculino", "es", false, "male", "total", true},
		{"hombre", "es", false, "male", "total", true},
		{"M", "", false, "male", "total", true},
		{"female", "en", false, "female", "total", true},
		{"féminin", "fr", false, "female", "total", true},
		{"femenino", "es", false, "female", "total", true},
		{"mujer", "es", false, "female", "total", true},
		{"F", "", false, "female", "total", true},
		{"children", "en", false, "total", "child", true},
		{"enfants", "fr", false, "total", "child", true},
		{"niños y niñas", "es", false, "total", "child", true},
		{"menores", "es", false, "total", "child", true},
		{"menores de edad", "es", false, "total", "child", true},
		{"adults", "en", false, "total", "adult", true},
		{"adultes", "fr", false, "total", "adult", true},
		{"adultos", "es", false, "total", "adult", true},
		{"unknown", "en", false, "unknown", "unknown", true},
		{"sex unknown", "en", false, "unknown", "unknown", true},
		{"Sex/age unknown", "en", false, "unknown", "unknown", true},
		{"inconnu", "fr", false, "unknown", "unknown", true},
		{"non précisé", "fr", false, "unknown", "unknown", true},
		{"desconocido", "es", false, "unknown", "unknown", true},
		{"sin información", "es", false, "unknown", "unknown", true},
		{"Total", "en", false, "total", "total", true},
		{" Women: ", "en", false, "female", "adult", true},
		{"(Boys)", "en", false, "male", "child", true},
		{"people", "en", false, "", "", false},
		{"", "en", false, "", "", false},
	}
	for _, tt := range tests {
		sex, age, ok := SexAge(tt.label, tt.lang, tt.hasGirls)
		if sex != tt.sex || age != tt.age || ok != tt.ok {
			t.Errorf("SexAge(%q, %q, %v) = %q, %q, %v; want %q, %q, %v", tt.label, tt.lang, tt.hasGirls,
				sex, age, ok, tt.sex, tt.age, tt.ok)
		}
	}
}
