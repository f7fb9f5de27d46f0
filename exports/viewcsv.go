package exports

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/vahub/vahub/schema"
)

// ViewRows streams the rows of a reporting view (pg.DB.StreamView): the
// values of columns, as text, NULL as not valid.
type ViewRows func(ctx context.Context, view string, columns []string, f schema.ViewFilter, fn func([]sql.NullString) error) error

// CSVOptions choose the flavour of a download.
type CSVOptions struct {
	// HXL adds the HXL hashtag row under the header row.
	HXL bool
}

// WriteViewCSV streams a download as CSV to w: the header row (and the HXL
// row), then one line per row of the view, as the store yields them; the
// file is never held whole. An empty cell is NULL (see the dictionary:
// never zero). Text cells pass through SafeText, so no cell starts a
// formula in a spreadsheet.
func WriteViewCSV(ctx context.Context, w io.Writer, d Download, opts CSVOptions, f schema.ViewFilter, rows ViewRows) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(d.ColumnNames()); err != nil {
		return fmt.Errorf("exports: %s: %w", d.View, err)
	}
	if opts.HXL {
		if err := cw.Write(d.HXLTags()); err != nil {
			return fmt.Errorf("exports: %s: %w", d.View, err)
		}
	}
	text := make([]bool, len(d.Columns))
	for i, c := range d.Columns {
		text[i] = c.Type == TypeCode
	}
	rec := make([]string, len(d.Columns))
	err := rows(ctx, d.View, d.ColumnNames(), f, func(vals []sql.NullString) error {
		if len(vals) != len(rec) {
			return fmt.Errorf("exports: %s: a row of %d values, want %d", d.View, len(vals), len(rec))
		}
		for i, v := range vals {
			switch {
			case !v.Valid:
				rec[i] = ""
			case text[i]:
				rec[i] = SafeText(v.String)
			default:
				rec[i] = v.String
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("exports: %s: %w", d.View, err)
	}
	return nil
}
