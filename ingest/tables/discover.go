// Package tables finds casualty and service tables in a sheet, wherever
// they sit: header rows of one to three levels (merged cells arrive spread
// over every column they cover), tables either way round (sex and age as
// columns or as rows), totals rows and columns, notes columns, blank spacer
// rows and several tables on one sheet. It is pure: a grid of cell texts in,
// tables of located, labelled cells out. Labels are mapped with normalize;
// labels it does not know are listed, never guessed.
package tables

import (
	"strconv"
	"strings"

	"github.com/vahub/vahub/normalize"
)

// Limits on what one sheet may make discovery look at.
const (
	MaxRows = 5000
	MaxCols = 200
	// maxLevels is the deepest header (rows above the figures, columns
	// left of them) discovery reads.
	maxLevels = 3
)

// Kinds of table.
const (
	KindCasualty = "casualty"
	KindService  = "service"
)

// Sheet is one sheet's cell texts: Grid[r][c] is row r+1, column c+1.
type Sheet struct {
	Name string
	Grid [][]string
	// Labels overrides what header labels mean, keyed by their folded text
	// (normalize.Fold): a data officer's mapping file gives labels vahub
	// does not know a meaning. Consulted before Classify.
	Labels map[string]Meaning
}

// Cell is one figure cell of a table, with what its headers say.
type Cell struct {
	Ref      string // A1 reference
	Row, Col int    // 0-based
	Raw      string
	RowPath  []string // row labels, outermost first
	ColPath  []string // column headers, top level first
	Dims     Dims
	// RowTotal and ColTotal mark a cell in a total row or column: a check
	// on the cells it adds up, not a figure of its own.
	RowTotal, ColTotal bool
}

// Label is a located text.
type Label struct {
	Ref      string
	Row, Col int // 0-based
	Text     string
}

// Table is one discovered table.
type Table struct {
	Sheet string
	Kind  string // KindCasualty, KindService, or "" when neither outcome nor measure nor pillar shows
	// Bounds, 0-based and inclusive: from the top header row to the last
	// data row, from the first label column to the last figure column.
	Top, Bottom, Left, Right int
	HeaderRows, DataRows     []int
	LabelCols, DataCols      []int
	// Context holds the texts above the table (title, country, period),
	// nearest row first.
	Context []Label
	// Corner holds the texts of the header rows above the row labels
	// ("Persons reached", "Pilier").
	Corner []Label
	Cells  []Cell
	// Unknown lists header labels over figures that discovery could not
	// map; those figures are not in Cells.
	Unknown []Label
	// Conflicts lists cells whose row and column headers disagree
	// ("Adultes" column, "Garçons" row).
	Conflicts []Label
}

// HasAxes reports whether the table's figures are broken down by sex or
// age and by outcome or measure: a casualty or service table worth reading.
func (t Table) HasAxes() bool {
	sexAge, other := false, false
	for _, c := range t.Cells {
		if c.Dims.Sex != "" || c.Dims.Age != "" {
			sexAge = true
		}
		if c.Dims.Outcome != "" || c.Dims.Measure != "" {
			other = true
		}
	}
	return sexAge && other
}

type grid [][]string

func (g grid) at(r, c int) string {
	if r < 0 || r >= len(g) || c < 0 || c >= len(g[r]) {
		return ""
	}
	return g[r][c]
}

func (g grid) width() int {
	w := 0
	for _, row := range g {
		w = max(w, len(row))
	}
	return w
}

// clip trims cells and caps the grid at MaxRows × MaxCols.
func clip(in [][]string) grid {
	n := min(len(in), MaxRows)
	g := make(grid, n)
	for r := range n {
		row := in[r]
		if len(row) > MaxCols {
			row = row[:MaxCols]
		}
		g[r] = make([]string, len(row))
		for c, v := range row {
			g[r][c] = strings.TrimSpace(v)
		}
	}
	return g
}

// finder holds one sheet's grid and what discovery learnt of its texts.
type finder struct {
	g        grid
	labels   map[string]Meaning
	meanings map[string]meaningOK
	numbers  map[string]bool
	values   map[string]bool
}

type meaningOK struct {
	m  Meaning
	ok bool
}

func (f *finder) classify(v string) (Meaning, bool) {
	if m, ok := f.meanings[v]; ok {
		return m.m, m.ok
	}
	m, ok := f.meaning(v, true)
	f.meanings[v] = meaningOK{m, ok}
	return m, ok
}

// meaning is Classify, after the sheet's label overrides.
func (f *finder) meaning(v string, hasGirls bool) (Meaning, bool) {
	if len(f.labels) > 0 {
		if m, ok := f.labels[normalize.Fold(v)]; ok {
			return m, true
		}
	}
	return Classify(v, hasGirls)
}

