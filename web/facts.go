package web

import (
	"encoding/json"
	"io"
	"net/http"

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

// GET /api/v1/facts/services?country=&year=: rows of service_facts.
func (s *server) services(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := factFilter(r, p)
	if err != nil {
		return err
	}
	rows := newRowStream(w)
	if err := s.db.ServiceFacts(r.Context(), f, func(c pg.ServiceFact) error { return rows.emit(c) }); err != nil {
		return err
	}
	return rows.close()
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
