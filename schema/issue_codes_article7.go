package schema

// Issue codes of the Article 7 and table reader.
const (
	// CodeUnknownLabels lists header or row labels the reader does not
	// know (Arabic, Chinese, Russian or unexpected wording): the figures
	// under them are not read, never guessed.
	CodeUnknownLabels = "unknown_labels"
	// CodeHeaderConflict: a cell's row and column headers contradict each
	// other ("Adults" column, "Boys" row).
	CodeHeaderConflict = "header_conflict"
	// CodeMissingDimension: a table whose figures lack a dimension the
	// store needs (a service table without a pillar or in-need/reached).
	CodeMissingDimension = "missing_dimension"
	// CodeFormStatus: the cover page's status of Form H could not be read.
	CodeFormStatus = "form_status"
	// CodeDuplicateFigure: two cells state the same figure, with different values.
	CodeDuplicateFigure = "duplicate_figure"
)
