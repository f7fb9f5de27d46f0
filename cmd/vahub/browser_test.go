package main

// The browser test: Debian's chromium, headless, driven through the
// DevTools protocol (chromedp) against the real `vahub serve` on 127.0.0.1
// and a fresh database. It walks what issue #5 asks of the web application,
// as the three kinds of user would, and saves a screenshot of each page
// (into $VAHUB_SCREENSHOTS when set, else a temporary folder).
//
// Without chromium the test fails and says how to install it: a browser
// test that skips quietly would never run in CI. Under -short it skips.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema/pg/pgtest"
)

// chromiumPath finds the browser, or ends the test saying how to get it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testing.Short() {
		t.Skip("no chromium: the browser test is skipped under -short")
	}
	t.Fatal("the browser test needs Debian's chromium: run `apt-get install -y chromium` (.ci/run installs it), or use -short to skip it")
	return ""
}

// startServe runs `vahub serve` on a free loopback port against dbURL until
// the test ends, and returns its base URL.
func startServe(t *testing.T, dbURL string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	var stdout, stderr syncBuffer
	env := map[string]string{"DATABASE_URL": dbURL, "VAHUB_DATA_DIR": t.TempDir(), "VAHUB_LOG_LEVEL": "warn"}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), &stdout, &stderr,
			func(k string) string { return env[k] })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("serve exited %d:\n%s", code, stderr.String())
			}
		case <-time.After(40 * time.Second):
			t.Error("serve did not stop")
		}
	})
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before listening:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 30 s:\n%s", stderr.String())
		}
	}
}

// tab is one headless browser tab and where its test keeps what it saves.
type tab struct {
	t         *testing.T
	ctx       context.Context
	base      string
	shots     string // screenshots folder
	downloads string
	n         int // screenshots taken, for their names' order

	mu    sync.Mutex
	names map[string]string // download GUID → the name the server suggested
}

// newTab starts chromium with the flags known to work as root in a
// container, a fresh profile, and downloads allowed into a folder.
func newTab(t *testing.T, base string) *tab {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // root in a container has no user namespace for the sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(t.Context()), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	shots := os.Getenv("VAHUB_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	tb := &tab{t: t, ctx: ctx, base: base, shots: shots, downloads: t.TempDir(), names: map[string]string{}}
	// Start the browser, then let the tab download into our folder, with
	// events, so a download's end can be waited for.
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior:      browser.SetDownloadBehaviorBehaviorAllowAndName,
			DownloadPath:  tb.downloads,
			EventsEnabled: new(true),
		})
		return err
	}))
	if err != nil {
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	go func() {
		for ev, err := range chromedp.Events(ctx, browser.DownloadWillBegin) {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.names[ev.GUID] = ev.SuggestedFilename
			tb.mu.Unlock()
		}
	}()
	return tb
}

// do runs actions, failing the test with what was being done.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.fail(what, err)
	}
}

// fail ends the test, with a screenshot of where the walk stopped.
func (tb *tab) fail(what string, err error) {
	tb.t.Helper()
	if tb.ctx.Err() == nil {
		tb.shot("failed-" + what)
	}
	url, _ := chromedp.Run(tb.ctx, chromedp.Location())
	tb.t.Fatalf("%s (at %s): %v", what, url, err)
}

// text is the visible text of the first element sel matches.
func (tb *tab) text(what string, sel chromedp.CSS) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(sel))
	if err != nil {
		tb.fail(what, err)
	}
	return s
}

