package main

// End-to-end tests of `vahub nightly` with the real binary as a subprocess
// (so a run can be killed with SIGKILL and two runs can race for the lock)
// against an httptest site on 127.0.0.1 and a database from pgtest.NewURL.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/ingest/monitor"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// builtVahub is the binary under test, built once per test binary and only
// by the tests that need it; TestMain removes it.
var (
	builtDir   string
	builtVahub = sync.OnceValues(func() (string, error) {
		goBin, err := exec.LookPath("go")
		if err != nil {
			return "", fmt.Errorf("the nightly tests build vahub and need the go command: %w", err)
		}
		dir, err := os.MkdirTemp("", "vahub-nightly-bin-")
		if err != nil {
			return "", err
		}
		builtDir = dir
		bin := filepath.Join(dir, "vahub")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("go build: %v\n%s", err, out)
		}
		return bin, nil
	})
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

func vahubBinary(t *testing.T) string {
	t.Helper()
	bin, err := builtVahub()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// route is one URL of the fixture site.
type route struct {
	body  []byte
	ctype string
	etag  string          // set: answered 304 to a matching If-None-Match
	delay time.Duration   // before answering
	gate  <-chan struct{} // set: the answer waits until it is closed
}

// hit is one request the site answered.
type hit struct {
	path        string
	ifNoneMatch string
	status      int
}

// fixtureSite serves fixed routes and logs every request.
type fixtureSite struct {
	routes map[string]route // not changed once serving

	mu      sync.Mutex
	log     []hit          // answered requests
	arrived map[string]int // requests received, answered or not, per path
}

func (s *fixtureSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.arrived == nil {
		s.arrived = map[string]int{}
	}
	s.arrived[r.URL.Path]++
	s.mu.Unlock()
	rt, ok := s.routes[r.URL.Path]
	status := http.StatusOK
	defer func() {
		s.mu.Lock()
		s.log = append(s.log, hit{r.URL.Path, r.Header.Get("If-None-Match"), status})
		s.mu.Unlock()
	}()
	if !ok {
		status = http.StatusNotFound
		http.NotFound(w, r)
		return
	}
	if rt.gate != nil {
		select {
		case <-rt.gate:
		case <-r.Context().Done():
			status = 0
			return
		}
	}
	if rt.delay > 0 {
		select {
		case <-time.After(rt.delay):
		case <-r.Context().Done():
			status = 0
			return
		}
	}
	if rt.etag != "" {
		w.Header().Set("ETag", rt.etag)
		if r.Header.Get("If-None-Match") == rt.etag {
			status = http.StatusNotModified
			w.WriteHeader(status)
			return
		}
	}
	ct := rt.ctype
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(rt.body)
}

// hits returns the requests logged so far.
func (s *fixtureSite) hits() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.log...)
}

// arrivals counts the requests received for path, answered or not.
func (s *fixtureSite) arrivals(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrived[path]
}

const (
	impactPath = "/en-gb/reports/2018/cluster-munition-monitor-2018/the-impact.aspx"
	art7Path   = "/art7/"
	pdfPath    = "/files/CCM_Art7_Lebanon_2023.pdf"
	xlsxPath   = "/files/form-h-LAO-2023.xlsx"
)

func monitorPath(slug string) string { return "/en-gb/reports/2018/" + slug + "/casualties.aspx" }

func linksPage(paths ...string) []byte {
	var b strings.Builder
	b.WriteString("<html><body><ul>\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "<li><a href=%q>%s</a></li>\n", p, p)
	}
	b.WriteString("</ul></body></html>\n")
	return []byte(b.String())
}

