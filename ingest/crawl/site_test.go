package crawl

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testUA is the agent the tests configure; robots.txt groups match its
// product token "vahub-test".
const testUA = "vahub-test/0.1 (+mailto:data@example.org)"

// hit is one request a fixture server received.
type hit struct {
	Target string // path?query as requested
	UA     string
	INM    string // If-None-Match
	IMS    string // If-Modified-Since
	At     time.Time
}

// site is an httptest server on 127.0.0.1 with a request log.
type site struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	log      []hit
	routes   map[string]http.HandlerFunc
	robots   string
	noRobots bool
}

func newSite(t testing.TB) *site {
	t.Helper()
	s := &site{t: t, routes: map[string]http.HandlerFunc{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	if !strings.HasPrefix(s.srv.URL, "http://127.0.0.1:") {
		t.Fatalf("fixture server not on 127.0.0.1: %s", s.srv.URL)
	}
	return s
}

func target(u *url.URL) string {
	if u.RawQuery != "" {
		return u.EscapedPath() + "?" + u.RawQuery
	}
	return u.EscapedPath()
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	tg := target(r.URL)
	s.mu.Lock()
	s.log = append(s.log, hit{Target: tg, UA: r.UserAgent(), INM: r.Header.Get("If-None-Match"), IMS: r.Header.Get("If-Modified-Since"), At: time.Now()})
	h, ok := s.routes[tg]
	robots, noRobots := s.robots, s.noRobots
	s.mu.Unlock()
	switch {
	case ok:
		h(w, r)
	case tg == "/robots.txt" && !noRobots:
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, robots)
	default:
		http.NotFound(w, r)
	}
}

// URL of a path on this site.
func (s *site) URL(p string) string { return s.srv.URL + p }

// Host is host:port, as allowed_domains wants it for a fixture.
func (s *site) Host() string { return strings.TrimPrefix(s.srv.URL, "http://") }

func (s *site) handle(p string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[p] = h
}

func (s *site) html(p, body string) {
	s.handle(p, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})
}

func (s *site) file(p, ctype string, body []byte) {
	s.handle(p, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(body)
	})
}

// hits returns the log entries for target tg ("" = all).
func (s *site) hits(tg string) []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []hit
	for _, h := range s.log {
		if tg == "" || h.Target == tg {
			out = append(out, h)
		}
	}
	return out
}

func (s *site) count(tg string) int { return len(s.hits(tg)) }

func (s *site) targets() []string {
	var out []string
	for _, h := range s.hits("") {
		out = append(out, h.Target)
	}
	slices.Sort(out)
	return out
}

// ---------------------------------------------------------------------
// Article 7 report index (UNODA page, UNOG Lotus Notes pages and assets).

const (
	art7Index   = "/convention-on-cluster-munitions/transparency-measures/"
	art7Archive = "/convention-on-cluster-munitions/transparency-measures/archive/"
	unogPages   = "/80256EE600585943/(httpPages)/"
	unogAssets  = "/80256EDD006B8954/(httpAssets)/"
)

type art7Report struct {
	State, Slug string
	Year        int
	Received    string
	PageID      string // UNOG httpPages id
	Files       []string
}

var art7Reports = []art7Report{
	{"Afghanistan", "afghanistan", 2017, "30 April 2018", "4A0DB0F8A3C5E2B1C12580F0003B6F11", []string{"Afghanistan_2017_Art7.pdf", "Afghanistan_2017_Art7_Form_H.xlsx"}},
	{"Afghanistan", "afghanistan", 2018, "2 May 2019", "4A0DB0F8A3C5E2B1C12583F2004C1A22", []string{"Afghanistan_2018_Art7.pdf"}},
	{"Croatia", "croatia", 2013, "29 April 2014", "9E1F2C3D4B5A6978C1257CC60035AA33", []string{"Croatia_2013_CCM_Art7.pdf", "Croatia_2013_CCM_Art7.docx"}},
	{"Lao People's Democratic Republic", "lao", 2016, "28 April 2017", "77B2C4D6E8F0A1B3C12581070031BB44", []string{"Lao_PDR_2016_Art7_English.pdf", "Lao_PDR_2016_Art7_Form_H.xlsx"}},
}

func assetPath(i int, name string) string {
	return fmt.Sprintf("%s%032X/$file/%s", unogAssets, 0xC0FFEE00+i, name)
}

