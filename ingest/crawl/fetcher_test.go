package crawl

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left behind in temp dir: %s", e.Name())
	}
}

func TestFetchETagUnchanged(t *testing.T) {
	s := newSite(t)
	body := []byte("PK\x03\x04 fixture Form H workbook")
	const etag = `"form-h-v1"`
	var full atomic.Int32
	s.handle("/files/Form_H.xlsx", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		_, _ = w.Write(body)
	})
	f, dir := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	u := s.URL("/files/Form_H.xlsx")

	first, err := f.Fetch(t.Context(), p, u, Previous{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Unchanged || first.Status != 200 || first.ETag != etag || first.Size != int64(len(body)) || first.SHA256 != hexSHA(body) {
		t.Errorf("first fetch %+v", first)
	}
	got, err := os.ReadFile(first.Path)
	if err != nil || string(got) != string(body) {
		t.Fatalf("file %q: %v", got, err)
	}
	if err := first.Remove(); err != nil {
		t.Fatal(err)
	}

	second, err := f.Fetch(t.Context(), p, u, Previous{ETag: first.ETag, LastModified: first.LastModified, SHA256: first.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	if !second.Unchanged || second.Status != 304 || second.Path != "" || second.SHA256 != first.SHA256 || second.ETag != etag {
		t.Errorf("second fetch %+v", second)
	}
	if n := full.Load(); n != 1 {
		t.Errorf("body sent %d times, want 1 (the second fetch must not download)", n)
	}
	if h := s.hits("/files/Form_H.xlsx"); len(h) != 2 || h[1].INM != etag {
		t.Errorf("requests %+v", h)
	}
	assertEmptyDir(t, dir)
}

func TestFetchLastModifiedUnchanged(t *testing.T) {
	s := newSite(t)
	lm := time.Date(2019, 5, 2, 10, 0, 0, 0, time.UTC)
	s.handle("/files/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "report.pdf", lm, strings.NewReader("%PDF-1.4 Afghanistan 2018"))
	})
	f, _ := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	a, err := f.Fetch(t.Context(), p, s.URL("/files/report.pdf"), Previous{})
	if err != nil || a.LastModified == "" {
		t.Fatalf("%+v %v", a, err)
	}
	_ = a.Remove()
	b, err := f.Fetch(t.Context(), p, s.URL("/files/report.pdf"), Previous{LastModified: a.LastModified, SHA256: a.SHA256})
	if err != nil || !b.Unchanged || b.Status != 304 {
		t.Errorf("%+v %v", b, err)
	}
	if h := s.hits("/files/report.pdf"); len(h) != 2 || h[1].IMS != a.LastModified {
		t.Errorf("If-Modified-Since not sent: %+v", h)
	}
}

// TestFetchHashComparison: no validators from the server; the hash decides.
func TestFetchHashComparison(t *testing.T) {
	s := newSite(t)
	var content atomic.Value
	content.Store("v1 casualties 797 killed")
	s.handle("/files/data.csv", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		fmt.Fprint(w, content.Load().(string))
	})
	f, dir := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	u := s.URL("/files/data.csv")
	a, err := f.Fetch(t.Context(), p, u, Previous{})
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Remove()
	b, err := f.Fetch(t.Context(), p, u, Previous{SHA256: a.SHA256})
	if err != nil || !b.Unchanged || b.Path != "" || b.Status != 200 {
		t.Errorf("same content: %+v %v", b, err)
	}
	assertEmptyDir(t, dir)
	content.Store("v2 casualties 798 killed")
	c, err := f.Fetch(t.Context(), p, u, Previous{SHA256: a.SHA256})
	if err != nil || c.Unchanged || c.SHA256 == a.SHA256 || c.Path == "" {
		t.Errorf("changed content: %+v %v", c, err)
	}
	_ = c.Remove()
}

func TestFetchOversizedIsAnError(t *testing.T) {
	s := newSite(t)
	s.file("/files/big.pdf", "application/pdf", []byte(strings.Repeat("x", 5000)))
	s.handle("/files/big-chunked.pdf", func(w http.ResponseWriter, _ *http.Request) {
		for range 5 {
			fmt.Fprint(w, strings.Repeat("y", 1000))
			w.(http.Flusher).Flush()
		}
	})
	s.file("/files/exact.pdf", "application/pdf", []byte(strings.Repeat("z", 2000)))
	f, dir := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	p.Politeness.MaxFileSize = 2000
	for _, tg := range []string{"/files/big.pdf", "/files/big-chunked.pdf"} {
		got, err := f.Fetch(t.Context(), p, s.URL(tg), Previous{})
		if !errors.Is(err, ErrTooLarge) || got.Path != "" {
			t.Errorf("%s: %+v, %v; want ErrTooLarge", tg, got, err)
		}
	}
	assertEmptyDir(t, dir)
	got, err := f.Fetch(t.Context(), p, s.URL("/files/exact.pdf"), Previous{})
	if err != nil || got.Size != 2000 {
		t.Errorf("file at the cap: %+v %v", got, err)
	}
	_ = got.Remove()
}

// hijackWrite sends raw bytes and closes the connection.
func hijackWrite(w http.ResponseWriter, raw string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
}

func TestFetchTruncatedIsAnError(t *testing.T) {
	s := newSite(t)
	half := strings.Repeat("a", 500)
	s.handle("/files/short.xlsx", func(w http.ResponseWriter, _ *http.Request) {
		hijackWrite(w, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"+half)
	})
	s.handle("/files/short-chunked.xlsx", func(w http.ResponseWriter, _ *http.Request) {
		hijackWrite(w, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n1f4\r\n"+half+"\r\n")
	})
	f, dir := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	for _, tg := range []string{"/files/short.xlsx", "/files/short-chunked.xlsx"} {
		got, err := f.Fetch(t.Context(), p, s.URL(tg), Previous{})
		if !errors.Is(err, ErrTruncated) || got.Path != "" {
			t.Errorf("%s: %+v, %v; want ErrTruncated", tg, got, err)
		}
	}
	assertEmptyDir(t, dir)
}

func TestFetchRobots(t *testing.T) {
	s := newSite(t)
	s.robots = "User-agent: *\nDisallow: /private/\n\nUser-agent: vahub-test\nDisallow: /private/\nDisallow: /not-for-vahub/\n"
	s.file("/private/report.pdf", "application/pdf", []byte("%PDF"))
	s.file("/not-for-vahub/report.pdf", "application/pdf", []byte("%PDF"))
	s.file("/public/report.pdf", "application/pdf", []byte("%PDF"))
	s.handle("/public/sneaky.pdf", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/private/report.pdf", http.StatusFound)
	})
	f, _ := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	for _, tg := range []string{"/private/report.pdf", "/not-for-vahub/report.pdf", "/public/sneaky.pdf"} {
		if _, err := f.Fetch(t.Context(), p, s.URL(tg), Previous{}); !errors.Is(err, ErrRobots) {
			t.Errorf("%s: %v, want ErrRobots", tg, err)
		}
	}
	for _, tg := range []string{"/private/report.pdf", "/not-for-vahub/report.pdf"} {
		if n := s.count(tg); n != 0 {
			t.Errorf("%s requested %d times", tg, n)
		}
	}
	got, err := f.Fetch(t.Context(), p, s.URL("/public/report.pdf"), Previous{})
	if err != nil {
		t.Fatal(err)
	}
	_ = got.Remove()
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1 (cached)", n)
	}
	for _, h := range s.hits("") {
		if h.UA != testUA {
			t.Errorf("%s: UA %q", h.Target, h.UA)
		}
	}
}

func TestFetchOffDomain(t *testing.T) {
	other := newSite(t)
	other.file("/files/x.pdf", "application/pdf", []byte("%PDF"))
	s := newSite(t)
	s.handle("/files/moved.pdf", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL("/files/x.pdf"), http.StatusMovedPermanently)
	})
	f, _ := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	if _, err := f.Fetch(t.Context(), p, s.URL("/files/moved.pdf"), Previous{}); !errors.Is(err, ErrOffDomain) {
		t.Errorf("redirect: %v, want ErrOffDomain", err)
	}
	if _, err := f.Fetch(t.Context(), p, other.URL("/files/x.pdf"), Previous{}); !errors.Is(err, ErrOffDomain) {
		t.Errorf("direct: %v, want ErrOffDomain", err)
	}
	if other.count("") != 0 {
		t.Errorf("other host received %v", other.targets())
	}
}

