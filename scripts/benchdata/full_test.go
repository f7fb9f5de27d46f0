package benchdata

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema"
)

// A FullReport fills every cell, reads back without an error, with
// FullFacts facts, and warns exactly when its period is off the year.
func TestFullReportIngests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		country sample.Country
		variant int
		offYear bool
	}{
		{sample.Country{Code: "LAO", Lang: "en", Scale: 60}, 0, false},
		{sample.Country{Code: "LBN", Lang: "fr", Scale: 3}, 1, true},
		{sample.Country{Code: "COL", Lang: "es", Scale: 400}, 7, false},
	}
	for _, tc := range tests {
		t.Run(tc.country.Code, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "full.xlsx")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			rep := FullReport(tc.country, 2024, tc.variant, tc.offYear)
			if err := exports.WriteTemplate(f, exports.TemplateOptions{Lang: tc.country.Lang, Country: tc.country.Code, Year: 2024, Prefill: rep}); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			fr, err := ingest.File(t.Context(), nil, 0, path, ingest.Options{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			var errs, warns []schema.Issue
			for _, is := range fr.Issues {
				if is.Severity == schema.SevError {
					errs = append(errs, is)
				} else {
					warns = append(warns, is)
				}
			}
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if fr.Facts != FullFacts || fr.Country != tc.country.Code {
				t.Errorf("facts %d, country %q; want %d, %s", fr.Facts, fr.Country, FullFacts, tc.country.Code)
			}
			want := 0
			if tc.offYear {
				want = 1
			}
			if len(warns) != want || (want == 1 && warns[0].Code != schema.CodePeriodOutside) {
				t.Errorf("warnings %v, want %d period_outside_year", warns, want)
			}
		})
	}
	a, b := FullReport(tests[0].country, 2024, 0, false), FullReport(tests[0].country, 2024, 1, false)
	if *a.Casualties[0].People == *b.Casualties[0].People && *a.Services[0].People == *b.Services[0].People {
		t.Error("variants 0 and 1 have the same first figures")
	}
}
