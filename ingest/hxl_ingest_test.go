package ingest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// A wide HXL CSV goes through ingest.Files into the reporting views: one
// report per country and year, exactly the figures of the file.
func TestIngestHxlWideCSV(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	path := filepath.Join(t.TempDir(), "partner.csv")
	csv := "Country,Year,Notes,Killed,Injured women,Injured girls,Injured (unknown),Killed by CM attacks,Rehab in need,Rehab reached\n" +
		"#country+code,#date+year,,#affected+killed,#affected+injured+f+adults,#affected+injured+f+children,#affected+injured+unknown,#affected+killed+cm_attack,#inneed+rehabilitation,#reached+rehabilitation\n" +
		"LAO,2024,registry,12,3,2,unknown,4,40,25\n" +
		"KHM,2023,,7,,1,,,,\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	fr := ingestOne(t, db, path, pg.FileIngested)
	if fr.Format != ingest.FormatHXL || fr.Facts != 9 || len(fr.Reports) != 2 {
		t.Fatalf("format %q, %d facts, %d reports; want hxl, 9, 2 (issues %v)", fr.Format, fr.Facts, len(fr.Reports), fr.Issues)
	}
	rows, err := db.QueryContext(t.Context(), `SELECT country, year, outcome, sex, age_group, disability, cause, civilian_status,
		coalesce(people::text, 'NULL'), qualifier FROM casualty_facts ORDER BY 1, 2, 3, 4, 5, 7`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v [10]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join(v[:], " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"KHM 2023 injured female child total total total 1 exact",
		"KHM 2023 killed total total total total total 7 exact",
		"LAO 2024 injured female adult total total total 3 exact",
		"LAO 2024 injured female child total total total 2 exact",
		"LAO 2024 injured unknown unknown total total total NULL exact",
		"LAO 2024 killed total total total cm_attack total 4 exact",
		"LAO 2024 killed total total total total total 12 exact",
	}
	if !slices.Equal(got, want) {
		t.Errorf("casualty_facts:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	var svc []string
	if err := db.SelectContext(t.Context(), &svc, `SELECT concat_ws(' ', country, year, pillar, sex, age_group, disability, in_need, reached)
		FROM service_facts ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"LAO 2024 rehabilitation total total total 40 25"}; !slices.Equal(svc, want) {
		t.Errorf("service_facts %q, want %q", svc, want)
	}
	var st []string
	if err := db.SelectContext(t.Context(), &st, `SELECT DISTINCT source_type || ' ' || format_version FROM report`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st, []string{"web hxl"}) {
		t.Errorf("reports %q, want web hxl", st)
	}
}
