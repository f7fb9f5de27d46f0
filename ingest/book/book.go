// Package book gives every reader one view of a tabular file, whether it is
// an .xlsx workbook or a CSV: named sheets of rows of cells with A1
// references, streamed, so readers never care where the rows came from.
package book

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/ingest/xlsx"
)

// Cell is one non-blank cell.
type Cell struct {
	Ref   string // A1 reference: "C7"
	Col   int    // 1-based column
	Value string // raw text; numbers as stored (dates are serials in xlsx)
}

// Row is one row's non-blank cells, left to right.
type Row struct {
	Num   int // 1-based
	Cells []Cell
}

// Get returns the value in 1-based column col, or "".
func (r Row) Get(col int) string {
	for _, c := range r.Cells {
		if c.Col == col {
			return c.Value
		}
	}
	return ""
}

// Book is an open tabular file.
type Book interface {
	Format() string // "xlsx" or "csv"
	Sheets() []string
	// EachRow streams a sheet's rows that have a non-blank cell.
	EachRow(ctx context.Context, sheet string, fn func(Row) error) error
	// Merged maps every cell inside a merged range to the range's value
	// (held by its top-left cell); empty for CSV.
	Merged(sheet string) (map[string]string, error)
	// Date1904 reports the workbook's date system (false for CSV).
	Date1904() bool
	Close() error
}

// ErrNotTabular is wrapped for content that is neither a workbook nor text.
var ErrNotTabular = errors.New("not a spreadsheet or CSV file")

// Open opens path as a workbook or, when its bytes are text, as a CSV.
func Open(path string) (Book, error) {
	head, err := readHead(path, 4096)
	if err != nil {
		return nil, err
	}
	if xerr := xlsx.Sniff(head); xerr == nil {
		f, err := xlsx.Open(path)
		if err != nil {
			return nil, err
		}
		return newXLSX(f)
	}
	if looksLikeText(head) {
		return OpenCSV(path)
	}
	if err := xlsx.Sniff(head); err != nil {
		return nil, fmt.Errorf("book: %w: %w", ErrNotTabular, err)
	}
	return nil, fmt.Errorf("book: %w", ErrNotTabular)
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("book: %w", err)
	}
	defer f.Close()
	buf := make([]byte, n)
	k, _ := f.Read(buf)
	return buf[:k], nil
}

// looksLikeText accepts UTF-8/UTF-16 with or without BOM and 8-bit text
// without control characters other than tab, CR and LF; PDF, HTML and XML
// are not tables.
func looksLikeText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return true
	}
	t := strings.ToLower(strings.TrimSpace(string(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")))))
	for _, p := range []string{"<!doctype", "<html", "<?xml", "%pdf", "{"} {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\r' && b != '\n' {
			return false
		}
	}
	return true
}

type xlsxBook struct {
	f      *xlsx.File
	sheets []string
	d1904  bool
}

func newXLSX(f *xlsx.File) (Book, error) {
	sheets, err := f.Sheets()
	if err != nil {
		f.Close()
		return nil, err
	}
	d, err := f.Date1904()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &xlsxBook{f: f, sheets: sheets, d1904: d}, nil
}

func (b *xlsxBook) Format() string   { return "xlsx" }
func (b *xlsxBook) Sheets() []string { return b.sheets }
func (b *xlsxBook) Date1904() bool   { return b.d1904 }
func (b *xlsxBook) Close() error     { return b.f.Close() }
func (b *xlsxBook) Merged(sheet string) (map[string]string, error) {
	return b.f.Merged(sheet)
}

func (b *xlsxBook) EachRow(ctx context.Context, sheet string, fn func(Row) error) error {
	return b.f.EachRow(ctx, sheet, func(r xlsx.Row) error {
		row := Row{Num: r.Num, Cells: make([]Cell, 0, len(r.Cells))}
		for _, c := range r.Cells {
			col, _, err := excelize.CellNameToCoordinates(c.Ref)
			if err != nil {
				return fmt.Errorf("book: cell %q: %w", c.Ref, err)
			}
			row.Cells = append(row.Cells, Cell{Ref: c.Ref, Col: col, Value: c.Value})
		}
		return fn(row)
	})
}

// Ref builds an A1 reference from 1-based column and row.
func Ref(col, row int) string {
	s, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return fmt.Sprintf("R%dC%d", row, col)
	}
	return s
}

// Grid loads at most maxRows rows of a sheet into memory, with merged
// ranges spread so every cell of a merged header carries its text: what
// table discovery needs on the small sheets of a form. Column and row
// indexes are 0-based in the grid; grid[r][c] is row r+1, column c+1.
func Grid(ctx context.Context, b Book, sheet string, maxRows int) ([][]string, error) {
	var grid [][]string
	errStop := errors.New("stop")
	truncated := false
	err := b.EachRow(ctx, sheet, func(r Row) error {
		if r.Num > maxRows {
			truncated = true
			return errStop
		}
		for len(grid) < r.Num {
			grid = append(grid, nil)
		}
		line := grid[r.Num-1]
		for _, c := range r.Cells {
			for len(line) < c.Col {
				line = append(line, "")
			}
			line[c.Col-1] = c.Value
		}
		grid[r.Num-1] = line
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	// Reading merged ranges parses the whole sheet (excelize has no
	// streaming form), so a sheet longer than a form skips it: such a
	// sheet is a data table, whose header is rarely merged.
	if truncated {
		return grid, nil
	}
	merged, err := b.Merged(sheet)
	if err != nil {
		return nil, err
	}
	for cell, v := range merged {
		c, r, err := excelize.CellNameToCoordinates(cell)
		if err != nil || r > len(grid) || v == "" {
			continue
		}
		for len(grid[r-1]) < c {
			grid[r-1] = append(grid[r-1], "")
		}
		if grid[r-1][c-1] == "" {
			grid[r-1][c-1] = v
		}
	}
	return grid, nil
}
