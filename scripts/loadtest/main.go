// Command loadtest drives a running `vahub serve` from its own process, the
// way its users would at a reporting deadline: every focal point uploads
// filled templates for their country, one after the other, while
// researchers read facts and download gap-analysis workbooks. It prints,
// per route, the requests made, the failures, latency percentiles and
// throughput, and exits 1 if any request failed. scripts/bench-load.sh
// sets up the database, the accounts and the server and runs it.
//
//	loadtest -base http://127.0.0.1:8080 -tokens tokens.txt -uploads 10
//
// The tokens file has one account a line: ROLE COUNTRY TOKEN, COUNTRY "-"
// for researchers (a focal_point line per focal point, who uploads for
// that country).
//
// A request fails when it gets an unexpected status, or its body is not
// what the route promises: an upload must come back 200 with the file
// "ingested" (every file is distinct) and exactly the warnings that file
// was made with; facts must be {"rows":[…]}; a gap workbook must be a whole
// .xlsx (a zip that ends with its central directory).
//
// It is a development tool, not part of vahub.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/scripts/benchdata"
)

type account struct {
	role, country, token string
}

// upload is one prepared workbook and what its report must say.
type upload struct {
	name     string
	body     []byte
	warnings int
}

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "vahub serve's address")
	tokensPath := flag.String("tokens", "", "accounts file: ROLE COUNTRY TOKEN a line (required)")
	uploads := flag.Int("uploads", 10, "workbooks each focal point uploads, one after the other")
	firstYear := flag.Int("year", 2010, "reporting year of each focal point's first upload (then +1 …)")
	warnEvery := flag.Int("warn-every", 3, "every Nth upload reports a July–June period (one warning); 0: none")
	researchFrom := flag.Int("from", 2000, "first year researchers ask for")
	researchTo := flag.Int("to", 2002, "last year researchers ask for")
	baseline := flag.Int("baseline", 5, "requests of each kind made alone, one at a time, before the load (0: none)")
	fullEvery := flag.Int("full-every", 2, "every Nth researcher round downloads the gap workbook of every country")
	timeout := flag.Duration("timeout", 5*time.Minute, "per-request timeout")
	flag.Parse()
	if *tokensPath == "" || *uploads < 1 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: loadtest -base URL -tokens FILE [-uploads N]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	accounts, err := readAccounts(*tokensPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	var focal, research []account
	for _, a := range accounts {
		switch a.role {
		case "focal_point":
			focal = append(focal, a)
		case "researcher":
			research = append(research, a)
		}
	}
	if len(focal) == 0 {
		fmt.Fprintln(os.Stderr, "loadtest: the tokens file has no focal_point")
		os.Exit(2)
	}

	// Every workbook is made before the clock starts: the load is the
	// server's, not this process's.
	start := time.Now()
	files := make([][]upload, len(focal))
	var prepErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, a := range focal {
		wg.Go(func() {
			n := *uploads
			if i == 0 {
				n += *baseline // the baseline's uploads come after the load's years
			}
			fs, err := prepare(a, i, n, *firstYear, *warnEvery)
			mu.Lock()
			defer mu.Unlock()
			files[i] = fs
			prepErr = errors.Join(prepErr, err)
		})
	}
	wg.Wait()
	if prepErr != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", prepErr)
		os.Exit(1)
	}
	var facts int
	for _, fs := range files {
		facts += len(fs) * benchdata.FullFacts
	}
	fmt.Fprintf(os.Stderr, "prepared %d workbooks (%d facts) in %s\n", len(focal)**uploads+*baseline, facts, time.Since(start).Round(time.Millisecond))

	client := &http.Client{
		Timeout:   *timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: len(focal) + len(research), DisableCompression: true},
	}
	countries := make([]string, len(focal))
	for i, a := range focal {
		countries[i] = a.country
	}
	// One researcher round: what a researcher asks for, in order.
	round := func(j, round int) []struct{ route, path string } {
		c := countries[(j*7+round)%len(countries)]
		three := strings.Join([]string{c, countries[(j*7+round+1)%len(countries)], countries[(j*7+round+2)%len(countries)]}, ",")
		y := *researchFrom + round%(*researchTo-*researchFrom+1)
		reqs := []struct{ route, path string }{
			{"GET /api/v1/facts/casualties", fmt.Sprintf("/api/v1/facts/casualties?country=%s", c)},
			{"GET /api/v1/facts/services", fmt.Sprintf("/api/v1/facts/services?country=%s&year=%d", c, y)},
			{"GET /api/v1/exports/gap.xlsx (3 countries)", fmt.Sprintf("/api/v1/exports/gap.xlsx?country=%s&from=%d&to=%d", three, *researchFrom, *researchTo)},
		}
		if *fullEvery > 0 && round%*fullEvery == *fullEvery-1 {
			reqs = append(reqs, struct{ route, path string }{"GET /api/v1/exports/gap.xlsx (all)", "/api/v1/exports/gap.xlsx"})
		}
		return reqs
	}

	failed := 0
	if *baseline > 0 && len(research) > 0 {
		// Alone: the same requests, one at a time, so the table under load
		// can be read against what one user waits when nobody else is on.
		base0 := newRecorder()
		start = time.Now()
		for k := range *baseline {
			base0.add(doUpload(ctx, client, *base, focal[0], files[0][*uploads+k]))
			for _, q := range round(0, k) {
				base0.add(doGet(ctx, client, *base, research[0], q.route, q.path))
			}
			base0.add(doGet(ctx, client, *base, research[0], "GET /api/v1/exports/gap.xlsx (all)", "/api/v1/exports/gap.xlsx"))
		}
		fmt.Println("Alone: one request at a time")
		fmt.Println()
		failed += base0.report(os.Stdout, time.Since(start), false)
		fmt.Println()
		files[0] = files[0][:*uploads]
	}

	rec := newRecorder()

	// Researchers start no request once the last upload is answered, but
	// finish the one they are in, so every request made is counted: a
	// whole-database export takes longer than many uploads.
	var uploading atomic.Bool
	uploading.Store(true)
	var uploaders, readers sync.WaitGroup
	start = time.Now()
	for i, a := range focal {
		uploaders.Go(func() {
			for _, u := range files[i] {
				if ctx.Err() != nil {
					return
				}
				rec.add(doUpload(ctx, client, *base, a, u))
			}
		})
	}
	for j, a := range research {
		readers.Go(func() {
			for r := 0; uploading.Load(); r++ {
				for _, q := range round(j, r) {
					if !uploading.Load() || ctx.Err() != nil {
						return
					}
					rec.add(doGet(ctx, client, *base, a, q.route, q.path))
				}
			}
		})
	}
	uploaders.Wait()
	uploading.Store(false)
	uploadWall := time.Since(start)
	readers.Wait()
	wall := time.Since(start)
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "loadtest: interrupted")
		os.Exit(1)
	}
	fmt.Printf("Under load: %d focal points uploading %d workbooks each (%s), %d researchers reading until then "+
		"(and finishing their last request: %s in all)\n\n",
		len(focal), *uploads, uploadWall.Round(100*time.Millisecond), len(research), wall.Round(100*time.Millisecond))
	failed += rec.report(os.Stdout, wall, true)
	ups := len(focal) * *uploads
	fmt.Printf("uploads: %d in %s, %.1f files/s, %.0f facts/s stored\n", ups, uploadWall.Round(100*time.Millisecond),
		float64(ups)/uploadWall.Seconds(), float64(ups*benchdata.FullFacts)/uploadWall.Seconds())
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "loadtest: %d requests failed\n", failed)
		os.Exit(1)
	}
}

