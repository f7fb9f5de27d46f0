package ingest_test

// The real national datasets of ../shared/data, ingested into PostgreSQL
// and read back through casualty_facts. Expected totals were computed once
// from the files, independently of the reader (Python's csv and json
// modules; the commands are beside each constant).

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// Colombia, Eventos_Minas_Antipersonal_en_Colombia.csv:
//
//	python3 -c "import csv,collections as C; r=list(csv.DictReader(open(F,encoding='utf-8-sig')));
//	  print(len(r), C.Counter(x['genero'] for x in r), C.Counter(x['estado'] for x in r),
//	  C.Counter(x['rangoedad'] for x in r), C.Counter(x['condicion'] for x in r),
//	  sorted(C.Counter(int(x['ano'].replace(',','')) for x in r).items()))"
//
// (genero holds the outcomes and estado the sexes: the headers are swapped.)
const (
	colTotal      = 12390
	colInjured    = 10038 // Herido
	colKilled     = 2352  // Muerto
	colMale       = 11677 // Hombre
	colFemale     = 673   // Mujer
	colSexUnknown = 40    // Sin Información
	colAdult      = 11113 // Mayor de 18 años
	colChild      = 1277  // Menor de 18 años
	colMilitary   = 7368  // Fuerza pública
	colCivilian   = 5022  // Civil
	colDuplicates = 3858  // rows equal to an earlier row (tuple of all 18 values)
	colFirstYear  = 1990
	colLastYear   = 2023
)

// Per-year totals for a few years, and one year's full breakdown:
//
//	C.Counter(int(x['ano'].replace(',','')) for x in r)[Y]
//	C.Counter((x['genero'],x['estado'],x['rangoedad']) for x in r if x['ano']=='2,006')
var colYears = map[int]int64{1990: 23, 2002: 631, 2006: 1224, 2016: 90, 2023: 85}

var col2006 = map[[3]string]int64{
	{"injured", "male", "adult"}: 876, {"killed", "male", "adult"}: 223, {"injured", "male", "child"}: 59,
	{"injured", "female", "adult"}: 27, {"injured", "female", "child"}: 16, {"killed", "male", "child"}: 9,
	{"injured", "unknown", "adult"}: 5, {"killed", "female", "child"}: 5, {"killed", "female", "adult"}: 3,
	{"killed", "unknown", "adult"}: 1,
}

// Cambodia, cmvis_mine_erw_incidents_2005-01_2005-02.geojson (124 incidents, all 2005):
//
//	python3 -c "import json; f=[x['properties'] for x in json.load(open(F))['features']];
//	  print(sum(x['KILLED'] for x in f), sum(x['INJURE'] for x in f), sum(x['AMPUTATION'] for x in f))"
//	→ 38 137 42; by DEVICES: Mine 12 killed / 80 injured+amputated, ERW 26 / 99.
const (
	khmKilled     = 38
	khmInjured    = 137 + 42 // amputees are injured
	khmMineKilled = 12
	khmERWInjured = 99
)

func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(sharedData(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not present: %v", rel, err)
	}
	return p
}