// art7Site serves the report index. other, when not nil, hosts a mirror
// file the index links to (off-domain for the profile).
func art7Site(t testing.TB, other *site) *site {
	s := newSite(t)
	s.robots = "User-agent: *\nDisallow: /convention-on-cluster-munitions/transparency-measures/archive/\nDisallow: /private/\n\nUser-agent: vahub-test\nDisallow: /convention-on-cluster-munitions/transparency-measures/archive/\nDisallow: /private/\nDisallow: /vahub-not-here/\n"
	var rows strings.Builder
	n := 0
	for _, r := range art7Reports {
		fmt.Fprintf(&rows, `<tr><td class="state">%s</td><td>%d</td><td>%s</td><td><a href="%s%s?OpenDocument" title="Report %d">Report page</a> `,
			r.State, r.Year, r.Received, unogPages, r.PageID, r.Year)
		for _, f := range r.Files {
			lang := "English"
			if strings.HasSuffix(f, ".xlsx") {
				lang = "Form H (Excel)"
			}
			fmt.Fprintf(&rows, `| <a href="%s">%s</a> `, assetPath(n, f), lang)
			n++
		}
		rows.WriteString("</td></tr>\n")
	}
	mirror := ""
	if other != nil {
		mirror = fmt.Sprintf(`<p>Mirror: <a href="%s">Belgium 2019 (mirror)</a></p>`, other.URL(assetPath(99, "Belgium_2019.pdf")))
	}
	s.html(art7Index, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Transparency measures – UNODA</title>
<link rel="stylesheet" href="/static/unoda.css"></head>
<body><header><nav><a href="/">UNODA</a> › <a href="/convention-on-cluster-munitions/">Convention on Cluster Munitions</a></nav></header>
<main><h1>Transparency measures</h1>
<p>Pursuant to Article 7 of the Convention, titled “Transparency measures”, each State Party is under obligation to report to the Secretary-General…</p>
<p>Report templates are available in all 6 UN languages <a href="/convention-on-cluster-munitions/transparency-measures/templates/">here</a>.</p>
<table class="reports"><thead><tr><th>State</th><th>Year</th><th>Date received</th><th>Documents</th></tr></thead>
<tbody>
`+rows.String()+`</tbody></table>
<p><a href="`+art7Archive+`">Archive of reports before 2012</a></p>
<p><a href="#top">Back to top</a> · <a href="mailto:ccm@un.org">Contact</a> · <a href="https://twitter.com/UN_Disarmament">Twitter</a></p>
`+mirror+`
</main></body></html>`)
	s.html("/convention-on-cluster-munitions/transparency-measures/templates/", `<html><body><h1>Reporting formats</h1>
<ul><li><a href="/templates/CCM_Art7_Template_EN.docx">English (Word)</a></li>
<li><a href="/templates/CCM_Art7_Template_FR.xlsx">Français (Excel)</a></li></ul></body></html>`)
	s.html(art7Archive, `<html><body>archive</body></html>`)

	n = 0
	for _, r := range art7Reports {
		var links strings.Builder
		for _, f := range r.Files {
			fmt.Fprintf(&links, `<tr><td><font size="2"><a href="%s"><img src="/icons/pdf.gif" border="0">%s</a></font></td></tr>`, assetPath(n, f), f)
			n++
		}
		// Lotus Notes markup: tables, <font>, upper-case tags, frames.
		s.html(unogPages+r.PageID+"?OpenDocument", fmt.Sprintf(`<HTML><HEAD><TITLE>%s - Article 7 Report %d</TITLE></HEAD>
<BODY TEXT="000000" BGCOLOR="FFFFFF">
<FORM><TABLE BORDER=0 CELLSPACING=0 CELLPADDING=0>
<TR><TD><B><FONT SIZE=4 FACE="Arial">%s</FONT></B></TD></TR>
<TR><TD>Reporting period: 1 January %d – 31 December %d</TD></TR>
<TR><TD>Date received: %s</TD></TR>
%s
</TABLE></FORM>
<A HREF="/80256EE600585943/(httpPages)/5B7C3A1F9D2E4C68C12575E800338E9B?OpenDocument">All CCM reports</A>
</BODY></HTML>`, r.State, r.Year, r.State, r.Year, r.Year, r.Received, links.String()))
	}
	s.html(unogPages+"5B7C3A1F9D2E4C68C12575E800338E9B?OpenDocument", `<HTML><BODY><A HREF="`+art7Index+`">CCM transparency reports</A></BODY></HTML>`)
	n = 0
	for _, r := range art7Reports {
		for _, f := range r.Files {
			ct := "application/pdf"
			switch {
			case strings.HasSuffix(f, ".xlsx"):
				ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			case strings.HasSuffix(f, ".docx"):
				ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
			}
			s.file(assetPath(n, f), ct, []byte("%PDF-1.4 fixture "+f))
			n++
		}
	}
	return s
}

// ---------------------------------------------------------------------
// Monitor: the yearly impact page listing country profiles, each country's
// casualties page (markup reconstructed from the text in
// ../shared/data/the-monitor).

var monitorCountries = []struct{ Name, Slug, Page string }{
	{"Afghanistan", "afghanistan", "casualties.aspx"},
	{"Cambodia", "cambodia", "casualties.aspx"},
	{"Lao PDR", "lao-pdr", "casualties-and-victim-assistance.aspx"},
	{"Croatia", "croatia", "casualties-and-victim-assistance.aspx"},
	{"Colombia", "colombia", "victim-assistance.aspx"},
}

const monitorImpact = "/en-gb/reports/2018/cluster-munition-monitor-2018/the-impact.aspx"

// monitorIndexHTML is deliberately malformed: unquoted attributes,
// unclosed <li> and <p>, a stray </div>, a missing </ul>, an unterminated
// comment near the end.
func monitorIndexHTML() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><title>Cluster Munition Monitor 2018 | The impact</title>
<script>var x = "<a href='/en-gb/reports/2018/fake/casualties.aspx'>";</script></head>
<body class=report><div id=main><h1>The Impact</h1></div></div>
<p>Country profiles<ul class=profiles>`)
	for i, c := range monitorCountries {
		if i%2 == 0 {
			fmt.Fprintf(&b, "<li><a href=/en-gb/reports/2018/%s/%s>%s\n", c.Slug, c.Page, c.Name)
		} else {
			fmt.Fprintf(&b, `<li><A HREF="/en-gb/reports/2018/%s/%s" class="profile>%s</a>`+"\n", c.Slug, c.Page, c.Name)
			b.WriteString(`"` + "\n") // close the broken attribute value on the next line
		}
	}
	b.WriteString(`<table><tr><td><p>Download the full report <a href="/media/2018/cmm2018_final.pdf">PDF</a><td>`)
	b.WriteString(`<a href="https://www.icbl.org/en-gb/home.aspx">ICBL-CMC</a>`)
	b.WriteString(`<!-- unterminated comment <a href="/en-gb/reports/2018/hidden/casualties.aspx">`)
	return b.String()
}