func readAccounts(path string) ([]account, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []account
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s:%d: want ROLE COUNTRY TOKEN", path, line)
		}
		out = append(out, account{role: fields[0], country: fields[1], token: fields[2]})
	}
	return out, sc.Err()
}

// prepare makes focal point a's workbooks: one a year from firstYear, in a
// language of their own, every warnEvery-th with a July–June period.
func prepare(a account, i, n, firstYear, warnEvery int) ([]upload, error) {
	langs := []string{"en", "fr", "es"}
	c := sample.Country{Code: a.country, Lang: langs[i%len(langs)], Scale: 20 + (i*37)%180}
	out := make([]upload, 0, n)
	for k := range n {
		year := firstYear + k
		off := warnEvery > 0 && k%warnEvery == warnEvery-1
		var buf bytes.Buffer
		err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: c.Lang, Country: c.Code, Year: year,
			Prefill: benchdata.FullReport(c, year, 0, off)})
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", c.Code, year, err)
		}
		u := upload{name: fmt.Sprintf("form-h-%s-%d.xlsx", c.Code, year), body: buf.Bytes()}
		if off {
			u.warnings = 1
		}
		out = append(out, u)
	}
	return out, nil
}

// result is one request's outcome.
type result struct {
	route   string
	latency time.Duration
	bytes   int64
	err     error
	cut     bool // cancelled by an interrupt: not counted
}

