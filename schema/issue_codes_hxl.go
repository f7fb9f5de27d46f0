package schema

// Issue codes of the HXL reader (ingest/reader_hxl.go).
const (
	// CodeBadHXLTag: a cell of the hashtag row is not a well-formed HXL tag
	// ("#affected aidworker +killed"); its column is not read.
	CodeBadHXLTag = "bad_hxl_tag"
	// CodeUnknownHXLTag: well-formed tags vahub does not read, listed once
	// per sheet; their columns are ignored, never guessed.
	CodeUnknownHXLTag = "unknown_hxl_tag"
	// CodeHXLColumnIgnored: a known tag whose attributes do not make a
	// vahub figure (#affected+healthworker+killed, #inneed with no pillar).
	CodeHXLColumnIgnored = "hxl_column_ignored"
	// CodeHXLRowsSkipped: rows read but not turned into facts, and why
	// (sub-national rows, population subgroups, sectors that are not
	// victim-assistance pillars).
	CodeHXLRowsSkipped = "hxl_rows_skipped"
	// CodeDuplicateFact: two cells give a figure for the same group.
	CodeDuplicateFact = "duplicate_fact"
	// CodeNoVAData: a file (or sheet) holds no victim-assistance figures.
	CodeNoVAData = "no_va_data"
)
