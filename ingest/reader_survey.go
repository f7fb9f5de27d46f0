package ingest

import (
	"context"

	"github.com/vahub/vahub/ingest/survey"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
)

// Formats of the survey reader: exports of vahub's standard
// needs-assessment survey, whose records are streamed into survey_record.
const (
	FormatSurveyKobo = "survey-kobo"
	FormatSurveyODK  = "survey-odk"
)

// SurveyReport is the "survey" object of a survey export's per-file
// report: what its records did (pg.SurveyCounts) plus the rows the reader
// could not use.
type SurveyReport = pg.SurveyCounts

// readSurvey claims KoboToolbox and ODK Central exports. An export of the
// standard form becomes a Parsed whose survey stream runs later, inside the
// file's transaction (so a million rows are read once, straight into the
// store); an export of another form is rejected saying which standard
// questions it lacks. Anything else is left to the other readers.
func readSurvey(ctx context.Context, in Input) (*Parsed, error) {
	exp, issues, err := survey.Open(ctx, in.Path, survey.Options{Country: in.Country, Year: in.Year, Size: in.Size})
	if err != nil {
		return nil, nil //nolint:nilerr // an unreadable file is the other readers' to explain
	}
	if exp == nil {
		if issues == nil {
			return nil, nil
		}
		format := FormatNonData
		if !isOtherForm(issues) {
			format = FormatSurveyKobo
		}
		return &Parsed{Format: format, Issues: issues}, nil
	}
	format := FormatSurveyKobo
	if exp.Tool == survey.ToolODK {
		format = FormatSurveyODK
	}
	return &Parsed{Format: format, Issues: issues, Survey: exp.Stream, survey: exp}, nil
}

func isOtherForm(issues schema.Issues) bool {
	for _, i := range issues {
		if i.Code == schema.CodeNoVAData {
			return true
		}
	}
	return false
}
