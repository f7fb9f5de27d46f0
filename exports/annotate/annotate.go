// Package annotate gives focal points their feedback in their own workbook:
// a copy of the file they sent, with every cell vahub found a problem in
// filled red (error) or amber (warning) and commented in the workbook's
// language, and an "Issues" sheet, placed first and active, that lists every
// problem with a link to its cell.
//
// The copy is made with excelize from the original file, opened with the
// same zip-bomb limits as the readers and with excelize panics recovered.
// The user's sheets keep their values, styles (only the fill of a problem
// cell changes), comments (vahub's text goes on top of an existing one),
// sheet protection and defined names. A file that is not an .xlsx workbook
// vahub can copy (a CSV, an .xls, a damaged zip) gets a new workbook holding
// only the Issues sheet, which says so.
package annotate

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema"
)

// Limits on the original workbook (STYLE.md: uploads), the same as the
// readers' (ingest/xlsx), which this package may not import.
const (
	unzipSizeLimit    = 200 << 20
	unzipXMLSizeLimit = 16 << 20
)

// MaxIssues is how many issues are listed and highlighted; the summary line
// still counts them all. It stays well under excelize's 65,529 hyperlinks
// per sheet, and a file with more problems than this is better fixed at its
// source than cell by cell.
const MaxIssues = 10000

// Fill colours of problem cells.
const (
	FillError   = "FF8080" // red
	FillWarning = "FFC000" // amber
)

// Author is the author of the comments vahub adds.
const Author = "vahub"

// Write writes to w an annotated copy of the workbook at srcPath with the
// issues found in it, worded in lang ("en", "fr" or "es"; anything else is
// English). The issues' messages are written as they are: they are already
// in the workbook's language. Issues without a cell, or naming a sheet or
// cell the workbook does not have, are listed without a link. When srcPath is
// not an .xlsx workbook that can be copied, the result is a new workbook
// with the Issues sheet only. The error is for a cancelled context or a
// failed write, never for problems in the file.
func Write(ctx context.Context, srcPath string, issues []schema.Issue, lang string, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	l := lookup(lang)
	var out bytes.Buffer
	if err := annotateCopy(ctx, srcPath, issues, l, &out); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("annotate: %w", cerr)
		}
		// Not a workbook we can copy: the issues alone.
		out.Reset()
		if err := issuesOnly(srcPath, issues, l, &out); err != nil {
			return err
		}
	}
	if _, err := out.WriteTo(w); err != nil {
		return fmt.Errorf("annotate: write: %w", err)
	}
	return nil
}

// errNotWorkbook marks content that is not a zip, so not an .xlsx.
var errNotWorkbook = errors.New("not an .xlsx workbook")

// annotateCopy writes the annotated copy of srcPath to out. Any error means
// the copy could not be made from this file.
func annotateCopy(ctx context.Context, srcPath string, issues []schema.Issue, l labels, out *bytes.Buffer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("annotate: %s: malformed workbook: %v", srcPath, r)
		}
	}()
	if err := sniff(srcPath); err != nil {
		return err
	}
	x, err := excelize.OpenFile(srcPath, excelize.Options{
		UnzipSizeLimit:    unzipSizeLimit,
		UnzipXMLSizeLimit: unzipXMLSizeLimit,
	})
	if err != nil {
		return fmt.Errorf("annotate: open %s: %w", srcPath, err)
	}
	defer x.Close()

	shown := issues[:min(len(issues), MaxIssues)]
	b := &book{x: x, l: l, sheets: map[string]*sheetInfo{}, styles: map[styleKey]int{}}
	for i, name := range x.GetSheetList() {
		b.sheets[strings.ToLower(name)] = &sheetInfo{name: name, index: i}
	}
	links := make([]string, len(shown))
	for i, m := range b.collect(shown) {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := b.mark(m); err != nil {
			return err
		}
		for _, j := range m.issues {
			if m.sheet.visible {
				links[j] = location(m.sheet.name, m.cell)
			}
		}
	}

	n := len(x.GetSheetList())
	first := x.GetSheetName(0)
	name := uniqueSheetName(x, l.sheet)
	if _, err := x.NewSheet(name); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	if err := writeList(x, name, srcPath, issues, links, "", l); err != nil {
		return err
	}
	// Every defined name scoped to a sheet (print areas, filters, the list's
	// own filter) was made before the move; shiftLocalNames renumbers them,
	// since excelize's MoveSheet does not.
	if err := x.MoveSheet(name, first); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	x.SetActiveSheet(0)
	x.Path = "annotated.xlsx" // an .xlsx content type whatever the input was called
	var raw bytes.Buffer
	if _, err := x.WriteTo(&raw); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	return shiftLocalNames(raw.Bytes(), n, out)
}

