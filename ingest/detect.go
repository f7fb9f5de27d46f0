package ingest

import (
	"context"
	"fmt"

	"github.com/vahub/vahub/schema"
)

// Formats vahub recognises. Readers for Article 7 forms, HXL sheets, national
// datasets and survey exports plug in here.
const (
	FormatTemplate = "vahub-template"
	FormatUnknown  = "unknown"
)

// parse recognises the file's format and runs its reader. The error is for
// failures of the reader itself; problems in the file are issues.
func parse(ctx context.Context, path string, content []byte) (string, *schema.Report, schema.Issues, error) {
	report, issues, err := ReadTemplate(ctx, path)
	if err != nil {
		// A file the reader could not open (a CSV, a PDF, a damaged zip)
		// comes with an issue saying so: that is a rejection, not a failure.
		if len(issues) > 0 {
			return FormatUnknown, nil, issues, nil
		}
		return FormatUnknown, nil, nil, fmt.Errorf("read: %w", err)
	}
	if report == nil && onlyNotTemplate(issues) {
		return FormatUnknown, nil, issues, nil
	}
	return FormatTemplate, report, issues, nil
}

func onlyNotTemplate(issues schema.Issues) bool {
	for _, i := range issues {
		if i.Code != schema.CodeNotTemplate && i.Code != schema.CodeUnreadable {
			return false
		}
	}
	return true
}
