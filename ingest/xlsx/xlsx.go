// Package xlsx is the one safe way vahub reads spreadsheets: it sniffs the
// content before excelize sees it, opens with explicit zip-bomb limits and
// raw cell values, turns excelize panics on crafted files into errors, and
// streams rows instead of loading whole sheets.
package xlsx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits applied unless Options say otherwise (STYLE.md: uploads).
const (
	DefaultUnzipSizeLimit    = 200 << 20
	DefaultUnzipXMLSizeLimit = 16 << 20
)

// ErrUnsupported is wrapped by every error for content that is not an
// .xlsx workbook (an .xls, .ods, CSV or web page); its text says what the
// file looks like and what to do.
var ErrUnsupported = errors.New("not an Excel .xlsx workbook")

// ErrTooLarge is wrapped when the workbook unpacks beyond the limits.
var ErrTooLarge = errors.New("workbook too large")

// ErrMalformed is wrapped when the workbook's content is broken.
var ErrMalformed = errors.New("malformed workbook")

// Options tune Open.
type Options struct {
	TmpDir            string // where excelize spills large parts; "" is os.TempDir
	UnzipSizeLimit    int64  // total unpacked size; 0 is DefaultUnzipSizeLimit
	UnzipXMLSizeLimit int64  // per-part size kept in memory; 0 is DefaultUnzipXMLSizeLimit
}

// File is an open workbook. Close it: excelize may hold temp files.
type File struct {
	x    *excelize.File
	path string
}

// Open opens path with the default limits.
func Open(path string) (*File, error) { return OpenWith(path, Options{}) }

// OpenWith opens path after checking that its content is an .xlsx workbook.
func OpenWith(path string, opts Options) (f *File, err error) {
	if err := sniffFile(path); err != nil {
		return nil, err
	}
	if opts.UnzipSizeLimit <= 0 {
		opts.UnzipSizeLimit = DefaultUnzipSizeLimit
	}
	if opts.UnzipXMLSizeLimit <= 0 {
		opts.UnzipXMLSizeLimit = DefaultUnzipXMLSizeLimit
	}
	opts.UnzipXMLSizeLimit = min(opts.UnzipXMLSizeLimit, opts.UnzipSizeLimit)
	defer guard(&err, "open")
	x, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    opts.UnzipSizeLimit,
		UnzipXMLSizeLimit: opts.UnzipXMLSizeLimit,
		RawCellValue:      true,
		TmpDir:            opts.TmpDir,
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, fmt.Errorf("xlsx: open %s: %w (%w)", path, ErrTooLarge, err)
		}
		return nil, fmt.Errorf("xlsx: open %s: %w: %w", path, ErrMalformed, err)
	}
	return &File{x: x, path: path}, nil
}

// guard turns a panic inside excelize into an error.
func guard(err *error, op string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("xlsx: %s: %w: %v", op, ErrMalformed, r)
	}
}

func sniffFile(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	defer fh.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("xlsx: read %s: %w", path, err)
	}
	return Sniff(head[:n])
}

