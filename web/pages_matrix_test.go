package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/vahub/vahub/web"
)

// Every page × every role (signed in with a session) × own/other country,
// with the exact status; a visitor without a session is sent to the login
// page. Submission ids of another country answer as ids that do not exist.
func TestPagesAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	users := []string{"ada", "fp-lao", "rita", "enum-lao", ""} // "" is a visitor
	browsers := map[string]*browser{}
	for _, u := range users {
		b := f.browser(t)
		if u != "" {
			b.mustLogin(u)
		}
		browsers[u] = b
	}
	subs := map[string]int64{}
	for _, c := range []string{"LAO", "LBN"} {
		bad, _, _ := badTemplate(t, c, 2020, "en", "x")
		subs[c] = browsers["ada"].uploadID(c+".xlsx", bad)
	}

	const (
		ok    = http.StatusOK
		moved = http.StatusSeeOther
		no    = http.StatusForbidden
		gone  = http.StatusNotFound
	)
	get := func(path string) func(*browser) *http.Response {
		return func(b *browser) *http.Response { resp, _ := b.get(path); return resp }
	}
	up := func(country string) func(*browser) *http.Response {
		return func(b *browser) *http.Response {
			resp, _ := b.uploadPage(country+".xlsx", template(t, country, 2019))
			return resp
		}
	}
	type row struct {
		name string
		req  func(*browser) *http.Response
		want [5]int // admin, focal point LAO, researcher, enumerator, visitor
	}
	rows := []row{
		{"home", get("/"), [5]int{ok, ok, ok, ok, moved}},
		{"login page", get("/login"), [5]int{moved, moved, moved, moved, ok}},
		{"template page", get("/template"), [5]int{ok, ok, ok, no, moved}},
		{"template own", get("/template.xlsx?country=LAO"), [5]int{ok, ok, ok, no, moved}},
		{"template other", get("/template.xlsx?country=LBN"), [5]int{ok, no, ok, no, moved}},
		{"template, no country", get("/template.xlsx"), [5]int{ok, ok, ok, no, moved}},
		{"upload page", get("/upload"), [5]int{ok, ok, no, no, moved}},
		{"upload own", up("LAO"), [5]int{moved, moved, no, no, moved}},
		{"upload other", up("LBN"), [5]int{moved, no, no, no, moved}},
		{"history", get("/submissions"), [5]int{ok, ok, no, no, moved}},
		{"history own", get("/submissions?country=LAO"), [5]int{ok, ok, no, no, moved}},
		{"history other", get("/submissions?country=LBN"), [5]int{ok, no, no, no, moved}},
		{"unknown page", get("/no-such-page"), [5]int{gone, gone, gone, gone, gone}},
	}
	for _, c := range []struct {
		name string
		id   int64
		want [5]int
	}{
		{"own", subs["LAO"], [5]int{ok, ok, no, no, moved}},
		{"other", subs["LBN"], [5]int{ok, gone, no, no, moved}},
		{"nonexistent", subs["LBN"] + 1000, [5]int{gone, gone, no, no, moved}},
	} {
		rows = append(rows,
			row{"submission " + c.name, get(fmt.Sprintf("/submissions/%d", c.id)), c.want},
			row{"annotated " + c.name, get(fmt.Sprintf("/submissions/%d/annotated.xlsx", c.id)), c.want},
		)
	}
	for _, r := range rows {
		for i, u := range users {
			resp := r.req(browsers[u])
			if resp.StatusCode != r.want[i] {
				t.Errorf("%s as %q: status %d, want %d", r.name, u, resp.StatusCode, r.want[i])
				continue
			}
			if resp.StatusCode == moved && u == "" {
				if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Path != "/login" {
					t.Errorf("%s as a visitor: redirected to %q, want the login page", r.name, resp.Header.Get("Location"))
				}
			}
		}
	}
}
