package tables

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// cellsOf renders a table's cells as "ref raw sex/age/outcome/measure/pillar/cause [T]".
func cellsOf(t Table) []string {
	var out []string
	for _, c := range t.Cells {
		d := c.Dims
		tot := ""
		if c.RowTotal || c.ColTotal {
			tot = " T"
		}
		out = append(out, fmt.Sprintf("%s %s %s/%s/%s/%s/%s/%s%s", c.Ref, c.Raw, d.Sex, d.Age, d.Outcome, d.Measure, d.Pillar, d.Cause, tot))
	}
	return out
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		grid    [][]string
		tables  int
		kinds   []string
		cells   []string // of the first table
		unknown []string // refs, all tables
	}{
		{
			name: "two-level merged headers (spread), total and notes columns",
			grid: [][]string{
				{"Pays : Liban"},
				{"", "Adultes", "Adultes", "Enfants", "Enfants", "Total", "Notes"},
				{"", "Hommes", "Femmes", "Garçons", "Filles", "Total", "Notes"},
				{"Tués", "3", "1", "2", "0", "6", "texte"},
				{"Total", "3", "1", "2", "0", "6"},
			},
			tables: 1, kinds: []string{KindCasualty},
			cells: []string{
				"B4 3 male/adult/killed///", "C4 1 female/adult/killed///", "D4 2 male/child/killed///", "E4 0 female/child/killed/// ",
				"F4 6 //killed/// T", "B5 3 male/adult//// T", "C5 1 female/adult//// T", "D5 2 male/child//// T", "E5 0 female/child//// T", "F5 6 ///// T",
			},
		},
		{
			name: "transposed, niños beside niñas",
			grid: [][]string{
				{"Sexo", "Muertos", "Heridos"},
				{"Niños", "1", "2"},
				{"Niñas", "3", "4"},
			},
			tables: 1, kinds: []string{KindCasualty},
			cells: []string{"B2 1 male/child/killed///", "C2 2 male/child/injured///", "B3 3 female/child/killed///", "C3 4 female/child/injured///"},
		},
		{
			name: "three levels: measure over age over sex, pillar rows",
			grid: [][]string{
				{"", "Personas que necesitan asistencia", "Personas que necesitan asistencia", "Personas atendidas", "Personas atendidas"},
				{"", "Adultos", "Niños", "Adultos", "Niños"},
				{"", "Mujeres", "Niñas", "Mujeres", "Niñas"},
				{"Rehabilitación", "1", "2", "3", "4"},
			},
			tables: 1, kinds: []string{KindService},
			cells: []string{"B4 1 female/adult//in_need/rehabilitation/", "C4 2 female/child//in_need/rehabilitation/ ",
				"D4 3 female/adult//reached/rehabilitation/", "E4 4 female/child//reached/rehabilitation/"},
		},
		{
			name: "several tables, spacer rows, unknown label",
			grid: [][]string{
				{"Table 1"},
				{"", "Men", "Women"},
				{"Killed", "1", "2"},
				{},
				{"Injured", "3", "4"},
				{},
				{},
				{"Table 2"},
				{"", "Killed", "Injured", "Раненые"},
				{"Girls", "5", "6", "7"},
			},
			tables: 2, kinds: []string{KindCasualty, KindCasualty},
			cells:   []string{"B3 1 male/adult/killed///", "C3 2 female/adult/killed///", "B5 3 male/adult/injured///", "C5 4 female/adult/injured///"},
			unknown: []string{"D9"},
		},
		{
			name:   "no table in a list",
			grid:   [][]string{{"Name", "Age"}, {"Ana", "34"}},
			tables: 0,
		},
		{
			name:   "headers without figures",
			grid:   [][]string{{"", "Men", "Women"}, {"Killed", "", ""}, {"Note: none"}},
			tables: 0,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Discover(Sheet{Name: "S", Grid: tt.grid})
			if len(got) != tt.tables {
				t.Fatalf("%d tables, want %d: %+v", len(got), tt.tables, got)
			}
			var kinds, unknown []string
			for _, tb := range got {
				kinds = append(kinds, tb.Kind)
				for _, l := range tb.Unknown {
					unknown = append(unknown, l.Ref)
				}
			}
			if !slices.Equal(kinds, tt.kinds) {
				t.Errorf("kinds %v, want %v", kinds, tt.kinds)
			}
			if !slices.Equal(unknown, tt.unknown) {
				t.Errorf("unknown %v, want %v", unknown, tt.unknown)
			}
			if len(got) > 0 {
				want := make([]string, len(tt.cells))
				for i, w := range tt.cells {
					want[i] = strings.TrimSpace(w)
				}
				if c := cellsOf(got[0]); !slices.Equal(c, want) {
					t.Errorf("cells:\n got %s\nwant %s", strings.Join(c, "\n     "), strings.Join(want, "\n     "))
				}
			}
		})
	}
}