// issuesOnly writes a new workbook with the Issues sheet alone.
func issuesOnly(srcPath string, issues []schema.Issue, l labels, out *bytes.Buffer) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName(x.GetSheetName(0), l.sheet); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	shown := issues[:min(len(issues), MaxIssues)]
	if err := writeList(x, l.sheet, srcPath, issues, make([]string, len(shown)), l.notCopied, l); err != nil {
		return err
	}
	if _, err := x.WriteTo(out); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	return nil
}

// sniff refuses content that is not a zip archive before excelize sees it.
func sniff(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	defer fh.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(fh, head); err != nil || string(head) != "PK\x03\x04" {
		return fmt.Errorf("annotate: %s: %w", path, errNotWorkbook)
	}
	return nil
}

type sheetInfo struct {
	name    string
	index   int
	visible bool
	loaded  bool
	merges  []mergeRange
	notes   map[string]excelize.Comment // existing comments by cell
	broken  bool                        // not a worksheet (chart sheet) or unreadable
}

type mergeRange struct{ c1, r1, c2, r2 int }

// marked is one cell with the issues on it.
type marked struct {
	sheet  *sheetInfo
	cell   string
	sev    schema.Severity
	issues []int // indexes into the listed issues
	texts  []schema.Issue
}

type styleKey struct {
	id  int
	sev schema.Severity
}

type book struct {
	x      *excelize.File
	l      labels
	sheets map[string]*sheetInfo
	styles map[styleKey]int // original style and severity → highlighted style
}

// collect groups the issues by the cell they point at, in the order cells
// first appear; issues naming no existing cell are left out.
func (b *book) collect(issues []schema.Issue) []*marked {
	var order []*marked
	byCell := map[string]*marked{}
	for i, is := range issues {
		s := b.sheets[strings.ToLower(is.Sheet)]
		cell, ok := normCell(is.Cell)
		if s == nil || !ok || !b.load(s) {
			continue
		}
		key := s.name + "!" + cell
		m := byCell[key]
		if m == nil {
			m = &marked{sheet: s, cell: cell, sev: schema.SevWarning}
			byCell[key] = m
			order = append(order, m)
		}
		if is.Severity == schema.SevError {
			m.sev = schema.SevError
		}
		m.issues = append(m.issues, i)
		m.texts = append(m.texts, is)
	}
	return order
}

// load reads what marking a sheet needs to know once; false for a sheet
// that cannot be marked (a chart sheet).
func (b *book) load(s *sheetInfo) bool {
	if s.loaded {
		return !s.broken
	}
	s.loaded = true
	vis, err := b.x.GetSheetVisible(s.name)
	s.visible = vis && err == nil
	if _, err := b.x.GetCellStyle(s.name, "A1"); err != nil {
		s.broken = true
		return false
	}
	merges, err := b.x.GetMergeCells(s.name, true)
	if err != nil {
		s.broken = true
		return false
	}
	for _, mc := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 == nil && err2 == nil {
			s.merges = append(s.merges, mergeRange{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)})
		}
	}
	notes, err := b.x.GetComments(s.name)
	if err != nil {
		s.broken = true
		return false
	}
	s.notes = map[string]excelize.Comment{}
	for _, c := range notes {
		s.notes[c.Cell] = c
	}
	return true
}

