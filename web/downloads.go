package web

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/web/auth"
)

// The researchers' CSV downloads of the reporting views and their data
// dictionary.

// viewRequest is a parsed download request.
type viewRequest struct {
	download exports.Download
	hxl      bool
	filter   schema.ViewFilter
	k        int // small-cell threshold for survey figures
}

// parseViewRequest reads {view}.csv or {view}.hxl.csv and the filters
// country=, from=, to=, pillar=, and checks p may export those countries.
func parseViewRequest(file string, q url.Values, p auth.Principal) (viewRequest, error) {
	var vr viewRequest
	view, hxl := strings.CutSuffix(file, ".hxl.csv")
	if !hxl {
		var ok bool
		if view, ok = strings.CutSuffix(file, ".csv"); !ok {
			return vr, errorf(eNotFound, "no such download: ask for VIEW.csv or VIEW.hxl.csv")
		}
	}
	d, ok := exports.DownloadByView(view)
	if !ok {
		return vr, errorf(eNotFound, "no such download: the views are casualty_facts, service_facts, gap_analysis and commitment_facts")
	}
	vr.download, vr.hxl = d, hxl
	f, err := viewFilter(q)
	if err != nil {
		return vr, err
	}
	if err := allowed(p, auth.ActExport, f.Countries); err != nil {
		return vr, err
	}
	vr.filter = f
	return vr, nil
}

// viewFilter reads country=, from=, to= and pillar=.
func viewFilter(q url.Values) (schema.ViewFilter, error) {
	var f schema.ViewFilter
	var err error
	if f.Countries, err = countriesParam(q); err != nil {
		return f, err
	}
	if f.From, err = yearParam(q, "from"); err != nil {
		return f, err
	}
	if f.To, err = yearParam(q, "to"); err != nil {
		return f, err
	}
	if f.From != 0 && f.To != 0 && f.To < f.From {
		return f, errorf(eInvalid, "to must not be before from")
	}
	if f.Pillars, err = pillarsParam(q); err != nil {
		return f, err
	}
	return f, nil
}

// pillarsParam reads every pillar= value (comma-separated lists too) as
// pillar codes; names in English, French or Spanish are accepted.
func pillarsParam(q url.Values) ([]string, error) {
	return listParam(q, "pillar", "pillars", 0, func(c string) (string, error) {
		code, ok := normalize.Pillar(c)
		if !ok {
			return "", errorf(eInvalid, "unknown pillar %q: use one of %s", c, strings.Join(schema.Pillars, ", "))
		}
		return code, nil
	})
}

// GET /api/v1/exports/{view}.csv and {view}.hxl.csv: a reporting view as
// CSV, streamed from the database cursor. Service rows of a survey report
// are protected with the threshold k (k=, as /api/v1/facts/services).
func (s *server) viewExport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	vr, err := parseViewRequest(r.PathValue("file"), r.URL.Query(), p)
	if err != nil {
		return err
	}
	if vr.k, err = s.suppressK(r, p); err != nil {
		return err
	}
	return s.streamView(w, r, vr)
}

// protectedRows is the store's stream with the service rows of survey
// reports replaced by what may be shown: the same cells withheld as in the
// gap workbook and /api/v1/facts/services. A withheld count is an empty
// cell; unmet and coverage are recomputed from what is shown.
func (s *server) protectedRows(ctx context.Context, vr viewRequest) (exports.ViewRows, error) {
	if vr.download.View != "service_facts" && vr.download.View != "gap_analysis" {
		return s.db.StreamView, nil
	}
	figs, err := exports.LoadSurveyFigures(ctx, s.db, schema.GapFilter{Countries: vr.filter.Countries, From: vr.filter.From, To: vr.filter.To}, vr.k)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, c := range vr.download.ColumnNames() {
		col[c] = i
	}
	return func(ctx context.Context, view string, columns []string, f schema.ViewFilter, fn func([]sql.NullString) error) error {
		return s.db.StreamView(ctx, view, columns, f, func(row []sql.NullString) error {
			year, err1 := strconv.Atoi(row[col["year"]].String)
			source, err2 := strconv.ParseInt(row[col["source_id"]].String, 10, 64)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("web: %s: a row without year or source", view)
			}
			g := schema.GapGroup{Sex: row[col["sex"]].String, AgeGroup: row[col["age_group"]].String, Disability: row[col["disability"]].String}
			in, re, _, _, ok := figs.Row(row[col["country"]].String, year, source, row[col["pillar"]].String, g)
			if !ok {
				return fn(row)
			}
			row[col["in_need"]], row[col["reached"]] = numText(in), numText(re)
			if i, ok := col["unmet"]; ok {
				row[i], row[col["coverage"]] = sql.NullString{}, sql.NullString{}
				if in != nil && re != nil {
					row[i] = numText(new(*in - *re))
					if *in > 0 {
						c := math.Round(float64(*re)/float64(*in)*1e4) / 1e4
						row[col["coverage"]] = sql.NullString{String: strconv.FormatFloat(c, 'f', -1, 64), Valid: true}
					}
				}
			}
			return fn(row)
		})
	}, nil
}

func numText(v *int64) sql.NullString {
	if v == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: strconv.FormatInt(*v, 10), Valid: true}
}

func (s *server) streamView(w http.ResponseWriter, r *http.Request, vr viewRequest) error {
	name := vr.download.View + ".csv"
	if vr.hxl {
		name = vr.download.View + ".hxl.csv"
	}
	// The CSV writer buffers its first 4 KiB, so a query that fails at
	// once is still answered as an error rather than as a cut file.
	out := &lazyHeaders{w: w, set: func(h http.Header) {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}}
	rows, err := s.protectedRows(r.Context(), vr)
	if err != nil {
		return err
	}
	return exports.WriteViewCSV(r.Context(), out, vr.download, exports.CSVOptions{HXL: vr.hxl}, vr.filter, rows)
}

// mayExport refuses a role that may download no export at all; the
// countries of a download are checked with allowed.
func mayExport(p auth.Principal) error {
	if !canAtAll(p, auth.ActExport) {
		return errorf(eForbidden, "the %s role may not download exports", p.Role)
	}
	return nil
}

// GET /api/v1/dictionary: every download and its columns, as JSON.
func (s *server) dictionaryJSON(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := mayExport(p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"downloads": exports.Downloads()})
	return nil
}

// GET /api/v1/dictionary.csv: the same, one row per column.
func (s *server) dictionaryCSV(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := mayExport(p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="data-dictionary.csv"`)
	return exports.WriteDictionary(w)
}
