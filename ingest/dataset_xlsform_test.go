package ingest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/survey"
)

// XLSForms are survey definitions, not data: other organisations' forms are
// named as such (with what the form is), and vahub's own form is told
// apart, so the user learns to upload it and ingest its exports.
func TestIngestXLSForms(t *testing.T) {
	t.Parallel()
	own := filepath.Join(t.TempDir(), "vahub-survey.xlsx")
	out, err := os.Create(own)
	if err != nil {
		t.Fatal(err)
	}
	if err := exports.WriteXLSForm(out, survey.Standard()); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		own: {"This is vahub's standard needs-assessment survey form itself (XLSForm survey definition vahub_va_needs, version " +
			survey.FormVersion + ")", "ingest the exports of its data"},
	}
	for rel, want := range map[string][]string{
		"reach-msna/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx": {
			"This is a survey definition (XLSForm) that is not vahub's standard form (form_id not stated (no settings sheet); " +
				"250 named questions and calculations; labels in english, french)",
			"Washington Group questions under its own names (wgq_vision, wgq_hearing, wgq_mobility, wgq_cognition, wgq_self_care, wgq_communication)",
		},
		"ram-op/ramOP_xlsform.xlsx": {
			"This is a survey definition (XLSForm) that is not vahub's standard form ('Rapid nutrition and needs assessment survey for older people",
			"; form_id ramOP; version 1; 97 named questions and calculations; labels in English, French)",
			"under its own names (wg1, wg2, wg3, wg4, wg5, wg6)",
			"use its standard form (vahub survey form)",
		},
	} {
		p := filepath.Join(sharedData(t), rel)
		if _, err := os.Stat(p); err != nil {
			t.Logf("%s not present, not checked: %v", rel, err)
			continue
		}
		cases[p] = want
	}
	var paths []string
	for p := range cases {
		paths = append(paths, p)
	}
	res, err := ingest.Files(t.Context(), nil, paths, ingest.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != len(paths) {
		t.Fatalf("%d reports for %d files", len(res.Files), len(paths))
	}
	for _, fr := range res.Files {
		if fr.Status != pg.FileRejected || fr.Format != ingest.FormatNonData || len(fr.Issues) != 1 ||
			fr.Issues[0].Code != schema.CodeNoVAData || fr.Issues[0].Sheet != "survey" {
			t.Errorf("%s: status %q format %q issues %v; want one no_va_data error", fr.Path, fr.Status, fr.Format, fr.Issues)
			continue
		}
		for _, w := range cases[fr.Path] {
			if !strings.Contains(fr.Issues[0].Message, w) {
				t.Errorf("%s: message\n%s\nlacks %q", filepath.Base(fr.Path), fr.Issues[0].Message, w)
			}
		}
	}
}
