package ingest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// A French Article 7 workbook goes through ingest.Files into PostgreSQL and
// comes out of the public reporting views exactly.
func TestIngestArticle7FR(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	path := writeA7Book(t, frCover("modifié"), frFormH())
	res, err := Files(t.Context(), db, []string{path}, Options{RunKind: "cli", StartedBy: "test", ReportStatus: "approved"})
	if err != nil {
		t.Fatal(err)
	}
	fr := res.Files[0]
	if fr.Status != pg.FileIngested || fr.Format != FormatArticle7 || fr.Country != "LBN" || fr.Facts != 8+16+4 {
		t.Fatalf("file report %+v", fr)
	}
	rows := func(q string) []string {
		t.Helper()
		r, err := db.QueryContext(t.Context(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer r.Close()
		cols, _ := r.Columns()
		var out []string
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, v := range vals {
				if v == nil {
					parts = append(parts, "NULL")
				} else {
					parts = append(parts, fmt.Sprint(v))
				}
			}
			out = append(out, strings.Join(parts, " "))
		}
		slices.Sort(out)
		return out
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	}
	check("casualty_facts", rows(`SELECT outcome, sex, age_group, disability, cause, civilian_status, people, qualifier
		FROM casualty_facts WHERE country = 'LBN' AND year = 2024`), []string{
		"injured female adult total total total 2 exact", "injured female child total total total 1 exact",
		"injured male adult total total total 5 exact", "injured male child total total total 4 exact",
		"killed female adult total total total 1 exact", "killed female child total total total 0 exact",
		"killed male adult total total total 3 exact", "killed male child total total total 2 exact",
	})
	check("service_facts", rows(`SELECT pillar, sex, age_group, disability, in_need, reached
		FROM service_facts WHERE country = 'LBN' AND year = 2024`), []string{
		"medical_care female adult total 8 8", "medical_care female child total 4 4",
		"medical_care male adult total 10 9", "medical_care male child total 6 5",
		"rehabilitation female adult total 3 2", "rehabilitation female child total 1 0",
		"rehabilitation male adult total 7 7", "rehabilitation male child total 2 2",
	})
	check("commitment_facts", rows(`SELECT commitment, status FROM commitment_facts WHERE country = 'LBN' AND year = 2024`),
		[]string{"disaggregated_data partial", "focal_point yes", "national_plan no", "victims_in_coordination yes"})
	check("report", rows(`SELECT kind, source_type, language, format_version, period_start::text, period_end::text FROM report`),
		[]string{"annual official fr art7 2024-01-01 2024-12-31"})
	check("lineage", rows(`SELECT sheet, cell FROM casualty_count WHERE outcome = 'killed' AND sex = 'male' AND age_group = 'adult'`),
		[]string{"Formulaire H B5"})
}
