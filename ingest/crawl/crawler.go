package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
)

// DefaultUserAgent identifies vahub and says how to reach its operators.
const DefaultUserAgent = "vahub/0.1 (+mailto:data@example.org)"

// maxSkipped bounds Discovery.Skipped (SkippedTotal keeps counting).
const maxSkipped = 10000

// Options configure a Crawler or a Fetcher.
type Options struct {
	// UserAgent is sent with every request, robots.txt included, and is the
	// agent robots.txt groups are matched against. It must carry a contact
	// (a mailto: or http(s) URL, or an e-mail address). Empty means
	// DefaultUserAgent.
	UserAgent string
	// TempDir receives fetched files ("" = os.TempDir()).
	TempDir string
	// Now is the clock (nil = time.Now).
	Now func() time.Time
	// Logger receives per-URL failures at debug level (nil = discard).
	Logger *slog.Logger
	// Transport is the base round tripper (nil = a clone of
	// http.DefaultTransport). Retries and timeouts are layered on top.
	Transport http.RoundTripper
}

func (o Options) normalise() (Options, error) {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if err := checkUserAgent(o.UserAgent); err != nil {
		return o, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16 // ≥ the largest politeness.parallelism
		o.Transport = t
	}
	return o, nil
}

func checkUserAgent(ua string) error {
	if strings.ContainsFunc(ua, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return errors.New("crawl: user agent contains control characters")
	}
	if !strings.Contains(ua, "mailto:") && !strings.Contains(ua, "http://") &&
		!strings.Contains(ua, "https://") && !strings.Contains(ua, "@") {
		return fmt.Errorf("crawl: user agent %q carries no contact (add e.g. \"(+mailto:you@example.org)\")", ua)
	}
	return nil
}

// Crawler discovers pages and file links with colly, one collector per
// Run. It is safe for concurrent Runs.
type Crawler struct {
	opts Options
}

// NewCrawler checks opts and returns a Crawler.
func NewCrawler(opts Options) (*Crawler, error) {
	o, err := opts.normalise()
	if err != nil {
		return nil, err
	}
	return &Crawler{opts: o}, nil
}

// Page is one HTML page fetched during discovery.
type Page struct {
	URL          string // as requested (fragment removed)
	FinalURL     string // after redirects
	Depth        int    // 0 = start page
	Status       int
	ContentType  string
	Body         []byte
	SHA256       string // hex, of Body
	ETag         string
	LastModified string
	FetchedAt    time.Time
}

// FileLink is a link to a file (by the profile's file patterns).
type FileLink struct {
	URL     string
	Type    string // lower-case extension: pdf, docx, xlsx, …; "" when none
	Text    string // anchor text, trimmed
	FoundOn string // first page it was seen on
}

// URLError is a failure on one URL; it never stops the crawl.
type URLError struct {
	URL    string
	Status int // HTTP status when there was a response, else 0
	Err    error
}

func (e URLError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: HTTP %d: %v", e.URL, e.Status, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.URL, e.Err)
}

func (e URLError) Unwrap() error { return e.Err }

// Skip is a link that matched a pattern but was not followed.
type Skip struct {
	URL    string
	Reason string // SkipOffDomain, SkipMaxDepth, SkipMaxPages
}

// Skip reasons.
const (
	SkipOffDomain = "off-domain"
	SkipMaxDepth  = "max-depth"
	SkipMaxPages  = "max-pages"
)

// Discovery is what one Run found. Slices are sorted by URL.
type Discovery struct {
	// Profile is the profile as run: with a start URL given, its
	// AllowedDomains are narrowed to that URL's host. Pass it to
	// Fetcher.Fetch for the files found.
	Profile      Profile
	StartURLs    []string
	Pages        []Page
	Files        []FileLink
	Errors       []URLError
	Skipped      []Skip
	SkippedTotal int
	Attempts     int // HTTP attempts, robots.txt and retries included
	Retries      int
	Started      time.Time
	Finished     time.Time
}

type counters struct {
	Attempts, Retries atomic.Int64
}

// ErrPageTooLarge is recorded for a page over politeness.max_page_size.
var ErrPageTooLarge = errors.New("page exceeds max_page_size")

