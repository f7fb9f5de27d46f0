// Package web is vahub's HTTP server: the JSON API (and, later, the pages)
// through which focal points upload, researchers download and data officers
// oversee. It holds no state of its own: the database, logger and options
// are passed to NewServer.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/schema/pg"
)

// DefaultMaxUpload caps an uploaded file. Reports are small; a bigger file
// is almost always the wrong file, and focal points' connections are slow.
const DefaultMaxUpload = 25 << 20

// Options configure the server.
type Options struct {
	// MaxUpload is the largest file accepted, in bytes (default 25 MiB).
	MaxUpload int64
	// TempDir is where uploads are written while they are ingested
	// (default os.TempDir()). Each upload gets its own folder, removed
	// when the request ends.
	TempDir string
	// ReadyTimeout bounds /readyz's database check (default 5 s).
	ReadyTimeout time.Duration
	// SuppressK is the small-cell threshold of answers built from
	// individual survey records (default suppress.DefaultK): the default
	// and the floor for focal points and researchers; admins may ask for
	// less, down to suppress.MinK.
	SuppressK int

	// InsecureCookies drops the Secure attribute (and the __Host- prefix)
	// of the session cookie, for plain-http use on a local machine only
	// (`vahub serve --insecure-cookies`). Behind https, never set it.
	InsecureCookies bool
	// SessionIdle ends a browser session unused this long (default 1 h);
	// SessionMaxAge ends any session this long after login (default 12 h).
	SessionIdle   time.Duration
	SessionMaxAge time.Duration
	// Login throttling: after LoginMaxPerName failed logins for one name
	// (default 5), or LoginMaxPerAddr from one address (default 20),
	// within LoginWindow (default 15 min), logins are refused with 429.
	LoginWindow     time.Duration
	LoginMaxPerName int
	LoginMaxPerAddr int
}

func (o Options) withDefaults() Options {
	if o.MaxUpload <= 0 {
		o.MaxUpload = DefaultMaxUpload
	}
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 5 * time.Second
	}
	if o.SessionIdle <= 0 {
		o.SessionIdle = DefaultSessionIdle
	}
	if o.SessionMaxAge <= 0 {
		o.SessionMaxAge = DefaultSessionMaxAge
	}
	if o.LoginWindow <= 0 {
		o.LoginWindow = DefaultLoginWindow
	}
	if o.LoginMaxPerName <= 0 {
		o.LoginMaxPerName = DefaultLoginMaxPerName
	}
	if o.LoginMaxPerAddr <= 0 {
		o.LoginMaxPerAddr = DefaultLoginMaxPerAddr
	}
	if o.SuppressK < suppress.MinK {
		o.SuppressK = suppress.DefaultK
	}
	return o
}

type server struct {
	db   *pg.DB
	log  *slog.Logger
	opts Options
	tmpl *templates
}