// Sniff checks the first bytes of a file (512 are enough) and returns an
// error wrapping ErrUnsupported, in words a user can act on, unless they
// start an .xlsx (zip) workbook.
func Sniff(head []byte) error {
	bad := func(what string) error { return fmt.Errorf("xlsx: %w: %s", ErrUnsupported, what) }
	switch {
	case len(head) == 0:
		return bad("the file is empty")
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return bad("this is an old Excel 97-2003 (.xls) workbook or a password-protected file; remove any password and save it as \"Excel Workbook (.xlsx)\"")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if len(head) > 38 && string(head[30:38]) == "mimetype" && bytes.Contains(head[38:], []byte("opendocument")) {
			return bad("this is an OpenDocument (.ods) spreadsheet; save it as \"Excel 2007-365 (.xlsx)\"")
		}
		return nil
	case bytes.HasPrefix(head, []byte("PK")):
		return bad("the zip archive is empty or split")
	}
	t := strings.ToLower(strings.TrimSpace(string(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")))))
	switch {
	case strings.HasPrefix(t, "<!doctype html") || strings.HasPrefix(t, "<html"):
		return bad("this is a web page, not a spreadsheet")
	case strings.HasPrefix(t, "<?xml"):
		return bad("this is an XML file (perhaps an Excel 2003 XML spreadsheet); save it as \"Excel Workbook (.xlsx)\"")
	case strings.HasPrefix(t, "%pdf"):
		return bad("this is a PDF document")
	}
	return bad("the content is not a zip-based .xlsx workbook (a CSV or text file?)")
}

// Close releases the workbook and its temp files.
func (f *File) Close() (err error) {
	defer guard(&err, "close")
	if err := f.x.Close(); err != nil {
		return fmt.Errorf("xlsx: close: %w", err)
	}
	return nil
}

// Sheets lists the sheet names in workbook order, hidden ones included.
func (f *File) Sheets() (names []string, err error) {
	defer guard(&err, "sheets")
	return f.x.GetSheetList(), nil
}

// HasSheet reports whether the workbook has a sheet called name (exactly).
func (f *File) HasSheet(name string) (bool, error) {
	names, err := f.Sheets()
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n == name {
			return true, nil
		}
	}
	return false, nil
}

// Date1904 reports whether the workbook counts dates from 1904 (old Mac Excel).
func (f *File) Date1904() (b bool, err error) {
	defer guard(&err, "workbook properties")
	p, err := f.x.GetWorkbookProps()
	if err != nil {
		return false, fmt.Errorf("xlsx: workbook properties: %w", err)
	}
	return p.Date1904 != nil && *p.Date1904, nil
}

// Cell is one non-blank cell: its A1 reference and its raw value (numbers
// and dates as stored, e.g. "45292" for a date, shared strings resolved).
type Cell struct {
	Ref   string
	Value string
}

// Row is one row's non-blank cells, left to right.
type Row struct {
	Num   int // 1-based
	Cells []Cell
}

// EachRow streams the rows of sheet, calling fn for each row that has a
// non-blank cell. It stops at fn's first error and returns it, and checks
// ctx every 1,000 rows.
func (f *File) EachRow(ctx context.Context, sheet string, fn func(Row) error) error {
	// The raw stream does the reading, closing and cancelling; this adds
	// the references and skips blank rows.
	return f.EachRawRow(ctx, sheet, func(n int, cols []string) error {
		r := Row{Num: n}
		for i, v := range cols {
			if v == "" {
				continue
			}
			ref, err := excelize.CoordinatesToCellName(i+1, n)
			if err != nil {
				return fmt.Errorf("xlsx: %q row %d: %w", sheet, n, err)
			}
			r.Cells = append(r.Cells, Cell{Ref: ref, Value: v})
		}
		if len(r.Cells) == 0 {
			return nil
		}
		return fn(r)
	})
}

func nextRow(rows *excelize.Rows) (ok bool, cols []string, err error) {
	defer guard(&err, "row")
	if !rows.Next() {
		return false, nil, rows.Error()
	}
	cols, err = rows.Columns()
	return true, cols, err
}

func closeRows(rows *excelize.Rows) (err error) {
	defer guard(&err, "close rows")
	if err := rows.Close(); err != nil {
		return fmt.Errorf("xlsx: close rows: %w", err)
	}
	return nil
}

// Kind is what a cell stores, as far as its raw value can't tell.
type Kind int

const (
	KindBlank  Kind = iota
	KindNumber      // a number, or a date (a number with a date style)
	KindText        // shared, inline or formula string
	KindBool
	KindError // #N/A, #DIV/0! …
	KindDate  // ISO 8601 text date (t="d"), rare
)

// CellKind reports what cell ref of sheet stores. Excel writes numbers with
// no type attribute, so "unset" with a value is a number.
func (f *File) CellKind(sheet, ref string) (k Kind, err error) {
	defer guard(&err, "cell type")
	t, err := f.x.GetCellType(sheet, ref)
	if err != nil {
		return KindBlank, fmt.Errorf("xlsx: cell type %s!%s: %w", sheet, ref, err)
	}
	switch t {
	case excelize.CellTypeBool:
		return KindBool, nil
	case excelize.CellTypeError:
		return KindError, nil
	case excelize.CellTypeDate:
		return KindDate, nil
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula:
		return KindText, nil
	}
	return KindNumber, nil
}

// Formula returns the formula of cell ref, or "".
func (f *File) Formula(sheet, ref string) (s string, err error) {
	defer guard(&err, "formula")
	s, err = f.x.GetCellFormula(sheet, ref)
	if err != nil {
		return "", fmt.Errorf("xlsx: formula %s!%s: %w", sheet, ref, err)
	}
	return s, nil
}

// Merged maps every cell covered by a merged range of sheet to the range's
// top-left value, so a header merged over three columns labels all three
// (Rows returns the value in the top-left cell only).
func (f *File) Merged(sheet string) (m map[string]string, err error) {
	defer guard(&err, "merged cells")
	mcs, err := f.x.GetMergeCells(sheet)
	if err != nil {
		return nil, fmt.Errorf("xlsx: merged cells of %q: %w", sheet, err)
	}
	m = map[string]string{}
	for _, mc := range mcs {
		c1, r1, err := excelize.CellNameToCoordinates(mc.GetStartAxis())
		if err != nil {
			return nil, fmt.Errorf("xlsx: merged cells of %q: %w", sheet, err)
		}
		c2, r2, err := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err != nil {
			return nil, fmt.Errorf("xlsx: merged cells of %q: %w", sheet, err)
		}
		if (c2-c1+1)*(r2-r1+1) > 1<<16 {
			return nil, fmt.Errorf("xlsx: merged range %s:%s of %q: %w: range too large", mc.GetStartAxis(), mc.GetEndAxis(), sheet, ErrMalformed)
		}
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				ref, _ := excelize.CoordinatesToCellName(c, r)
				m[ref] = mc.GetCellValue()
			}
		}
	}
	return m, nil
}

