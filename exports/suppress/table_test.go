package suppress

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/vahub/vahub/schema"
)

// randomTable fills a table of the given sizes from r: mostly small counts
// (the hard case), some zeros, some groups with no row, a few unknowns, and
// now and then a margin the source states itself.
func randomTable(r *rand.Rand, sizes ...int) *Table {
	t := NewTable(sizes...)
	for i := range t.Len() {
		if t.IsMargin(i) {
			continue
		}
		switch x := r.IntN(20); {
		case x < 3: // no row
		case x < 5:
			t.Set(i, 0)
		case x < 6:
			t.SetUnknown(i)
		case x < 14:
			t.Set(i, int64(1+r.IntN(6)))
		default:
			t.Set(i, int64(1+r.IntN(60)))
		}
	}
	return t
}

// randomStated is a table as an aggregate source gives it: one or two
// breakdowns with their stated totals and nothing finer. The stated
// figures add up, as the ingest checks.
func randomStated(r *rand.Rand, sizes ...int) *Table {
	full := randomTable(r, sizes...)
	full.complete()
	t := NewTable(sizes...)
	for i := range t.Len() {
		c := t.Coords(i)
		totals := 0
		for d, x := range c {
			if x == sizes[d] {
				totals++
			}
		}
		// Keep the entries with all but one dimension total, and the grand total.
		if totals < len(sizes)-1 {
			continue
		}
		switch full.kind[i] {
		case number:
			t.Set(i, full.val[i])
		case unknown:
			t.SetUnknown(i)
		}
	}
	return t
}

