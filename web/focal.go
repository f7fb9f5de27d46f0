package web

import (
	"net/http"
	"time"

	"github.com/vahub/vahub/web/auth"
)

// focalHomePage is the focal point's home page data.
type focalHomePage struct {
	Countries []string
	YearDue   int
}

// yearDue is the year a report is due for at t: the last calendar year.
func yearDue(t time.Time) int { return t.UTC().Year() - 1 }

// focalHome: the three steps (template, upload, history).
func (s *server) focalHome(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.render(w, r, "home_focal_point", focalHomePage{Countries: p.Countries, YearDue: yearDue(s.db.Now())})
}