// startSite serves s on 127.0.0.1 and writes a profiles file for it: the
// monitor profile starts at the impact page, the art7 profile (when the
// site has an index) at /art7/.
func startSite(t *testing.T, s *fixtureSite, timeout string) (profiles string) {
	t.Helper()
	s.routes["/robots.txt"] = route{body: []byte("User-agent: *\nDisallow: /private/\n"), ctype: "text/plain"}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.HasPrefix(host, "127.0.0.1:") {
		t.Fatalf("test site on %s, want 127.0.0.1", host)
	}
	politeness := fmt.Sprintf(`{"delay": "0s", "parallelism": 1, "max_depth": 1, "max_pages": 50, "timeout": %q,
		"max_page_size": 1048576, "max_file_size": 1048576, "retries": 0, "backoff": "1ms", "backoff_max": "1ms"}`, timeout)
	ps := []string{fmt.Sprintf(`{"name": "monitor", "version": 1, "enabled": true, "source_type": "web", "precedence": 3, "extractor": "monitor",
		"start_urls": ["%[1]s%[3]s"], "allowed_domains": ["%[2]s"],
		"page_patterns": ["^/en-gb/reports/[0-9]{4}/[a-z0-9-]+/casualties\\.aspx$"],
		"file_patterns": ["(?i)\\.pdf$"], "politeness": %[4]s}`, srv.URL, host, impactPath, politeness)}
	if _, ok := s.routes[art7Path]; ok {
		ps = append(ps, fmt.Sprintf(`{"name": "art7", "version": 1, "enabled": true, "source_type": "official", "precedence": 1, "extractor": "art7-index",
		"start_urls": ["%[1]s%[3]s"], "allowed_domains": ["%[2]s"],
		"page_patterns": ["^/art7/$"], "file_patterns": ["(?i)\\.(pdf|xlsx)$"], "politeness": %[4]s}`, srv.URL, host, art7Path, politeness))
	}
	profiles = filepath.Join(t.TempDir(), "profiles.json")
	if err := os.WriteFile(profiles, []byte(`{"format": 1, "profiles": [`+strings.Join(ps, ",\n")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return profiles
}

// nightlyCmd prepares `vahub --log-format json nightly --profiles P --json`
// with a clean environment: only the database, a private data folder and a
// private temporary folder (no COLLY_*, no proxies, no user agent).
func nightlyCmd(t *testing.T, ctx context.Context, dbURL, profiles string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, vahubBinary(t), "--log-format", "json", "nightly", "--profiles", profiles, "--json")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"TMPDIR=" + t.TempDir(),
		"DATABASE_URL=" + dbURL,
		"VAHUB_DATA_DIR=" + t.TempDir(),
	}
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

type nightlyResult struct {
	code           int
	elapsed        time.Duration
	stdout, stderr string
}

func (r nightlyResult) String() string {
	return fmt.Sprintf("exit %d after %v\nstdout:\n%s\nstderr:\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// runNightly runs the binary to completion (at most 30 s).
func runNightly(t *testing.T, dbURL, profiles string) nightlyResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd, stdout, stderr := nightlyCmd(t, ctx, dbURL, profiles)
	start := time.Now()
	err := cmd.Run()
	return finished(t, cmd, err, start, stdout, stderr)
}

func finished(t *testing.T, cmd *exec.Cmd, err error, start time.Time, stdout, stderr *bytes.Buffer) nightlyResult {
	t.Helper()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("vahub nightly: %v\nstderr:\n%s", err, stderr)
	}
	return nightlyResult{cmd.ProcessState.ExitCode(), time.Since(start), stdout.String(), stderr.String()}
}

// nightlyReport is the part of `vahub nightly --json` these tests read.
type nightlyReport struct {
	RunID int64 `json:"run_id"`
	Files []struct {
		Path   string `json:"path"`
		Status string `json:"status"`
		Facts  int    `json:"facts"`
	} `json:"files"`
	Unchanged        int               `json:"unchanged"`
	Failed           []json.RawMessage `json:"failed"`
	NeedsManualEntry []struct {
		URL string `json:"url"`
	} `json:"needs_manual_entry"`
}

func parseReport(t *testing.T, r nightlyResult) nightlyReport {
	t.Helper()
	var rep nightlyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON run report: %v\n%s", err, r)
	}
	return rep
}