// Run crawls profile p from its start URLs, or from startURL alone when it
// is not empty, which also limits the crawl to that URL's host. Failures on
// single URLs are in Discovery.Errors; the error return is for an invalid
// profile or start URL, or a cancelled ctx (the partial Discovery is
// returned with it).
func (c *Crawler) Run(ctx context.Context, p Profile, startURL string) (Discovery, error) {
	if err := p.Validate(); err != nil {
		return Discovery{}, err
	}
	var starts []string
	if startURL != "" {
		u, err := url.Parse(startURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Discovery{}, fmt.Errorf("crawl: start URL %q: want an absolute http(s) URL", startURL)
		}
		u.Fragment, u.RawFragment = "", ""
		p = p.WithAllowedDomains(scopeOf(u)...)
		starts = []string{u.String()}
	} else {
		var err error
		if starts, err = p.ExpandStartURLs(c.opts.Now()); err != nil {
			return Discovery{}, err
		}
	}
	r := &run{
		ctx: ctx, p: p, opts: c.opts,
		seen:  map[string]bool{},
		files: map[string]FileLink{},
		skips: map[string]bool{},
		reqs:  map[uint32]reqState{},
	}
	r.d = Discovery{Profile: p, StartURLs: starts, Started: c.opts.Now()}
	col, err := r.collector()
	if err != nil {
		return Discovery{}, err
	}
	for _, s := range starts {
		if !r.schedule(s) {
			continue
		}
		if err := col.Visit(s); err != nil {
			r.fail(s, 0, visitError(err))
		}
	}
	col.Wait()
	return r.finish(), ctx.Err()
}

// run is the state of one Run.
type run struct {
	ctx  context.Context
	p    Profile
	opts Options
	cnt  counters

	mu        sync.Mutex
	d         Discovery
	seen      map[string]bool // page URLs scheduled
	scheduled int
	files     map[string]FileLink
	skips     map[string]bool
	reqs      map[uint32]reqState
}

type reqState struct {
	url   string // requested
	depth int
	note  error  // why we aborted after headers
	ctype string // Content-Type seen then
}

