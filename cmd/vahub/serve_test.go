package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vahub/vahub/schema/pg/pgtest"
)

// syncBuffer is a bytes.Buffer the server goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// vahub serve listens, answers the probes, and stops cleanly (exit 0) when
// its context ends.
func TestServe(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewURL(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	env := map[string]string{"DATABASE_URL": dbURL, "VAHUB_DATA_DIR": t.TempDir()}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--max-upload-mb", "5"}, strings.NewReader(""), &stdout, &stderr,
			func(k string) string { return env[k] })
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
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
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
	}
	resp, err := http.Get(base + "/api/v1/facts/casualties")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API without a token: %d, want 401", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d after shutdown, want 0:\n%s", code, stderr.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// The server refuses to start on a database with pending migrations, and
// on a bad command line.
func TestServeRefuses(t *testing.T) {
	t.Parallel()
	r := mustRun(t, exitInternal, pgtest.NewEmptyURL(t), "serve", "--addr", "127.0.0.1:0")
	if !strings.Contains(r.stderr, "out of date") {
		t.Errorf("empty database: %s", r)
	}
	mustRun(t, exitUsage, unreachable, "serve", "--max-upload-mb", "0")
	mustRun(t, exitUsage, unreachable, "serve", "extra")
	if r := mustRun(t, exitOK, unreachable, "serve", "--help"); !strings.Contains(r.stdout, "--max-upload-mb") {
		t.Errorf("serve --help: %s", r)
	}
}