// auditRank is an independent check of Determined in exact arithmetic: a
// withheld entry x is recomputable when the unit vector of x lies in the
// row space of the equations restricted to the entries a reader does not
// know. The exact reduced row echelon form shows it: x's column is a pivot
// and its row has no other non-zero entry.
func auditRank(t *Table) []int {
	var vars []int
	col := map[int]int{}
	for i := range t.Len() {
		if t.opaque(i) {
			col[i] = len(vars)
			vars = append(vars, i)
		}
	}
	var m [][]*big.Rat
	for _, line := range t.Lines() {
		row := make([]*big.Rat, len(vars))
		for j := range row {
			row[j] = new(big.Rat)
		}
		for j, e := range line {
			if c, ok := col[e]; ok {
				if j == len(line)-1 {
					row[c].SetInt64(-1)
				} else {
					row[c].SetInt64(1)
				}
			}
		}
		m = append(m, row)
	}
	pivotRow := make([]int, len(vars))
	r := 0
	for c := range vars {
		pivotRow[c] = -1
		p := -1
		for i := r; i < len(m); i++ {
			if m[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		inv := new(big.Rat).Inv(m[r][c])
		for j := range m[r] {
			m[r][j].Mul(m[r][j], inv)
		}
		for i := range m {
			if i == r || m[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(m[i][c])
			for j := range m[i] {
				m[i][j].Sub(m[i][j], new(big.Rat).Mul(f, m[r][j]))
			}
		}
		pivotRow[c] = r
		r++
	}
	var det []int
	for c, v := range vars {
		if pivotRow[c] < 0 || !t.State(v).Hidden() {
			continue
		}
		alone := true
		for j, x := range m[pivotRow[c]] {
			if j != c && x.Sign() != 0 {
				alone = false
			}
		}
		if alone {
			det = append(det, v)
		}
	}
	return det
}

// checkProtected asserts everything Protect promises about t.
func checkProtected(t *testing.T, name string, tab *Table, k int) {
	t.Helper()
	for i := range tab.Len() {
		v, ok := tab.Value(i)
		small := ok && v >= 1 && v < int64(k) && k >= MinK
		if small && tab.State(i) != Primary {
			t.Fatalf("%s: entry %v = %d is below k=%d but %v", name, tab.Coords(i), v, k, tab.State(i))
		}
		if tab.State(i).Hidden() && !ok {
			t.Fatalf("%s: entry %v without a number is withheld", name, tab.Coords(i))
		}
	}
	// The line rule: in no equation is a withheld entry the only one a
	// reader does not know.
	for _, line := range tab.Lines() {
		opaque, hidden := 0, 0
		for _, e := range line {
			if tab.opaque(e) {
				opaque++
			}
			if tab.State(e).Hidden() {
				hidden++
			}
		}
		if opaque == 1 && hidden == 1 {
			t.Fatalf("%s: line %v has exactly one withheld entry and nothing else unknown", name, line)
		}
	}
	if d := tab.Determined(); len(d) > 0 {
		t.Fatalf("%s: withheld entries %v are determined by the visible ones", name, d)
	}
	if d := auditRank(tab); len(d) > 0 {
		t.Fatalf("%s: exact audit: withheld entries %v are determined by the visible ones", name, d)
	}
}

// TestProtectRandomTables is the property test: over many random tables of
// two and three dimensions and several thresholds, no withheld entry can be
// recomputed from the visible ones in any row, column or total, nor from
// all equations together.
func TestProtectRandomTables(t *testing.T) {
	t.Parallel()
	shapes := [][]int{{2, 2}, {3, 3}, {3, 5}, {4, 2}, {3, 3, 3}, {2, 3, 2}, {1, 3}, {1, 1, 3}}
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		sizes := shapes[int(seed)%len(shapes)]
		k := []int{0, 2, 3, 5, 5, 10}[r.IntN(6)]
		tab := randomTable(r, sizes...)
		if seed%3 == 0 {
			tab = randomStated(r, sizes...)
		}
		tab.Protect(k)
		checkProtected(t, fmt.Sprintf("seed %d sizes %v k %d", seed, sizes, k), tab, k)
	}
}

// TestProtectWorkedExample pins the choices on a 2×2 table with margins:
//
//	         c0  c1 | total
//	r0        3  10 |  13
//	r1        8  20 |  28
//	total    11  30 |  41
//
// 3 is primary; its row and column each need a second withheld entry: the
// smallest visible count of each (10 in row 0, 8 in column 0), and then 20
// completes the rectangle. The margins stay visible.
func TestProtectWorkedExample(t *testing.T) {
	t.Parallel()
	tab := NewTable(2, 2)
	tab.Set(tab.Index(0, 0), 3)
	tab.Set(tab.Index(0, 1), 10)
	tab.Set(tab.Index(1, 0), 8)
	tab.Set(tab.Index(1, 1), 20)
	st := tab.Protect(5)
	if st != (Stats{Primary: 1, Complementary: 3}) {
		t.Errorf("stats = %+v, want 1 primary, 3 complementary", st)
	}
	want := map[[2]int]State{
		{0, 0}: Primary, {0, 1}: Complementary, {1, 0}: Complementary, {1, 1}: Complementary,
		{0, 2}: Visible, {1, 2}: Visible, {2, 0}: Visible, {2, 1}: Visible, {2, 2}: Visible,
	}
	for c, s := range want {
		if got := tab.State(tab.Index(c[0], c[1])); got != s {
			t.Errorf("entry %v = %v, want %v", c, got, s)
		}
	}
	if v, _ := tab.Value(tab.Index(2, 2)); v != 41 {
		t.Errorf("grand total = %d, want 41", v)
	}
	checkProtected(t, "example", tab, 5)
}

// TestProtectZerosAndMargins: zeros are never primary; a small margin is
// primary like any count; k below MinK withholds nothing.
func TestProtectZerosAndMargins(t *testing.T) {
	t.Parallel()
	tab := NewTable(3)
	tab.Set(0, 0)
	tab.Set(1, 2)
	tab.Set(2, 1)
	tab.Protect(5)
	if tab.State(0) != Visible && tab.State(0) != Complementary {
		t.Errorf("zero is %v", tab.State(0))
	}
	if tab.State(3) != Primary {
		t.Errorf("total 3 = %v, want primary", tab.State(3))
	}
	checkProtected(t, "one line", tab, 5)

	tab = NewTable(3)
	tab.Set(0, 1)
	tab.Set(1, 2)
	if st := tab.Protect(1); st.Withheld() != 0 {
		t.Errorf("k=1 withheld %d entries", st.Withheld())
	}
}

// TestProtectUnknownCounts: an unknown entry is already opaque, so a
// withheld one next to it on a line needs no complement there.
func TestProtectUnknownCounts(t *testing.T) {
	t.Parallel()
	tab := NewTable(3)
	tab.Set(0, 2)
	tab.SetUnknown(1)
	tab.Set(2, 40)
	st := tab.Protect(5)
	if st != (Stats{Primary: 1}) {
		t.Errorf("stats = %+v, want only the primary", st)
	}
	if _, ok := tab.Value(3); ok {
		t.Error("a total over an unknown entry has a number")
	}
}

// TestServicesLinkedMeasures checks the in_need / reached / unmet triple
// over random survey tables: unmet is shown only when both counts are, so
// the equation unmet = in_need − reached never has exactly one hidden term.
func TestServicesLinkedMeasures(t *testing.T) {
	t.Parallel()
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 7))
		var rows []ServiceRow
		for _, p := range []string{"medical_care", "rehabilitation"} {
			for _, s := range schema.Sexes {
				for _, a := range schema.AgeGroups {
					for _, d := range schema.Disabilities {
						if r.IntN(5) == 0 {
							continue
						}
						n := int64(r.IntN(12))
						m := int64(r.IntN(int(n) + 1))
						rows = append(rows, ServiceRow{p, s, a, d, &n, &m})
					}
				}
			}
		}
		k := 2 + r.IntN(8)
		svc := ProtectServices(k, rows)
		for _, row := range rows {
			in, re, si, sr := svc.Row(row.Pillar, row.Sex, row.AgeGroup, row.Disability)
			if (in == nil) != si.Hidden() || (re == nil) != sr.Hidden() {
				t.Fatalf("seed %d: a withheld count is shown or a shown one is nil", seed)
			}
			unmetHidden := DerivedHidden(si, sr)
			hidden := 0
			for _, h := range []bool{si.Hidden(), sr.Hidden(), unmetHidden} {
				if h {
					hidden++
				}
			}
			if hidden == 1 {
				t.Fatalf("seed %d: %+v: exactly one of in_need, reached, unmet hidden", seed, row)
			}
		}
		for _, p := range svc.Pillars() {
			in, re := svc.Tables(p)
			checkProtected(t, fmt.Sprintf("seed %d %s in_need", seed, p), in, k)
			checkProtected(t, fmt.Sprintf("seed %d %s reached", seed, p), re, k)
		}
	}
}