// maxMergeFill caps how many cells of one merged range are filled.
const maxMergeFill = 1000

// mark fills a problem cell (the whole merged range it belongs to) and
// comments it (on the range's first cell, where spreadsheets show it).
func (b *book) mark(m *marked) error {
	col, row, _ := excelize.CellNameToCoordinates(m.cell)
	cells, anchor := []string{m.cell}, m.cell
	for _, r := range m.sheet.merges {
		if col < r.c1 || col > r.c2 || row < r.r1 || row > r.r2 {
			continue
		}
		anchor, _ = excelize.CoordinatesToCellName(r.c1, r.r1)
		cells = cells[:0]
		for y := r.r1; y <= r.r2 && len(cells) < maxMergeFill; y++ {
			for x := r.c1; x <= r.c2 && len(cells) < maxMergeFill; x++ {
				c, _ := excelize.CoordinatesToCellName(x, y)
				cells = append(cells, c)
			}
		}
		break
	}
	for _, c := range cells {
		if err := b.fill(m.sheet.name, c, m.sev); err != nil {
			return err
		}
	}
	return b.comment(m.sheet, anchor, m.texts)
}

// fill gives cell the fill of sev and keeps the rest of its style: font,
// borders, number format, alignment, protection.
func (b *book) fill(sheet, cell string, sev schema.Severity) error {
	id, err := b.x.GetCellStyle(sheet, cell)
	if err != nil {
		return fmt.Errorf("annotate: style of %s!%s: %w", sheet, cell, err)
	}
	key := styleKey{id, sev}
	nid, ok := b.styles[key]
	if !ok {
		st, err := b.x.GetStyle(id)
		if err != nil || st == nil {
			st = &excelize.Style{}
		}
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fillColour(sev)}}
		if nid, err = b.x.NewStyle(st); err != nil {
			return fmt.Errorf("annotate: style of %s!%s: %w", sheet, cell, err)
		}
		b.styles[key] = nid
	}
	if err := b.x.SetCellStyle(sheet, cell, cell, nid); err != nil {
		return fmt.Errorf("annotate: style of %s!%s: %w", sheet, cell, err)
	}
	return nil
}

func fillColour(sev schema.Severity) string {
	if sev == schema.SevError {
		return FillError
	}
	return FillWarning
}

// comment puts every message about a cell in one comment; a comment the
// user had there stays below them.
func (b *book) comment(s *sheetInfo, cell string, issues []schema.Issue) error {
	var runs []excelize.RichTextRun
	chars := 0
	for i, is := range issues {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		label := sep + b.l.sevLabel(is.Severity) + ": "
		runs = append(runs,
			excelize.RichTextRun{Text: label, Font: &excelize.Font{Bold: true, Size: 9}},
			excelize.RichTextRun{Text: is.Message, Font: &excelize.Font{Size: 9}})
		chars += len([]rune(label)) + len([]rune(is.Message))
	}
	if old, ok := s.notes[cell]; ok {
		if err := b.x.DeleteComment(s.name, cell); err != nil {
			return fmt.Errorf("annotate: comment %s!%s: %w", s.name, cell, err)
		}
		runs = append(runs, excelize.RichTextRun{Text: "\n\n", Font: &excelize.Font{Size: 9}})
		if old.Text != "" {
			runs = append(runs, excelize.RichTextRun{Text: old.Text, Font: &excelize.Font{Size: 9}})
			chars += len([]rune(old.Text))
		}
		for _, r := range old.Paragraph {
			runs = append(runs, r)
			chars += len([]rune(r.Text))
		}
		delete(s.notes, cell)
	}
	// About 45 characters a line at 9 points in a 300-pixel box.
	lines := len(issues) + chars/45 + 1
	err := b.x.AddComment(s.name, excelize.Comment{
		Cell: cell, Author: Author, Paragraph: runs,
		Width: 300, Height: uint(min(20+lines*13, 600)),
	})
	if err != nil {
		return fmt.Errorf("annotate: comment %s!%s: %w", s.name, cell, err)
	}
	return nil
}