// collector builds the colly collector for this run. colly.NewCollector
// applies COLLY_* environment variables after its options, so every field
// those variables touch is set here, after construction.
func (r *run) collector() (*colly.Collector, error) {
	q := r.p.Politeness
	col := colly.NewCollector()

	// Everything parseSettingsFromEnv (colly v2.3.0) may have changed:
	col.AllowedDomains = nil // ALLOWED_DOMAINS: hosts are checked by us (host:port aware)
	col.DisallowedDomains = nil
	col.CacheDir = "" // CACHE_DIR: never cache; conditional requests are Fetcher's job
	col.DetectCharset = true
	col.IgnoreRobotsTxt = false // IGNORE_ROBOTSTXT
	col.MaxBodySize = int(q.MaxPageSize) + 1
	col.MaxDepth = q.MaxDepth + 1 // colly counts the start page as depth 1
	col.MaxRequests = 0           // page cap is ours (counted once per URL, retries aside)
	col.ParseHTTPErrorResponse = false
	col.TraceHTTP = false
	col.UserAgent = r.opts.UserAgent // USER_AGENT
	// And the rest, so nothing depends on colly's defaults.
	col.Headers = nil
	col.URLFilters, col.DisallowedURLFilters = nil, nil
	col.AllowURLRevisit = false
	col.CheckHead = false
	col.CacheExpiration = 0
	col.Async = true
	col.Context = r.ctx

	jar, err := cookiejar.New(nil) // DISABLE_COOKIES: a fresh jar per run
	if err != nil {
		return nil, fmt.Errorf("crawl: %w", err)
	}
	robots := newRobotsCache(r.opts.UserAgent)
	client := &http.Client{
		// gate (delay, parallelism; per host) → retries with per-attempt deadline → network
		Transport: &gatedTransport{base: newRetryTransport(r.opts.Transport, q, &r.cnt), gates: newGates(), q: q},
		Jar:       jar,
		// No client-wide Timeout: each attempt has its own deadline
		// (politeness.timeout, body included), so a timeout can be retried.
	}
	col.SetClient(client)
	allowed := redirectPolicy(r.p.AllowedDomains)
	// FOLLOW_REDIRECTS: our handler replaces whatever was set.
	col.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if err := allowed(req, via); err != nil {
			return err
		}
		// colly checks robots.txt only for the first URL of a chain.
		if err := robots.allowed(req.Context(), client, req.URL); err != nil {
			return fmt.Errorf("crawl: redirect to %s: %w", req.URL.Redacted(), err)
		}
		return nil
	})
	// One LimitRule per collector, never shared (sharing can deadlock in
	// v2.3.0); "*" matches every host. It bounds colly's parallelism; the
	// delay is kept by the per-host gate in the transport (gate.go), whose
	// wait ends with ctx: colly's Delay is an uninterruptible sleep taken
	// after each request, so cancelling a run with N requests queued would
	// take N×delay.
	if err := col.Limit(&colly.LimitRule{
		DomainGlob:  "*",
		Parallelism: q.Parallelism,
	}); err != nil {
		return nil, fmt.Errorf("crawl: limit rule: %w", err)
	}

	col.OnRequest(func(req *colly.Request) {
		if err := r.ctx.Err(); err != nil {
			r.fail(req.URL.String(), 0, err)
			req.Abort() // before the limit rule: a cancelled run does not sleep
			return
		}
		r.mu.Lock()
		r.reqs[req.ID] = reqState{url: req.URL.String(), depth: req.Depth - 1}
		r.mu.Unlock()
	})
	col.OnResponseHeaders(func(resp *colly.Response) {
		if resp.StatusCode >= 300 {
			return
		}
		var note error
		if n := resp.Headers.Get("Content-Length"); n != "" {
			var size int64
			if _, err := fmt.Sscan(n, &size); err == nil && size > q.MaxPageSize {
				note = fmt.Errorf("%w (%d > %d bytes)", ErrPageTooLarge, size, q.MaxPageSize)
			}
		}
		ct := resp.Headers.Get("Content-Type")
		if note == nil && !isHTML(ct) {
			note = errNotHTML
		}
		if note != nil {
			r.mu.Lock()
			st := r.reqs[resp.Request.ID]
			st.note, st.ctype = note, ct
			r.reqs[resp.Request.ID] = st
			r.mu.Unlock()
			resp.Request.Abort()
		}
	})
	col.OnResponse(func(resp *colly.Response) {
		st := r.state(resp.Request.ID)
		if int64(len(resp.Body)) > q.MaxPageSize {
			r.fail(st.url, resp.StatusCode, fmt.Errorf("%w (more than %d bytes)", ErrPageTooLarge, q.MaxPageSize))
			return
		}
		sum := sha256.Sum256(resp.Body)
		pg := Page{
			URL:          st.url,
			FinalURL:     resp.Request.URL.String(),
			Depth:        st.depth,
			Status:       resp.StatusCode,
			ContentType:  resp.Headers.Get("Content-Type"),
			Body:         resp.Body,
			SHA256:       hex.EncodeToString(sum[:]),
			ETag:         resp.Headers.Get("ETag"),
			LastModified: resp.Headers.Get("Last-Modified"),
			FetchedAt:    r.opts.Now(),
		}
		r.mu.Lock()
		r.d.Pages = append(r.d.Pages, pg)
		r.mu.Unlock()
	})
	col.OnHTML("a[href], area[href], frame[src], iframe[src]", func(e *colly.HTMLElement) {
		attr := "href"
		if e.Name == "frame" || e.Name == "iframe" {
			attr = "src"
		}
		r.link(e, e.Attr(attr))
	})
	col.OnError(func(resp *colly.Response, err error) {
		st := r.state(resp.Request.ID)
		if st.url == "" {
			st.url = resp.Request.URL.String()
		}
		var already *colly.AlreadyVisitedError
		if errors.As(err, &already) {
			return // a redirect to a page this run already has
		}
		if errors.Is(err, colly.ErrAbortedAfterHeaders) && st.note != nil {
			if errors.Is(st.note, errNotHTML) {
				// A page link that serves a file: record it as a file.
				r.addFile(FileLink{URL: st.url, Type: fileTypeOf(resp.Request.URL, st.ctype)}, resp.Request.URL)
				return
			}
			err = st.note
		}
		r.fail(st.url, resp.StatusCode, visitError(err))
	})
	return col, nil
}

var errNotHTML = errors.New("not HTML")

