package web

// focalMessages: the focal point's pages (template, upload, submissions).
// See i18n.go for how to add messages.
var focalMessages = catalog{
	"focal.title":              {"Your reports", "Vos rapports", "Sus informes"},
	"focal.intro":              {"You report for %[1]s.", "Vous faites rapport pour %[1]s.", "Usted informa por %[1]s."},
	"focal.step_template":      {"1. Download the reporting template", "1. Téléchargez le modèle de rapport", "1. Descargue la plantilla de informe"},
	"focal.step_template_text": {"The template is pre-filled with your country and the year due (%[1]d).", "Le modèle est pré-rempli avec votre pays et l'année due (%[1]d).", "La plantilla viene completada con su país y el año debido (%[1]d)."},
	"focal.step_upload":        {"2. Upload the filled workbook", "2. Envoyez le classeur rempli", "2. Envíe el libro completado"},
	"focal.step_upload_text":   {"vahub checks it within seconds and shows every problem with its cell.", "vahub le vérifie en quelques secondes et indique chaque problème avec sa cellule.", "vahub lo revisa en segundos y muestra cada problema con su celda."},
	"focal.step_history":       {"3. Follow your submissions", "3. Suivez vos soumissions", "3. Siga sus envíos"},
	"focal.step_history_text":  {"See the status of what you sent and the reviewer's notes.", "Consultez le statut de vos envois et les notes du relecteur.", "Consulte el estado de lo que envió y las notas del revisor."},
	"focal.download":           {"Download the %[1]d template", "Télécharger le modèle %[1]d", "Descargar la plantilla %[1]d"},
	"focal.other_year":         {"Another year or language", "Une autre année ou langue", "Otro año o idioma"},
	"focal.go_upload":          {"Upload a workbook", "Envoyer un classeur", "Enviar un libro"},
	"focal.go_history":         {"See your submissions", "Voir vos soumissions", "Ver sus envíos"},
	"focal.recent":             {"Latest submissions", "Dernières soumissions", "Últimos envíos"},
}
