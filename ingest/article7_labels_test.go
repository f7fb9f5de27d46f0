package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// labelsBook is a French Article 7 workbook whose casualty table has
// column headers the recognizer does not know.
func labelsBook(t *testing.T, year string, killedMen int) string {
	return writeA7Book(t, a7Sheet{name: "Couverture", rows: [][]any{
		{"Convention sur les armes à sous-munitions"},
		{"Rapport annuel au titre de l'article 7"},
		{"Pays : Liban"},
		{"Période : du 01/01/" + year + " au 31/12/" + year},
		{"Formulaire H : Assistance aux victimes", "modifié"},
	}}, a7Sheet{name: "Formulaire H", rows: [][]any{
		{"Formulaire H : Assistance aux victimes"},
		{"", "Hommes de plus de 18 ans", "Femmes de plus de 18 ans", "Garçons", "Filles"},
		{"Tués", killedMen, 1, 2, 0},
		{"Blessés", 5, 2, 4, 1},
	}})
}

// Unknown header labels: a draft mapping with a "labels" object is
// written; the edited mapping reads the table and is stored, so the next
// file of the same layout reads without it.
func TestIngestTableLabelMapping(t *testing.T) {
	db := pgtest.NewDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "draft.mapping.json")
	facts := func(year int) []string {
		t.Helper()
		rows, err := db.QueryContext(t.Context(), `SELECT outcome || ' ' || sex || ' ' || age_group || ' ' || people
			FROM casualty_facts WHERE country = 'LBN' AND year = $1 AND outcome <> 'total' AND sex <> 'total' AND age_group <> 'total'
			AND disability = 'total' AND cause = 'total' AND civilian_status = 'total'`, year)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		slices.Sort(got)
		return got
	}
	want := func(killedMen string) []string {
		return []string{"injured female adult 2", "injured female child 1", "injured male adult 5", "injured male child 4",
			"killed female adult 1", "killed female child 0", "killed male adult " + killedMen, "killed male child 2"}
	}
	opts := Options{RunKind: "cli", StartedBy: "test", ReportStatus: "approved", MappingOut: out}

	steps := []struct {
		name    string
		year    string
		men     int
		mapping bool
		status  string
		source  string
	}{
		{"unknown labels", "2024", 3, false, pg.FileRejected, ""},
		{"with --mapping", "2024", 3, true, pg.FileIngested, LayoutFromFile},
		{"next year, stored", "2025", 7, false, pg.FileIngested, LayoutOfficer},
	}
	for _, st := range steps {
		path := labelsBook(t, st.year, st.men)
		o := opts
		if st.mapping {
			m, err := ReadMappingFile(out)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			o.Mapping = m
		}
		res, err := Files(t.Context(), db, []string{path}, o)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		fr := res.Files[0]
		if fr.Status != st.status {
			t.Fatalf("%s: status %s: %+v", st.name, fr.Status, fr.Issues)
		}
		if st.status == pg.FileRejected {
			i := slices.IndexFunc(fr.Issues, func(is schema.Issue) bool { return is.Code == CodeMappingNeeded })
			if i < 0 || !strings.Contains(fr.Issues[i].Message, out) || !strings.Contains(fr.Issues[i].Message, "--mapping") {
				t.Fatalf("%s: issues %+v", st.name, fr.Issues)
			}
			if _, err := ReadMappingFile(out); err == nil || !strings.Contains(err.Error(), "de plus de 18 ans") {
				t.Fatalf("unedited draft: %v", err)
			}
			// The data officer edits the draft.
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]any
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			labels := raw["labels"].(map[string]any)
			if len(labels) != 2 || raw["fingerprint"] == "" || raw["sheet"] != "Formulaire H" || raw["_help"] == nil {
				t.Fatalf("draft %s", b)
			}
			labels["Hommes de plus de 18 ans"] = "sex=male, age_group=adult"
			labels["Femmes de plus de 18 ans"] = "Sex=Female,age_group=adult"
			if b, err = json.Marshal(raw); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, b, 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		y := 2024
		if st.year == "2025" {
			y = 2025
		}
		if got, w := facts(y), want(map[int]string{2024: "3", 2025: "7"}[y]); !slices.Equal(got, w) {
			t.Errorf("%s: facts\n got %v\nwant %v", st.name, got, w)
		}
	}
}

func TestParseLabelValue(t *testing.T) {
	for _, tc := range []struct{ v, err string }{
		{"sex=male", ""},
		{"sex=male, age_group=child", ""},
		{"outcome=killed", ""},
		{"measure=in_need", ""},
		{"pillar=rehabilitation", ""},
		{"total", ""},
		{"ignore", ""},
		{"", "no value"},
		{"sex=robot", `unknown sex value "robot"`},
		{"colour=red", "not dimension=value"},
		{"sex=male,sex=female", "given twice"},
		{"ignore, sex=male", "cannot be combined"},
	} {
		_, err := ParseLabelValue(tc.v)
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: %v, want %q", tc.v, err, tc.err)
		}
	}
	if _, err := ParseMapping([]byte(`{"fingerprint":"","sheet":"S","header_row":1,"labels":{"X":"age_group=old"}}`)); err == nil ||
		!strings.Contains(err.Error(), `labels["X"]`) {
		t.Errorf("bad label: %v", err)
	}
}