func TestFetchRetriesAndStatus(t *testing.T) {
	s := newSite(t)
	var n atomic.Int32
	s.handle("/files/flaky.pdf", func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "%PDF ok")
	})
	s.handle("/files/slow.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		fmt.Fprint(w, "partial")
		w.(http.Flusher).Flush()
		select { // the body stalls: the per-attempt deadline covers it
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	s.handle("/files/hang.pdf", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	f, dir := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	p.Politeness.Timeout = 150 * time.Millisecond
	got, err := f.Fetch(t.Context(), p, s.URL("/files/flaky.pdf"), Previous{})
	if err != nil || s.count("/files/flaky.pdf") != 3 {
		t.Errorf("flaky: %v after %d requests", err, s.count("/files/flaky.pdf"))
	}
	_ = got.Remove()
	if _, err := f.Fetch(t.Context(), p, s.URL("/files/missing.pdf"), Previous{}); err == nil {
		t.Error("404 accepted")
	} else if se := (*StatusError)(nil); !errors.As(err, &se) || se.Code != 404 || s.count("/files/missing.pdf") != 1 {
		t.Errorf("404: %v, %d requests", err, s.count("/files/missing.pdf"))
	}
	start := time.Now()
	_, err = f.Fetch(t.Context(), p, s.URL("/files/hang.pdf"), Previous{})
	if !isTimeout(err) || s.count("/files/hang.pdf") != 3 {
		t.Errorf("hang: %v after %d requests", err, s.count("/files/hang.pdf"))
	}
	_, err = f.Fetch(t.Context(), p, s.URL("/files/slow.pdf"), Previous{})
	if !isTimeout(err) {
		t.Errorf("stalled body: %v, want a timeout", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("timeouts took %v", el)
	}
	assertEmptyDir(t, dir)
}

func TestFetchPolitenessDelay(t *testing.T) {
	s := newSite(t)
	for i := range 4 {
		s.file(fmt.Sprintf("/files/%d.pdf", i), "application/pdf", []byte("%PDF"))
	}
	f, _ := newTestFetcher(t)
	p := testProfile(t, s, "/p/")
	p.Politeness.Delay = 40 * time.Millisecond
	before := time.Now()
	for i := range 4 {
		got, err := f.Fetch(t.Context(), p, s.URL(fmt.Sprintf("/files/%d.pdf", i)), Previous{})
		if err != nil {
			t.Fatal(err)
		}
		_ = got.Remove()
	}
	// The four files went through the host's gate, so their starts span at
	// least three delays. A lower bound only: a slow machine can never
	// make this fail.
	if took := time.Since(before); took < 3*p.Politeness.Delay {
		t.Errorf("four requests took %v, under three delays of %v: the gate was bypassed", took, p.Politeness.Delay)
	}
}

// The gate's schedule: requests made together start one delay apart; a
// request after a quiet spell starts at once.
func TestGateSchedule(t *testing.T) {
	g := &hostGate{slots: make(chan struct{}, 1), delay: 40 * time.Millisecond}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		at, want time.Duration
	}{
		{0, 0},
		{0, 40 * time.Millisecond},
		{10 * time.Millisecond, 80 * time.Millisecond},
		{0, 120 * time.Millisecond},
		{time.Second, time.Second},
		{time.Second + time.Millisecond, time.Second + 40*time.Millisecond},
	}
	for i, c := range cases {
		if got := g.reserve(t0.Add(c.at)).Sub(t0); got != c.want {
			t.Errorf("request %d made at +%v starts at +%v, want +%v", i, c.at, got, c.want)
		}
	}
}