// NewServer returns vahub's HTTP handler: the probes and the JSON API,
// behind security headers and cross-origin protection.
func NewServer(db *pg.DB, log *slog.Logger, opts Options) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		panic(err) // the templates are embedded: a broken one never ships (tests parse them)
	}
	s := &server{db: db, log: log, opts: opts.withDefaults(), tmpl: tmpl}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("POST /api/v1/uploads", s.api(s.upload))
	mux.Handle("GET /api/v1/facts/casualties", s.api(s.casualties))
	mux.Handle("GET /api/v1/facts/services", s.api(s.services))
	mux.Handle("GET /api/v1/exports/gap.xlsx", s.api(s.gapExport))
	mux.Handle("POST /api/v1/surveys/{form}/submissions", s.api(s.submitSurvey))
	mux.Handle("GET /api/v1/surveys/{form}/submissions", s.api(s.listSurveys))
	// OpenRosa, for ODK Collect and Enketo; /key/{token}/ is for clients
	// that cannot send an Authorization header (see redactPath).
	mux.Handle("HEAD /submission", s.openRosa(s.openRosaHead))
	mux.Handle("POST /submission", s.openRosa(s.openRosaSubmit))
	mux.Handle("HEAD /key/{token}/submission", s.openRosa(s.openRosaHead))
	mux.Handle("POST /key/{token}/submission", s.openRosa(s.openRosaSubmit))
	mux.Handle("GET /formList", s.openRosa(s.openRosaFormList))
	mux.Handle("GET /key/{token}/formList", s.openRosa(s.openRosaFormList))
	mux.Handle("GET /forms/{file}", s.openRosa(s.openRosaForm))
	mux.Handle("GET /key/{token}/forms/{file}", s.openRosa(s.openRosaForm))
	s.registerReviewAPI(mux) // reviews, CSV downloads, dictionary, admin (review.go)

	// Pages (pages.go, session.go).
	mux.Handle("GET /static/", staticFiles())
	mux.Handle("GET /login", s.publicPage(s.loginForm))
	mux.Handle("POST /login", s.publicPage(s.login))
	mux.Handle("POST /logout", s.publicPage(s.logout))
	mux.Handle("POST /lang", s.publicPage(s.setLang))
	mux.Handle("GET /{$}", s.page(s.home))
	s.registerAdminPages(mux) // admin and researcher pages (admin_pages.go)

	// The focal point's pages and their API twins (focal.go).
	mux.Handle("GET /template", s.page(s.pageTemplate))
	mux.Handle("GET /template.xlsx", s.page(s.pageTemplateDownload))
	mux.Handle("GET /upload", s.page(s.pageUploadForm))
	mux.Handle("POST /upload", s.page(s.pageUpload))
	mux.Handle("GET /submissions", s.page(s.pageSubmissions))
	mux.Handle("GET /submissions/{id}", s.page(s.pageSubmission))
	mux.Handle("GET /submissions/{id}/annotated.xlsx", s.page(s.pageAnnotated))
	mux.Handle("GET /api/v1/template.xlsx", s.api(s.apiTemplate))
	mux.Handle("GET /api/v1/submissions", s.api(s.apiSubmissions))
	mux.Handle("GET /api/v1/submissions/{id}", s.api(s.apiSubmission))
	mux.Handle("GET /api/v1/submissions/{id}/annotated.xlsx", s.api(s.apiAnnotated))

	// Browsers' cross-site form posts are refused (Sec-Fetch-Site, Origin).
	// API clients with bearer tokens send neither header and no cookies.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := errorT(eForbidden, "error.cross_origin")
		if wantsHTML(r) {
			s.pageError(w, r, err)
			return
		}
		s.writeError(w, r, err)
	}))
	return s.logRequests(securityHeaders(cop.Handler(s.jsonFallback(mux))))
}

// NewHTTPServer is the http.Server vahub serves h with: timeouts that let a
// focal point on a slow line upload a full-size file and a researcher
// download a large workbook, but never hold a connection forever.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// securityHeaders: nothing vahub answers may be sniffed into another type,
// framed, or run as a document with scripts. The HTML pages set their own
// Content-Security-Policy (pageCSP: still no script).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// jsonFallback answers the requests no route takes (404, 405) in the API's
// JSON error format instead of ServeMux's plain text; a browser asking for
// a page gets the error page.
func (s *server) jsonFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		answer := s.writeError
		if wantsHTML(r) {
			answer = s.pageError
		}
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			answer(w, r, errorf(eMethod, "method %s is not allowed here", r.Method))
			return
		}
		answer(w, r, errorf(eNotFound, "no such page"))
	})
}

// wantsHTML: a browser's request outside the API.
func wantsHTML(r *http.Request) bool {
	return !strings.HasPrefix(r.URL.Path, "/api/") && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// headerProbe records what ServeMux's own 404/405 handler would answer.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }
func (p *headerProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *headerProbe) Write(b []byte) (int, error) { p.WriteHeader(http.StatusOK); return len(b), nil }

// logRequests writes one line per request: method, path, status, bytes,
// duration and the client's address. Never headers, and the path with any
// token in it redacted, so never a token.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			level := slog.LevelInfo
			if (r.URL.Path == "/healthz" || r.URL.Path == "/readyz") && sw.statusCode() == http.StatusOK {
				level = slog.LevelDebug // probes every few seconds would drown the log
			}
			s.log.Log(r.Context(), level, "request", "method", r.Method, "path", redactPath(r.URL.Path), "status", sw.statusCode(),
				"bytes", sw.n, "duration", time.Since(start).Round(time.Millisecond), "remote", remoteHost(r))
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status and whether the response has started.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) started() bool { return w.status != 0 }

// remoteHost is the client's address without the port. vahub does not
// trust X-Forwarded-For: behind a proxy, the proxy's address is recorded.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// healthz: the process is alive.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz: the database answers and its schema is this binary's.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.ReadyTimeout)
	defer cancel()
	if err := pg.CheckCurrent(ctx, s.db.DB.DB); err != nil {
		msg := "the database does not answer"
		if errors.Is(err, pg.ErrOutOfDate) {
			msg = "the database schema is out of date: run `vahub migrate`"
		}
		s.log.Warn("not ready", "err", err)
		s.writeError(w, r, errorf(eUnavailable, "not ready: %s", msg))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}