func (f *finder) number(v string) bool {
	if n, ok := f.numbers[v]; ok {
		return n
	}
	n := number(v)
	f.numbers[v] = n
	return n
}

func (f *finder) value(v string) bool {
	if n, ok := f.values[v]; ok {
		return n
	}
	n := value(v)
	f.values[v] = n
	return n
}

// Discover finds the tables of one sheet, top to bottom.
func Discover(s Sheet) []Table {
	g := clip(s.Grid)
	f := &finder{g: g, labels: s.Labels, meanings: map[string]meaningOK{}, numbers: map[string]bool{}, values: map[string]bool{}}
	var out []Table
	floor := -1
	for r := 0; r < len(g); r++ {
		if !f.headerRow(r) {
			continue
		}
		t, ok := f.build(r, floor)
		if !ok {
			continue
		}
		t.Sheet = s.Name
		out = append(out, t)
		floor = t.Bottom
		r = t.Bottom
	}
	return out
}

// number reports whether s is a count ("12", "1 234", "at least 5").
func number(s string) bool {
	if s == "" {
		return false
	}
	if v, err := normalize.NumericCount(s); err == nil && v.People != nil {
		return true
	}
	v, err := normalize.Count(s, "")
	return err == nil && v.People != nil
}

// value reports whether s is what a figure cell may hold: a count or a
// state ("unknown", "n/a", "-", "unchanged").
func value(s string) bool {
	if s == "" {
		return false
	}
	if number(s) {
		return true
	}
	v, err := normalize.Count(s, "")
	return err == nil && v.State != ""
}

// headerRow: at least two different labels discovery knows, one of them
// naming a dimension.
func (f *finder) headerRow(r int) bool {
	g := f.g
	if r < 0 || r >= len(g) {
		return false
	}
	seen := map[string]bool{}
	named := false
	for _, v := range g[r] {
		if v == "" || seen[v] || f.number(v) {
			continue
		}
		m, ok := f.classify(v)
		if !ok || m.Notes {
			continue
		}
		seen[v] = true
		if m.kind() != "" {
			named = true
		}
	}
	return len(seen) >= 2 && named
}

func (f *finder) rowHasNumber(r int) bool {
	g := f.g
	for _, v := range g[r] {
		if f.number(v) {
			return true
		}
	}
	return false
}

func rowBlank(g grid, r int) bool {
	for _, v := range g[r] {
		if v != "" {
			return false
		}
	}
	return true
}

// recognisedFrom reports whether row r has a label with a dimension at or
// right of column from.
func (f *finder) recognisedFrom(r, from int) bool {
	g := f.g
	for c := max(from, 0); c < len(g[r]); c++ {
		if m, ok := f.classify(g[r][c]); ok && (m.kind() != "" || m.Total) {
			return true
		}
	}
	return false
}

// axisEntry is what the levels of one column (or row) say.
type axisEntry struct {
	path    []string
	dims    Dims
	total   bool
	notes   bool
	bad     bool
	badText string
	badAt   [2]int // row, col of the label that could not be read
}

