package formh

import "slices"

// Label is the text of key in lang (en, fr or es; anything else reads as
// English). An unknown key returns the key itself, which the tests forbid.
func Label(lang, key string) string {
	t, ok := labels[key]
	if !ok {
		return key
	}
	return t[slices.Index(Languages(), Lang(lang))]
}

// LabelKeys lists every label key, for tests.
func LabelKeys() []string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// RowLabel is the label of row code of table t.
func RowLabel(lang string, t Table, row string) string {
	if t.RowDim == DimService {
		p, m := SplitServiceRow(row)
		return Label(lang, "row.pillar."+p) + " / " + Label(lang, "row.measure."+m)
	}
	return Label(lang, "row."+t.RowDim+"."+row)
}

// ColLabel is the header of column code of table t.
func ColLabel(lang string, t Table, col string) string {
	return Label(lang, "col."+t.ColDim+"."+col)
}

// Instructions are the lines of the instructions sheet in lang.
func Instructions(lang string) []string {
	var lines []string
	for i := 1; ; i++ {
		k := "instr." + string(rune('a'+i-1))
		if _, ok := labels[k]; !ok {
			return lines
		}
		lines = append(lines, Label(lang, k))
	}
}

// Options are the codes and labels of a dropdown.
func Options(lang, prefix string, codes []string) (labelsOut []string) {
	for _, c := range codes {
		labelsOut = append(labelsOut, Label(lang, prefix+c))
	}
	return labelsOut
}

// Match finds the code whose label, in any language, equals s (ignoring case
// and surrounding space), or s itself when it is one of codes.
func Match(prefix string, codes []string, s string) (string, bool) {
	k := fold(s)
	for _, c := range codes {
		if k == fold(c) {
			return c, true
		}
		for _, l := range labels[prefix+c] {
			if k == fold(l) {
				return c, true
			}
		}
	}
	return "", false
}

