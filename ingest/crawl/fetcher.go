package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"
)

// Errors of Fetch, for errors.Is.
var (
	ErrTooLarge  = errors.New("exceeds max_file_size")
	ErrTruncated = errors.New("truncated download")
)

// StatusError is an HTTP status Fetch does not accept (anything but 200
// and, for a conditional request, 304).
type StatusError struct {
	Code int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// Previous is what the last fetch of a URL recorded.
type Previous struct {
	ETag         string
	LastModified string
	SHA256       string // hex
}

// Fetched is the outcome of one Fetch.
type Fetched struct {
	URL      string
	FinalURL string // after redirects
	// Path is the downloaded file (the caller removes it; see Remove). It
	// is empty when Unchanged.
	Path         string
	SHA256       string // hex; Previous.SHA256 after a 304
	Size         int64
	ETag         string
	LastModified string
	ContentType  string
	Status       int // 200 or 304
	// Unchanged: the server answered 304, or the content hashes to
	// Previous.SHA256. Nothing is kept on disk then.
	Unchanged bool
	FetchedAt time.Time
	Attempts  int // HTTP attempts, retries and robots.txt included
}

// Remove deletes the downloaded file, if any.
func (f Fetched) Remove() error {
	if f.Path == "" {
		return nil
	}
	return os.Remove(f.Path)
}

// Fetcher downloads pages and files with net/http: robots.txt obeyed,
// off-domain redirects refused, a hard size cap, conditional requests, a
// SHA-256 of what was read, per-host delay and parallelism (the profile's
// politeness), retries with backoff. Safe for concurrent use; share one per
// nightly run so robots.txt and the per-host gates are shared.
type Fetcher struct {
	opts   Options
	robots *robotsCache

	gates *gates
}

// NewFetcher checks opts and returns a Fetcher.
func NewFetcher(opts Options) (*Fetcher, error) {
	o, err := opts.normalise()
	if err != nil {
		return nil, err
	}
	return &Fetcher{opts: o, robots: newRobotsCache(o.UserAgent), gates: newGates()}, nil
}

// Fetch downloads rawURL under profile p's rules (allowed domains,
// politeness). With prev from the last fetch it sends If-None-Match /
// If-Modified-Since and reports Unchanged on a 304 or an equal hash. A
// download over max_file_size or shorter than announced is an error and
// leaves no file.
func (f *Fetcher) Fetch(ctx context.Context, p Profile, rawURL string, prev Previous) (Fetched, error) {
	var cnt counters
	out, err := f.fetch(ctx, p, rawURL, prev, &cnt)
	out.Attempts = int(cnt.Attempts.Load())
	return out, err
}

func (f *Fetcher) fetch(ctx context.Context, p Profile, rawURL string, prev Previous, cnt *counters) (Fetched, error) {
	out := Fetched{URL: rawURL}
	fail := func(err error) (Fetched, error) {
		return out, fmt.Errorf("crawl: fetch %s: %w", rawURL, err)
	}
	if err := p.Validate(); err != nil {
		return out, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(errors.New("want an absolute http(s) URL"))
	}
	if !hostAllowed(u, p.AllowedDomains) {
		return fail(ErrOffDomain)
	}
	q := p.Politeness
	client := &http.Client{
		Transport: &gatedTransport{base: newRetryTransport(f.opts.Transport, q, cnt), gates: f.gates, q: q},
	}
	policy := redirectPolicy(p.AllowedDomains)
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := policy(req, via); err != nil {
			return err
		}
		if err := f.robots.allowed(req.Context(), client, req.URL); err != nil {
			return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
		}
		return nil
	}
	if err := f.robots.allowed(ctx, client, u); err != nil {
		return fail(err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "*/*")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	out.FetchedAt = f.opts.Now()
	out.FinalURL = resp.Request.URL.String()
	out.Status = resp.StatusCode
	out.ETag = resp.Header.Get("ETag")
	out.LastModified = resp.Header.Get("Last-Modified")
	out.ContentType = resp.Header.Get("Content-Type")

	switch {
	case resp.StatusCode == http.StatusNotModified && (prev.ETag != "" || prev.LastModified != ""):
		out.Unchanged = true
		out.SHA256 = prev.SHA256
		if out.ETag == "" {
			out.ETag = prev.ETag
		}
		if out.LastModified == "" {
			out.LastModified = prev.LastModified
		}
		return out, nil
	case resp.StatusCode != http.StatusOK:
		return fail(&StatusError{Code: resp.StatusCode})
	}
	if resp.ContentLength > q.MaxFileSize {
		return fail(fmt.Errorf("%w: Content-Length %d > %d bytes", ErrTooLarge, resp.ContentLength, q.MaxFileSize))
	}

	tmp, err := os.CreateTemp(f.opts.TempDir, "vahub-fetch-*"+safeExt(u))
	if err != nil {
		return fail(err)
	}
	keep := false
	defer func() {
		if !keep {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(resp.Body, q.MaxFileSize+1))
	switch {
	case n > q.MaxFileSize:
		return fail(fmt.Errorf("%w: more than %d bytes", ErrTooLarge, q.MaxFileSize))
	case err != nil && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)):
		return fail(fmt.Errorf("%w after %d bytes: %v", ErrTruncated, n, err))
	case err != nil:
		return fail(fmt.Errorf("after %d bytes: %w", n, err))
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return fail(fmt.Errorf("%w: %d of %d bytes", ErrTruncated, n, resp.ContentLength))
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	out.Size = n
	out.SHA256 = hex.EncodeToString(h.Sum(nil))
	if prev.SHA256 != "" && strings.EqualFold(prev.SHA256, out.SHA256) {
		out.Unchanged = true
		return out, nil // the deferred cleanup removes the file
	}
	keep = true
	out.Path = tmp.Name()
	return out, nil
}

func safeExt(u *url.URL) string {
	ext := strings.ToLower(path.Ext(u.Path))
	if len(ext) < 2 || len(ext) > 6 || strings.ContainsFunc(ext[1:], func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}) {
		return ""
	}
	return ext
}