// shot saves a full-page PNG of the page as NN-name.png.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	tb.n++
	path := filepath.Join(tb.shots, fmt.Sprintf("%02d-%s.png", tb.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// download runs trigger (a click on a link or a form's button) and waits
// for the file it downloads; it returns the file's path, named as the
// server suggested.
func (tb *tab) download(what string, trigger ...chromedp.Action[chromedp.Void]) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
	defer cancel()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	if err := chromedp.Do(tb.ctx, trigger...); err != nil {
		tb.fail(what, err)
	}
	for ev, err := range progress {
		if err != nil {
			tb.fail(what, fmt.Errorf("waiting for the download: %w", err))
		}
		switch ev.State {
		case browser.DownloadProgressStateCanceled:
			tb.fail(what, fmt.Errorf("the download was cancelled"))
		case browser.DownloadProgressStateCompleted:
			tb.mu.Lock()
			name := tb.names[ev.GUID]
			tb.mu.Unlock()
			if name == "" {
				name = ev.GUID
			}
			path := filepath.Join(tb.downloads, name)
			if err := os.Rename(filepath.Join(tb.downloads, ev.GUID), path); err != nil {
				tb.t.Fatal(err)
			}
			return path
		}
	}
	tb.fail(what, fmt.Errorf("no download"))
	return ""
}

// The walk of issue #5: a focal point signs in, downloads the template,
// fills it in with mistakes, uploads it and sees each mistake with its
// cell; uploads the corrected workbook; an admin approves it; a researcher
// downloads the gap workbook, and the figures the focal point typed are in
// it.
func TestBrowserWalk(t *testing.T) {
	t.Parallel()
	chromiumPath(t) // fail (or skip under -short) before setting anything up
	dbURL := pgtest.NewURL(t)
	const password = "correct horse battery"
	for _, u := range [][]string{
		{"--name", "fp-lao", "--role", "focal_point", "--country", "LAO"},
		{"--name", "officer", "--role", "admin"},
		{"--name", "analyst", "--role", "researcher"},
	} {
		if r := vahubStdin(t, dbURL, password+"\n", append([]string{"user", "add", "--password-stdin"}, u...)...); r.code != exitOK {
			t.Fatalf("user add %v: %s", u, r)
		}
	}
	base := startServe(t, dbURL)
	tb := newTab(t, base)

	// --- the focal point -------------------------------------------------
	tb.signIn("fp-lao", password)
	tb.shot("focal-point-home")
	tb.do("open the template page", chromedp.Navigate(base+"/template"))
	year, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.ID("year")))
	if err != nil {
		tb.fail("read the year due", err)
	}
	tb.shot("template")
	blank := tb.download("download the template", chromedp.Click(chromedp.CSS(`form[action="/template.xlsx"] button[type=submit]`)))
	checkTemplate(t, blank, "LAO", year)

	// The focal point fills it in (in Excel; here with excelize), with
	// three mistakes. Positions are the template's documented ones.
	cas, svc := sheetNames["en"][1], sheetNames["en"][2]
	good := map[string]map[string]any{
		cas: { // C1: killed (row 6) and injured (row 7) of men, women, boys, girls
			"B6": 3, "C6": 1, "D6": 2, "E6": 0,
			"B7": 7, "C7": 2, "D7": 4, "E7": 1,
		},
		svc: { // S1 medical care: in need (row 8), reached (row 9) of men and women
			"C8": 40, "D8": 30,
			"C9": 25, "D9": 12,
		},
	}
	mistakes := []cellValue{
		{cas, "B6", -3},    // negative_count
		{cas, "D7", "xyz"}, // wrong_type
		{svc, "D9", 45},    // reached_exceeds_in_need: 45 reached of 30 in need
	}
	dir := t.TempDir()
	wrong := fillWorkbook(t, blank, filepath.Join(dir, "form-h-LAO-"+year+".xlsx"), good, mistakes)
	tb.do("open the upload page", chromedp.Navigate(base+"/upload"))
	tb.shot("upload")
	tb.submit("upload the workbook with mistakes", `form[action="/upload"] button[type=submit]`,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{wrong}))
	issues := tb.issues()
	tb.shot("result-with-errors")
	for _, m := range mistakes {
		if !slices.ContainsFunc(issues, func(is [4]string) bool { return is[1] == m.sheet && is[2] == m.cell }) {
			t.Errorf("the result page shows no issue at %s!%s; it shows %q", m.sheet, m.cell, issues)
		}
	}
	if status := tb.text("read the status", chromedp.CSS("main .status")); !strings.Contains(strings.ToLower(status), "rejected") {
		t.Errorf("status of the workbook with mistakes: %q", status)
	}
	// The same page on a phone.
	tb.do("narrow the window to a phone's", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	tb.shot("result-with-errors-phone")
	tb.do("widen the window again", chromedp.EmulateViewport(1200, 900))
	// The annotated workbook marks each mistake in its cell.
	annotated := tb.download("download the annotated workbook", chromedp.Click(chromedp.CSS(`a[href$="/annotated.xlsx"]`)))
	checkAnnotated(t, annotated, mistakes)

	corrected := fillWorkbook(t, blank, filepath.Join(dir, "form-h-LAO-"+year+"-corrected.xlsx"), good, nil)
	tb.do("open the upload page", chromedp.Navigate(base+"/upload"))
	tb.submit("upload the corrected workbook", `form[action="/upload"] button[type=submit]`,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{corrected}))
	if issues := tb.issues(); len(issues) != 0 {
		t.Errorf("the corrected workbook has issues: %q", issues)
	}
	tb.shot("result-accepted")
	if status := tb.text("read the status", chromedp.CSS("main .status")); !strings.Contains(strings.ToLower(status), "submitted") {
		t.Errorf("status of the corrected workbook: %q", status)
	}
	tb.do("open the history", chromedp.Navigate(base+"/submissions"))
	tb.shot("history")
	tb.signOut()

	// --- the admin ---------------------------------------------------------
	tb.signIn("officer", password)
	tb.shot("admin-home")
	tb.do("open the review queue", chromedp.Navigate(base+"/admin/reviews"))
	tb.shot("review-queue")
	tb.submit("open the submitted report", `a[href^="/admin/reviews/"]`)
	tb.shot("review")
	tb.submit("approve it", `form[action$="/approve"] button[type=submit]`)
	tb.shot("approved")
	tb.signOut()

	// --- the researcher ----------------------------------------------------
	tb.signIn("analyst", password)
	tb.shot("researcher-home")
	tb.do("open the exports page", chromedp.Navigate(base+"/exports"))
	tb.submit("filter LAO and the year", `form[action="/exports"] button[type=submit]`,
		chromedp.SetValue(chromedp.ID("country"), "LAO"),
		chromedp.SetValue(chromedp.ID("from"), year),
		chromedp.SetValue(chromedp.ID("to"), year))
	tb.shot("exports")
	gapPath := tb.download("download the gap workbook", chromedp.Click(chromedp.CSS(`a[href^="/exports/gap.xlsx"]`)))

	// The figures the focal point typed, in the researcher's workbook.
	_, gap := readGap(t, gapPath)
	var summary []map[string]string
	for _, row := range gap["Summary"].rows {
		if row["country"] == "LAO" && row["year"] == year {
			summary = append(summary, row)
		}
	}
	if len(summary) != 1 || summary[0]["killed"] != "6" || summary[0]["injured"] != "14" {
		t.Errorf("Summary rows for LAO %s: %v; want killed 6, injured 14", year, summary)
	}
	want := map[string][2]string{"male adult": {"40", "25"}, "female adult": {"30", "12"}}
	for _, row := range gap["medical_care"].rows {
		key := row["sex"] + " " + row["age_group"]
		if w, ok := want[key]; ok && row["country"] == "LAO" && row["year"] == year && row["disability"] == "total" {
			if row["in_need"] != w[0] || row["reached"] != w[1] {
				t.Errorf("medical_care %s: in need %q, reached %q; want %q, %q", key, row["in_need"], row["reached"], w[0], w[1])
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("medical_care has no row for %v", want)
	}
}

// signIn fills in the login form and waits for the page it leads to.
func (tb *tab) signIn(name, password string) {
	tb.t.Helper()
	tb.do("open the login page", chromedp.Navigate(tb.base+"/login"))
	if tb.n == 0 {
		tb.shot("login")
	}
	tb.submit("sign in as "+name, `form[action="/login"] button[type=submit]`,
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), password))
	if _, err := chromedp.Run(tb.ctx, chromedp.Nodes(chromedp.CSS("form.logout"))); err != nil {
		tb.fail("sign in as "+name, fmt.Errorf("no sign-out button after signing in: %w", err))
	}
}