// FuzzProtect builds a table from arbitrary bytes and checks the promises.
func FuzzProtect(f *testing.F) {
	f.Add([]byte{3, 10, 8, 20}, uint8(5))
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(2))
	f.Add([]byte{0, 0, 4, 255, 7, 3, 2, 9, 1, 0, 0, 12, 4}, uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		sizes := []int{2, 2}
		switch {
		case len(data) > 27:
			sizes = []int{3, 3, 3}
		case len(data) > 9:
			sizes = []int{3, 3}
		}
		tab := NewTable(sizes...)
		j := 0
		for i := range tab.Len() {
			if tab.IsMargin(i) || j >= len(data) {
				continue
			}
			switch b := data[j]; {
			case b == 255:
				tab.SetUnknown(i)
			case b == 254: // no row
			default:
				tab.Set(i, int64(b%40))
			}
			j++
		}
		kk := int(k % 12)
		tab.Protect(kk)
		checkProtected(t, "fuzz", tab, kk)
	})
}

// BenchmarkProtectServices protects one country-year of survey figures at
// its largest: five pillars, every one of the 27 groups, both measures,
// many small counts.
func BenchmarkProtectServices(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var rows []ServiceRow
	for _, p := range schema.ServicePillars {
		for _, s := range schema.Sexes {
			for _, a := range schema.AgeGroups {
				for _, d := range schema.Disabilities {
					in := int64(r.IntN(15))
					re := int64(r.IntN(int(in) + 1))
					rows = append(rows, ServiceRow{p, s, a, d, &in, &re})
				}
			}
		}
	}
	for b.Loop() {
		ProtectServices(DefaultK, rows)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/country-year")
}