// Spread fills the cells of r that lie in a merged range with the range's
// value, using a map from Merged. Cells come out sorted by column.
func Spread(r Row, merged map[string]string) Row {
	if len(merged) == 0 {
		return r
	}
	have := map[string]bool{}
	for _, c := range r.Cells {
		have[c.Ref] = true
	}
	out := Row{Num: r.Num, Cells: append([]Cell(nil), r.Cells...)}
	for ref, v := range merged {
		if _, row, err := excelize.CellNameToCoordinates(ref); err == nil && row == r.Num && !have[ref] && v != "" {
			out.Cells = append(out.Cells, Cell{Ref: ref, Value: v})
		}
	}
	sortCells(out.Cells)
	return out
}

func sortCells(cs []Cell) {
	col := func(ref string) int { c, _, _ := excelize.CellNameToCoordinates(ref); return c }
	slices.SortStableFunc(cs, func(a, b Cell) int { return col(a.Ref) - col(b.Ref) })
}

// EachRawRow streams the rows of sheet as excelize gives them: the raw
// values of columns A… up to the last non-blank cell, blank rows included,
// with no A1 references built. It is the fast path for exports with a
// million rows, where EachRow's per-cell references cost more than the
// reading; fn must not keep cols after it returns.
func (f *File) EachRawRow(ctx context.Context, sheet string, fn func(num int, cols []string) error) (err error) {
	var rows *excelize.Rows
	func() {
		defer guard(&err, "rows of "+sheet)
		rows, err = f.x.Rows(sheet)
	}()
	if err != nil {
		return fmt.Errorf("xlsx: rows of %q: %w", sheet, err)
	}
	defer func() {
		if cerr := closeRows(rows); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for n := 1; ; n++ {
		if n%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		}
		ok, cols, err := nextRow(rows)
		if err != nil {
			return fmt.Errorf("xlsx: %q row %d: %w", sheet, n, err)
		}
		if !ok {
			return nil
		}
		if err := fn(n, cols); err != nil {
			return err
		}
	}
}
