package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// apiHandler serves one API route for an authenticated principal. An error
// returned before the response started is answered through the codes table.
type apiHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// api authenticates the bearer token, runs h, and answers its error. A
// streamed response that fails after its first byte cannot change its
// status any more: the connection is cut, so the client sees a broken
// download instead of a short one that looks complete.
func (s *server) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		p, err := s.authenticate(r)
		if err == nil {
			err = h(sw, r, p)
		}
		if err == nil {
			return
		}
		if sw.started() {
			if r.Context().Err() == nil {
				s.log.Error("response aborted", "method", r.Method, "path", redactPath(r.URL.Path), "user", p.Name, "err", err)
			}
			panic(http.ErrAbortHandler)
		}
		s.writeError(w, r, err)
	})
}

// authenticate finds the user of the request's bearer token. Tokens are
// looked up by their hash and never logged.
func (s *server) authenticate(r *http.Request) (auth.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return auth.Principal{}, errorf(eUnauthorized, "this API needs a token: Authorization: Bearer TOKEN")
	}
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return auth.Principal{}, errorf(eUnauthorized, "the Authorization header must be: Bearer TOKEN")
	}
	if !auth.LooksLikeToken(token) {
		return auth.Principal{}, errorf(eUnauthorized, "the token is unknown or revoked, or its user is disabled")
	}
	u, err := s.db.UserByTokenHash(r.Context(), auth.HashToken(token))
	if errors.Is(err, pg.ErrNotFound) {
		return auth.Principal{}, errorf(eUnauthorized, "the token is unknown or revoked, or its user is disabled")
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("web: look up token: %w", err)
	}
	return auth.Principal{Name: u.Name, Role: u.Role, Countries: u.Countries}, nil
}

// allowed checks that p may do a for every country of cs; no country means
// every country, which only unscoped roles (admin, researcher) may ask for.
// The refusal says which: the role lacks the right, or a country is outside
// the principal's scope.
func allowed(p auth.Principal, a auth.Action, cs []string) error {
	if !canAtAll(p, a) {
		return errorf(eForbidden, "the %s role may not do this (%s)", p.Role, a)
	}
	if len(cs) == 0 {
		if !auth.Can(p, a, "") {
			return errorf(eForbidden, "give country= (one of %s): you may not %s for every country", strings.Join(p.Countries, ","), a)
		}
		return nil
	}
	for _, c := range cs {
		if !auth.Can(p, a, c) {
			return errorf(eForbidden, "country %s is outside your countries (%s)", c, strings.Join(p.Countries, ","))
		}
	}
	return nil
}

// canAtAll reports whether p may do a for some country.
func canAtAll(p auth.Principal, a auth.Action) bool {
	return auth.Can(p, a, "") || slices.ContainsFunc(p.Countries, func(c string) bool { return auth.Can(p, a, c) })
}

// maxCountries bounds a country= list.
const maxCountries = 300

// countriesParam reads every country= value, comma-separated lists included,
// as alpha-3 codes (names and aliases are accepted, as on the command line).
// country=LAO&country=LBN asks for both, and both are checked.
func countriesParam(q url.Values) ([]string, error) {
	return listParam(q, "country", "countries", maxCountries, func(c string) (string, error) {
		iso, ok := normalize.Country(c)
		if !ok {
			return "", errorf(eInvalid, "unknown country %q: use ISO 3166-1 alpha-3 codes such as LAO", c)
		}
		return iso, nil
	})
}

// listParam reads every key= value, comma-separated lists included, through
// norm, keeping each result once: countries and pillars are asked for the
// same way. More than max (0: no bound) is refused.
func listParam(q url.Values, key, plural string, max int, norm func(string) (string, error)) ([]string, error) {
	var out []string
	for _, v := range q[key] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			code, err := norm(c)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(out, code) {
				out = append(out, code)
			}
			if max > 0 && len(out) > max {
				return nil, errorf(eInvalid, "too many %s", plural)
			}
		}
	}
	return out, nil
}

// yearParam reads an optional year; 0 when absent.
func yearParam(q url.Values, name string) (int, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 1960 || y > 2200 {
		return 0, errorf(eInvalid, "%s must be a year such as 2024, not %q", name, v)
	}
	return y, nil
}