func (f *finder) build(h, floor int) (Table, bool) {
	g := f.g
	// Header band: the lowest header row sits right above the figures.
	leaf := h
	for leaf+1 < len(g) && leaf-h < maxLevels-1 && f.headerRow(leaf+1) && !f.rowHasNumber(leaf+1) {
		leaf++
	}
	firstLab := -1
	for c, v := range g[leaf] {
		if m, ok := f.classify(v); ok && (m.kind() != "" || m.Total || m.Unknown) && !f.number(v) {
			firstLab = c
			break
		}
	}
	if firstLab < 0 {
		return Table{}, false
	}
	top := h
	for top-1 > floor && leaf-top < maxLevels-1 && !rowBlank(g, top-1) && !f.rowHasNumber(top-1) && f.recognisedFrom(top-1, firstLab) {
		top--
	}
	for r := top; r < leaf; r++ { // upper levels may start further left
		for c := 0; c < firstLab && c < len(g[r]); c++ {
			if m, ok := f.classify(g[r][c]); ok && m.kind() != "" {
				firstLab = c
				break
			}
		}
	}
	width := g.width()

	// Figure rows: until two blank rows, the next header, or a row that
	// holds no figure and no known label (a note, the next title).
	var rows []int
	blank := 0
	for r := leaf + 1; r < len(g); r++ {
		if rowBlank(g, r) {
			blank++
			if blank >= 2 {
				break
			}
			continue
		}
		if f.headerRow(r) && !f.rowHasNumber(r) {
			break
		}
		nv := 0
		for c := firstLab; c < len(g[r]); c++ {
			if f.value(g[r][c]) {
				nv++
			}
		}
		if nv == 0 {
			if blank > 0 || !f.knownRowLabel(r, firstLab) {
				break
			}
		}
		blank = 0
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return Table{}, false
	}

	// Columns: figures under a header are data; text left of the figures
	// is row labels; notes columns are skipped.
	var dataCols, labelCols []int
	nNum := make([]int, width)
	nVal := make([]int, width)
	nText := make([]int, width)
	for _, r := range rows {
		for c := 0; c < width; c++ {
			v := g.at(r, c)
			switch {
			case v == "":
			case f.number(v):
				nNum[c]++
				nVal[c]++
			case f.value(v):
				nVal[c]++
			default:
				nText[c]++
			}
		}
	}
	bandText := func(c int) bool {
		for r := top; r <= leaf; r++ {
			if g.at(r, c) != "" {
				return true
			}
		}
		return false
	}
	leafMeaning := func(c int) (Meaning, bool) { return f.classify(g.at(leaf, c)) }
	for c := 0; c < width; c++ {
		if !bandText(c) {
			continue
		}
		if m, ok := leafMeaning(c); ok && m.Notes {
			continue
		}
		recognised := false
		if m, ok := leafMeaning(c); ok && !m.Notes {
			recognised = true
		}
		if (nNum[c] > 0 && nText[c] <= nVal[c]) || (c >= firstLab && recognised && nText[c] == 0) {
			dataCols = append(dataCols, c)
		}
	}
	if len(dataCols) == 0 {
		return Table{}, false
	}
	for c := dataCols[0] - 1; c >= 0 && len(labelCols) < maxLevels-1; c-- {
		if nText[c] > 0 {
			labelCols = append([]int{c}, labelCols...)
		}
	}

	t := Table{Top: top, Bottom: rows[len(rows)-1], Right: dataCols[len(dataCols)-1], DataRows: rows, DataCols: dataCols, LabelCols: labelCols}
	t.Left = dataCols[0]
	if len(labelCols) > 0 {
		t.Left = labelCols[0]
	}
	for r := top; r <= leaf; r++ {
		t.HeaderRows = append(t.HeaderRows, r)
	}

	// What each column's headers say, level by level.
	var colLevels [][]Label // per data column, top level first
	for _, c := range dataCols {
		var lv []Label
		for r := top; r <= leaf; r++ {
			lv = append(lv, Label{Row: r, Col: c, Text: g.at(r, c)})
		}
		colLevels = append(colLevels, lv)
	}
	cols := f.readAxis(colLevels)
	var rowLevels [][]Label
	for _, r := range rows {
		var lv []Label
		for _, c := range labelCols {
			lv = append(lv, Label{Row: r, Col: c, Text: g.at(r, c)})
		}
		rowLevels = append(rowLevels, lv)
	}
	rowsAx := f.readAxis(rowLevels)
	if len(labelCols) > 0 {
		for i, r := range rows {
			if emptyLabels(rowLevels[i]) && len(rows) > 1 {
				rowsAx[i].bad, rowsAx[i].badText, rowsAx[i].badAt = true, "(no label)", [2]int{r, labelCols[len(labelCols)-1]}
			}
		}
	}

	// Figures.
	reported := map[[2]int]bool{}
	for i, r := range rows {
		ra := rowsAx[i]
		for j, c := range dataCols {
			ca := cols[j]
			raw := g.at(r, c)
			if raw == "" || ca.notes {
				continue
			}
			if ca.bad {
				if !reported[ca.badAt] {
					reported[ca.badAt] = true
					t.Unknown = append(t.Unknown, label(ca.badAt, ca.badText))
				}
				continue
			}
			if ra.bad {
				if !reported[ra.badAt] {
					reported[ra.badAt] = true
					t.Unknown = append(t.Unknown, label(ra.badAt, ra.badText))
				}
				continue
			}
			d, ok := Merge(ra.dims, ca.dims)
			if !ok {
				t.Conflicts = append(t.Conflicts, Label{Ref: Ref(c, r), Row: r, Col: c,
					Text: strings.Join(append(slicesClone(ra.path), ca.path...), " / ")})
				continue
			}
			t.Cells = append(t.Cells, Cell{Ref: Ref(c, r), Row: r, Col: c, Raw: raw, RowPath: ra.path, ColPath: ca.path,
				Dims: d, RowTotal: ra.total, ColTotal: ca.total})
		}
	}
	t.Kind = kindOf(t.Cells)

	for _, r := range t.HeaderRows {
		for c := t.Left; c < dataCols[0]; c++ {
			if v := g.at(r, c); v != "" {
				t.Corner = append(t.Corner, Label{Ref: Ref(c, r), Row: r, Col: c, Text: v})
			}
		}
	}
	// Context: the texts above the table, nearest row first.
	for r := top - 1; r > floor && r >= 0 && top-r <= 6; r-- {
		for c, v := range g[r] {
			if v != "" {
				t.Context = append(t.Context, Label{Ref: Ref(c, r), Row: r, Col: c, Text: v})
			}
		}
	}
	return t, len(t.Cells) > 0 || len(t.Unknown) > 0
}