func openSQL(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	// Registered after pgtest's cleanup, so it runs first: the database
	// can be dropped.
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "ingest", "monitor", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNightlyTwiceNothingNew: the first run ingests the Monitor page and the
// Article 7 files; the second, back to back, exits 0, reports nothing new,
// stores nothing, and fetches both files conditionally (304, not downloaded).
func TestNightlyTwiceNothingNew(t *testing.T) {
	t.Parallel()
	var xb bytes.Buffer
	c := sample.DemoCountries[0]
	if err := exports.WriteTemplate(&xb, exports.TemplateOptions{Lang: c.Lang, Country: c.Code, Year: 2023, Prefill: sample.Report(c, 2023)}); err != nil {
		t.Fatal(err)
	}
	afg := monitorPath("afghanistan")
	site := &fixtureSite{routes: map[string]route{
		impactPath: {body: linksPage(afg)},
		afg:        {body: readFixture(t, "afghanistan_2018.html")},
		art7Path:   {body: linksPage(pdfPath, xlsxPath)},
		pdfPath:    {body: []byte("%PDF-1.4 a report"), ctype: "application/pdf", etag: `"pdf-v1"`},
		xlsxPath:   {body: xb.Bytes(), ctype: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", etag: `"xlsx-v1"`},
	}}
	profiles := startSite(t, site, "5s")
	dbURL := pgtest.NewURL(t)
	db := openSQL(t, dbURL)

	r1 := runNightly(t, dbURL, profiles)
	if r1.code != exitOK {
		t.Fatalf("first run: %s", r1)
	}
	rep1 := parseReport(t, r1)
	for _, f := range rep1.Files {
		if f.Status != "ingested" || f.Facts == 0 {
			t.Errorf("first run: %s %s with %d facts, want ingested with facts", f.Path, f.Status, f.Facts)
		}
	}
	if len(rep1.Files) != 2 || len(rep1.Failed) != 0 || len(rep1.NeedsManualEntry) != 1 ||
		!strings.HasSuffix(rep1.NeedsManualEntry[0].URL, pdfPath) {
		t.Fatalf("first run report (want the page and the workbook ingested, the PDF for manual entry):\n%s", r1.stdout)
	}
	reports, facts := queryInt(t, db, `SELECT count(*) FROM report`), queryInt(t, db, `SELECT count(*) FROM casualty_count`)
	files := queryInt(t, db, `SELECT count(*) FROM input_file`)
	if reports == 0 || facts == 0 {
		t.Fatalf("first run stored %d reports, %d casualty facts", reports, facts)
	}
	firstRun := len(site.hits())

	// Second run, back to back: nothing new.
	r2 := runNightly(t, dbURL, profiles)
	if r2.code != exitOK {
		t.Fatalf("second run: %s", r2)
	}
	rep2 := parseReport(t, r2)
	if len(rep2.Files) != 0 || len(rep2.Failed) != 0 || rep2.Unchanged != 3 {
		t.Errorf("second run: want no file, nothing failed and 3 unchanged (page, PDF, workbook):\n%s", r2.stdout)
	}
	if rep2.RunID == rep1.RunID {
		t.Errorf("both runs have id %d", rep1.RunID)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM report`); n != reports {
		t.Errorf("second run: %d reports, was %d", n, reports)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM casualty_count`); n != facts {
		t.Errorf("second run: %d casualty facts, was %d", n, facts)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM input_file`); n != files {
		t.Errorf("second run: %d stored files, was %d", n, files)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM file_ingest WHERE run_id = $1`, rep2.RunID); n != 0 {
		t.Errorf("second run recorded %d file ingests", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM ingest_run WHERE status = 'succeeded'`); n != 2 {
		t.Errorf("%d succeeded runs, want 2", n)
	}
	// The files were asked for conditionally and not sent again.
	second := site.hits()[firstRun:]
	for _, p := range []string{pdfPath, xlsxPath} {
		var mine []hit
		for _, h := range second {
			if h.path == p {
				mine = append(mine, h)
			}
		}
		if len(mine) != 1 || mine[0].status != http.StatusNotModified || mine[0].ifNoneMatch != site.routes[p].etag {
			t.Errorf("second run's requests for %s: %+v; want one conditional request answered 304", p, mine)
		}
	}
}

// TestNightlyConcurrentRunLocked: while run A is in progress (the site holds
// the country page until the test lets it go), run B exits at once with
// status 4 and a clear message, and does nothing; A then finishes normally.
func TestNightlyConcurrentRunLocked(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	var release sync.Once
	open := func() { release.Do(func() { close(gate) }) }
	afg := monitorPath("afghanistan")
	site := &fixtureSite{routes: map[string]route{
		impactPath: {body: linksPage(afg)},
		afg:        {body: readFixture(t, "afghanistan_2018.html"), gate: gate},
	}}
	profiles := startSite(t, site, "30s")
	t.Cleanup(open) // before the server closes (cleanups run last first)
	dbURL := pgtest.NewURL(t)
	db := openSQL(t, dbURL)

	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	cmdA, outA, errA := nightlyCmd(t, ctx, dbURL, profiles)
	startA := time.Now()
	if err := cmdA.Start(); err != nil {
		t.Fatal(err)
	}
	doneA := make(chan error, 1)
	go func() { doneA <- cmdA.Wait() }()

	// A holds the lock once it asks for the gated page (the lock is taken
	// before the crawl starts).
	deadline := time.Now().Add(15 * time.Second)
	for site.arrivals(afg) == 0 {
		if time.Now().After(deadline) {
			open()
			t.Fatalf("run A never asked for %s", afg)
		}
		select {
		case err := <-doneA:
			t.Fatalf("run A ended before the page was released: %v\n%s\n%s", err, outA, errA)
		case <-time.After(10 * time.Millisecond):
		}
	}

	rB := runNightly(t, dbURL, profiles)
	if rB.code != exitLocked {
		open()
		t.Fatalf("run B while A runs: want exit %d, got %s", exitLocked, rB)
	}
	if rB.elapsed > 5*time.Second {
		t.Errorf("run B took %v to give up; want at once", rB.elapsed)
	}
	if !strings.Contains(rB.stderr, "another nightly or crawl run is in progress") || rB.stdout != "" {
		t.Errorf("run B's message: %s", rB)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM ingest_run`); n != 1 {
		t.Errorf("%d runs recorded while A runs, want A's only", n)
	}

	open()
	var rA nightlyResult
	select {
	case err := <-doneA:
		rA = finished(t, cmdA, err, startA, outA, errA)
	case <-time.After(30 * time.Second):
		t.Fatal("run A did not finish after the page was released")
	}
	if rA.code != exitOK {
		t.Fatalf("run A: %s", rA)
	}
	rep := parseReport(t, rA)
	if len(rep.Files) != 1 || rep.Files[0].Status != "ingested" || rep.Files[0].Facts == 0 {
		t.Errorf("run A report:\n%s", rA.stdout)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM ingest_run WHERE status = 'succeeded'`); n != 1 {
		t.Errorf("%d succeeded runs, want 1", n)
	}
}

// TestNightlySIGKILLMidIngest: a site of 20 Monitor country pages, each
// answered after 200 ms. The run is killed with SIGKILL while it stores a
// page (a transaction of this database that writes reports or facts is in
// flight). Every report left behind has exactly the facts its page yields,
// and the next run exits 0 with every page's report complete.
func TestNightlySIGKILLMidIngest(t *testing.T) {
	t.Parallel()
	slugs := []string{"afghanistan", "albania", "angola", "azerbaijan", "cambodia", "chad", "colombia", "croatia",
		"iraq", "lebanon", "libya", "mozambique", "serbia", "somalia", "tajikistan", "ukraine", "yemen", "zimbabwe",
		"senegal", "uganda"}
	fixture := readFixture(t, "afghanistan_2018.html")
	site := &fixtureSite{routes: map[string]route{}}
	var paths []string
	// What a complete run stores: casualty facts per country and year, by
	// the extractor itself on the very bytes served.
	want := map[string]int{}
	countries := map[string]bool{}
	for _, slug := range slugs {
		p := monitorPath(slug)
		name := strings.ToUpper(slug[:1]) + slug[1:]
		body := bytes.ReplaceAll(fixture, []byte("Afghanistan"), []byte(name))
		res, err := monitor.Extract(t.Context(), monitor.Page{URL: "http://127.0.0.1" + p, HTML: body, Fetched: time.Now()})
		if err != nil || res.Country == "" || len(res.Reports) == 0 || res.Issues.HasErrors() || countries[res.Country] {
			t.Fatalf("fixture for %s: country %q, %d reports, issues %v, err %v", slug, res.Country, len(res.Reports), res.Issues, err)
		}
		countries[res.Country] = true
		for _, r := range res.Reports {
			want[fmt.Sprintf("%s/%d", r.Country, r.Year)] = len(r.Casualties)
		}
		site.routes[p] = route{body: body, delay: 200 * time.Millisecond}
		paths = append(paths, p)
	}
	site.routes[impactPath] = route{body: linksPage(paths...)}
	profiles := startSite(t, site, "5s")
	dbURL := pgtest.NewURL(t)
	db := openSQL(t, dbURL)

	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	cmd, stdout, stderr := nightlyCmd(t, ctx, dbURL, profiles)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Wait for the first stored page, then kill at the next write
	// transaction seen in flight: mid-ingest of another page.
	deadline := time.Now().Add(25 * time.Second)
	inFlight, seen := false, ""
	for !inFlight {
		if time.Now().After(deadline) {
			t.Fatalf("no page was stored within 25 s (%d pages served)\n%s", len(site.hits()), stderr)
		}
		select {
		case err := <-done:
			t.Fatalf("the run ended (%v) before it could be killed mid-ingest: widen the ingest window\n%s", err, stdout)
		default:
		}
		if queryInt(t, db, `SELECT count(*) FROM report`) == 0 {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		err := db.QueryRowContext(t.Context(), `SELECT state || ': ' || left(regexp_replace(query, '\s+', ' ', 'g'), 60)
			FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL
			  AND (state = 'idle in transaction' OR query ILIKE '%casualty_count%' OR query ILIKE '%INTO report%'
			       OR query ILIKE '%input_file%' OR query ILIKE '%file_ingest%')
			LIMIT 1`).Scan(&seen)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		inFlight = err == nil
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("the run was not killed (%v): it finished first\n%s", err, stdout)
	}
	servedPages := 0
	for _, h := range site.hits() {
		if strings.HasSuffix(h.path, "/casualties.aspx") && h.status == http.StatusOK {
			servedPages++
		}
	}

	// The killed session goes away with its advisory lock.
	for deadline := time.Now().Add(10 * time.Second); queryInt(t, db, `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`) > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the killed run's lock was not released within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Nothing half written: every report has its page's complete facts.
	check := func(stage string) int {
		t.Helper()
		rows, err := db.QueryContext(t.Context(), `SELECT r.country, r.year, r.status,
			(SELECT count(*) FROM casualty_count c WHERE c.report_id = r.id) FROM report r ORDER BY r.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var country, status string
			var year, facts int
			if err := rows.Scan(&country, &year, &status, &facts); err != nil {
				t.Fatal(err)
			}
			n++
			key := fmt.Sprintf("%s/%d", country, year)
			if w, ok := want[key]; !ok || facts != w || facts == 0 || status != "approved" {
				t.Errorf("%s: report %s (%s) has %d casualty facts; its page yields %d", stage, key, status, facts, w)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if k := queryInt(t, db, `SELECT count(*) FROM file_ingest fi WHERE fi.status IN ('ingested', 'superseded')
			AND NOT EXISTS (SELECT 1 FROM report r WHERE r.file_id = fi.file_id)`); k != 0 {
			t.Errorf("%s: %d file ingests without their reports", stage, k)
		}
		return n
	}
	stored := check("after SIGKILL")
	if stored == 0 || stored >= len(want) {
		t.Errorf("after SIGKILL: %d of %d reports stored; want some but not all", stored, len(want))
	}
	// The killed run's row stays 'running' until the next run takes the lock.
	var killedStatus string
	if err := db.QueryRowContext(t.Context(), `SELECT status FROM ingest_run ORDER BY id LIMIT 1`).Scan(&killedStatus); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed during %q after %d pages served; %d of %d reports stored; the killed run is left %q",
		seen, servedPages, stored, len(want), killedStatus)

	// The next run completes the work.
	r := runNightly(t, dbURL, profiles)
	if r.code != exitOK {
		t.Fatalf("run after SIGKILL: %s", r)
	}
	rep := parseReport(t, r)
	if len(rep.Failed) != 0 || len(rep.Files)+rep.Unchanged != len(slugs) {
		t.Errorf("run after SIGKILL: want all %d pages new, duplicate or unchanged:\n%s", len(slugs), r.stdout)
	}
	for _, f := range rep.Files {
		if f.Status != "ingested" && f.Status != "duplicate" {
			t.Errorf("run after SIGKILL: %s %s", f.Path, f.Status)
		}
	}
	if n := check("after the next run"); n != len(want) {
		t.Errorf("after the next run: %d reports, want %d (one per page and year, no extra version)", n, len(want))
	}
	for c := range countries {
		if queryInt(t, db, `SELECT count(*) FROM report WHERE country = $1`, c) == 0 {
			t.Errorf("after the next run: no report for %s", c)
		}
	}
	if n := queryInt(t, db, `SELECT count(*) FROM ingest_run WHERE id = $1 AND status = 'succeeded'`, rep.RunID); n != 1 {
		t.Errorf("the run after SIGKILL is not recorded as succeeded")
	}
	// The next run, holding the lock, marks the killed one failed.
	if n := queryInt(t, db, `SELECT count(*) FROM ingest_run WHERE status = 'running'`); n != 0 {
		t.Errorf("%d runs left 'running' after the next run", n)
	}
}
