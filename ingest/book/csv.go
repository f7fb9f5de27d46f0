package book

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvBook is a CSV file seen as a one-sheet book named after the file.
type csvBook struct {
	path  string
	sheet string
	comma rune
	enc   string // utf-8, utf-16, windows-1252
}

// OpenCSV opens a delimited text file, detecting its encoding (UTF-8 with
// or without BOM, UTF-16 with BOM, else Windows-1252) and delimiter (comma,
// semicolon, tab or pipe: whichever splits the first lines most evenly).
func OpenCSV(path string) (Book, error) {
	head, err := readHead(path, 64<<10)
	if err != nil {
		return nil, err
	}
	b := &csvBook{path: path, sheet: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))}
	if b.enc, b.comma, err = SniffCSV(head); err != nil {
		return nil, fmt.Errorf("book: decode %s: %w", b.sheet, err)
	}
	return b, nil
}

// SniffCSV names the encoding of a delimited text from its first bytes
// (utf-8, utf-16 or windows-1252) and finds its delimiter, as OpenCSV does.
// Other readers of CSV (survey exports, some inside zips) call it so that
// every CSV vahub reads is taken the same way.
func SniffCSV(head []byte) (enc string, comma rune, err error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		enc = "utf-16"
	case utf8.Valid(trimPartialRune(head)):
		enc = "utf-8"
	default:
		enc = "windows-1252"
	}
	text, err := io.ReadAll(CSVDecoder(enc, bytes.NewReader(head)))
	if err != nil {
		return "", 0, err
	}
	return enc, sniffDelimiter(string(text)), nil
}

// trimPartialRune drops a multi-byte character cut at the end of a head.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// CSVDecoder turns r, in enc as SniffCSV names it, into UTF-8 without a
// byte-order mark.
func CSVDecoder(enc string, r io.Reader) io.Reader {
	switch enc {
	case "utf-16":
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case "windows-1252":
		return transform.NewReader(r, charmap.Windows1252.NewDecoder())
	default:
		return transform.NewReader(r, unicode.UTF8BOM.NewDecoder())
	}
}

func sniffDelimiter(text string) rune {
	lines := strings.Split(text, "\n")
	if len(lines) > 20 {
		lines = lines[:20]
	}
	best, bestScore := ',', -1
	for _, d := range []rune{',', ';', '\t', '|'} {
		// Score: the number of fields, if every non-empty line has the same
		// count outside quotes; less when lines disagree.
		counts := map[int]int{}
		for _, l := range lines {
			if strings.TrimSpace(l) == "" {
				continue
			}
			counts[countOutsideQuotes(l, d)]++
		}
		top, topN := 0, 0
		for c, n := range counts {
			if n > topN || (n == topN && c > top) {
				top, topN = c, n
			}
		}
		score := top * topN
		if top > 0 && score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

func countOutsideQuotes(line string, d rune) int {
	n, quoted := 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == d && !quoted:
			n++
		}
	}
	return n
}

func (b *csvBook) Format() string                           { return "csv" }
func (b *csvBook) Sheets() []string                         { return []string{b.sheet} }
func (b *csvBook) Date1904() bool                           { return false }
func (b *csvBook) Close() error                             { return nil }
func (b *csvBook) Merged(string) (map[string]string, error) { return map[string]string{}, nil }
func (b *csvBook) Encoding() string                         { return b.enc }
func (b *csvBook) Delimiter() rune                          { return b.comma }

func (b *csvBook) EachRow(ctx context.Context, sheet string, fn func(Row) error) error {
	if sheet != b.sheet {
		return fmt.Errorf("book: no sheet %q in %s", sheet, b.sheet)
	}
	f, err := os.Open(b.path)
	if err != nil {
		return fmt.Errorf("book: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(CSVDecoder(b.enc, f), 64<<10))
	r.Comma = b.comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	for rec := 1; ; rec++ {
		if rec%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("book: %s: %w", b.sheet, err)
		}
		// The row number is the line the record starts on, so a reference
		// points where a text editor shows it even after multi-line fields.
		num, _ := r.FieldPos(0)
		row := Row{Num: num}
		for i, v := range fields {
			if strings.TrimSpace(v) == "" {
				continue
			}
			row.Cells = append(row.Cells, Cell{Ref: Ref(i+1, num), Col: i + 1, Value: v})
		}
		if len(row.Cells) == 0 {
			continue
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}
