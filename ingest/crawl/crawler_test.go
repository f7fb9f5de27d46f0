package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func pageURLs(d Discovery) []string {
	var out []string
	for _, p := range d.Pages {
		out = append(out, p.URL)
	}
	return out
}

func fileURLs(d Discovery) []string {
	var out []string
	for _, f := range d.Files {
		out = append(out, f.URL)
	}
	return out
}

func findErr(d Discovery, u string) *URLError {
	for i := range d.Errors {
		if d.Errors[i].URL == u {
			return &d.Errors[i]
		}
	}
	return nil
}

func TestCrawlArt7Index(t *testing.T) {
	mirror := newSite(t)
	s := art7Site(t, mirror)
	p := art7For(t, s)
	d, err := newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	wantPages := []string{s.URL(art7Index), s.URL("/convention-on-cluster-munitions/transparency-measures/templates/")}
	for _, r := range art7Reports {
		wantPages = append(wantPages, s.URL(unogPages+r.PageID+"?OpenDocument"))
	}
	wantPages = append(wantPages, s.URL(unogPages+"5B7C3A1F9D2E4C68C12575E800338E9B?OpenDocument"))
	slices.Sort(wantPages)
	if got := pageURLs(d); !slices.Equal(got, wantPages) {
		t.Errorf("pages:\n got %q\nwant %q", got, wantPages)
	}
	// Files: every report file, the two templates; types from extensions.
	types := map[string]int{}
	for _, f := range d.Files {
		types[f.Type]++
		if f.FoundOn == "" {
			t.Errorf("file %s: no FoundOn", f.URL)
		}
	}
	if want := (map[string]int{"pdf": 4, "xlsx": 3, "docx": 2}); fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("file types %v, want %v (files %q)", types, want, fileURLs(d))
	}
	// robots.txt: the archive page is never requested, and is an error.
	if n := s.count(art7Archive); n != 0 {
		t.Errorf("robots-disallowed %s requested %d times", art7Archive, n)
	}
	if e := findErr(d, s.URL(art7Archive)); e == nil || !errors.Is(e.Err, ErrRobots) {
		t.Errorf("archive error = %v, want ErrRobots; errors %v", e, d.Errors)
	}
	// The mirror's file is off-domain: skipped, never requested.
	if mirror.count("") != 0 {
		t.Errorf("off-domain mirror received %v", mirror.targets())
	}
	if !slices.ContainsFunc(d.Skipped, func(sk Skip) bool { return sk.Reason == SkipOffDomain && strings.HasPrefix(sk.URL, mirror.srv.URL) }) {
		t.Errorf("mirror file not in Skipped: %v", d.Skipped)
	}
	// One identifiable agent on every request, robots.txt included.
	for _, h := range s.hits("") {
		if h.UA != testUA {
			t.Errorf("%s sent UA %q", h.Target, h.UA)
		}
	}
	if s.count("/robots.txt") == 0 {
		t.Error("robots.txt never fetched")
	}
	// Pages carry body, status, time, type, hash; files were not downloaded.
	for _, pg := range d.Pages {
		if pg.Status != 200 || len(pg.Body) == 0 || pg.FetchedAt.IsZero() || !strings.HasPrefix(pg.ContentType, "text/html") || len(pg.SHA256) != 64 {
			t.Errorf("page %s incomplete: status %d, %d bytes, at %v, type %q", pg.URL, pg.Status, len(pg.Body), pg.FetchedAt, pg.ContentType)
		}
	}
	for _, h := range s.hits("") {
		if strings.Contains(h.Target, "$file") {
			t.Errorf("crawler downloaded a file: %s", h.Target)
		}
	}
	if len(d.Errors) != 1 {
		t.Errorf("errors: %v", d.Errors)
	}
}