func TestRef(t *testing.T) {
	for _, tt := range []struct {
		col, row int
		want     string
	}{{0, 0, "A1"}, {25, 9, "Z10"}, {26, 0, "AA1"}, {701, 1, "ZZ2"}, {702, 0, "AAA1"}} {
		if got := Ref(tt.col, tt.row); got != tt.want {
			t.Errorf("Ref(%d, %d) = %s, want %s", tt.col, tt.row, got, tt.want)
		}
	}
}

// FuzzDiscover: any small grid, discovery never panics and every cell it
// returns lies inside the grid, under its table's bounds, with its text.
func FuzzDiscover(f *testing.F) {
	f.Add("|Men|Women|Total\nKilled|1|2|3\nInjured|4|5|9\nTotal|5|7|12", 3)
	f.Add("|Adultes|Adultes\n|Hommes|Femmes\nTués|1|x\n\n\nSexo|Muertos\nNiños|2", 2)
	f.Add("Pilier|Personnes ayant besoin|Personnes atteintes\nSoins médicaux|1|2\n||\nTotal|inconnu|-", 1)
	words := []string{"", "Men", "Women", "Boys", "Girls", "Total", "Unknown", "Killed", "Injured", "Niños", "Niñas",
		"Notes", "12", "-", "n/a", "Inconnu", "Adultes", "Enfants", "In need", "Reached", "Soins médicaux", "Неизвестно"}
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, seed int) {
		var g [][]string
		for _, line := range strings.Split(s, "\n") {
			row := strings.Split(line, "|")
			for i := range row {
				if seed != 0 && len(row[i]) == 1 && row[i][0] >= 'a' && row[i][0] <= 'v' {
					row[i] = words[(int(row[i][0]-'a')+seed)%len(words)&0x7fffffff%len(words)]
				}
			}
			g = append(g, row)
			if len(g) > 40 {
				break
			}
		}
		for _, tb := range Discover(Sheet{Name: "F", Grid: g}) {
			if tb.Top > tb.Bottom || tb.Left > tb.Right {
				t.Fatalf("bad bounds %+v", tb)
			}
			for _, c := range tb.Cells {
				if c.Row < 0 || c.Row >= len(g) || c.Col < 0 || c.Col >= len(g[c.Row]) {
					t.Fatalf("cell %s outside the grid", c.Ref)
				}
				if strings.TrimSpace(g[c.Row][c.Col]) != c.Raw || c.Raw == "" {
					t.Fatalf("cell %s: raw %q, grid %q", c.Ref, c.Raw, g[c.Row][c.Col])
				}
				if c.Row < tb.Top || c.Row > tb.Bottom || c.Col < tb.Left || c.Col > tb.Right || Ref(c.Col, c.Row) != c.Ref {
					t.Fatalf("cell %s outside its table %+v", c.Ref, tb)
				}
			}
		}
	})
}
