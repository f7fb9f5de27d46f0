package survey

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/vahub/vahub/ingest/book"
	"github.com/vahub/vahub/ingest/xlsx"
)

// table is one sheet of an export (an xlsx sheet, a CSV file, a CSV inside
// a zip): its header and a way to stream the rows below it.
type table struct {
	name      string // sheet name, CSV base name, or zip entry name
	header    []string
	headerRow int
	xlsx      bool
	date1904  bool
	// each streams the rows after the header; cols are only valid during fn.
	each func(ctx context.Context, fn func(num int, cols []string) error) error
}

// errStop ends a stream early without an error.
var errStop = errors.New("stop")

// maxHeaderRow: the header is the first non-blank row among the first few
// (tools write it in row 1; a title row above it is tolerated).
const maxHeaderRow = 5

// markers are the metadata headers of KoboToolbox and ODK exports, lower
// case, looked for in the first bytes of a workbook's strings before it is
// opened: a workbook without any is not a survey export, and is left to
// the other readers without paying for a full open.
var markers = [][]byte{[]byte("uuid"), []byte("instanceid"), []byte("submissiondate"), []byte("_submission_time"),
	[]byte("__version__"), []byte("deviceid")}

// sniffLen is how much of a workbook part the marker check decompresses.
const sniffLen = 256 << 10

// kind of a file by its first bytes.
func sniffKind(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "zip", nil
	case looksLikeText(head):
		return "csv", nil
	}
	return "", nil
}

func looksLikeText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(string(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")))))
	for _, p := range []string{"<!doctype", "<html", "<?xml", "%pdf", "{", "["} {
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

// zipContents tells a workbook from a zip of CSV files (ODK Central's
// export) and, for a workbook, whether its first strings hold a marker.
func zipContents(path string) (workbook, marked bool, csvs []string, err error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return false, false, nil, err
	}
	defer z.Close()
	var parts []*zip.File
	for _, f := range z.File {
		name := strings.ToLower(f.Name)
		switch {
		case name == "[content_types].xml" || name == "xl/workbook.xml":
			workbook = true
		case name == "xl/sharedstrings.xml" || (strings.HasPrefix(name, "xl/worksheets/sheet") && strings.HasSuffix(name, ".xml")):
			parts = append(parts, f)
		case strings.HasSuffix(name, ".csv") && !f.FileInfo().IsDir():
			csvs = append(csvs, f.Name)
		}
	}
	if !workbook {
		return false, false, csvs, nil
	}
	for _, p := range parts {
		rc, err := p.Open()
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(rc, sniffLen))
		rc.Close()
		b = bytes.ToLower(b)
		for _, m := range markers {
			if bytes.Contains(b, m) {
				return true, true, nil, nil
			}
		}
	}
	return true, false, nil, nil
}

// unzipLimit is the zip-bomb limit of a survey workbook: a million-row
// export unpacks to about 2 GB, far beyond the 200 MiB other workbooks get,
// so the limit follows the file's own size (exports compress about 13:1;
// 40:1 leaves room while bounding what a crafted file can make excelize
// spill to disk), never below the default.
func unzipLimit(size int64) int64 {
	return max(xlsx.DefaultUnzipSizeLimit, min(size*40, 32<<30))
}

// openXLSX opens a workbook and reads every sheet's header.
func openXLSX(ctx context.Context, path string, size int64) ([]*table, func() error, error) {
	f, err := xlsx.OpenWith(path, xlsx.Options{UnzipSizeLimit: unzipLimit(size)})
	if err != nil {
		return nil, nil, err
	}
	sheets, err := f.Sheets()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	d1904, err := f.Date1904()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	var tables []*table
	for _, s := range sheets {
		t := &table{name: s, xlsx: true, date1904: d1904}
		ok, err := t.findHeader(ctx, func(ctx context.Context, fn func(int, []string) error) error {
			return f.EachRawRow(ctx, s, fn)
		})
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		if !ok {
			continue
		}
		tables = append(tables, t)
	}
	return tables, f.Close, nil
}

func blankRow(cols []string) bool {
	for _, c := range cols {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// findHeader takes t's header from the first rows stream gives (the first
// non-blank row among the first maxHeaderRow) and makes t.each stream the
// rows below it. It reports false when there is no header.
func (t *table) findHeader(ctx context.Context, stream func(context.Context, func(int, []string) error) error) (bool, error) {
	err := stream(ctx, func(num int, cols []string) error {
		if num > maxHeaderRow {
			return errStop
		}
		if !blankRow(cols) {
			t.header = append([]string(nil), cols...)
			t.headerRow = num
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return false, err
	}
	if t.header == nil {
		return false, nil
	}
	t.each = func(ctx context.Context, fn func(int, []string) error) error {
		return stream(ctx, func(num int, cols []string) error {
			if num <= t.headerRow {
				return nil
			}
			return fn(num, cols)
		})
	}
	return true, nil
}

// csvTable reads a CSV from open (called once for the header and again for
// each stream). Encoding and delimiter are found as for any CSV vahub reads
// (book.SniffCSV): KoboToolbox writes `;` by default, ODK Central `,`.
func csvTable(ctx context.Context, name string, open func() (io.ReadCloser, error)) (*table, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(rc, head)
	rc.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	enc, comma, err := book.SniffCSV(head[:n])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	stream := func(ctx context.Context, fn func(int, []string) error) error {
		rc, err := open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return book.ReadCSV(ctx, book.CSVDecoder(enc, bufio.NewReaderSize(rc, 256<<10)), comma, name, fn)
	}
	t := &table{name: name}
	ok, err := t.findHeader(ctx, stream)
	if err != nil || !ok {
		return nil, err
	}
	return t, nil
}

// openCSVFile is a plain CSV file.
func openCSVFile(ctx context.Context, p string) (*table, error) {
	name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	return csvTable(ctx, name, func() (io.ReadCloser, error) { return os.Open(p) })
}

// openZipCSVs reads the header of every CSV in an ODK Central export zip
// (FORMID.csv and one FORMID-repeat.csv per repeat group).
func openZipCSVs(ctx context.Context, p string, names []string) ([]*table, error) {
	var tables []*table
	for _, n := range names {
		entry := n
		t, err := csvTable(ctx, entry, func() (io.ReadCloser, error) {
			z, err := zip.OpenReader(p)
			if err != nil {
				return nil, err
			}
			for _, f := range z.File {
				if f.Name == entry {
					rc, err := f.Open()
					if err != nil {
						z.Close()
						return nil, err
					}
					return &zipEntry{ReadCloser: rc, z: z}, nil
				}
			}
			z.Close()
			return nil, fmt.Errorf("zip entry %s vanished", entry)
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", entry, err)
		}
		if t != nil {
			tables = append(tables, t)
		}
	}
	return tables, nil
}

type zipEntry struct {
	io.ReadCloser
	z *zip.ReadCloser
}

func (e *zipEntry) Close() error {
	err := e.ReadCloser.Close()
	if zerr := e.z.Close(); err == nil {
		err = zerr
	}
	return err
}

// formIDFromZip is ODK Central's form id: the main CSV's name.
func formIDFromZip(entry string) string {
	return strings.TrimSuffix(path.Base(entry), path.Ext(entry))
}