func TestCrawlMonitorMalformedHTML(t *testing.T) {
	s := monitorSite(t)
	p := monitorFor(t, s)
	d, err := newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{s.URL(monitorImpact)}
	for _, c := range monitorCountries {
		want = append(want, s.URL(fmt.Sprintf("/en-gb/reports/2018/%s/%s", c.Slug, c.Page)))
	}
	slices.Sort(want)
	if got := pageURLs(d); !slices.Equal(got, want) {
		t.Errorf("pages:\n got %q\nwant %q", got, want)
	}
	// Links in <script> and in an unterminated comment are not links.
	for _, tg := range []string{"/en-gb/reports/2018/fake/casualties.aspx", "/en-gb/reports/2018/hidden/casualties.aspx"} {
		if s.count(tg) != 0 {
			t.Errorf("%s requested", tg)
		}
	}
	// max_depth 1: the 2017 profile linked from a country page is not followed.
	if s.count("/en-gb/reports/2017/afghanistan/casualties.aspx") != 0 {
		t.Error("followed a link beyond max_depth")
	}
	if !slices.ContainsFunc(d.Skipped, func(sk Skip) bool { return sk.Reason == SkipMaxDepth }) {
		t.Errorf("no max-depth skip recorded: %v", d.Skipped)
	}
	wantFiles := []string{s.URL("/en-gb/reports/2018/afghanistan/casualties.pdf"), s.URL("/media/2018/cmm2018_final.pdf")}
	if got := fileURLs(d); !slices.Equal(got, wantFiles) {
		t.Errorf("files %q, want %q", got, wantFiles)
	}
	for _, pg := range d.Pages {
		if strings.Contains(pg.URL, "afghanistan") && !strings.Contains(string(pg.Body), "797 killed; 1,503 injured") {
			t.Error("afghanistan page body lacks its key figures")
		}
		wantDepth := 1
		if pg.URL == s.URL(monitorImpact) {
			wantDepth = 0
		}
		if pg.Depth != wantDepth {
			t.Errorf("%s depth %d, want %d", pg.URL, pg.Depth, wantDepth)
		}
	}
	if len(d.Errors) != 0 {
		t.Errorf("errors: %v", d.Errors)
	}
}

// TestCrawlRetries: 500s and timeouts are retried with growing delays, a
// bounded number of times; a 404 is not retried; one failing URL does not
// stop the crawl.
func TestCrawlRetries(t *testing.T) {
	s := newSite(t)
	s.robots = "User-agent: *\nAllow: /\n"
	s.html("/p/index", `<a href="/p/flaky">f</a> <a href="/p/down">d</a> <a href="/p/missing">m</a>
<a href="/p/slow">s</a> <a href="/p/slow-once">so</a> <a href="/p/ok">ok</a>`)
	var flaky, slowOnce atomic.Int32
	s.handle("/p/flaky", func(w http.ResponseWriter, _ *http.Request) {
		if flaky.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "<html>flaky ok</html>")
	})
	s.handle("/p/down", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	sleep := func(r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	}
	s.handle("/p/slow", func(w http.ResponseWriter, r *http.Request) { sleep(r) })
	s.handle("/p/slow-once", func(w http.ResponseWriter, r *http.Request) {
		if slowOnce.Add(1) == 1 {
			sleep(r)
			return
		}
		fmt.Fprint(w, "<html>slow once</html>")
	})
	s.html("/p/ok", "<html>ok</html>")

	p := testProfile(t, s, "/p/index")
	p.Politeness.Timeout = 150 * time.Millisecond
	p.Politeness.Retries = 3
	p.Politeness.Backoff = 30 * time.Millisecond
	p.Politeness.BackoffMax = 200 * time.Millisecond
	start := time.Now()
	d, err := newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("crawl took %v", el)
	}
	counts := map[string]int{"/p/flaky": 3, "/p/down": 4, "/p/missing": 1, "/p/slow": 4, "/p/slow-once": 2, "/p/ok": 1, "/p/index": 1}
	for tg, want := range counts {
		if got := s.count(tg); got != want {
			t.Errorf("%s requested %d times, want %d", tg, got, want)
		}
	}
	// Exponential backoff: gaps between attempts grow (30ms, 60ms, 120ms ±25%).
	h := s.hits("/p/down")
	for i := 1; i < len(h); i++ {
		gap := h[i].At.Sub(h[i-1].At)
		min := time.Duration(30<<(i-1)) * time.Millisecond * 3 / 4
		if gap < min {
			t.Errorf("attempt %d came %v after the previous, want ≥ %v", i+1, gap, min)
		}
	}
	got := pageURLs(d)
	for _, tg := range []string{"/p/flaky", "/p/slow-once", "/p/ok", "/p/index"} {
		if !slices.Contains(got, s.URL(tg)) {
			t.Errorf("page %s missing (pages %q)", tg, got)
		}
	}
	if e := findErr(d, s.URL("/p/down")); e == nil || e.Status != 503 {
		t.Errorf("/p/down error = %v", e)
	}
	if e := findErr(d, s.URL("/p/missing")); e == nil || e.Status != 404 {
		t.Errorf("/p/missing error = %v", e)
	}
	if e := findErr(d, s.URL("/p/slow")); e == nil || !isTimeout(e.Err) {
		t.Errorf("/p/slow error = %v, want a timeout", e)
	}
	if d.Retries != 2+3+3+1 {
		t.Errorf("Retries = %d, want 9", d.Retries)
	}
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