// labels holds every text of the template as en, fr, es. Dropdown option
// labels must not contain commas (Excel separates list options by commas).
var labels = map[string][3]string{
	// Sheet names: at most 31 characters, none of []:*?/\.
	"sheet.instructions": {"Instructions", "Instructions", "Instrucciones"},
	"sheet.cover":        {"Report", "Rapport", "Informe"},
	"sheet.casualties":   {"Casualties", "Victimes", "Víctimas"},
	"sheet.services":     {"Services", "Services", "Servicios"},
	"sheet.commitments":  {"Commitments", "Engagements", "Compromisos"},

	"title.instructions": {"Form H – Victim assistance: how to fill this template", "Formulaire H – Assistance aux victimes : comment remplir ce modèle", "Formulario H – Asistencia a las víctimas: cómo completar esta plantilla"},
	"title.cover":        {"Form H – Report", "Formulaire H – Rapport", "Formulario H – Informe"},
	"title.casualties":   {"Form H – Casualties", "Formulaire H – Victimes", "Formulario H – Víctimas"},
	"title.services":     {"Form H – Services", "Formulaire H – Services", "Formulario H – Servicios"},
	"title.commitments":  {"Form H – Commitments", "Formulaire H – Engagements", "Formulario H – Compromisos"},

	"note.input": {
		"Fill in the yellow cells only. Leave a cell blank when the figure is not reported; write \"unknown\" when it is not known – never 0.",
		"Remplissez uniquement les cellules jaunes. Laissez vide une cellule non renseignée ; écrivez « inconnu » si le chiffre n'est pas connu – jamais 0.",
		"Complete solo las celdas amarillas. Deje en blanco la celda sin datos; escriba «desconocido» si la cifra no se conoce – nunca 0.",
	},

	"instr.a": {
		"This template collects the victim assistance data of Form H of the Article 7 report under the Convention on Cluster Munitions.",
		"Ce modèle recueille les données d'assistance aux victimes du formulaire H du rapport au titre de l'article 7 de la Convention sur les armes à sous-munitions.",
		"Esta plantilla recoge los datos de asistencia a las víctimas del formulario H del informe del artículo 7 de la Convención sobre Municiones en Racimo.",
	},
	"instr.b": {
		"Fill in only the yellow cells. The other cells are protected. Do not rename, add or delete sheets, rows or columns.",
		"Remplissez uniquement les cellules jaunes ; les autres sont protégées. Ne renommez, n'ajoutez ni ne supprimez de feuilles, lignes ou colonnes.",
		"Complete solo las celdas amarillas; las demás están protegidas. No cambie el nombre de hojas, filas o columnas ni las agregue o elimine.",
	},
	"instr.c": {
		"Counts are numbers of people (persons, not services delivered), in whole numbers: 12 or 1 234.",
		"Les nombres sont des nombres de personnes (et non de services fournis), entiers : 12 ou 1 234.",
		"Las cifras son números de personas (no de servicios prestados), en números enteros: 12 o 1 234.",
	},
	"instr.d": {
		"Blank means \"not reported\". Never write 0 for a figure you do not know: write \"unknown\". Write \"n/a\" when the question does not apply.",
		"Une cellule vide signifie « non renseigné ». N'écrivez jamais 0 pour un chiffre inconnu : écrivez « inconnu ». Écrivez « n/a » si la question ne s'applique pas.",
		"Una celda en blanco significa «sin datos». Nunca escriba 0 si no conoce la cifra: escriba «desconocido». Escriba «n/a» si la pregunta no corresponde.",
	},
	"instr.e": {
		"When only a minimum is known, write \"at least 50\" or \"≥50\".",
		"Si seul un minimum est connu, écrivez « au moins 50 » ou « ≥50 ».",
		"Si solo se conoce un mínimo, escriba «al menos 50» o «≥50».",
	},
	"instr.f": {
		"If nothing changed since your last report, choose \"Unchanged\" as Form H status on the Report sheet and give the last reporting year.",
		"Si rien n'a changé depuis votre dernier rapport, choisissez « Inchangé » comme statut du formulaire H dans la feuille Rapport et indiquez l'année du dernier rapport.",
		"Si nada cambió desde su último informe, elija «Sin cambios» como estado del formulario H en la hoja Informe e indique el año del último informe.",
	},
	"instr.g": {
		"The Total column is the total you state. If it is larger than the sum of the other cells, the difference is counted as \"unknown\". It may not be smaller.",
		"La colonne Total est le total que vous déclarez. S'il dépasse la somme des autres cellules, la différence est comptée comme « inconnu ». Il ne peut pas être inférieur.",
		"La columna Total es el total que usted declara. Si supera la suma de las demás celdas, la diferencia se cuenta como «desconocido». No puede ser menor.",
	},
	"instr.h": {
		"Sheet \"Report\": country, reporting period (dd/mm/yyyy), kind of report, date of submission and Form H status.",
		"Feuille « Rapport » : pays, période couverte (jj/mm/aaaa), type de rapport, date de soumission et statut du formulaire H.",
		"Hoja «Informe»: país, período del informe (dd/mm/aaaa), tipo de informe, fecha de presentación y estado del formulario H.",
	},
	"instr.i": {
		"Sheet \"Casualties\": people killed or injured in the reporting period – by sex and age (Table C1), and optionally by disability, cause and civilian status (Tables C2–C4).",
		"Feuille « Victimes » : personnes tuées ou blessées pendant la période – par sexe et âge (tableau C1) et, si possible, par handicap, cause et statut civil (tableaux C2 à C4).",
		"Hoja «Víctimas»: personas muertas o heridas en el período – por sexo y edad (cuadro C1) y, si es posible, por discapacidad, causa y condición civil (cuadros C2 a C4).",
	},
	"instr.j": {
		"Sheet \"Services\": persons in need of and reached by each kind of service, by sex and age (Table S1) and optionally by disability (Table S2).",
		"Feuille « Services » : personnes ayant besoin de chaque type de service et personnes atteintes, par sexe et âge (tableau S1) et, si possible, par handicap (tableau S2).",
		"Hoja «Servicios»: personas que necesitan cada tipo de servicio y personas atendidas, por sexo y edad (cuadro S1) y, si es posible, por discapacidad (cuadro S2).",
	},
	"instr.k": {
		"Sheet \"Commitments\": choose a status for each commitment and add details if you wish.",
		"Feuille « Engagements » : choisissez un statut pour chaque engagement et ajoutez des précisions si vous le souhaitez.",
		"Hoja «Compromisos»: elija un estado para cada compromiso y añada detalles si lo desea.",
	},
	"instr.l": {
		"Boys and girls are under 18 years old; men and women are 18 or older.",
		"Les garçons et les filles ont moins de 18 ans ; les hommes et les femmes 18 ans ou plus.",
		"Los niños y las niñas son menores de 18 años; los hombres y las mujeres tienen 18 años o más.",
	},

	"field.country":       {"Country", "Pays", "País"},
	"field.period_start":  {"Reporting period from (dd/mm/yyyy)", "Période couverte du (jj/mm/aaaa)", "Período del informe desde (dd/mm/aaaa)"},
	"field.period_end":    {"Reporting period to (dd/mm/yyyy)", "Période couverte au (jj/mm/aaaa)", "Período del informe hasta (dd/mm/aaaa)"},
	"field.kind":          {"Kind of report", "Type de rapport", "Tipo de informe"},
	"field.submitted_on":  {"Date of submission (dd/mm/yyyy)", "Date de soumission (jj/mm/aaaa)", "Fecha de presentación (dd/mm/aaaa)"},
	"field.form_h_status": {"Form H status", "Statut du formulaire H", "Estado del formulario H"},
	"field.last_year":     {"Last reporting year (if unchanged)", "Année du dernier rapport (si inchangé)", "Año del último informe (si sin cambios)"},

	"kind.initial":   {"Initial report", "Rapport initial", "Informe inicial"},
	"kind.annual":    {"Annual report", "Rapport annuel", "Informe anual"},
	"kind.voluntary": {"Voluntary report", "Rapport volontaire", "Informe voluntario"},

	"formh.changed":        {"Changed", "Modifié", "Modificado"},
	"formh.unchanged":      {"Unchanged", "Inchangé", "Sin cambios"},
	"formh.not_applicable": {"Not applicable", "Sans objet", "No aplica"},

	"status.yes":     {"Yes", "Oui", "Sí"},
	"status.no":      {"No", "Non", "No"},
	"status.partial": {"Partial", "Partiel", "Parcial"},
	"status.unknown": {"Unknown", "Inconnu", "Desconocido"},

	"value.unknown":  {"unknown", "inconnu", "desconocido"},
	"value.na":       {"n/a", "n/a", "n/a"},
	"value.atleast":  {"≥%d", "≥%d", "≥%d"},
	"value.estimate": {"about %d", "environ %d", "aprox. %d"},
	"value.withheld": {"withheld", "confidentiel", "reservado"},
	"value.carried":  {"unchanged since %d", "inchangé depuis %d", "sin cambios desde %d"},

	"table.C1": {"Table C1. Casualties in the reporting period by outcome, sex and age", "Tableau C1. Victimes pendant la période couverte, par issue, sexe et âge", "Cuadro C1. Víctimas en el período del informe, por resultado, sexo y edad"},
	"table.C2": {"Table C2 (optional). Casualties by disability", "Tableau C2 (facultatif). Victimes par handicap", "Cuadro C2 (opcional). Víctimas por discapacidad"},
	"table.C3": {"Table C3 (optional). Casualties by cause", "Tableau C3 (facultatif). Victimes par cause", "Cuadro C3 (opcional). Víctimas por causa"},
	"table.C4": {"Table C4 (optional). Casualties by civilian status", "Tableau C4 (facultatif). Victimes par statut civil ou militaire", "Cuadro C4 (opcional). Víctimas por condición civil o militar"},
	"table.S1": {"Table S1. Persons in need of and reached by services, by sex and age", "Tableau S1. Personnes ayant besoin de services et personnes atteintes, par sexe et âge", "Cuadro S1. Personas que necesitan servicios y personas atendidas, por sexo y edad"},
	"table.S2": {"Table S2 (optional). Persons in need and reached, by disability", "Tableau S2 (facultatif). Personnes ayant besoin et atteintes, par handicap", "Cuadro S2 (opcional). Personas con necesidad y atendidas, por discapacidad"},

	"dimhead.outcome":         {"Outcome", "Issue", "Resultado"},
	"dimhead.disability":      {"Disability", "Handicap", "Discapacidad"},
	"dimhead.cause":           {"Cause", "Cause", "Causa"},
	"dimhead.civilian_status": {"Status", "Statut", "Condición"},
	"dimhead.pillar":          {"Service", "Service", "Servicio"},
	"dimhead.measure":         {"Measure", "Mesure", "Medida"},

	"row.outcome.killed":  {"Killed", "Tués", "Muertos"},
	"row.outcome.injured": {"Injured", "Blessés", "Heridos"},
	"row.outcome.unknown": {"Outcome unknown", "Issue inconnue", "Resultado desconocido"},

	"row.disability.yes":     {"With disability", "Avec handicap", "Con discapacidad"},
	"row.disability.no":      {"Without disability", "Sans handicap", "Sin discapacidad"},
	"row.disability.unknown": {"Disability unknown", "Handicap inconnu", "Discapacidad desconocida"},

	"row.cause.cm_attack":       {"Cluster munition attack", "Attaque à l'arme à sous-munitions", "Ataque con municiones en racimo"},
	"row.cause.cm_remnant":      {"Cluster munition remnant", "Reste d'arme à sous-munitions", "Resto de municiones en racimo"},
	"row.cause.mine":            {"Landmine (factory-made)", "Mine terrestre (manufacturée)", "Mina terrestre (de fabricación industrial)"},
	"row.cause.improvised_mine": {"Improvised mine", "Mine improvisée", "Mina improvisada"},
	"row.cause.erw_other":       {"Other explosive remnant of war", "Autre reste explosif de guerre", "Otro resto explosivo de guerra"},
	"row.cause.unknown":         {"Cause unknown", "Cause inconnue", "Causa desconocida"},

	"row.civilian_status.civilian": {"Civilian", "Civil", "Civil"},
	"row.civilian_status.military": {"Military", "Militaire", "Militar"},
	"row.civilian_status.deminer":  {"Deminer", "Démineur", "Desminador"},
	"row.civilian_status.unknown":  {"Status unknown", "Statut inconnu", "Condición desconocida"},

	"row.pillar.data_collection":         {"Data collection, needs assessment and referral", "Collecte de données, évaluation des besoins et orientation", "Recopilación de datos, evaluación de necesidades y derivación"},
	"row.pillar.medical_care":            {"Emergency and ongoing medical care", "Soins médicaux d'urgence et continus", "Atención médica de emergencia y continua"},
	"row.pillar.rehabilitation":          {"Rehabilitation, including assistive devices", "Réadaptation, y compris les aides techniques", "Rehabilitación, incluidos los dispositivos de apoyo"},
	"row.pillar.psychosocial_support":    {"Psychological and psychosocial support", "Soutien psychologique et psychosocial", "Apoyo psicológico y psicosocial"},
	"row.pillar.socioeconomic_inclusion": {"Social and economic inclusion", "Inclusion sociale et économique", "Inclusión social y económica"},
	"row.measure.in_need":                {"In need", "Ayant besoin", "Con necesidad"},
	"row.measure.reached":                {"Reached", "Atteintes", "Atendidas"},

	"col.sex_age.men":     {"Men", "Hommes", "Hombres"},
	"col.sex_age.women":   {"Women", "Femmes", "Mujeres"},
	"col.sex_age.boys":    {"Boys", "Garçons", "Niños"},
	"col.sex_age.girls":   {"Girls", "Filles", "Niñas"},
	"col.sex_age.unknown": {"Sex/age unknown", "Sexe/âge inconnu", "Sexo/edad desconocidos"},
	"col.sex_age.total":   {"Total (stated)", "Total (déclaré)", "Total (declarado)"},

	"col.outcome.killed":  {"Killed", "Tués", "Muertos"},
	"col.outcome.injured": {"Injured", "Blessés", "Heridos"},
	"col.outcome.unknown": {"Outcome unknown", "Issue inconnue", "Resultado desconocido"},
	"col.outcome.total":   {"Total (stated)", "Total (déclaré)", "Total (declarado)"},

	"col.disability.yes":     {"With disability", "Avec handicap", "Con discapacidad"},
	"col.disability.no":      {"Without disability", "Sans handicap", "Sin discapacidad"},
	"col.disability.unknown": {"Disability unknown", "Handicap inconnu", "Discapacidad desconocida"},
	"col.disability.total":   {"Total (stated)", "Total (déclaré)", "Total (declarado)"},

	"head.commitment": {"Commitment", "Engagement", "Compromiso"},
	"head.status":     {"Status", "Statut", "Estado"},
	"head.details":    {"Details", "Précisions", "Detalles"},

	"commitment.focal_point":             {"Is there a government focal point for victim assistance, with a mandate and resources?", "Existe-t-il un point focal gouvernemental pour l'assistance aux victimes, doté d'un mandat et de ressources ?", "¿Existe un punto focal gubernamental para la asistencia a las víctimas, con mandato y recursos?"},
	"commitment.national_plan":           {"Is there a current national plan that covers victim assistance (a disability or victim assistance plan)?", "Existe-t-il un plan national en vigueur couvrant l'assistance aux victimes (plan handicap ou assistance aux victimes) ?", "¿Existe un plan nacional vigente que cubra la asistencia a las víctimas (plan de discapacidad o de asistencia a víctimas)?"},
	"commitment.plan_budgeted":           {"Is the plan measurable and budgeted?", "Le plan est-il mesurable et budgétisé ?", "¿El plan es medible y cuenta con presupuesto?"},
	"commitment.disaggregated_data":      {"Are data on victims collected and disaggregated by sex, age and disability?", "Les données sur les victimes sont-elles collectées et ventilées par sexe, âge et handicap ?", "¿Se recopilan datos sobre las víctimas desglosados por sexo, edad y discapacidad?"},
	"commitment.referral_mechanism":      {"Is there a referral mechanism and a directory of services?", "Existe-t-il un mécanisme d'orientation et un répertoire des services ?", "¿Existe un mecanismo de derivación y un directorio de servicios?"},
	"commitment.victims_in_coordination": {"Are victims and their organisations involved in coordination and decisions?", "Les victimes et leurs organisations participent-elles à la coordination et aux décisions ?", "¿Participan las víctimas y sus organizaciones en la coordinación y las decisiones?"},
	"commitment.report_submitted":        {"Has the Article 7 transparency report for this period been submitted?", "Le rapport de transparence au titre de l'article 7 pour cette période a-t-il été soumis ?", "¿Se ha presentado el informe de transparencia del artículo 7 de este período?"},

	"prompt.count.title": {"Number of people", "Nombre de personnes", "Número de personas"},
	"prompt.count":       {"A whole number, \"unknown\", \"n/a\" or \"≥50\". Leave blank if not reported; never 0 for unknown.", "Un nombre entier, « inconnu », « n/a » ou « ≥50 ». Vide si non renseigné ; jamais 0 si inconnu.", "Un número entero, «desconocido», «n/a» o «≥50». En blanco si no hay datos; nunca 0 si se desconoce."},
	"prompt.date.title":  {"Date", "Date", "Fecha"},
	"prompt.date":        {"dd/mm/yyyy", "jj/mm/aaaa", "dd/mm/aaaa"},
	"prompt.year.title":  {"Year", "Année", "Año"},
	"prompt.year":        {"Year of your last report, e.g. 2022", "Année de votre dernier rapport, par ex. 2022", "Año de su último informe, p. ej. 2022"},
	"prompt.list.title":  {"Choose from the list", "Choisissez dans la liste", "Elija de la lista"},
	"prompt.list":        {"Use the arrow to choose a value.", "Utilisez la flèche pour choisir une valeur.", "Use la flecha para elegir un valor."},
	"prompt.details":     {"Free text (optional).", "Texte libre (facultatif).", "Texto libre (opcional)."},
	"error.list":         {"Choose a value from the list.", "Choisissez une valeur dans la liste.", "Elija un valor de la lista."},
}