func TestDatasetColombiaReal(t *testing.T) {
	t.Parallel()
	path := sharedFile(t, "colombia-map-muse/Eventos_Minas_Antipersonal_en_Colombia.csv")
	db := pgtest.NewDB(t)

	// Without --country: rejected, saying what to do.
	fr := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, path).Files[0]
	if fr.Status != pg.FileRejected || fr.Format != ingest.FormatDataset {
		t.Fatalf("without --country: status %q format %q", fr.Status, fr.Format)
	}
	found := false
	for _, is := range fr.Issues {
		if is.Severity == schema.SevError && is.Code == schema.CodeMissingCountry &&
			strings.Contains(strings.ToLower(is.Message), "this national dataset does not state its country; give --country") {
			found = true
		}
	}
	if !found {
		t.Errorf("without --country: issues %v", fr.Issues)
	}

	fr = ingestFiles(t, db, ingest.Options{ReportStatus: "approved", Country: "COL"}, path).Files[0]
	if fr.Status != pg.FileIngested || fr.Format != ingest.FormatDataset || fr.Country != "COL" ||
		fr.Period == nil || fr.Period.Start != "1990-01-01" || fr.Period.End != "2023-12-31" {
		t.Fatalf("with --country COL: %+v", fr)
	}
	if len(fr.Reports) != colLastYear-colFirstYear+1 {
		t.Errorf("%d reports, want one per year %d–%d", len(fr.Reports), colFirstYear, colLastYear)
	}
	var swapped, dupes bool
	for _, is := range fr.Issues {
		if is.Severity == schema.SevError {
			t.Errorf("error: %v", is)
		}
		swapped = swapped || is.Code == schema.CodeDatasetReadByContent &&
			strings.Contains(is.Message, "column 'estado' holds sex values (Hombre/Mujer), column 'genero' holds outcome values (Herido/Muerto): read by content")
		dupes = dupes || is.Code == schema.CodeDatasetDuplicateRows &&
			strings.Contains(is.Message, "3,858 rows are exact copies of an earlier row; kept, because the file has no record id")
	}
	if !swapped || !dupes {
		t.Errorf("issues %v: want the read-by-content and duplicate warnings", fr.Issues)
	}

	// Breakdown A: outcome × sex × age group (civilian status total).
	ctx := t.Context()
	sum := func(where string, args ...any) int64 {
		t.Helper()
		var n int64
		q := `SELECT coalesce(sum(people), 0) FROM casualty_facts WHERE country = 'COL' AND ` + where
		if err := db.GetContext(ctx, &n, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	const A = `civilian_status = 'total' AND cause = 'total' AND disability = 'total' AND sex <> 'total' AND age_group <> 'total'`
	const B = `civilian_status <> 'total' AND sex = 'total' AND age_group = 'total' AND cause = 'total'`
	type check struct {
		name      string
		got, want int64
	}
	checks := []check{
		{"total (A)", sum(A), colTotal},
		{"total (B)", sum(B), colTotal},
		{"injured", sum(A + ` AND outcome = 'injured'`), colInjured},
		{"killed", sum(A + ` AND outcome = 'killed'`), colKilled},
		{"male", sum(A + ` AND sex = 'male'`), colMale},
		{"female", sum(A + ` AND sex = 'female'`), colFemale},
		{"sex unknown", sum(A + ` AND sex = 'unknown'`), colSexUnknown},
		{"adult", sum(A + ` AND age_group = 'adult'`), colAdult},
		{"child", sum(A + ` AND age_group = 'child'`), colChild},
		{"military", sum(B + ` AND civilian_status = 'military'`), colMilitary},
		{"civilian", sum(B + ` AND civilian_status = 'civilian'`), colCivilian},
		{"injured (B)", sum(B + ` AND outcome = 'injured'`), colInjured},
		{"everything", sum(`true`), 2 * colTotal}, // two complete breakdowns
	}
	for y, want := range colYears {
		checks = append(checks, check{fmt.Sprint("year ", y), sum(A+` AND year = $1`, y), want})
	}
	for k, want := range col2006 {
		checks = append(checks, check{"2006 " + strings.Join(k[:], "/"),
			sum(A+` AND year = 2006 AND outcome = $1 AND sex = $2 AND age_group = $3`, k[0], k[1], k[2]), want})
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	var srcType string
	if err := db.GetContext(ctx, &srcType, `SELECT DISTINCT source_type FROM report WHERE country = 'COL'`); err != nil || srcType != "official" {
		t.Errorf("source type %q (%v)", srcType, err)
	}
}

func TestDatasetCambodiaReal(t *testing.T) {
	t.Parallel()
	path := sharedFile(t, "cambodia-odc/cmvis_mine_erw_incidents_2005-01_2005-02.geojson")
	db := pgtest.NewDB(t)
	fr := ingestFiles(t, db, ingest.Options{ReportStatus: "approved"}, path).Files[0]
	if fr.Status != pg.FileRejected || fr.Format != ingest.FormatDataset || len(fr.Issues) == 0 ||
		fr.Issues[len(fr.Issues)-1].Code != schema.CodeMissingCountry {
		t.Errorf("without --country: %+v", fr)
	}
	fr = ingestFiles(t, db, ingest.Options{ReportStatus: "approved", Country: "KHM"}, path).Files[0]
	if fr.Status != pg.FileIngested || fr.Country != "KHM" || fr.Period == nil || fr.Period.Start != "2005-01-01" {
		t.Fatalf("with --country KHM: %+v", fr)
	}
	type row struct {
		Outcome string `db:"outcome"`
		Cause   string `db:"cause"`
		People  int64  `db:"people"`
	}
	var rows []row
	if err := db.SelectContext(t.Context(), &rows, `SELECT outcome, cause, people FROM casualty_facts WHERE country = 'KHM' AND year = 2005`); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.Outcome+"/"+r.Cause] += r.People
	}
	if got["killed/total"] != khmKilled || got["injured/total"] != khmInjured ||
		got["killed/mine"] != khmMineKilled || got["injured/erw_other"] != khmERWInjured ||
		got["killed/mine"]+got["killed/erw_other"] != khmKilled {
		t.Errorf("casualty_facts KHM 2005: %v", got)
	}
}

// The other real files hold no victim-assistance figures: each is named
// for what it is.
func TestDatasetRealNonData(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"reach-msna/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx": "survey definition (XLSForm) that is not vahub's standard form (form_id not stated (no settings sheet); 250 named questions and calculations; labels in english, french)",
		"ram-op/ramOP_xlsform.xlsx":                           "survey definition (XLSForm) that is not vahub's standard form ('Rapid nutrition and needs assessment survey for older people",
		"reach-msna/REACH_2024_MSNA_dummy_raw_data.xlsx":      "KoboToolbox/ODK data export",
		"ram-op/testSVY_AddisAbaba2014.csv":                   "numeric answer codes",
		"ram-op/testPSU.csv":                                  "cluster population table",
		"colombia-desminado/Departamento_Administrativo_de_la_Presidencia.situaciondesminadohumanitario.xlsx": "humanitarian demining (clearance) results: no casualty, service or needs figures",
		"ocha-3w/drc_3w_extrait_mai_2025.xlsx": "3W operational presence list",
	}
	var paths []string
	for rel := range cases {
		paths = append(paths, sharedFile(t, rel))
	}
	res, err := ingest.Files(t.Context(), nil, paths, ingest.Options{DryRun: true, Country: "COL"})
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range res.Files {
		rel, _ := filepath.Rel(sharedData(t), fr.Path)
		want := cases[filepath.ToSlash(rel)]
		if fr.Status != pg.FileRejected || fr.Format != ingest.FormatNonData || len(fr.Issues) != 1 ||
			fr.Issues[0].Code != schema.CodeNoVAData || fr.Issues[0].Severity != schema.SevError ||
			!strings.Contains(fr.Issues[0].Message, want) {
			t.Errorf("%s: status %q format %q issues %v; want a no_va_data error containing %q", rel, fr.Status, fr.Format, fr.Issues, want)
		}
	}
}