func TestCrawlRefusesOffDomainRedirect(t *testing.T) {
	other := newSite(t)
	other.html("/p/elsewhere", "<html>elsewhere</html>")
	s := newSite(t)
	s.html("/p/index", `<a href="/p/moved">moved</a> <a href="/p/renamed">renamed</a>`)
	s.handle("/p/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL("/p/elsewhere"), http.StatusFound)
	})
	s.handle("/p/renamed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/p/new-name", http.StatusMovedPermanently)
	})
	s.html("/p/new-name", "<html>same host</html>")
	d, err := newTestCrawler(t).Run(t.Context(), testProfile(t, s, "/p/index"), "")
	if err != nil {
		t.Fatal(err)
	}
	if other.count("") != 0 {
		t.Errorf("other host received %v", other.targets())
	}
	if e := findErr(d, s.URL("/p/moved")); e == nil || !errors.Is(e.Err, ErrOffDomain) {
		t.Errorf("/p/moved error = %v, want ErrOffDomain", e)
	}
	i := slices.IndexFunc(d.Pages, func(p Page) bool { return p.URL == s.URL("/p/renamed") })
	if i < 0 || d.Pages[i].FinalURL != s.URL("/p/new-name") {
		t.Errorf("same-host redirect not followed: %+v", d.Pages)
	}
}

func TestCrawlRedirectIntoRobotsDisallowed(t *testing.T) {
	s := newSite(t)
	s.robots = "User-agent: *\nDisallow: /p/private/\n"
	s.html("/p/index", `<a href="/p/go">go</a>`)
	s.handle("/p/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/p/private/x", http.StatusFound)
	})
	s.html("/p/private/x", "secret")
	d, err := newTestCrawler(t).Run(t.Context(), testProfile(t, s, "/p/index"), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.count("/p/private/x") != 0 {
		t.Error("redirect into a robots-disallowed path was followed")
	}
	if e := findErr(d, s.URL("/p/go")); e == nil || !errors.Is(e.Err, ErrRobots) {
		t.Errorf("error = %v, want ErrRobots", e)
	}
}

