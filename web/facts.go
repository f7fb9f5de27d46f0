package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// GET /api/v1/facts/casualties?country=&year=: rows of casualty_facts.
func (s *server) casualties(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := factFilter(r, p)
	if err != nil {
		return err
	}
	rows := newRowStream(w)
	if err := s.db.CasualtyFacts(r.Context(), f, func(c pg.CasualtyFact) error { return rows.emit(c) }); err != nil {
		return err
	}
	return rows.close()
}

// GET /api/v1/facts/services?country=&year=&k=: rows of service_facts.
// Rows from a survey report are built from individual records: their
// counts are protected with the threshold k (see suppressK), the same cells
// withheld as in the gap workbook; a withheld count is null with its state
// "withheld".
func (s *server) services(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := factFilter(r, p)
	if err != nil {
		return err
	}
	k, err := s.suppressK(r, p)
	if err != nil {
		return err
	}
	figs, err := exports.LoadSurveyFigures(r.Context(), s.db, schema.GapFilter{Countries: f.Countries, From: f.Year, To: f.Year}, k)
	if err != nil {
		return err
	}
	rows := newRowStream(w)
	err = s.db.ServiceFacts(r.Context(), f, func(c pg.ServiceFact) error {
		g := schema.GapGroup{Sex: c.Sex, AgeGroup: c.AgeGroup, Disability: c.Disability}
		if in, re, si, sr, ok := figs.Row(c.Country, c.Year, c.SourceID, c.Pillar, g); ok {
			c.InNeed, c.Reached = in, re
			if si.Hidden() {
				c.InNeedState = string(schema.StateWithheld)
			}
			if sr.Hidden() {
				c.ReachedState = string(schema.StateWithheld)
			}
		}
		return rows.emit(c)
	})
	if err != nil {
		return err
	}
	return rows.close()
}

// suppressK is the small-cell threshold of an answer built from individual
// records: the server's (Options.SuppressK) unless the query asks k=N. Any
// role may ask for a higher k; only an admin may go below the server's,
// and nobody below suppress.MinK: every such answer suppresses.
func (s *server) suppressK(r *http.Request, p auth.Principal) (int, error) {
	k := s.opts.SuppressK
	v := r.URL.Query().Get("k")
	if v == "" {
		return k, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < suppress.MinK || n > 1000 {
		return 0, errorf(eInvalid, "k must be a whole number from %d to 1000", suppress.MinK)
	}
	if n < k && p.Role != auth.RoleAdmin {
		return 0, errorf(eForbidden, "k below %d is for admins", k)
	}
	return n, nil
}

// factFilter reads country= and year= and checks the principal may see
// those countries' facts. Focal points must name their countries.
func factFilter(r *http.Request, p auth.Principal) (pg.FactFilter, error) {
	q := r.URL.Query()
	countries, err := countriesParam(q)
	if err != nil {
		return pg.FactFilter{}, err
	}
	year, err := yearParam(q, "year")
	if err != nil {
		return pg.FactFilter{}, err
	}
	if err := allowed(p, auth.ActViewFacts, countries); err != nil {
		return pg.FactFilter{}, err
	}
	return pg.FactFilter{Countries: countries, Year: year}, nil
}

// rowStream writes {"rows":[…]} one row at a time. The status line goes out
// with the first row, so an error before it is still answered properly.
type rowStream struct {
	w   http.ResponseWriter
	enc *json.Encoder
	n   int
}

func newRowStream(w http.ResponseWriter) *rowStream {
	return &rowStream{w: w, enc: json.NewEncoder(w)}
}

func (s *rowStream) begin() error {
	s.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	s.w.WriteHeader(http.StatusOK)
	_, err := io.WriteString(s.w, "{\"rows\":[\n")
	return err
}

func (s *rowStream) emit(v any) error {
	if s.n == 0 {
		if err := s.begin(); err != nil {
			return err
		}
	} else if _, err := io.WriteString(s.w, ","); err != nil {
		return err
	}
	s.n++
	return s.enc.Encode(v)
}

func (s *rowStream) close() error {
	if s.n == 0 {
		if err := s.begin(); err != nil {
			return err
		}
	}
	_, err := io.WriteString(s.w, "]}\n")
	return err
}
