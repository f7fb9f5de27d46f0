package schema

// Issue codes of the national-dataset reader (ingest/reader_dataset.go).
// CodeNoVAData (issue_codes_hxl.go) is shared: the dataset reader uses it
// for forms, clearance tables and other files that hold no
// victim-assistance figures.
const (
	// CodeDatasetReadByContent: a column's header names one dimension and
	// its values another (Colombia's estado/genero); the values win.
	CodeDatasetReadByContent = "column_read_by_content"
	// CodeDatasetDuplicateRows: rows that are exact copies of an earlier
	// row. Kept when the file has no record id (several victims of one
	// event look identical); dropped when a record id repeats with them.
	CodeDatasetDuplicateRows = "duplicate_rows"
	// CodeDatasetUnrecognised: values of a classified column that map to no
	// code; they are counted as unknown on that dimension, never dropped.
	CodeDatasetUnrecognised = "unrecognised_value"
	// CodeDatasetRowsLeftOut: rows not counted, and why (no year, another
	// country or year than --country/--year asked for).
	CodeDatasetRowsLeftOut = "rows_left_out"
	// CodeDatasetCountedAsInjured: incident counts of amputations are
	// counted as injured persons.
	CodeDatasetCountedAsInjured = "amputations_counted_as_injured"
)
