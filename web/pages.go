package web

// The HTML pages' framework (for page authors):
//
//   - A page is web/templates/NAME.html defining "title" and "content";
//     layout.html wraps it (skip link, header, navigation by role, language
//     switcher, main). Files starting with "_" are partials shared by every
//     page. Every file is embedded and parsed at start-up, once per
//     language, so {{t "key"}} needs no language argument.
//   - A handler registered with s.page(h) gets the signed-in principal (or
//     the visitor is sent to /login); s.publicPage(h) serves visitors too.
//     It answers with s.render(w, r, "NAME", data) (status 200) or
//     s.renderStatus(w, r, status, "NAME", data). In the template, the data
//     is .Data; .User, .Lang and .Nav are the request's.
//   - A handler's error is answered as the error page in the user's
//     language, with the status of the codes table (errors.go); errorT
//     gives an error a catalogue message.
//   - Navigation: add a navItem to navItems (shown when the role may do
//     its action for some country).
//   - Pages carry a strict Content-Security-Policy: no script at all, style
//     only from /static. Forms post to the same origin (the server's
//     cross-origin protection refuses others) and need no token.

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/vahub/vahub/normalize/countries"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/web/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageCSP: no script, no inline style, nothing from elsewhere; forms post
// only here.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// navItem is a link of the main navigation, shown to a principal who may
// do Action for some country ("" shows it to every signed-in user).
type navItem struct {
	Href   string
	Key    string // message key of its label
	Action auth.Action
}

// navItems is the main navigation, in order.
var navItems = []navItem{
	{"/", "nav.home", ""},
	{"/template", "nav.template", auth.ActUpload},
	{"/upload", "nav.upload", auth.ActUpload},
	{"/submissions", "nav.submissions", auth.ActViewSubmissions},
	{"/admin/reviews", "nav.reviews", auth.ActApprove},
	{"/admin/runs", "nav.runs", auth.ActViewRuns},
	{"/admin/manual-entry", "nav.manual_entry", auth.ActViewRuns},
	{"/admin/users", "nav.users", auth.ActManageUsers},
	{"/admin/audit", "nav.audit", auth.ActManageUsers},
	{"/exports", "nav.exports", auth.ActExport},
}

// navLink is a navItem as one page shows it.
type navLink struct {
	Href    string
	Label   string
	Current bool
}

// langLink is a language of the switcher.
type langLink struct {
	Code    string
	Name    string
	Current bool
}

// pageData is what every template gets.
type pageData struct {
	Lang  string
	User  *auth.Principal
	Nav   []navLink
	Langs []langLink
	// Path is the current page (path and query), where the language
	// switcher returns to.
	Path string
	Data any
}

// templates holds every page, parsed once per language.
type templates struct {
	byLang map[string]map[string]*template.Template
}

// parseTemplates parses every page in every language. A broken template is
// a programming error: NewServer panics on it (and tests catch it).
func parseTemplates() (*templates, error) {
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	var partials, pages []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == "layout.html":
		case strings.HasPrefix(name, "_"):
			partials = append(partials, "templates/"+name)
		default:
			pages = append(pages, name)
		}
	}
	ts := &templates{byLang: map[string]map[string]*template.Template{}}
	for _, lang := range pageLangs {
		base, err := template.New("layout.html").Funcs(templateFuncs(lang)).
			ParseFS(templateFS, append([]string{"templates/layout.html"}, partials...)...)
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		ts.byLang[lang] = map[string]*template.Template{}
		for _, p := range pages {
			t, err := base.Clone()
			if err != nil {
				return nil, fmt.Errorf("web: templates: %w", err)
			}
			if t, err = t.ParseFS(templateFS, "templates/"+p); err != nil {
				return nil, fmt.Errorf("web: templates: %s: %w", p, err)
			}
			ts.byLang[lang][strings.TrimSuffix(p, ".html")] = t
		}
	}
	return ts, nil
}

// has reports whether page exists.
func (ts *templates) has(page string) bool {
	_, ok := ts.byLang[pageLangs[0]][page]
	return ok
}

// templateFuncs are the functions templates may call, bound to lang.
func templateFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		// t words a catalogue message: {{t "key" args...}}.
		"t": func(key string, args ...any) string { return T(lang, key, args...) },
		// country names an alpha-3 code in the page's language.
		// (a *string too: "" for nil).
		"country": func(code any) string {
			switch c := code.(type) {
			case string:
				return countryName(c, lang)
			case *string:
				if c != nil {
					return countryName(*c, lang)
				}
			}
			return ""
		},
		// status words a submission or file status.
		"status": func(st string) string {
			if statusKnown(st) {
				return T(lang, "status."+st)
			}
			return st
		},
		// years writes a span of years: 2024, 2022–2024, or "".
		"years": func(from, to *int) string {
			switch {
			case from == nil || to == nil:
				return ""
			case *from == *to:
				return fmt.Sprint(*from)
			}
			return fmt.Sprintf("%d–%d", *from, *to)
		},
		// countryNames names a list of alpha-3 codes.
		"countryNames": func(codes []string) []string {
			out := make([]string, len(codes))
			for i, c := range codes {
				out[i] = countryName(c, lang)
			}
			return out
		},
		// date and datetime write a time in UTC, unambiguously.
		"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"datetime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		// join writes a list with commas.
		"join": func(s []string) string { return strings.Join(s, ", ") },
		// issues hands the issues_table partial its list.
		"issues": func(list []schema.Issue, codes bool) issuesTable { return issuesTable{Issues: list, Codes: codes} },
	}
}