func TestCrawlPageChangesBetweenRuns(t *testing.T) {
	s := newSite(t)
	var version atomic.Int32
	version.Store(1)
	s.handle("/p/profile", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><p>Survival outcome</p><p>%d killed; 1,503 injured</p></html>", 796+version.Load())
	})
	c := newTestCrawler(t)
	p := testProfile(t, s, "/p/profile")
	run := func() Page {
		d, err := c.Run(t.Context(), p, "")
		if err != nil || len(d.Pages) != 1 {
			t.Fatalf("run: %v, %d pages, errors %v", err, len(d.Pages), d.Errors)
		}
		return d.Pages[0]
	}
	a := run()
	b := run()
	if a.SHA256 != b.SHA256 {
		t.Error("unchanged page hashed differently")
	}
	version.Store(2)
	c2 := run()
	if c2.SHA256 == a.SHA256 {
		t.Error("changed page kept its hash")
	}
	if !strings.Contains(string(c2.Body), "798 killed") {
		t.Errorf("second body: %s", c2.Body)
	}
}

func TestCrawlDepthAndPageLimits(t *testing.T) {
	s := newSite(t)
	for i := range 10 {
		s.html(fmt.Sprintf("/p/chain/%d", i), fmt.Sprintf(`<a href="/p/chain/%d">next</a>`, i+1))
	}
	p := testProfile(t, s, "/p/chain/0")
	p.Politeness.MaxDepth = 2
	d, err := newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{s.URL("/p/chain/0"), s.URL("/p/chain/1"), s.URL("/p/chain/2")}
	if got := pageURLs(d); !slices.Equal(got, want) {
		t.Errorf("depth 2: pages %q", got)
	}
	if s.count("/p/chain/3") != 0 {
		t.Error("page beyond max_depth requested")
	}
	if !slices.Contains(d.Skipped, Skip{URL: s.URL("/p/chain/3"), Reason: SkipMaxDepth}) {
		t.Errorf("skipped %v", d.Skipped)
	}

	var wide strings.Builder
	for i := range 50 {
		fmt.Fprintf(&wide, `<a href="/p/w/%d">%d</a>`, i, i)
		s.html(fmt.Sprintf("/p/w/%d", i), "<html>leaf</html>")
	}
	s.html("/p/wide", wide.String())
	p = testProfile(t, s, "/p/wide")
	p.Politeness.MaxPages = 10
	d, err = newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, h := range s.hits("") {
		if strings.HasPrefix(h.Target, "/p/w/") || h.Target == "/p/wide" {
			n++
		}
	}
	if n != 10 || len(d.Pages) != 10 {
		t.Errorf("max_pages 10: %d requests, %d pages", n, len(d.Pages))
	}
	if d.SkippedTotal != 41 {
		t.Errorf("SkippedTotal = %d, want 41", d.SkippedTotal)
	}
}

func TestCrawlPageTooLargeIsAnError(t *testing.T) {
	s := newSite(t)
	big := "<html>" + strings.Repeat("x", 5000) + "</html>"
	s.html("/p/index", `<a href="/p/big">big</a><a href="/p/chunked">c</a>`)
	s.html("/p/big", big)
	s.handle("/p/chunked", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for range 5 {
			fmt.Fprint(w, strings.Repeat("y", 1000))
			w.(http.Flusher).Flush()
		}
	})
	p := testProfile(t, s, "/p/index")
	p.Politeness.MaxPageSize = 2000
	d, err := newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range []string{"/p/big", "/p/chunked"} {
		if e := findErr(d, s.URL(tg)); e == nil || !errors.Is(e.Err, ErrPageTooLarge) {
			t.Errorf("%s: error %v, want ErrPageTooLarge", tg, e)
		}
	}
	if got := pageURLs(d); !slices.Equal(got, []string{s.URL("/p/index")}) {
		t.Errorf("pages %q: an oversized page was kept (truncated?)", got)
	}
}

