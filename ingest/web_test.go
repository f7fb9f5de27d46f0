package ingest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/ingest/crawl"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// webSite serves a Monitor-like impact page linking one country page, an
// Article 7 index linking a PDF and a filled template, and robots.txt.
type webSite struct {
	mu      sync.Mutex
	country []byte // the Afghanistan casualties page, changed by tests
	image   []byte // a page whose table is only an image
	xlsx    []byte
	hits    map[string]int
}

func (s *webSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	switch r.URL.Path {
	case "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	case "/en-gb/reports/2018/cluster-munition-monitor-2018/the-impact.aspx":
		fmt.Fprint(w, `<html><body><a href="/en-gb/reports/2018/afghanistan/casualties.aspx">Afghanistan</a>
			<a href="/en-gb/reports/2016/global/casualties.aspx">Global</a>
			<a href="/private/secret.pdf">x</a></body></html>`)
	case "/en-gb/reports/2018/afghanistan/casualties.aspx":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(s.country)
	case "/en-gb/reports/2016/global/casualties.aspx":
		_, _ = w.Write(s.image)
	case "/art7/":
		fmt.Fprint(w, `<html><body><ul>
			<li><a href="/files/CCM_Art7_Lebanon_2023.pdf">Lebanon 2023 (English)</a></li>
			<li><a href="/files/form-h-LAO-2023.xlsx">Lao PDR 2023</a></li></ul></body></html>`)
	case "/files/CCM_Art7_Lebanon_2023.pdf":
		w.Header().Set("ETag", `"pdf-v1"`)
		if r.Header.Get("If-None-Match") == `"pdf-v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.4 a report")
	case "/files/form-h-LAO-2023.xlsx":
		_, _ = w.Write(s.xlsx)
	default:
		http.NotFound(w, r)
	}
}

func TestWebCrawlNightly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	page, err := os.ReadFile("monitor/testdata/afghanistan_2018.html")
	if err != nil {
		t.Fatal(err)
	}
	var xb bytes.Buffer
	c := sample.DemoCountries[0]
	if err := exports.WriteTemplate(&xb, exports.TemplateOptions{Lang: c.Lang, Country: c.Code, Year: 2023, Prefill: sample.Report(c, 2023)}); err != nil {
		t.Fatal(err)
	}
	image, err := os.ReadFile("monitor/testdata/cmm2016_table_as_image.html")
	if err != nil {
		t.Fatal(err)
	}
	site := &webSite{country: page, image: image, xlsx: xb.Bytes(), hits: map[string]int{}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	profiles, err := crawl.ParseProfiles("test", []byte(fmt.Sprintf(`{"format": 1, "profiles": [
		{"name": "monitor", "version": 1, "enabled": true, "source_type": "web", "precedence": 3, "extractor": "monitor",
		 "start_urls": ["%[1]s/en-gb/reports/2018/cluster-munition-monitor-2018/the-impact.aspx"],
		 "allowed_domains": ["%[2]s"],
		 "page_patterns": ["^/en-gb/reports/[0-9]{4}/[a-z0-9-]+/casualties\\.aspx$"],
		 "file_patterns": ["(?i)\\.pdf$"],
		 "politeness": {"delay": "0s", "parallelism": 1, "max_depth": 1, "max_pages": 10, "timeout": "5s",
		                "max_page_size": 1048576, "max_file_size": 1048576, "retries": 0, "backoff": "1ms", "backoff_max": "1ms"}},
		{"name": "art7", "version": 1, "enabled": true, "source_type": "official", "precedence": 1, "extractor": "art7-index",
		 "start_urls": ["%[1]s/art7/"], "allowed_domains": ["%[2]s"],
		 "page_patterns": ["^/art7/$"], "file_patterns": ["(?i)\\.(pdf|xlsx)$"],
		 "politeness": {"delay": "0s", "parallelism": 1, "max_depth": 1, "max_pages": 10, "timeout": "5s",
		                "max_page_size": 1048576, "max_file_size": 1048576, "retries": 0, "backoff": "1ms", "backoff_max": "1ms"}}]}`,
		srv.URL, host)))
	if err != nil {
		t.Fatal(err)
	}
	opts := ingest.WebOptions{Profiles: profiles, RunKind: "nightly", StartedBy: "test", Crawl: crawl.Options{TempDir: t.TempDir()}}

	// First run: the page's figures, the template and the PDF are new.
	rep, err := ingest.Web(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The image-only page says no data, which is not a failure.
	if !rep.OK() || len(rep.Files) != 3 {
		t.Fatalf("first run: ok %v files %+v failed %+v", rep.OK(), rep.Files, rep.Failed)
	}
	for _, f := range rep.Files {
		if strings.Contains(f.Path, "/global/") {
			if f.Status != ingest.PageNoData || f.Facts != 0 {
				t.Errorf("image-only page: %s, %d facts; want no_data and no facts", f.Status, f.Facts)
			}
			continue
		}
		if f.Status != "ingested" || f.Facts == 0 || f.SHA256 == "" {
			t.Errorf("first run: %s %s, %d facts", f.Path, f.Status, f.Facts)
		}
	}
	if len(rep.NeedsManualEntry) != 1 || !strings.HasSuffix(rep.NeedsManualEntry[0].URL, ".pdf") ||
		rep.NeedsManualEntry[0].Country == nil || *rep.NeedsManualEntry[0].Country != "LBN" {
		t.Fatalf("needs manual entry: %+v", rep.NeedsManualEntry)
	}
	var killed int64
	if err := db.GetContext(ctx, &killed, `SELECT people FROM casualty_facts WHERE country = 'AFG' AND year = 2017
		AND outcome = 'killed' AND sex = 'total' AND age_group = 'total' AND cause = 'total' AND civilian_status = 'total'`); err != nil || killed != 797 {
		t.Fatalf("AFG 2017 killed = %d (%v), want 797", killed, err)
	}
	if site.hits["/private/secret.pdf"] != 0 {
		t.Error("robots.txt disallowed path was requested")
	}

	// Second run: nothing changed; the PDF answers 304, nothing is re-ingested.
	rep2, err := ingest.Web(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.Files) != 0 || rep2.Unchanged != 4 || !rep2.OK() {
		t.Fatalf("second run: files %+v unchanged %d failed %+v", rep2.Files, rep2.Unchanged, rep2.Failed)
	}

	// Third run: the page revises a figure; the run reports the diff.
	site.mu.Lock()
	site.country = bytes.Replace(page, []byte("797"), []byte("799"), 1)
	site.mu.Unlock()
	rep3, err := ingest.Web(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep3.Files) != 1 || rep3.Files[0].Status != "superseded" {
		t.Fatalf("third run: %+v", rep3.Files)
	}
	found := false
	for _, ch := range rep3.Files[0].Changes {
		if ch.Kind == "revised" && ch.Before != nil && *ch.Before == 797 && ch.After != nil && *ch.After == 799 {
			found = true
		}
	}
	if !found {
		t.Errorf("diff does not show 797 -> 799: %+v", rep3.Files[0].Changes)
	}

	// One run at a time.
	release, err := db.LockRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LockRun(ctx); err == nil {
		t.Error("a second run took the lock")
	}
	release()
}