const afghanistan2018 = `<!DOCTYPE html>
<html lang="en-gb"><head><meta charset="utf-8"><title>Afghanistan | Casualties | Monitor</title></head>
<body>
<div class="breadcrumb"><a href="/en-gb/home.aspx">Home</a> › <a href="/en-gb/reports/2018/cluster-munition-monitor-2018/the-impact.aspx">Reports 2018</a></div>
<div class="profile-content">
<h1>Afghanistan</h1>
<h2>Casulaties</h2>
<p class="updated">Last updated: 11 October 2018</p>
<p>&nbsp;</p>
<h3>Casualties<sup><a href="#fn1">[1]</a></sup></h3>
<table class="keyfigures">
<tr><th colspan="2">All known casualties (between 1978 and 2017)</th></tr>
<tr><td colspan="2">30,980 mine/unexploded remnants of war (ERW) casualties: 7,456 killed and 23,524 injured</td></tr>
<tr><th colspan="2">Casualties in 2017</th></tr>
<tr><td>Annual total</td><td>2,300<br>Increase from<br>1,985 in 2016<sup>[2]</sup></td></tr>
<tr><td>Survival outcome</td><td>797 killed; 1,503 injured</td></tr>
<tr><td>Device type causing casualties</td><td>62 antipersonnel mine; 21 antivehicle mine; 1,093 improvised mine; 1,124 ERW</td></tr>
<tr><td>Civilian status</td><td>2,297 civilians; 3 deminers</td></tr>
<tr><td>Age and gender</td><td>1,030 adults:<br>160 women; 870 men<br><br>1,270 children:<br>1,082 boys; 188 girls</td></tr>
</table>
<p>The mine ERW casualty total for 2017 for the Islamic Republic of Afghanistan is based on Monitor analysis of data provided by the Directorate of Mine Action Coordination (DMAC).</p>
<p><a href="/en-gb/reports/2018/afghanistan/casualties.pdf">Print this profile (PDF)</a> · <a href="/en-gb/reports/2017/afghanistan/casualties.aspx">2017 profile</a></p>
</div></body></html>`

