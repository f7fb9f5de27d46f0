// Package suppress is vahub's small-cell disclosure control: primary
// suppression of counts below a threshold k, then complementary suppression
// so that no hidden count can be recomputed from what stays visible. It is
// pure (no I/O) so that the gap workbook, the JSON API and the
// reconciliation report hide exactly the same cells of the same data.
//
// A Table is an n-dimensional table of counts together with all its
// margins: each dimension has its categories plus a "total" coordinate, and
// every line of the table (all coordinates fixed but one) is an equation
// "the categories sum to the total". A reader who knows the visible entries
// could solve these equations; Protect hides entries until none of the
// hidden ones is determined by them.
package suppress

import (
	"fmt"
	"math"
	"slices"
)

// DefaultK is the threshold used when none is configured: counts 1 to 4 are
// withheld.
const DefaultK = 5

// MinK is the lowest threshold any export accepts: k = 2 still withholds
// the 1s. k ≤ 1 would withhold nothing, and every export built from
// individual records suppresses (the reporting views keep exact figures).
const MinK = 2

// State is what a published entry shows.
type State uint8

const (
	// Visible: the number is shown.
	Visible State = iota
	// Primary: withheld because it is a count from 1 to k−1.
	Primary
	// Complementary: withheld so that a total and the visible entries
	// cannot reveal a primary one.
	Complementary
)

// Hidden reports whether the entry is withheld.
func (s State) Hidden() bool { return s != Visible }