// issuesTable is the issues_table partial's data: one table for the
// review and run pages, the run page's with each issue's code.
type issuesTable struct {
	Issues []schema.Issue
	Codes  bool
}

// countryName names an alpha-3 code in lang (the code itself when vahub
// has no name for it).
func countryName(code, lang string) string {
	if n := countries.Name(code, lang); n != "" {
		return n
	}
	return code
}

// reqInfo is what the page middleware learnt about a request.
type reqInfo struct {
	lang string
	user *auth.Principal
}

type reqInfoKey struct{}

func withReqInfo(r *http.Request, info *reqInfo) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
}

// infoOf returns the request's page info; a request that did not pass the
// page middleware gets its language negotiated here.
func infoOf(r *http.Request) *reqInfo {
	if info, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		return info
	}
	return &reqInfo{lang: requestLang(r)}
}

// langOf is the language of the request's page.
func langOf(r *http.Request) string { return infoOf(r).lang }

// render answers page with data, status 200.
func (s *server) render(w http.ResponseWriter, r *http.Request, page string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, page, data)
}

// renderStatus answers page with data and status. The page is rendered to
// memory first: a template error is a 500, never half a page.
func (s *server) renderStatus(w http.ResponseWriter, r *http.Request, status int, page string, data any) error {
	info := infoOf(r)
	t, ok := s.tmpl.byLang[info.lang][page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	pd := pageData{Lang: info.lang, User: info.user, Path: currentPath(r), Data: data}
	for _, l := range pageLangs {
		pd.Langs = append(pd.Langs, langLink{Code: l, Name: langNames[l], Current: l == info.lang})
	}
	if info.user != nil {
		for _, n := range navItems {
			if n.Action == "" || canAtAll(*info.user, n.Action) {
				pd.Nav = append(pd.Nav, navLink{Href: n.Href, Label: T(info.lang, n.Key), Current: isCurrent(n.Href, r.URL.Path)})
			}
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pd); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Content-Language", info.lang)
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
	return nil
}

// isCurrent: the nav link of the section the page is in.
func isCurrent(href, p string) bool {
	if href == "/" {
		return p == "/"
	}
	return p == href || strings.HasPrefix(p, href+"/")
}

// currentPath is the request's path and query, for links back to it.
func currentPath(r *http.Request) string {
	if r.Method != http.MethodGet {
		return r.URL.Path
	}
	return r.URL.RequestURI()
}

// localPath returns next when it is a path on this site (no scheme, no
// host, not protocol-relative), else "/": redirects after login and after
// the language switch never leave vahub.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	// Browsers drop tabs and newlines from URLs: "/\t/evil" would become
	// "//evil". No control character passes.
	if strings.IndexFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "/"
	}
	return next
}

// pageFunc serves a page for a signed-in principal.
type pageFunc func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// page serves h to signed-in users; a visitor without a (live) session is
// sent to the login page, which brings them back here.
func (s *server) page(h pageFunc) http.Handler {
	// A public page that turns visitors away: one place reads the session.
	return s.publicPage(func(w http.ResponseWriter, r *http.Request) error {
		user := infoOf(r).user
		if user == nil {
			s.toLogin(w, r)
			return nil
		}
		return h(w, r, *user)
	})
}

// publicPage serves h to anyone; a signed-in user is still known to the
// layout (navigation).
func (s *server) publicPage(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &reqInfo{lang: requestLang(r)}
		r = withReqInfo(r, info)
		sess, err := s.sessionOf(r)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		if sess != nil {
			info.user = &sess.principal
		}
		sw := &statusWriter{ResponseWriter: w}
		s.finishPage(sw, r, h(sw, r))
	})
}

// finishPage answers a page handler's error, unless the response started
// (a streamed download cut short: the connection is dropped).
func (s *server) finishPage(sw *statusWriter, r *http.Request, err error) {
	if err == nil {
		return
	}
	if sw.started() {
		if r.Context().Err() == nil {
			s.log.Error("response aborted", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	s.pageError(sw, r, err)
}

// toLogin sends a visitor to the login page; GET requests come back after.
func (s *server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// errorPage is the error page's data.
type errorPage struct {
	Status  int
	Message string
}

// pageError answers err as the error page, in the request's language.
func (s *server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if isCanceled(r, err) {
		return
	}
	code := errorCode(err)
	if code == eInternal {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := codes[code]
	if status == http.StatusUnauthorized {
		s.toLogin(w, r)
		return
	}
	msg := pageMessage(langOf(r), err)
	if rerr := s.renderStatus(w, r, status, "error", errorPage{Status: status, Message: msg}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, msg, status)
	}
}

// pageMessage words err for a page: its catalogue message when it has one,
// a generic one by code for internal errors and plain refusals, else the
// error's own (English) text.
func pageMessage(lang string, err error) string {
	if ae := asAPIError(err); ae != nil && ae.key != "" {
		return T(lang, ae.key, ae.args...)
	}
	switch errorCode(err) {
	case eInternal:
		return T(lang, "error.internal")
	case eNotFound:
		return T(lang, "error.not_found")
	case eMethod:
		return T(lang, "error.method")
	}
	return errorMessage(err)
}

// staticFiles serves /static/ (the style sheet), cacheable for an hour.
func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || path.Ext(r.URL.Path) == "" {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
