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
	return ReadCSV(ctx, bufio.NewReaderSize(CSVDecoder(b.enc, f), 64<<10), b.comma, "book: "+b.sheet, func(num int, fields []string) error {
		row := Row{Num: num}
		for i, v := range fields {
			if strings.TrimSpace(v) == "" {
				continue
			}
			row.Cells = append(row.Cells, Cell{Ref: Ref(i+1, num), Col: i + 1, Value: v})
		}
		if len(row.Cells) == 0 {
			return nil
		}
		return fn(row)
	})
}

// ReadCSV reads the records of r (UTF-8: see CSVDecoder) split at comma,
// calling fn with each record and the line it starts on, so that a
// reference points where a text editor shows it even after multi-line
// fields; rec is only valid during fn. It checks ctx every 1,000 records
// and puts name before a read error.
func ReadCSV(ctx context.Context, r io.Reader, comma rune, name string, fn func(num int, rec []string) error) error {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	for i := 1; ; i++ {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		num, _ := cr.FieldPos(0)
		if err := fn(num, rec); err != nil {
			return err
		}
	}
}
