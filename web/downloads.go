package web

import (
	"net/http"
	"net/url"
	"slices"
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
	var out []string
	for _, v := range q["pillar"] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			code, ok := normalize.Pillar(c)
			if !ok {
				return nil, errorf(eInvalid, "unknown pillar %q: use one of %s", c, strings.Join(schema.Pillars, ", "))
			}
			if !slices.Contains(out, code) {
				out = append(out, code)
			}
		}
	}
	return out, nil
}

// GET /api/v1/exports/{view}.csv and {view}.hxl.csv: a reporting view as
// CSV, streamed from the database cursor.
func (s *server) viewExport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	vr, err := parseViewRequest(r.PathValue("file"), r.URL.Query(), p)
	if err != nil {
		return err
	}
	return s.streamView(w, r, vr)
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
	return exports.WriteViewCSV(r.Context(), out, vr.download, exports.CSVOptions{HXL: vr.hxl}, vr.filter, s.db.StreamView)
}

// GET /api/v1/dictionary: every download and its columns, as JSON.
func (s *server) dictionaryJSON(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !canAtAll(p, auth.ActExport) {
		return errorf(eForbidden, "the %s role may not download exports", p.Role)
	}
	writeJSON(w, http.StatusOK, map[string]any{"downloads": exports.Downloads()})
	return nil
}

// GET /api/v1/dictionary.csv: the same, one row per column.
func (s *server) dictionaryCSV(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !canAtAll(p, auth.ActExport) {
		return errorf(eForbidden, "the %s role may not download exports", p.Role)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="data-dictionary.csv"`)
	return exports.WriteDictionary(w)
}
