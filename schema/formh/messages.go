package formh

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vahub/vahub/schema"
)

// Message words issue key for the focal point in lang. The key is a schema
// issue code, optionally followed by "." and a variant ("missing_period.end").
// args fill the message's indexed placeholders (%[1]s …), so translations
// may order them freely. An unknown key falls back to the key and args.
func Message(lang, key string, args ...any) string {
	t, ok := messages[key]
	if !ok {
		return strings.TrimSpace(key + " " + fmt.Sprint(args...))
	}
	return fmt.Sprintf(t[slices.Index(Languages(), Lang(lang))], args...)
}

// MessageKeys lists every message key, for tests.
func MessageKeys() []string {
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// IssueCode is the schema issue code of a message key.
func IssueCode(key string) string {
	code, _, _ := strings.Cut(key, ".")
	return code
}

func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// messages is the catalogue of issue messages as en, fr, es.
var messages = map[string][3]string{
	schema.CodeNotTemplate: {
		"This workbook is not a vahub reporting template (no vahub marker sheet). Download the template with `vahub template` or from the web page.",
		"Ce classeur n'est pas un modèle de rapport vahub (feuille de repère vahub absente). Téléchargez le modèle avec `vahub template` ou depuis la page web.",
		"Este libro no es una plantilla de informe de vahub (falta la hoja de referencia de vahub). Descargue la plantilla con `vahub template` o desde la página web.",
	},
	schema.CodeNotTemplate + ".file": {
		"This file is not a vahub reporting template: %[1]s. Save the filled template as an Excel workbook (.xlsx); download it with `vahub template` or from the web page.",
		"Ce fichier n'est pas un modèle de rapport vahub : %[1]s. Enregistrez le modèle rempli comme classeur Excel (.xlsx) ; téléchargez-le avec `vahub template` ou depuis la page web.",
		"Este archivo no es una plantilla de informe de vahub: %[1]s. Guarde la plantilla completada como libro de Excel (.xlsx); descárguela con `vahub template` o desde la página web.",
	},
	schema.CodeUnreadable: {
		"The file could not be read: %[1]s",
		"Le fichier n'a pas pu être lu : %[1]s",
		"No se pudo leer el archivo: %[1]s",
	},
	schema.CodeTooLarge: {
		"The file is too large (more than %[1]s).",
		"Le fichier est trop volumineux (plus de %[1]s).",
		"El archivo es demasiado grande (más de %[1]s).",
	},
	schema.CodeWrongType: {
		"%[1]q is not a number of people. Write a whole number such as 12, \"unknown\" if it is not known, or leave the cell blank if it is not reported.",
		"« %[1]s » n'est pas un nombre de personnes. Écrivez un nombre entier comme 12, « inconnu » s'il n'est pas connu, ou laissez la cellule vide s'il n'est pas renseigné.",
		"«%[1]s» no es un número de personas. Escriba un número entero como 12, «desconocido» si no se conoce, o deje la celda en blanco si no hay datos.",
	},
	schema.CodeWrongType + ".date": {
		"%[1]q is not a date. Write the date as dd/mm/yyyy, for example 31/12/2024.",
		"« %[1]s » n'est pas une date. Écrivez la date sous la forme jj/mm/aaaa, par exemple 31/12/2024.",
		"«%[1]s» no es una fecha. Escriba la fecha como dd/mm/aaaa, por ejemplo 31/12/2024.",
	},
	schema.CodeWrongType + ".year": {
		"%[1]q is not a year. Write the year of your last report, for example 2022.",
		"« %[1]s » n'est pas une année. Écrivez l'année de votre dernier rapport, par exemple 2022.",
		"«%[1]s» no es un año. Escriba el año de su último informe, por ejemplo 2022.",
	},
	schema.CodeWrongType + ".formula": {
		"This cell holds a formula without a value. Type the figure itself.",
		"Cette cellule contient une formule sans valeur. Saisissez le chiffre lui-même.",
		"Esta celda contiene una fórmula sin valor. Escriba la cifra directamente.",
	},
	schema.CodeNegative: {
		"%[1]q is negative: a number of people cannot be below zero.",
		"« %[1]s » est négatif : un nombre de personnes ne peut pas être inférieur à zéro.",
		"«%[1]s» es negativo: un número de personas no puede ser menor que cero.",
	},
	schema.CodeNotInteger: {
		"%[1]q is not a whole number: count people in whole numbers.",
		"« %[1]s » n'est pas un nombre entier : comptez les personnes en nombres entiers.",
		"«%[1]s» no es un número entero: cuente a las personas en números enteros.",
	},
	schema.CodeReachedOverNeed: {
		"%[1]d persons reached is more than the %[2]d persons in need (cell %[3]s) for the same service and group. Check both figures.",
		"%[1]d personnes atteintes, c'est plus que les %[2]d personnes ayant besoin (cellule %[3]s) pour le même service et le même groupe. Vérifiez les deux chiffres.",
		"%[1]d personas atendidas es más que las %[2]d personas con necesidad (celda %[3]s) para el mismo servicio y grupo. Revise ambas cifras.",
	},
	schema.CodeUnknownCountry: {
		"%[1]q is not a country we recognise. Choose the country from the list.",
		"« %[1]s » n'est pas un pays reconnu. Choisissez le pays dans la liste.",
		"«%[1]s» no es un país reconocido. Elija el país de la lista.",
	},
	schema.CodeMissingCountry: {
		"The country is missing. Choose it from the list.",
		"Le pays manque. Choisissez-le dans la liste.",
		"Falta el país. Elíjalo de la lista.",
	},
	schema.CodeMissingPeriod + ".start": {
		"The start of the reporting period is missing. Write it as dd/mm/yyyy.",
		"Le début de la période couverte manque. Écrivez-le sous la forme jj/mm/aaaa.",
		"Falta el inicio del período del informe. Escríbalo como dd/mm/aaaa.",
	},
	schema.CodeMissingPeriod + ".end": {
		"The end of the reporting period is missing. Write it as dd/mm/yyyy.",
		"La fin de la période couverte manque. Écrivez-la sous la forme jj/mm/aaaa.",
		"Falta el final del período del informe. Escríbalo como dd/mm/aaaa.",
	},
	schema.CodeBadPeriod: {
		"The reporting period ends (%[2]s) before it starts (%[1]s).",
		"La période couverte se termine (%[2]s) avant de commencer (%[1]s).",
		"El período del informe termina (%[2]s) antes de empezar (%[1]s).",
	},
	schema.CodePeriodOutside: {
		"The reporting period %[1]s – %[2]s is not within one calendar year. Annual reports cover 1 January to 31 December; please check the dates.",
		"La période couverte %[1]s – %[2]s ne tient pas dans une année civile. Les rapports annuels couvrent du 1er janvier au 31 décembre ; vérifiez les dates.",
		"El período del informe %[1]s – %[2]s no está dentro de un año calendario. Los informes anuales cubren del 1 de enero al 31 de diciembre; revise las fechas.",
	},
	schema.CodeExceedsTotal: {
		"The figures of this row add up to %[1]d, more than the total of %[2]d stated in %[3]s. Correct the figures or the total.",
		"Les chiffres de cette ligne totalisent %[1]d, plus que le total de %[2]d déclaré en %[3]s. Corrigez les chiffres ou le total.",
		"Las cifras de esta fila suman %[1]d, más que el total de %[2]d declarado en %[3]s. Corrija las cifras o el total.",
	},
	schema.CodeTotalMismatch: {
		"The total %[1]d differs from the total %[2]d stated for the same people in %[3]s.",
		"Le total %[1]d diffère du total %[2]d déclaré pour les mêmes personnes en %[3]s.",
		"El total %[1]d difiere del total %[2]d declarado para las mismas personas en %[3]s.",
	},
	schema.CodeUnknownCode: {
		"%[1]q is not one of the choices. Choose one of: %[2]s.",
		"« %[1]s » ne fait pas partie des choix possibles. Choisissez parmi : %[2]s.",
		"«%[1]s» no es una de las opciones. Elija entre: %[2]s.",
	},
	schema.CodeUnknownCode + ".marker": {
		"The template's hidden description is damaged (entry %[1]q). Download a new template and copy your figures into it.",
		"La description cachée du modèle est endommagée (entrée « %[1]s »). Téléchargez un nouveau modèle et recopiez-y vos chiffres.",
		"La descripción oculta de la plantilla está dañada (entrada «%[1]s»). Descargue una plantilla nueva y copie en ella sus cifras.",
	},
	schema.CodeTemplateVersion: {
		"This template has format %[1]q, which this version of vahub cannot read. Download a current template and copy your figures into it.",
		"Ce modèle est au format « %[1]s », que cette version de vahub ne sait pas lire. Téléchargez un modèle à jour et recopiez-y vos chiffres.",
		"Esta plantilla tiene el formato «%[1]s», que esta versión de vahub no puede leer. Descargue una plantilla actual y copie en ella sus cifras.",
	},
	schema.CodeTemplateVersion + ".sheet": {
		"The sheet %[1]q of the template is missing. Do not rename or delete sheets; download a new template if needed.",
		"La feuille « %[1]s » du modèle manque. Ne renommez ni ne supprimez de feuilles ; téléchargez un nouveau modèle si nécessaire.",
		"Falta la hoja «%[1]s» de la plantilla. No cambie el nombre de las hojas ni las elimine; descargue una plantilla nueva si es necesario.",
	},
	schema.CodeCountryMismatch: {
		"The country %[1]q differs from %[2]q, the country this template was made for.",
		"Le pays « %[1]s » diffère de « %[2]s », le pays pour lequel ce modèle a été créé.",
		"El país «%[1]s» difiere de «%[2]s», el país para el que se creó esta plantilla.",
	},
	schema.CodeNoFacts: {
		"The template holds no figures and no answers. Fill in at least one table before sending it.",
		"Le modèle ne contient aucun chiffre ni aucune réponse. Remplissez au moins un tableau avant de l'envoyer.",
		"La plantilla no contiene cifras ni respuestas. Complete al menos un cuadro antes de enviarla.",
	},
	schema.CodeNoFacts + ".not_applicable": {
		"Form H is marked \"not applicable\" and the template holds no figures: nothing will be stored for this period.",
		"Le formulaire H est marqué « sans objet » et le modèle ne contient aucun chiffre : rien ne sera enregistré pour cette période.",
		"El formulario H está marcado «no aplica» y la plantilla no contiene cifras: no se guardará nada para este período.",
	},
	schema.CodeCarriedNoSource: {
		"Form H is marked \"unchanged\" since %[1]d but the sheets hold no figures. The figures of %[1]d will be carried forward once that report is on file; check that this is what you meant.",
		"Le formulaire H est marqué « inchangé » depuis %[1]d mais les feuilles ne contiennent aucun chiffre. Les chiffres de %[1]d seront repris dès que ce rapport sera enregistré ; vérifiez que c'est bien votre intention.",
		"El formulario H está marcado «sin cambios» desde %[1]d pero las hojas no contienen cifras. Las cifras de %[1]d se trasladarán cuando ese informe esté registrado; compruebe que es lo que quería.",
	},
	schema.CodeCarriedNoSource + ".noyear": {
		"Form H is marked \"unchanged\" but the last reporting year is missing. Write the year of your last report.",
		"Le formulaire H est marqué « inchangé » mais l'année du dernier rapport manque. Écrivez l'année de votre dernier rapport.",
		"El formulario H está marcado «sin cambios» pero falta el año del último informe. Escriba el año de su último informe.",
	},
}
