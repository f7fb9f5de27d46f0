package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema"
)

// hxlSharedData is ../shared/data beside the module root, or "" (skip).
func hxlSharedData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no shared data beside the repository: %v", err)
	}
	return dir
}

// The real HXL files of ../shared/data hold no victim-assistance figures:
// each is rejected with the reason, located to its sheet and cell.
func TestHxlRealFiles(t *testing.T) {
	t.Parallel()
	data := hxlSharedData(t)
	for _, tc := range []struct {
		path     string
		sheet    string
		reason   []string // substrings of the no_va_data error
		warnings []string // codes (or code:substring) of warnings expected too
	}{
		{
			path: "hdx-hno/hno_data_afg_2024_hxl.csv", sheet: "hno_data_afg_2024_hxl",
			reason: []string{"this HXL file holds no victim-assistance figures", "sectors ", "ALL", "EDU", "FSC", "HEA", "PRO_MIN", "WSH", "are not victim-assistance pillars"},
			warnings: []string{
				schema.CodeHXLColumnIgnored + ":#affected without +killed or +injured",
				schema.CodeHXLRowsSkipped + ":population subgroups",
			},
		},
		{
			path:  "insecurity-insight/2020-2023-explosive-weapons-monitor-data-by-insecurity-insight.xlsx",
			sheet: "2020-2023 EWM Data",
			reason: []string{"incident list", "no casualty counts by outcome/sex/age",
				"#affected+healthworker+killed"},
			warnings: []string{
				schema.CodeBadHXLTag + ":column M (Aid Workers Killed): '#affected aidworker +killed' is not a valid HXL tag",
				schema.CodeUnknownHXLTag + ":#explosives_lauuch_type",
				schema.CodeHXLRowsSkipped + `:Sheet "MetaData&Notes" has no HXL hashtag row`,
			},
		},
		{
			path: "ocha-3w/3w_tcd_avr2025.xlsx", sheet: "3W Opérationnelle",
			reason:   []string{"3 of its 13 columns are tagged", "#adm1+name, #sector, #org+acronym", "operational-presence"},
			warnings: []string{schema.CodeUnknownHXLTag + ":#org+acronym"},
		},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			p, err := readHxl(t.Context(), Input{Path: filepath.Join(data, tc.path)})
			if err != nil || p == nil {
				t.Fatalf("readHxl = %v, %v; want the file recognised", p, err)
			}
			if p.Format != FormatHXL || len(p.Reports) != 0 {
				t.Errorf("format %q, %d reports; want hxl and none", p.Format, len(p.Reports))
			}
			var errs []schema.Issue
			for _, is := range p.Issues {
				if is.Severity == schema.SevError {
					errs = append(errs, is)
				}
			}
			if len(errs) != 1 || errs[0].Code != schema.CodeNoVAData || errs[0].Sheet != tc.sheet || errs[0].Cell == "" {
				t.Fatalf("errors %v; want one no_va_data error on sheet %q with a cell", errs, tc.sheet)
			}
			for _, s := range tc.reason {
				if !strings.Contains(strings.ToLower(errs[0].Message), strings.ToLower(s)) {
					t.Errorf("reason %q does not say %q", errs[0].Message, s)
				}
			}
			for _, w := range tc.warnings {
				code, sub, _ := strings.Cut(w, ":")
				if !hasIssue(p.Issues, schema.SevWarning, code, sub) {
					t.Errorf("no %s warning saying %q in %v", code, sub, p.Issues)
				}
			}
			for _, is := range p.Issues {
				if is.Sheet == "" {
					t.Errorf("issue without a sheet: %v", is)
				}
			}
			t.Logf("%s", p.Issues)
		})
	}
	// A workbook without a hashtag row is not HXL.
	p, err := readHxl(t.Context(), Input{Path: filepath.Join(data, "ocha-3w/drc_3w_extrait_mai_2025.xlsx")})
	if p != nil || err != nil {
		t.Errorf("drc 3W: %v, %v; want nil, nil (no hashtag row)", p, err)
	}
}

func hasIssue(is schema.Issues, sev schema.Severity, code, sub string) bool {
	for _, i := range is {
		if i.Severity == sev && i.Code == code && strings.Contains(i.Message, sub) {
			return true
		}
	}
	return false
}
