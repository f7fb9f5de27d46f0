package crawl

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// buildBenchSite makes a 1,000-page Monitor-like site: one reports index,
// 10 yearly impact pages, 989 country profiles (the Afghanistan page's
// markup, with a PDF link each).
func buildBenchSite(s *site) int {
	s.robots = "User-agent: *\nDisallow: /umbraco/\n"
	pages := 1
	var idx strings.Builder
	idx.WriteString("<html><body><h1>Reports</h1><ul>")
	country := 0
	for y := range 10 {
		year := 2009 + y
		fmt.Fprintf(&idx, `<li><a href="/p/%d/the-impact.aspx">%d</a></li>`, year, year)
		var yp strings.Builder
		fmt.Fprintf(&yp, "<html><body><h1>Cluster Munition Monitor %d</h1><ul>", year)
		n := 98
		if y == 9 {
			n = 989 - 9*98
		}
		for range n {
			p := fmt.Sprintf("/p/%d/country-%04d/casualties.aspx", year, country)
			fmt.Fprintf(&yp, `<li><a href="%s">Country %d</a></li>`, p, country)
			s.html(p, strings.Replace(afghanistan2018, "/en-gb/reports/2018/afghanistan/casualties.pdf", fmt.Sprintf("/media/%d/%04d.pdf", year, country), 1))
			country++
			pages++
		}
		yp.WriteString("</ul></body></html>")
		s.html(fmt.Sprintf("/p/%d/the-impact.aspx", year), yp.String())
		pages++
	}
	idx.WriteString("</ul></body></html>")
	s.html("/p/reports", idx.String())
	return pages
}

// BenchmarkCrawl measures vahub's own cost per page (colly, link
// extraction, hashing, plus the in-process fixture server and loopback
// HTTP, so an upper bound) with zero politeness delay. A real nightly adds
// politeness.delay per page (5 s in the shipped profiles).
func BenchmarkCrawl(b *testing.B) {
	for _, par := range []int{1, 4} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			s := newSite(b)
			pages := buildBenchSite(s)
			if pages != 1000 {
				b.Fatalf("fixture has %d pages", pages)
			}
			p := testProfile(b, s, "/p/reports")
			p.Politeness.Parallelism = par
			p.Politeness.MaxDepth = 2
			p.Politeness.MaxPages = 2000
			c := newTestCrawler(b)
			b.ReportAllocs()
			for b.Loop() {
				d, err := c.Run(b.Context(), p, "")
				if err != nil || len(d.Pages) != pages || len(d.Errors) != 0 || len(d.Files) != 989 {
					b.Fatalf("run: %v, %d pages, %d files, errors %v", err, len(d.Pages), len(d.Files), d.Errors)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages), "ns/page")
		})
	}
}

// BenchmarkFetchUnchanged measures a conditional fetch answered 304.
func BenchmarkFetchUnchanged(b *testing.B) {
	s := newSite(b)
	s.handle("/files/f.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(304)
			return
		}
		_, _ = w.Write([]byte("%PDF"))
	})
	f, _ := newTestFetcher(b)
	p := testProfile(b, s, "/p/")
	prev := Previous{ETag: `"v1"`, SHA256: strings.Repeat("0", 64)}
	b.ReportAllocs()
	for b.Loop() {
		got, err := f.Fetch(b.Context(), p, s.URL("/files/f.pdf"), prev)
		if err != nil || !got.Unchanged {
			b.Fatal(got, err)
		}
	}
}