func (s State) String() string {
	switch s {
	case Visible:
		return "visible"
	case Primary:
		return "primary"
	case Complementary:
		return "complementary"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// kind says what a reader knows of an entry before suppression.
type kind uint8

const (
	// structural: no row at all (no respondent in the group). Never
	// published, and a reader may take it as 0: it stays known.
	structural kind = iota
	// number: a published count; it may be withheld.
	number
	// unknown: published without a number (not reported, unknown): a
	// reader does not know it, and there is nothing to withhold.
	unknown
)

// Table is a table of counts with its margins. Build it with NewTable, Set
// the entries the source gives, then call Protect once.
type Table struct {
	sizes   []int // categories per dimension, without the total
	strides []int
	val     []int64
	kind    []kind
	set     []bool // given by the source (a margin not set is computed)
	state   []State
	lines   [][]int // each: the categories' entries in order, then the total's
}

// NewTable makes an empty table with the given number of categories per
// dimension. Coordinate sizes[d] of dimension d is its total.
func NewTable(sizes ...int) *Table {
	t := &Table{sizes: slices.Clone(sizes), strides: make([]int, len(sizes))}
	n := 1
	for d := len(sizes) - 1; d >= 0; d-- {
		if sizes[d] < 1 {
			panic("suppress: a dimension needs at least one category") // programming error
		}
		t.strides[d] = n
		n *= sizes[d] + 1
	}
	t.val = make([]int64, n)
	t.kind = make([]kind, n)
	t.set = make([]bool, n)
	t.state = make([]State, n)
	t.lines = t.makeLines()
	return t
}

// Len is the number of entries, margins included.
func (t *Table) Len() int { return len(t.val) }

// Index is the entry at coords; a coordinate equal to the dimension's size
// is its total.
func (t *Table) Index(coords ...int) int {
	if len(coords) != len(t.sizes) {
		panic("suppress: wrong number of coordinates") // programming error
	}
	i := 0
	for d, c := range coords {
		if c < 0 || c > t.sizes[d] {
			panic("suppress: coordinate out of range") // programming error
		}
		i += c * t.strides[d]
	}
	return i
}

// Coords is the inverse of Index.
func (t *Table) Coords(i int) []int {
	c := make([]int, len(t.sizes))
	for d := range t.sizes {
		c[d] = i / t.strides[d] % (t.sizes[d] + 1)
	}
	return c
}

// IsMargin reports whether entry i is a total on some dimension.
func (t *Table) IsMargin(i int) bool {
	for d, c := range t.Coords(i) {
		if c == t.sizes[d] {
			return true
		}
	}
	return false
}

// Set records a published count at entry i.
func (t *Table) Set(i int, v int64) {
	t.val[i], t.kind[i], t.set[i] = v, number, true
}

// SetUnknown records an entry published without a number.
func (t *Table) SetUnknown(i int) {
	t.val[i], t.kind[i], t.set[i] = 0, unknown, true
}

// Value is entry i's count and whether it has one (after Protect, margins
// the source did not give are the sums of their categories).
func (t *Table) Value(i int) (int64, bool) { return t.val[i], t.kind[i] == number }

// State is entry i's state after Protect.
func (t *Table) State(i int) State { return t.state[i] }

// Lines returns every equation of the table: the entries of the categories
// of one dimension, the other coordinates fixed, followed by their total.
func (t *Table) Lines() [][]int { return t.lines }

func (t *Table) makeLines() [][]int {
	var lines [][]int
	for d := range t.sizes {
		for i := range t.val {
			if t.Coords(i)[d] != 0 {
				continue // one line per start entry on dimension d
			}
			line := make([]int, t.sizes[d]+1)
			for c := range line {
				line[c] = i + c*t.strides[d]
			}
			lines = append(lines, line)
		}
	}
	return lines
}

// complete fills in what the source did not give. A table whose source
// stated no margin (an aggregate of individual records: one row per group
// with anyone in it) is complete by construction: a group with no row has
// nobody (0) and every margin is the sum of its groups. A table with a
// stated margin came with its own breakdowns, and what it does not give is
// unknown, not zero: treating it as zero would add equations that are
// false and hide everything around them.
func (t *Table) complete() {
	explicit := false
	for i := range t.val {
		if t.set[i] && t.IsMargin(i) {
			explicit = true
			break
		}
	}
	if explicit {
		for i := range t.val {
			if !t.set[i] {
				t.val[i], t.kind[i] = 0, unknown
			}
		}
		return
	}
	// Categories before margins, and finer margins before coarser ones:
	// entries are visited by number of total coordinates.
	order := make([]int, len(t.val))
	depth := make([]int, len(t.val))
	for i := range order {
		order[i] = i
		for d, c := range t.Coords(i) {
			if c == t.sizes[d] {
				depth[i]++
			}
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return depth[a] - depth[b] })
	for _, i := range order {
		if depth[i] == 0 {
			continue
		}
		// Sum along the first dimension on which i is a total: its
		// categories are one level finer and already complete.
		c := t.Coords(i)
		d := 0
		for c[d] != t.sizes[d] {
			d++
		}
		var sum int64
		k := structural
		for j := range t.sizes[d] {
			e := i - (t.sizes[d]-j)*t.strides[d]
			switch t.kind[e] {
			case unknown:
				k = unknown
			case number:
				sum += t.val[e]
				if k == structural {
					k = number
				}
			}
		}
		if k == unknown {
			sum = 0
		}
		t.val[i], t.kind[i] = sum, k
	}
}

// Given reports whether the source gave entry i or it was computed from
// what the source gave (false: not given, unknown).
func (t *Table) Given(i int) bool {
	return t.set[i] || t.kind[i] == number
}

// Stats counts the withheld entries of a table.
type Stats struct {
	Primary, Complementary int
}

// Withheld is Primary + Complementary.
func (s Stats) Withheld() int { return s.Primary + s.Complementary }

// Add sums two counts.
func (s Stats) Add(o Stats) Stats {
	return Stats{Primary: s.Primary + o.Primary, Complementary: s.Complementary + o.Complementary}
}

// Protect completes the margins, withholds every count from 1 to k−1
// (primary suppression), then withholds further entries (complementary
// suppression) until no withheld entry can be recomputed:
//
//  1. the line rule: no equation has exactly one entry a reader does not
//     know (withheld or unknown) while that one is withheld; a line with
//     one is given a second, the smallest visible non-zero count of the
//     line (zeros only when there is no other), repeated to a fixed point;
//  2. the audit: the equations of all lines together must not determine a
//     withheld entry either (two lines can pin down what neither does
//     alone); while one is determined, the smallest visible count of one
//     of its lines is withheld, and the line rule runs again.
//
// Zeros are not withheld for themselves: a group with nobody in it or
// nobody in need identifies no one, and SDC practice (τ-ARGUS's default,
// the UK ONS's for counts) treats them as safe. They may be withheld as
// complements when nothing else is left. With k < MinK nothing is withheld.
func (t *Table) Protect(k int) Stats {
	t.complete()
	clear(t.state)
	if k < MinK {
		return Stats{}
	}
	for i := range t.val {
		if t.kind[i] == number && t.val[i] >= 1 && t.val[i] < int64(k) {
			t.state[i] = Primary
		}
	}
	for {
		t.lineRule()
		det := t.Determined()
		if len(det) == 0 {
			break
		}
		if !t.hideNextTo(det[0]) && !t.hideAnywhere() {
			break // nothing visible is left to withhold
		}
	}
	var s Stats
	for i := range t.val {
		switch t.state[i] {
		case Primary:
			s.Primary++
		case Complementary:
			s.Complementary++
		}
	}
	return s
}

// opaque reports whether a reader does not know entry i.
func (t *Table) opaque(i int) bool { return t.state[i].Hidden() || t.kind[i] == unknown }

// lineRule withholds complements until no line has exactly one opaque
// entry that is withheld.
func (t *Table) lineRule() {
	for changed := true; changed; {
		changed = false
		for _, line := range t.lines {
			n, last := 0, -1
			for _, e := range line {
				if t.opaque(e) {
					n++
					last = e
				}
			}
			if n != 1 || !t.state[last].Hidden() {
				continue
			}
			if c := t.cheapest(line); c >= 0 {
				t.state[c] = Complementary
				changed = true
			}
		}
	}
}

// hideNextTo withholds the cheapest visible count on a line through i.
func (t *Table) hideNextTo(i int) bool {
	return t.hideCheapest(func(line []int) bool { return slices.Contains(line, i) })
}

// hideAnywhere withholds the cheapest visible count on any line that holds
// an opaque entry: used when every line through a determined entry is
// already opaque or has no row, so that the link to the rest of the table is
// what gives the entry away.
func (t *Table) hideAnywhere() bool {
	return t.hideCheapest(func(line []int) bool { return slices.ContainsFunc(line, t.opaque) })
}

// hideCheapest withholds, as a complement, the cheapest visible count on
// the lines on picks; false when none is left.
func (t *Table) hideCheapest(on func(line []int) bool) bool {
	best := -1
	for _, line := range t.lines {
		if !on(line) {
			continue
		}
		if c := t.cheapest(line); c >= 0 && (best < 0 || t.less(c, best)) {
			best = c
		}
	}
	if best < 0 {
		return false
	}
	t.state[best] = Complementary
	return true
}

// cheapest is the visible count of line best withheld as a complement, or
// −1 when none is left.
func (t *Table) cheapest(line []int) int {
	best := -1
	for _, e := range line {
		if t.kind[e] != number || t.state[e].Hidden() {
			continue
		}
		if best < 0 || t.less(e, best) {
			best = e
		}
	}
	return best
}

// less orders complement candidates: non-zero before zero (a withheld zero
// protects little where readers can guess empty groups), then the smallest
// count (the least information lost), then categories before margins, then
// the lower index so the choice is stable.
func (t *Table) less(a, b int) bool {
	za, zb := t.val[a] == 0, t.val[b] == 0
	if za != zb {
		return zb
	}
	if t.val[a] != t.val[b] {
		return t.val[a] < t.val[b]
	}
	ma, mb := t.IsMargin(a), t.IsMargin(b)
	if ma != mb {
		return mb
	}
	return a < b
}

// Determined returns the withheld entries whose value follows from the
// visible entries and the equations of all lines taken together, in index
// order. Empty after Protect.
//
// The unknowns are the opaque entries; each line gives one linear equation
// in them. An unknown is determined exactly when it is a pivot of the
// reduced row echelon form whose row has no other non-zero entry: no
// direction of the solution space moves it.
func (t *Table) Determined() []int {
	var vars []int
	col := make(map[int]int)
	for i := range t.val {
		if t.opaque(i) {
			col[i] = len(vars)
			vars = append(vars, i)
		}
	}
	if len(vars) == 0 {
		return nil
	}
	var m [][]float64
	for _, line := range t.lines {
		row := make([]float64, len(vars))
		used := false
		for j, e := range line {
			c, ok := col[e]
			if !ok {
				continue
			}
			if j == len(line)-1 {
				row[c] = -1 // the total
			} else {
				row[c] = 1
			}
			used = true
		}
		if used {
			m = append(m, row)
		}
	}
	const eps = 1e-9
	pivotOf := make([]int, len(vars)) // column → row, −1 when free
	for c := range pivotOf {
		pivotOf[c] = -1
	}
	r := 0
	for c := 0; c < len(vars) && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if math.Abs(m[i][c]) > eps && (p < 0 || math.Abs(m[i][c]) > math.Abs(m[p][c])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		inv := 1 / m[r][c]
		for j := range m[r] {
			m[r][j] *= inv
		}
		for i := range m {
			if i == r || math.Abs(m[i][c]) <= eps {
				continue
			}
			f := m[i][c]
			for j := range m[i] {
				m[i][j] -= f * m[r][j]
			}
		}
		pivotOf[c] = r
		r++
	}
	var det []int
	for c, row := range pivotOf {
		if row < 0 || !t.state[vars[c]].Hidden() {
			continue
		}
		alone := true
		for j, v := range m[row] {
			if j != c && math.Abs(v) > eps {
				alone = false
				break
			}
		}
		if alone {
			det = append(det, vars[c])
		}
	}
	return det
}
