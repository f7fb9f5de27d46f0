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
	if o.SuppressK < suppress.MinK {
		o.SuppressK = suppress.DefaultK
	}
	return o
}

type server struct {
	db   *pg.DB
	log  *slog.Logger
	opts Options
}

// NewServer returns vahub's HTTP handler: the probes and the JSON API,
// behind security headers and cross-origin protection.
func NewServer(db *pg.DB, log *slog.Logger, opts Options) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{db: db, log: log, opts: opts.withDefaults()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("POST /api/v1/uploads", s.api(s.upload))
	mux.Handle("GET /api/v1/facts/casualties", s.api(s.casualties))
	mux.Handle("GET /api/v1/facts/services", s.api(s.services))
	mux.Handle("GET /api/v1/exports/gap.xlsx", s.api(s.gapExport))

	// Browsers' cross-site form posts are refused (Sec-Fetch-Site, Origin).
	// API clients with bearer tokens send neither header and no cookies.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(eForbidden, "cross-origin request refused"))
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
// framed, or run as a document with scripts. The HTML pages (to come) will
// set their own Content-Security-Policy.
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
// JSON error format instead of ServeMux's plain text.
func (s *server) jsonFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			s.writeError(w, r, errorf(eMethod, "method %s is not allowed here", r.Method))
			return
		}
		s.writeError(w, r, errorf(eNotFound, "no such page"))
	})
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
// duration and the client's address. Never headers, so never a token.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			level := slog.LevelInfo
			if (r.URL.Path == "/healthz" || r.URL.Path == "/readyz") && sw.statusCode() == http.StatusOK {
				level = slog.LevelDebug // probes every few seconds would drown the log
			}
			s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", sw.statusCode(),
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