func isHTML(ct string) bool {
	if ct == "" {
		return true // colly sniffs
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.Contains(strings.ToLower(ct), "html")
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

func fileTypeOf(u *url.URL, ctype string) string {
	if t := FileType(u); t != "" {
		return t
	}
	mt, _, _ := mime.ParseMediaType(ctype)
	switch mt {
	case "application/pdf":
		return "pdf"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return "xlsx"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return "docx"
	case "application/msword":
		return "doc"
	case "application/vnd.ms-excel":
		return "xls"
	case "text/csv":
		return "csv"
	}
	return ""
}

func (r *run) state(id uint32) reqState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[id]
}

// link handles one href found on a page.
func (r *run) link(e *colly.HTMLElement, href string) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return
	}
	abs := e.Request.AbsoluteURL(href)
	if abs == "" {
		return
	}
	u, err := url.Parse(abs)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	u.Fragment, u.RawFragment = "", ""
	switch r.p.Classify(u) {
	case KindFile:
		r.addFile(FileLink{URL: u.String(), Type: FileType(u), Text: anchorText(e.Text), FoundOn: r.state(e.Request.ID).url}, u)
	case KindPage:
		s := u.String()
		if !hostAllowed(u, r.p.AllowedDomains) {
			r.skip(s, SkipOffDomain)
			return
		}
		if e.Request.Depth > r.p.Politeness.MaxDepth { // colly: start page is depth 1
			r.skip(s, SkipMaxDepth)
			return
		}
		if !r.schedule(s) {
			return
		}
		if err := e.Request.Visit(s); err != nil {
			var already *colly.AlreadyVisitedError
			if errors.As(err, &already) {
				return
			}
			r.fail(s, 0, visitError(err))
		}
	}
}

func anchorText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// schedule claims a page slot for s; false if seen or over the cap.
func (r *run) schedule(s string) bool {
	r.mu.Lock()
	if r.seen[s] {
		r.mu.Unlock()
		return false
	}
	if r.scheduled >= r.p.Politeness.MaxPages || r.ctx.Err() != nil {
		r.mu.Unlock()
		if r.ctx.Err() == nil {
			r.skip(s, SkipMaxPages)
		}
		return false
	}
	r.seen[s] = true
	r.scheduled++
	r.mu.Unlock()
	return true
}

func (r *run) addFile(f FileLink, u *url.URL) {
	if !hostAllowed(u, r.p.AllowedDomains) {
		r.skip(f.URL, SkipOffDomain)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.files[f.URL]; ok {
		if old.Text == "" && f.Text != "" {
			old.Text = f.Text
			r.files[f.URL] = old
		}
		return
	}
	r.files[f.URL] = f
}

func (r *run) skip(u, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := reason + " " + u
	if r.skips[key] {
		return
	}
	r.skips[key] = true
	r.d.SkippedTotal++
	if len(r.d.Skipped) < maxSkipped {
		r.d.Skipped = append(r.d.Skipped, Skip{URL: u, Reason: reason})
	}
}

func (r *run) fail(u string, status int, err error) {
	r.opts.Logger.Debug("crawl: url failed", "profile", r.p.Name, "url", u, "status", status, "err", err)
	r.mu.Lock()
	r.d.Errors = append(r.d.Errors, URLError{URL: u, Status: status, Err: err})
	r.mu.Unlock()
}

// visitError maps colly's robots.txt error onto ErrRobots.
func visitError(err error) error {
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		return fmt.Errorf("%w (%v)", ErrRobots, err)
	}
	return err
}

func (r *run) finish() Discovery {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.d
	for _, f := range r.files {
		d.Files = append(d.Files, f)
	}
	slices.SortFunc(d.Pages, func(a, b Page) int { return strings.Compare(a.URL, b.URL) })
	slices.SortFunc(d.Files, func(a, b FileLink) int { return strings.Compare(a.URL, b.URL) })
	slices.SortStableFunc(d.Errors, func(a, b URLError) int { return strings.Compare(a.URL, b.URL) })
	slices.SortFunc(d.Skipped, func(a, b Skip) int {
		return strings.Compare(a.URL+" "+a.Reason, b.URL+" "+b.Reason)
	})
	d.Attempts = int(r.cnt.Attempts.Load())
	d.Retries = int(r.cnt.Retries.Load())
	d.Finished = r.opts.Now()
	return d
}
