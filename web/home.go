package web

import (
	"net/http"

	"github.com/vahub/vahub/web/auth"
)

// GET /: the home page of the principal's role. A role's page is
// templates/home_<role>.html when it exists (the focal point's has its own
// data, below), else the generic home.html.
func (s *server) home(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	switch p.Role {
	case auth.RoleFocalPoint:
		return s.focalHome(w, r, p)
	}
	if page := "home_" + p.Role; s.tmpl.has(page) {
		return s.render(w, r, page, nil)
	}
	return s.render(w, r, "home", nil)
}
