package schema

// Issue codes of the survey-export reader (ingest/survey).
const (
	// CodeSurveyNoInstanceID: an export of the standard form without any
	// column that identifies a submission (meta/instanceID, KEY, _uuid), so
	// re-imports could not be told from new interviews.
	CodeSurveyNoInstanceID = "survey_no_instance_id"
	// CodeSurveyNoCountry: an export without a country column, and no
	// --country to supply it.
	CodeSurveyNoCountry = "survey_no_country"
	// CodeSurveyColumns: standard questions without a column (their
	// answers are unanswered, never "no"), a question with two columns,
	// or columns that are neither questions nor tool metadata.
	CodeSurveyColumns = "survey_columns"
	// CodeSurveyRowRejected: a row that cannot become a record (no
	// instance id, no consent answer, no known country or year); it is
	// counted as rejected and nothing of it is kept.
	CodeSurveyRowRejected = "survey_row_rejected"
	// CodeSurveyBadAnswer: a cell that is not an answer the question
	// allows (a choice the form does not have, an age of 400); the
	// question is left unanswered for that record.
	CodeSurveyBadAnswer = "survey_bad_answer"
)