func monitorSite(t testing.TB) *site {
	s := newSite(t)
	s.robots = "User-agent: *\nDisallow: /umbraco/\n"
	s.html(monitorImpact, monitorIndexHTML())
	for _, c := range monitorCountries {
		p := fmt.Sprintf("/en-gb/reports/2018/%s/%s", c.Slug, c.Page)
		body := afghanistan2018
		if c.Slug != "afghanistan" {
			body = fmt.Sprintf(`<html><body><h1>%s</h1><h2>Casualties</h2><p>Casualties in 2017 <img src="/media/%s-table.png" alt="table"></p></body></html>`, c.Name, c.Slug)
		}
		s.html(p, body)
	}
	s.html("/en-gb/reports/2017/afghanistan/casualties.aspx", `<html><body><h1>Afghanistan 2017</h1></body></html>`)
	s.file("/media/2018/cmm2018_final.pdf", "application/pdf", []byte("%PDF-1.5 cmm2018"))
	s.file("/en-gb/reports/2018/afghanistan/casualties.pdf", "application/pdf", []byte("%PDF-1.5 afg"))
	return s
}

// ---------------------------------------------------------------------
// Profiles for the fixtures.

func shipped(t testing.TB, name string) Profile {
	t.Helper()
	ps, err := LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no shipped profile %q", name)
	return Profile{}
}

// fast makes a profile usable against a fixture: no delay, short timeouts,
// millisecond backoff.
func fast(p Profile) Profile {
	p.Politeness.Delay = 0
	p.Politeness.RandomDelay = 0
	p.Politeness.Parallelism = 4
	p.Politeness.Timeout = 2 * time.Second
	p.Politeness.Retries = 2
	p.Politeness.Backoff = time.Millisecond
	p.Politeness.BackoffMax = 5 * time.Millisecond
	return p
}

func art7For(t testing.TB, s *site) Profile {
	p := shipped(t, "art7").WithVars(map[string]string{"unoda": s.srv.URL, "unog": s.srv.URL}).WithAllowedDomains(s.Host())
	p = fast(p)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func monitorFor(t testing.TB, s *site) Profile {
	p := shipped(t, "monitor").WithVars(map[string]string{"base": s.srv.URL}).WithAllowedDomains(s.Host())
	p.Years = YearRange{From: 2018, To: 2018}
	p = fast(p)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// testProfile is a minimal profile for synthetic sites: pages under /p/,
// files by extension.
func testProfile(t testing.TB, s *site, start string) Profile {
	t.Helper()
	p := Profile{
		Name: "test", Version: 1, Enabled: true, SourceType: "web", Precedence: 5, Extractor: ExtractorMonitor,
		StartURLs:      []string{"{base}" + start},
		Vars:           map[string]string{"base": s.srv.URL},
		AllowedDomains: []string{s.Host()},
		PagePatterns:   []string{`^/p/`},
		FilePatterns:   []string{`(?i)\.(pdf|docx?|xlsx?|csv)$`},
		Politeness: Politeness{
			Parallelism: 4, MaxDepth: 5, MaxPages: 100, Timeout: 2 * time.Second,
			MaxPageSize: 1 << 20, MaxFileSize: 1 << 20, Retries: 2,
			Backoff: time.Millisecond, BackoffMax: 5 * time.Millisecond,
		},
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func newTestCrawler(t testing.TB) *Crawler {
	t.Helper()
	c, err := NewCrawler(Options{UserAgent: testUA})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestFetcher(t testing.TB) (*Fetcher, string) {
	t.Helper()
	dir := t.TempDir()
	f, err := NewFetcher(Options{UserAgent: testUA, TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return f, dir
}