func emptyLabels(lv []Label) bool {
	for _, l := range lv {
		if l.Text != "" {
			return false
		}
	}
	return true
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

func label(at [2]int, text string) Label {
	return Label{Ref: Ref(at[1], at[0]), Row: at[0], Col: at[1], Text: text}
}

// knownRowLabel reports whether row r has a known label left of column to.
func (f *finder) knownRowLabel(r, to int) bool {
	g := f.g
	for c := 0; c < to && c < len(g[r]); c++ {
		if m, ok := f.classify(g[r][c]); ok && !m.Notes {
			return true
		}
	}
	return false
}

func kindOf(cells []Cell) string {
	kind := ""
	for _, c := range cells {
		switch {
		case c.Dims.Measure != "":
			return KindService
		case c.Dims.Outcome != "" || c.Dims.Cause != "" || c.Dims.Civilian != "":
			kind = KindCasualty
		case c.Dims.Pillar != "" && kind == "":
			kind = KindService
		}
	}
	return kind
}

// readAxis reads the header levels of every column (or row) of one axis:
// entries[i][l] is level l of entry i, outermost first.
func (f *finder) readAxis(entries [][]Label) []axisEntry {
	out := make([]axisEntry, len(entries))
	if len(entries) == 0 {
		return out
	}
	levels := len(entries[0])
	// A level with one unknown text over every entry is a title, not a header.
	title := make([]bool, levels)
	for l := range levels {
		first := entries[0][l].Text
		same := true
		for _, e := range entries {
			if e[l].Text != first {
				same = false
				break
			}
		}
		_, ok := f.meaning(first, true)
		title[l] = same && (first == "" || !ok)
	}
	// Group of an entry at level l: its texts on the levels above.
	group := func(i, l int) string {
		var b strings.Builder
		for k := range l {
			b.WriteString(entries[i][k].Text)
			b.WriteByte(0)
		}
		return b.String()
	}
	girls := map[string]bool{}
	for i, e := range entries {
		for l := range levels {
			if isGirls(e[l].Text) {
				girls[strconv.Itoa(l)+"\x01"+group(i, l)] = true
			}
		}
	}
	meanings := make([][]Meaning, len(entries))
	oks := make([][]bool, len(entries))
	kinds := make([]map[string]int, levels)
	for l := range levels {
		kinds[l] = map[string]int{}
	}
	for i, e := range entries {
		meanings[i] = make([]Meaning, levels)
		oks[i] = make([]bool, levels)
		for l := range levels {
			if title[l] || e[l].Text == "" {
				continue
			}
			m, ok := f.meaning(e[l].Text, girls[strconv.Itoa(l)+"\x01"+group(i, l)])
			meanings[i][l], oks[i][l] = m, ok
			if k := m.kind(); ok && k != "" {
				kinds[l][k]++
			}
		}
	}
	dominant := make([]string, levels)
	for l := range levels {
		best := 0
		for k, n := range kinds[l] {
			if n > best || (n == best && k < dominant[l]) {
				dominant[l], best = k, n
			}
		}
	}
	for i, e := range entries {
		a := &out[i]
		prev := ""
		for l := range levels {
			text := e[l].Text
			if title[l] || text == "" {
				continue
			}
			if text != prev {
				a.path = append(a.path, text)
			}
			prev = text
			m, ok := meanings[i][l], oks[i][l]
			if !ok {
				if !a.bad {
					a.bad, a.badText, a.badAt = true, text, [2]int{e[l].Row, e[l].Col}
				}
				continue
			}
			if m.Notes {
				a.notes = true
				continue
			}
			if m.Total {
				a.total = true
			}
			d := m.Dims
			if m.Unknown {
				u, ok := unknownAs(dominant[l])
				if !ok {
					if !a.bad {
						a.bad, a.badText, a.badAt = true, text, [2]int{e[l].Row, e[l].Col}
					}
					continue
				}
				d = u
			}
			merged, ok := Merge(a.dims, d)
			if !ok {
				if !a.bad {
					a.bad, a.badText, a.badAt = true, strings.Join(a.path, " / "), [2]int{e[l].Row, e[l].Col}
				}
				continue
			}
			a.dims = merged
		}
	}
	return out
}

// Ref builds an A1 reference from a 0-based column and row.
func Ref(col, row int) string {
	return ColName(col) + strconv.Itoa(row+1)
}

// ColName is the letters of a 0-based column.
func ColName(col int) string {
	if col < 0 {
		return "?"
	}
	var b []byte
	for n := col + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}