func doUpload(ctx context.Context, c *http.Client, base string, a account, u upload) result {
	const route = "POST /api/v1/uploads"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", u.name)
	if err == nil {
		_, err = part.Write(u.body)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return result{route: route, err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/uploads", &body)
	if err != nil {
		return result{route: route, err: err}
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, b := send(c, req, a, route)
	if res.err != nil || res.cut {
		return res
	}
	var rep struct {
		Files []struct {
			Status string `json:"status"`
			Facts  int    `json:"facts"`
			Issues []struct {
				Severity, Code, Cell string
			} `json:"issues"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Files) != 1 {
		res.err = fmt.Errorf("%s: not a one-file report: %.200s", u.name, b)
		return res
	}
	f := rep.Files[0]
	if f.Status != "ingested" || f.Facts != benchdata.FullFacts || len(f.Issues) != u.warnings {
		res.err = fmt.Errorf("%s: status %s, %d facts, issues %v; want ingested, %d facts, %d warnings",
			u.name, f.Status, f.Facts, f.Issues, benchdata.FullFacts, u.warnings)
	}
	return res
}

func doGet(ctx context.Context, c *http.Client, base string, a account, route, path string) result {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return result{route: route, err: err}
	}
	res, b := send(c, req, a, route)
	if res.err != nil || res.cut {
		return res
	}
	if strings.Contains(path, "gap.xlsx") {
		// A whole zip ends with its end-of-central-directory record.
		if !bytes.HasPrefix(b, []byte("PK\x03\x04")) || !bytes.Contains(b[max(0, len(b)-64*1024):], []byte("PK\x05\x06")) {
			res.err = fmt.Errorf("%s: not a whole .xlsx (%d bytes)", path, len(b))
		}
		return res
	}
	var rows struct {
		Rows []json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal(b, &rows); err != nil || rows.Rows == nil {
		res.err = fmt.Errorf("%s: not {\"rows\":[…]}: %.200s", path, b)
	}
	return res
}

// send makes the request and reads the whole body: the latency is the
// time to the last byte, as the user waits for it.
func send(c *http.Client, req *http.Request, a account, route string) (result, []byte) {
	req.Header.Set("Authorization", "Bearer "+a.token)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return result{route: route, err: err, cut: req.Context().Err() != nil}, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	res := result{route: route, latency: time.Since(start), bytes: int64(len(b))}
	switch {
	case err != nil:
		res.err, res.cut = err, req.Context().Err() != nil
	case resp.StatusCode != http.StatusOK:
		res.err = fmt.Errorf("%s %s: %d %.300s", req.Method, req.URL.RequestURI(), resp.StatusCode, b)
	}
	return res, b
}

type routeStats struct {
	latencies []time.Duration
	errors    int
	bytes     int64
	firstErr  error
}

type recorder struct {
	mu     sync.Mutex
	routes map[string]*routeStats
}

func newRecorder() *recorder { return &recorder{routes: map[string]*routeStats{}} }

func (r *recorder) add(res result) {
	if res.cut {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.routes[res.route]
	if s == nil {
		s = &routeStats{}
		r.routes[res.route] = s
	}
	if res.err != nil {
		s.errors++
		if s.firstErr == nil {
			s.firstErr = res.err
		}
		fmt.Fprintln(os.Stderr, "FAIL", res.err)
		return
	}
	s.latencies = append(s.latencies, res.latency)
	s.bytes += res.bytes
}

// report prints the Markdown table and returns the number of failures.
// rates adds each route's requests per second over wall.
func (r *recorder) report(w io.Writer, wall time.Duration, rates bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.routes))
	for k := range r.routes {
		names = append(names, k)
	}
	slices.Sort(names)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)) }
	head, rule := "| route | requests | failed | p50 ms | p95 ms | p99 ms | max ms | mean KiB", "|---|---|---|---|---|---|---|---"
	if rates {
		head, rule = head+" | requests/s", rule+"|---"
	}
	fmt.Fprintln(w, head+" |")
	fmt.Fprintln(w, rule+"|")
	failed, total := 0, 0
	for _, name := range names {
		s := r.routes[name]
		slices.Sort(s.latencies)
		n := len(s.latencies)
		failed += s.errors
		total += n + s.errors
		cols := []string{name, fmt.Sprint(n + s.errors), fmt.Sprint(s.errors), "", "", "", "", ""}
		if n > 0 {
			cols = append(cols[:3], ms(pct(s.latencies, 50)), ms(pct(s.latencies, 95)), ms(pct(s.latencies, 99)),
				ms(s.latencies[n-1]), fmt.Sprintf("%.0f", float64(s.bytes)/1024/float64(n)))
		}
		if rates {
			cols = append(cols, fmt.Sprintf("%.1f", float64(n)/wall.Seconds()))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cols, " | "))
	}
	fmt.Fprintf(w, "\n%d requests, %d failed, in %s (%.1f requests/s)\n", total, failed, wall.Round(100*time.Millisecond), float64(total)/wall.Seconds())
	for _, name := range names {
		if s := r.routes[name]; s.firstErr != nil {
			fmt.Fprintf(w, "first failure on %s: %v\n", name, s.firstErr)
		}
	}
	return failed
}

// pct is the nearest-rank percentile of sorted latencies.
func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