func TestCrawlPageLinkServingAFileIsAFile(t *testing.T) {
	s := newSite(t)
	s.html("/p/index", `<a href="/p/download">download</a>`)
	s.file("/p/download", "application/pdf", []byte("%PDF"))
	d, err := newTestCrawler(t).Run(t.Context(), testProfile(t, s, "/p/index"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 1 || d.Files[0].URL != s.URL("/p/download") || d.Files[0].Type != "pdf" {
		t.Errorf("files %+v", d.Files)
	}
	if len(d.Errors) != 0 || len(d.Pages) != 1 {
		t.Errorf("errors %v, pages %d", d.Errors, len(d.Pages))
	}
}

func TestCrawlStartURLLimitsHost(t *testing.T) {
	other := newSite(t)
	other.html("/p/x", "<html>x</html>")
	s := newSite(t)
	s.html("/p/one", fmt.Sprintf(`<a href="%s">other</a><a href="/p/two">two</a>`, other.URL("/p/x")))
	s.html("/p/two", "<html>two</html>")
	p := testProfile(t, s, "/p/none")
	p.AllowedDomains = []string{s.Host(), other.Host()}
	d, err := newTestCrawler(t).Run(t.Context(), p, s.URL("/p/one#frag"))
	if err != nil {
		t.Fatal(err)
	}
	if other.count("") != 0 {
		t.Error("crawl left the start URL's host")
	}
	if !slices.Equal(d.Profile.AllowedDomains, []string{s.Host()}) {
		t.Errorf("effective allowed domains %v", d.Profile.AllowedDomains)
	}
	if got := pageURLs(d); !slices.Equal(got, []string{s.URL("/p/one"), s.URL("/p/two")}) {
		t.Errorf("pages %q", got)
	}
	if s.count("/p/none") != 0 {
		t.Error("profile start URLs used despite startURL")
	}
	if _, err := newTestCrawler(t).Run(t.Context(), p, "ftp://x/"); err == nil {
		t.Error("ftp start URL accepted")
	}
}

// TestCollyEnvNeutralised: colly.NewCollector applies COLLY_* after its
// options; none of them may change what the crawler does.
func TestCollyEnvNeutralised(t *testing.T) {
	mirror := newSite(t)
	s := art7Site(t, mirror)
	p := art7For(t, s)
	c := newTestCrawler(t)
	base, err := c.Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	baseHits := len(s.hits(""))

	cache := t.TempDir()
	env := map[string]string{
		"COLLY_IGNORE_ROBOTSTXT":          "true",
		"COLLY_USER_AGENT":                "evil-bot/6.6",
		"COLLY_ALLOWED_DOMAINS":           "example.com",
		"COLLY_DISALLOWED_DOMAINS":        "127.0.0.1",
		"COLLY_CACHE_DIR":                 cache,
		"COLLY_MAX_DEPTH":                 "50",
		"COLLY_MAX_BODY_SIZE":             "10",
		"COLLY_MAX_REQUESTS":              "1",
		"COLLY_FOLLOW_REDIRECTS":          "false",
		"COLLY_PARSE_HTTP_ERROR_RESPONSE": "true",
		"COLLY_DISABLE_COOKIES":           "true",
		"COLLY_TRACE_HTTP":                "true",
		"COLLY_DETECT_CHARSET":            "false",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	got, err := c.Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pageURLs(got), pageURLs(base)) || !slices.Equal(fileURLs(got), fileURLs(base)) {
		t.Errorf("COLLY_* changed the result:\npages %q\n vs   %q\nfiles %q\n vs   %q", pageURLs(got), pageURLs(base), fileURLs(got), fileURLs(base))
	}
	for _, pg := range got.Pages {
		if len(pg.Body) <= 10 {
			t.Errorf("%s body %d bytes: COLLY_MAX_BODY_SIZE took effect", pg.URL, len(pg.Body))
		}
	}
	if n := s.count(art7Archive); n != 0 {
		t.Errorf("COLLY_IGNORE_ROBOTSTXT took effect: %s requested %d times", art7Archive, n)
	}
	for _, h := range s.hits("")[baseHits:] {
		if h.UA != testUA {
			t.Errorf("COLLY_USER_AGENT took effect: %s sent %q", h.Target, h.UA)
		}
	}
	if ents, _ := os.ReadDir(cache); len(ents) != 0 {
		t.Errorf("COLLY_CACHE_DIR took effect: %d entries", len(ents))
	}
	if len(got.Errors) != len(base.Errors) {
		t.Errorf("errors %v vs %v", got.Errors, base.Errors)
	}
}

func TestCrawlCancelStopsPromptly(t *testing.T) {
	s := newSite(t)
	var links strings.Builder
	for i := range 200 {
		fmt.Fprintf(&links, `<a href="/p/%d">%d</a>`, i, i)
		s.html(fmt.Sprintf("/p/%d", i), "<html>leaf</html>")
	}
	s.html("/p/index", links.String())
	p := testProfile(t, s, "/p/index")
	p.Politeness.MaxPages = 1000
	p.Politeness.Parallelism = 1
	p.Politeness.Delay = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	d, err := newTestCrawler(t).Run(ctx, p, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("cancelled crawl took %v", el)
	}
	if len(d.Pages) == 0 || len(d.Pages) > 20 {
		t.Errorf("%d pages before cancel", len(d.Pages))
	}
}

func TestUserAgentNeedsContact(t *testing.T) {
	if _, err := NewCrawler(Options{UserAgent: "vahub/0.1"}); err == nil {
		t.Error("agent without contact accepted")
	}
	if _, err := NewFetcher(Options{UserAgent: "vahub/0.1\r\nX: y (+mailto:a@b)"}); err == nil {
		t.Error("agent with CRLF accepted")
	}
	c, err := NewCrawler(Options{})
	if err != nil || c.opts.UserAgent != DefaultUserAgent {
		t.Errorf("default agent: %v %q", err, c.opts.UserAgent)
	}
}

// TestCrawlPolitenessDelay: requests to a host start at least delay apart
// (robots.txt included), whatever the parallelism.
func TestCrawlPolitenessDelay(t *testing.T) {
	s := newSite(t)
	var links strings.Builder
	for i := range 5 {
		fmt.Fprintf(&links, `<a href="/p/%d">%d</a>`, i, i)
		s.html(fmt.Sprintf("/p/%d", i), "<html>leaf</html>")
	}
	s.html("/p/index", links.String())
	p := testProfile(t, s, "/p/index")
	p.Politeness.Parallelism = 4
	p.Politeness.Delay = 40 * time.Millisecond
	d, err := newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil || len(d.Pages) != 6 {
		t.Fatalf("%v, %d pages", err, len(d.Pages))
	}
	h := s.hits("")
	if len(h) != 7 {
		t.Fatalf("%d requests", len(h))
	}
	// Starts are scheduled 40 ms apart; arrival at the server jitters a little.
	for i := 1; i < len(h); i++ {
		if gap := h[i].At.Sub(h[i-1].At); gap < 20*time.Millisecond {
			t.Errorf("%s came %v after %s", h[i].Target, gap, h[i-1].Target)
		}
	}
	if span := h[len(h)-1].At.Sub(h[0].At); span < 6*36*time.Millisecond {
		t.Errorf("7 requests within %v, want ≥ 6×40ms", span)
	}
}

func TestCrawlRedirectToKnownPageIsNotAnError(t *testing.T) {
	s := newSite(t)
	s.html("/p/index", `<a href="/p/a">a</a> <a href="/p/old-a">old a</a>`)
	s.html("/p/a", "<html>a</html>")
	s.handle("/p/old-a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/p/a", http.StatusMovedPermanently)
	})
	p := testProfile(t, s, "/p/index")
	p.Politeness.Parallelism = 1
	d, err := newTestCrawler(t).Run(t.Context(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Errors) != 0 {
		t.Errorf("errors %v", d.Errors)
	}
	if s.count("/p/a") != 1 {
		t.Errorf("/p/a fetched %d times", s.count("/p/a"))
	}
}