// normCell turns "c7", "$C$7" or "C7:D9" into "C7"; false when s is no cell.
func normCell(s string) (string, bool) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "$", ""))
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "", false
	}
	col, row, err := excelize.CellNameToCoordinates(s)
	if err != nil {
		return "", false
	}
	c, err := excelize.CoordinatesToCellName(col, row)
	return c, err == nil
}

// location is the target of an internal link: 'Sheet name'!$C$7. The
// reference is absolute because LibreOffice reads a relative one that is
// also valid R1C1 ("C7": column 7) as a broken link.
func location(sheet, cell string) string {
	col, row, _ := excelize.CellNameToCoordinates(cell)
	abs, _ := excelize.CoordinatesToCellName(col, row, true)
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'!" + abs
}

// uniqueSheetName returns base, or base (2), base (3)… when the workbook
// already has a sheet of that name.
func uniqueSheetName(x *excelize.File, base string) string {
	name := base
	for i := 2; ; i++ {
		if idx, err := x.GetSheetIndex(name); err == nil && idx < 0 {
			return name
		}
		name = base + " (" + strconv.Itoa(i) + ")"
	}
}

// The list's layout: summary, file, note, header, then one row per issue.
const (
	headerRow = 4
	lastCol   = "E"
)

// writeList fills sheet with the summary and the list of issues; links[i]
// is the target of issue i's cell, "" for none.
func writeList(x *excelize.File, sheet, srcPath string, issues []schema.Issue, links []string, note string, l labels) error {
	st, err := newListStyles(x)
	if err != nil {
		return err
	}
	all := schema.Issues(issues)
	errs, warns := all.Count(schema.SevError), len(all)-all.Count(schema.SevError)
	shown := issues[:len(links)]
	if len(shown) < len(issues) {
		note = strings.TrimSpace(note + " " + fmt.Sprintf(l.truncated, len(shown)))
	}
	set := func(cell, v string, style int) {
		if err == nil {
			err = x.SetCellStr(sheet, cell, exports.SafeText(v))
		}
		if err == nil && style != 0 {
			err = x.SetCellStyle(sheet, cell, cell, style)
		}
	}
	set("A1", l.summary(errs, warns), st.title)
	set("A2", fmt.Sprintf(l.file, filepath.Base(srcPath)), 0)
	if note != "" {
		set("A3", note, st.note)
	}
	for i, h := range []string{l.severity, l.sheetCol, l.cell, l.code, l.message} {
		set(string(rune('A'+i))+strconv.Itoa(headerRow), h, st.header)
	}
	for i, is := range shown {
		r := strconv.Itoa(headerRow + 1 + i)
		sev := st.warning
		if is.Severity == schema.SevError {
			sev = st.error
		}
		set("A"+r, l.sevLabel(is.Severity), sev)
		set("B"+r, is.Sheet, st.text)
		cellStyle := st.text
		if links[i] != "" {
			cellStyle = st.link
		}
		set("C"+r, is.Cell, cellStyle)
		set("D"+r, is.Code, st.text)
		set("E"+r, is.Message, st.wrap)
		if err == nil && links[i] != "" {
			err = x.SetCellHyperLink(sheet, "C"+r, links[i], "Location")
		}
	}
	for _, w := range []struct {
		col   string
		width float64
	}{{"A", 16}, {"B", 20}, {"C", 10}, {"D", 24}, {"E", 90}} {
		if err == nil {
			err = x.SetColWidth(sheet, w.col, w.col, w.width)
		}
	}
	if err == nil {
		err = x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: headerRow,
			TopLeftCell: "A" + strconv.Itoa(headerRow+1), ActivePane: "bottomLeft"})
	}
	if err == nil && len(shown) > 0 {
		err = x.AutoFilter(sheet, fmt.Sprintf("A%d:%s%d", headerRow, lastCol, headerRow+len(shown)), nil)
	}
	if err == nil {
		tab := "70AD47" // green: nothing to fix
		switch {
		case errs > 0:
			tab = "C00000"
		case warns > 0:
			tab = FillWarning
		}
		fit := true
		err = x.SetSheetProps(sheet, &excelize.SheetPropsOptions{TabColorRGB: &tab, FitToPage: &fit})
	}
	if err == nil { // printed: landscape, one page wide
		landscape, wide, tall := "landscape", 1, 0
		err = x.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall})
	}
	if err != nil {
		return fmt.Errorf("annotate: issues sheet: %w", err)
	}
	return nil
}

