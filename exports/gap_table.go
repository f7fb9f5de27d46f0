package exports

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema"
)

// gapCol is one column of a gap-export table: its header, its HXL hashtag
// (the row under the header) and the definition the Definitions sheet prints.
type gapCol struct {
	name  string
	hxl   string
	width float64
	def   string
}

// gapStyles are the cell styles of the workbook, created once.
type gapStyles struct {
	header, hxl, count, pct, ratio, date, stamp int
	withheld                                    int // a withheld number: grey word, never blank-looking
	alert                                       int // conditional: red fill
}

func newGapStyles(f *excelize.File) (gapStyles, error) {
	var s gapStyles
	dateFmt, stampFmt, ratioFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "0.00"
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.hxl, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "666666"}}},
		{&s.count, &excelize.Style{NumFmt: 3}}, // #,##0
		{&s.pct, &excelize.Style{NumFmt: 10}},  // 0.00%
		{&s.ratio, &excelize.Style{CustomNumFmt: &ratioFmt}},
		{&s.date, &excelize.Style{CustomNumFmt: &dateFmt}},
		{&s.stamp, &excelize.Style{CustomNumFmt: &stampFmt}},
		{&s.withheld, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
			Alignment: &excelize.Alignment{Horizontal: "right"}}},
	} {
		id, err := f.NewStyle(st.style)
		if err != nil {
			return s, fmt.Errorf("exports: gap styles: %w", err)
		}
		*st.id = id
	}
	alert, err := f.NewConditionalStyle(&excelize.Style{
		Font: &excelize.Font{Color: "9C0006"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
	})
	if err != nil {
		return s, fmt.Errorf("exports: gap styles: %w", err)
	}
	s.alert = alert
	return s, nil
}

// gapWriter builds the workbook one streamed sheet at a time.
type gapWriter struct {
	f      *excelize.File
	st     gapStyles
	opts   GapOptions
	disc   *gapDisclosure
	sheets int
}

// gapTable streams the rows of one sheet: header, HXL row, then data rows
// from row 3. Rows are written as they arrive and never kept.
type gapTable struct {
	ctx   context.Context
	sheet string
	sw    *excelize.StreamWriter
	want  int // rows the source announced
	first int // row number of the first data row
	n     int // data rows written
	row   []any
}

// gapCondFunc returns the conditional formats of a data range, given the
// column letter of each column by name and the first and last data rows.
type gapCondFunc func(col func(name string) string, first, last int) map[string][]excelize.ConditionalFormatOptions

// table starts a sheet with want data rows (plus header and HXL rows when
// hxl is true). Everything excelize writes ahead of the rows (dimension,
// autofilter, conditional formats, column widths, frozen panes) is set here,
// before the first SetRow, as the StreamWriter requires.
func (g *gapWriter) table(ctx context.Context, sheet string, cols []gapCol, want int, hxl bool, cond gapCondFunc) (*gapTable, error) {
	wrap := func(what string, err error) error { return fmt.Errorf("exports: %s: %s: %w", sheet, what, err) }
	if g.sheets == 0 {
		// A new file has one sheet already; rename it rather than leave it empty.
		if err := g.f.SetSheetName(g.f.GetSheetName(0), sheet); err != nil {
			return nil, wrap("name sheet", err)
		}
	} else if _, err := g.f.NewSheet(sheet); err != nil {
		return nil, wrap("add sheet", err)
	}
	g.sheets++

	headRows := 1
	if hxl {
		headRows = 2
	}
	last := headRows + want
	lastCol, err := excelize.ColumnNumberToName(len(cols))
	if err != nil {
		return nil, wrap("columns", err)
	}
	// Readers such as openpyxl's read-only mode trust the dimension, so it
	// must be the real used range, known before the rows are streamed.
	if err := g.f.SetSheetDimension(sheet, "A1:"+lastCol+strconv.Itoa(last)); err != nil {
		return nil, wrap("dimension", err)
	}
	// The filter's header row is the last header row (the HXL row when
	// there is one), so sorting or filtering never moves the hashtags into
	// the data.
	if err := g.f.AutoFilter(sheet, "A"+strconv.Itoa(headRows)+":"+lastCol+strconv.Itoa(last), nil); err != nil {
		return nil, wrap("autofilter", err)
	}
	if cond != nil && want > 0 {
		byName := make(map[string]string, len(cols))
		for i, c := range cols {
			byName[c.name], _ = excelize.ColumnNumberToName(i + 1)
		}
		col := func(name string) string {
			l, ok := byName[name]
			if !ok {
				panic("exports: conditional format on unknown column " + name) // programming error
			}
			return l
		}
		rules := cond(col, headRows+1, last)
		// In key order, so rule priorities do not vary from run to run.
		for _, ref := range slices.Sorted(maps.Keys(rules)) {
			if err := g.f.SetConditionalFormat(sheet, ref, rules[ref]); err != nil {
				return nil, wrap("conditional format "+ref, err)
			}
		}
	}
	sw, err := g.f.NewStreamWriter(sheet)
	if err != nil {
		return nil, wrap("stream", err)
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, wrap("column width", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: headRows, TopLeftCell: "A" + strconv.Itoa(headRows+1), ActivePane: "bottomLeft",
	}); err != nil {
		return nil, wrap("panes", err)
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: g.st.header, Value: c.name}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, wrap("header", err)
	}
	if hxl {
		for i, c := range cols {
			head[i] = excelize.Cell{StyleID: g.st.hxl, Value: c.hxl}
		}
		if err := sw.SetRow("A2", head); err != nil {
			return nil, wrap("hxl row", err)
		}
	}
	return &gapTable{ctx: ctx, sheet: sheet, sw: sw, want: want, first: headRows + 1, row: make([]any, len(cols))}, nil
}

