package annotate

import (
	"fmt"

	"github.com/vahub/vahub/schema"
)

// labels are the words of the annotated workbook in one language.
type labels struct {
	sheet                   string // name of the Issues sheet
	severity, sheetCol      string // column headers
	cell, code, message     string
	errorOne, errorMany     string // "%d error", "%d errors"
	warningOne, warningMany string
	rejected, accepted      string // the file's fate, after the counts
	none                    string // no issue at all
	file                    string // "File: %s"
	notCopied               string // the file could not be annotated in place
	truncated               string // only the first %d problems are listed
	sevError, sevWarning    string // severities in the list and the comments
	pluralFromTwo           bool   // French: 0 and 1 take the singular
}

var catalogue = map[string]labels{
	"en": {
		sheet: "Issues", severity: "Severity", sheetCol: "Sheet", cell: "Cell", code: "Code", message: "Message",
		errorOne: "%d error", errorMany: "%d errors", warningOne: "%d warning", warningMany: "%d warnings",
		rejected: "the file was rejected.", accepted: "the file was accepted.",
		none:      "No problems found — the file was accepted.",
		file:      "File: %s",
		notCopied: "This file is not an Excel workbook (.xlsx) that vahub could copy, so its problems are listed here only.",
		truncated: "Only the first %d problems are listed and highlighted.",
		sevError:  "Error", sevWarning: "Warning",
	},
	"fr": {
		sheet: "Problèmes", severity: "Gravité", sheetCol: "Feuille", cell: "Cellule", code: "Code", message: "Message",
		errorOne: "%d erreur", errorMany: "%d erreurs", warningOne: "%d avertissement", warningMany: "%d avertissements",
		rejected: "le fichier a été refusé.", accepted: "le fichier a été accepté.",
		none:      "Aucun problème trouvé — le fichier a été accepté.",
		file:      "Fichier : %s",
		notCopied: "Ce fichier n'est pas un classeur Excel (.xlsx) que vahub peut copier : ses problèmes sont donc listés ici seulement.",
		truncated: "Seuls les %d premiers problèmes sont listés et surlignés.",
		sevError:  "Erreur", sevWarning: "Avertissement",
		pluralFromTwo: true,
	},
	"es": {
		sheet: "Problemas", severity: "Gravedad", sheetCol: "Hoja", cell: "Celda", code: "Código", message: "Mensaje",
		errorOne: "%d error", errorMany: "%d errores", warningOne: "%d advertencia", warningMany: "%d advertencias",
		rejected: "el archivo fue rechazado.", accepted: "el archivo fue aceptado.",
		none:      "No se encontraron problemas — el archivo fue aceptado.",
		file:      "Archivo: %s",
		notCopied: "Este archivo no es un libro de Excel (.xlsx) que vahub pueda copiar, así que sus problemas se enumeran solo aquí.",
		truncated: "Solo se enumeran y resaltan los %d primeros problemas.",
		sevError:  "Error", sevWarning: "Advertencia",
	},
}

// lookup returns the labels of lang, English for a language it does not know.
func lookup(lang string) labels {
	if l, ok := catalogue[lang]; ok {
		return l
	}
	return catalogue["en"]
}

func (l labels) count(n int, one, many string) string {
	if n == 1 || (n == 0 && l.pluralFromTwo) {
		return fmt.Sprintf(one, n)
	}
	return fmt.Sprintf(many, n)
}

// summary is the line on top of the Issues sheet: "3 errors, 1 warning —
// the file was rejected."
func (l labels) summary(errs, warns int) string {
	if errs == 0 && warns == 0 {
		return l.none
	}
	fate := l.accepted
	if errs > 0 {
		fate = l.rejected
	}
	return l.count(errs, l.errorOne, l.errorMany) + ", " + l.count(warns, l.warningOne, l.warningMany) + " — " + fate
}

func (l labels) sevLabel(s schema.Severity) string {
	if s == schema.SevError {
		return l.sevError
	}
	return l.sevWarning
}