type listStyles struct{ title, note, header, error, warning, text, link, wrap int }

func newListStyles(x *excelize.File) (listStyles, error) {
	var s listStyles
	top := &excelize.Alignment{Vertical: "top"}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	var err error
	for _, d := range []struct {
		id *int
		s  excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}},
		{&s.note, excelize.Style{Font: &excelize.Font{Italic: true}}},
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("D9E1F2"),
			Border: []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}}},
		{&s.error, excelize.Style{Fill: fill(FillError), Alignment: top}},
		{&s.warning, excelize.Style{Fill: fill(FillWarning), Alignment: top}},
		{&s.text, excelize.Style{Alignment: top}},
		{&s.link, excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Alignment: top}},
		{&s.wrap, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
	} {
		if err == nil {
			*d.id, err = x.NewStyle(&d.s)
		}
	}
	if err != nil {
		return s, fmt.Errorf("annotate: styles: %w", err)
	}
	return s, nil
}

var localSheetID = regexp.MustCompile(`localSheetId="([0-9]+)"`)

// shiftLocalNames copies the workbook in raw to out, renumbering the sheet
// of every sheet-scoped defined name after the sheet made at index n was
// moved to the front: sheets 0…n-1 became 1…n and sheet n became 0.
func shiftLocalNames(raw []byte, n int, out *bytes.Buffer) error {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return fmt.Errorf("annotate: reread: %w", err)
	}
	wbPath, err := workbookPart(zr)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		if f.Name != wbPath {
			if err := zw.Copy(f); err != nil {
				return fmt.Errorf("annotate: copy %s: %w", f.Name, err)
			}
			continue
		}
		body, err := readPart(f)
		if err != nil {
			return err
		}
		body = localSheetID.ReplaceAllFunc(body, func(m []byte) []byte {
			k, err := strconv.Atoi(string(localSheetID.FindSubmatch(m)[1]))
			switch {
			case err != nil || k > n:
				return m
			case k == n:
				k = 0
			default:
				k++
			}
			return fmt.Appendf(nil, `localSheetId="%d"`, k)
		})
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err == nil {
			_, err = fw.Write(body)
		}
		if err != nil {
			return fmt.Errorf("annotate: write %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	return nil
}

// workbookPart finds the workbook part through the package relationships.
func workbookPart(zr *zip.Reader) (string, error) {
	for _, f := range zr.File {
		if f.Name != "_rels/.rels" {
			continue
		}
		body, err := readPart(f)
		if err != nil {
			return "", err
		}
		var rels struct {
			Rel []struct {
				Type   string `xml:"Type,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := xml.Unmarshal(body, &rels); err != nil {
			return "", fmt.Errorf("annotate: package relationships: %w", err)
		}
		for _, r := range rels.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				return strings.TrimPrefix(r.Target, "/"), nil
			}
		}
	}
	return "xl/workbook.xml", nil
}

func readPart(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("annotate: read %s: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("annotate: read %s: %w", f.Name, err)
	}
	return b, nil
}