func (tb *tab) signOut() {
	tb.t.Helper()
	tb.submit("sign out", `form.logout button[type=submit]`)
}

// submit runs the steps that fill a form, then clicks sel and waits for the
// page the click loads.
func (tb *tab) submit(what, sel string, fill ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	tb.do(what, fill...)
	_, err := chromedp.Run(tb.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	if err != nil {
		tb.fail(what, err)
	}
}

// issues reads the result page's table of issues: severity, sheet, cell,
// message per row (none when the page says there are none).
func (tb *tab) issues() [][4]string {
	tb.t.Helper()
	rows, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[][4]string](`
		Array.from(document.querySelectorAll('h2#issues + .table-wrap tbody tr'),
			tr => Array.from(tr.querySelectorAll('td'), td => td.textContent.trim()).slice(0, 4))`))
	if err != nil {
		tb.fail("read the issues", err)
	}
	return rows
}

// checkTemplate: the downloaded template is a workbook pre-filled with the
// focal point's country and the period of the year due.
func checkTemplate(t *testing.T, path, country, year string) {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the downloaded template: %v", err)
	}
	defer x.Close()
	cover := sheetNames["en"][0]
	got, _ := x.GetCellValue(cover, "B3")
	if !strings.Contains(got, country) && !strings.Contains(got, "Lao") {
		t.Errorf("template cover B3 (country) is %q, want %s", got, country)
	}
	end, _ := x.GetCellValue(cover, "B5")
	if !strings.Contains(end, year) {
		t.Errorf("template cover B5 (period end) is %q, want a date in %s", end, year)
	}
}

// checkAnnotated: the annotated copy holds a comment on every cell with a
// mistake.
func checkAnnotated(t *testing.T, path string, mistakes []cellValue) {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the annotated workbook: %v", err)
	}
	defer x.Close()
	for _, m := range mistakes {
		comments, err := x.GetComments(m.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(comments, func(c excelize.Comment) bool { return c.Cell == m.cell }) {
			t.Errorf("the annotated workbook has no comment on %s!%s", m.sheet, m.cell)
		}
	}
}

// cellValue is what a focal point types in one cell.
type cellValue struct {
	sheet, cell string
	v           any
}

// fillWorkbook copies the template to out with the good values, then the
// mistakes over them.
func fillWorkbook(t *testing.T, template, out string, good map[string]map[string]any, mistakes []cellValue) string {
	t.Helper()
	x, err := excelize.OpenFile(template)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for sheet, cells := range good {
		for ref, v := range cells {
			if err := x.SetCellValue(sheet, ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range mistakes {
		if err := x.SetCellValue(m.sheet, m.cell, m.v); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}