// add writes t.row as the next data row and clears it for the next one.
// Its errors are wrapped by the caller, which names the sheet.
func (t *gapTable) add() error {
	if t.n >= t.want {
		// The dimension and filter already say want rows: refuse to go past.
		return fmt.Errorf("the source sent more than the %d rows it counted (export outside one snapshot?)", t.want)
	}
	if t.n%256 == 0 {
		if err := t.ctx.Err(); err != nil {
			return err
		}
	}
	r := t.first + t.n
	if err := t.sw.SetRow("A"+strconv.Itoa(r), t.row); err != nil {
		return fmt.Errorf("row %d: %w", r, err)
	}
	t.n++
	clear(t.row)
	return nil
}

// end checks the row count against the announced one and flushes the sheet.
func (t *gapTable) end() error {
	if t.n != t.want {
		return fmt.Errorf("exports: %s: the source counted %d rows but sent %d (export outside one snapshot?)", t.sheet, t.want, t.n)
	}
	if err := t.sw.Flush(); err != nil {
		return fmt.Errorf("exports: %s: flush: %w", t.sheet, err)
	}
	return nil
}

// Cell values. nil leaves the cell empty: a blank cell means "not
// reported", never zero, so a missing number is never written as 0.

func (g *gapWriter) count(v *int64) any {
	if v == nil {
		return nil
	}
	return excelize.Cell{StyleID: g.st.count, Value: *v}
}

// withheldCell is a number withheld by the disclosure control: the word
// "withheld" on grey, so it is neither taken for "not reported" (blank) nor
// for a value; the row's note says why.
func (g *gapWriter) withheldCell() any {
	return excelize.Cell{StyleID: g.st.withheld, Value: string(schema.StateWithheld)}
}

func (g *gapWriter) countInt(v int) any { return excelize.Cell{StyleID: g.st.count, Value: v} }

func (g *gapWriter) pct(v *float64) any {
	if v == nil {
		return nil
	}
	return excelize.Cell{StyleID: g.st.pct, Value: *v}
}

func (g *gapWriter) ratio(v *float64) any {
	if v == nil {
		return nil
	}
	return excelize.Cell{StyleID: g.st.ratio, Value: *v}
}

// text writes untrusted text neutralised against formula injection; "" is
// an empty cell.
func gapText(s string) any {
	if s == "" {
		return nil
	}
	return SafeText(s)
}

func (g *gapWriter) date(t *time.Time) any {
	if t == nil {
		return nil
	}
	// A date column holds a calendar date: keep its day whatever the zone.
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return excelize.Cell{StyleID: g.st.date, Value: d}
}

func (g *gapWriter) stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return excelize.Cell{StyleID: g.st.stamp, Value: t.UTC()}
}
