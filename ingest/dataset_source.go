package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vahub/vahub/ingest/book"
)

// dsSource is one table of a national dataset as the dataset reader sees
// it: a header and a stream of data rows, whether the rows come from a
// sheet, a CSV or the features of a GeoJSON file. Rows are handed out one
// at a time in a reused buffer: nothing holds them.
type dsSource interface {
	sheet() string
	header() []string
	// ref locates a value: data row num (as rows numbers it), 0-based column.
	ref(num, col int) string
	headerRef(col int) string
	// rows streams the data rows; vals[i] is column i ("" when blank) and
	// is only valid during the call.
	rows(ctx context.Context, fn func(num int, vals []string) error) error
	xlsx() bool
	date1904() bool
}

// errDSStop ends a stream early (sampling).
var errDSStop = errors.New("dataset: stop")

// dsBookSource is a sheet of a workbook or a CSV file.
type dsBookSource struct {
	b         book.Book
	name      string
	headerRow int
	cols      []string // header texts, 0-based
	hxl       bool     // a hashtag row sits under the header
}

// newDSBookSource finds the header row of a sheet: the first of its first
// ten non-blank rows with at least two cells, most of them text. hxl says
// whether one of the rows right under it is an HXL hashtag row.
func newDSBookSource(ctx context.Context, b book.Book, sheet string) (*dsBookSource, error) {
	s := &dsBookSource{b: b, name: sheet}
	seen := 0
	err := b.EachRow(ctx, sheet, func(r book.Row) error {
		seen++
		if isHashtagRow(r) {
			s.hxl = true
			return errDSStop
		}
		if s.headerRow != 0 {
			if seen > s.headerRow+3 {
				return errDSStop
			}
			return nil
		}
		if seen > 10 {
			return errDSStop
		}
		text := 0
		for _, c := range r.Cells {
			if _, err := strconv.ParseFloat(strings.TrimSpace(c.Value), 64); err != nil {
				text++
			}
		}
		if len(r.Cells) >= 2 && text*10 >= len(r.Cells)*8 {
			s.headerRow = r.Num
			last := r.Cells[len(r.Cells)-1].Col
			s.cols = make([]string, last)
			for _, c := range r.Cells {
				s.cols[c.Col-1] = strings.TrimSpace(c.Value)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDSStop) {
		return nil, err
	}
	return s, nil
}

// isHashtagRow: every non-blank cell is an HXL hashtag (the HXL reader's file).
func isHashtagRow(r book.Row) bool {
	if len(r.Cells) < 2 {
		return false
	}
	for _, c := range r.Cells {
		if !strings.HasPrefix(strings.TrimSpace(c.Value), "#") {
			return false
		}
	}
	return true
}

func (s *dsBookSource) sheet() string            { return s.name }
func (s *dsBookSource) header() []string         { return s.cols }
func (s *dsBookSource) ref(num, col int) string  { return book.Ref(col+1, num) }
func (s *dsBookSource) headerRef(col int) string { return book.Ref(col+1, s.headerRow) }
func (s *dsBookSource) xlsx() bool               { return s.b.Format() == "xlsx" }
func (s *dsBookSource) date1904() bool           { return s.b.Date1904() }

func (s *dsBookSource) rows(ctx context.Context, fn func(num int, vals []string) error) error {
	vals := make([]string, len(s.cols))
	return s.b.EachRow(ctx, s.name, func(r book.Row) error {
		if r.Num <= s.headerRow {
			return nil
		}
		clear(vals)
		for _, c := range r.Cells {
			if c.Col <= len(vals) {
				vals[c.Col-1] = strings.TrimSpace(c.Value)
			}
		}
		return fn(r.Num, vals)
	})
}

// dsGeoSource is a GeoJSON FeatureCollection: one row per feature, one
// column per property. book.Open refuses JSON, so it is read here, one
// feature at a time with encoding/json's token stream.
type dsGeoSource struct {
	content []byte
	cols    []string
	index   map[string]int
}

// looksLikeGeoJSON: a JSON object that declares a FeatureCollection.
func looksLikeGeoJSON(content []byte) bool {
	head := content[:min(len(content), 4096)]
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	head = bytes.TrimSpace(head)
	return bytes.HasPrefix(head, []byte("{")) && bytes.Contains(head, []byte(`"FeatureCollection"`))
}

// newDSGeoSource reads the property names of every feature, in the order
// they first appear.
func newDSGeoSource(ctx context.Context, content []byte) (*dsGeoSource, error) {
	g := &dsGeoSource{content: content, index: map[string]int{}}
	err := g.features(ctx, func(_ int, keys []string, _ []string) error {
		for _, k := range keys {
			if _, ok := g.index[k]; !ok {
				g.index[k] = len(g.cols)
				g.cols = append(g.cols, k)
			}
		}
		return nil
	})
	return g, err
}

func (g *dsGeoSource) sheet() string    { return "features" }
func (g *dsGeoSource) header() []string { return g.cols }
func (g *dsGeoSource) ref(num, col int) string {
	return fmt.Sprintf("features[%d].properties.%s", num-1, g.cols[col])
}
func (g *dsGeoSource) headerRef(col int) string { return "properties." + g.cols[col] }
func (g *dsGeoSource) xlsx() bool               { return false }
func (g *dsGeoSource) date1904() bool           { return false }

// rows numbers features from 1.
func (g *dsGeoSource) rows(ctx context.Context, fn func(num int, vals []string) error) error {
	vals := make([]string, len(g.cols))
	return g.features(ctx, func(num int, keys, values []string) error {
		clear(vals)
		for i, k := range keys {
			if c, ok := g.index[k]; ok {
				vals[c] = values[i]
			}
		}
		return fn(num, vals)
	})
}

// features walks the "features" array, decoding each feature's properties
// as ordered keys and text values (numbers as written, null as "").
func (g *dsGeoSource) features(ctx context.Context, fn func(num int, keys, values []string) error) error {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(g.content, []byte("\xEF\xBB\xBF"))))
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fmt.Errorf("geojson: %w", err)
		}
		if key != "features" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("geojson: %v: %w", key, err)
			}
			continue
		}
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		var keys, values []string
		for num := 1; dec.More(); num++ {
			if num%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var f struct {
				Properties json.RawMessage `json:"properties"`
			}
			if err := dec.Decode(&f); err != nil {
				return fmt.Errorf("geojson: feature %d: %w", num-1, err)
			}
			keys, values, err = orderedProps(f.Properties, keys[:0], values[:0])
			if err != nil {
				return fmt.Errorf("geojson: feature %d: %w", num-1, err)
			}
			if err := fn(num, keys, values); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ]
			return fmt.Errorf("geojson: %w", err)
		}
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("geojson: %w", err)
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("geojson: want %v, found %v", want, t)
	}
	return nil
}

// orderedProps decodes a properties object keeping its key order. Nested
// values are kept as their JSON text.
func orderedProps(raw json.RawMessage, keys, values []string) ([]string, []string, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return keys, values, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return keys, values, err
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return keys, values, err
		}
		var v any
		if err := dec.Decode(&v); err != nil && !errors.Is(err, io.EOF) {
			return keys, values, err
		}
		var s string
		switch x := v.(type) {
		case nil:
		case string:
			s = strings.TrimSpace(x)
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			b, _ := json.Marshal(x)
			s = string(b)
		}
		keys = append(keys, fmt.Sprint(k))
		values = append(values, s)
	}
	return keys, values, nil
}
