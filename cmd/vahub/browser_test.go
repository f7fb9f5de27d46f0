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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
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
