package crawl

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// hostGate spaces the starts of requests to one host by Delay (plus a
// random part up to RandomDelay) and bounds how many run at once
// (Parallelism; a slot is held until the response body is closed). Unlike
// colly's LimitRule delay, which is a time.Sleep taken while holding the
// slot, waiting here ends with the context, so a cancelled run stops at
// once instead of after queued×delay.
type hostGate struct {
	slots chan struct{}
	mu    sync.Mutex
	next  time.Time
	delay time.Duration
	rnd   time.Duration
}

// gates holds one hostGate per scheme://host:port.
type gates struct {
	mu sync.Mutex
	m  map[string]*hostGate
}

func newGates() *gates { return &gates{m: map[string]*hostGate{}} }

func (g *gates) get(u *url.URL, q Politeness) *hostGate {
	key := hostKey(u)
	g.mu.Lock()
	defer g.mu.Unlock()
	h, ok := g.m[key]
	if !ok {
		h = &hostGate{slots: make(chan struct{}, max(q.Parallelism, 1)), delay: q.Delay, rnd: q.RandomDelay}
		g.m[key] = h
	}
	return h
}

func (g *hostGate) acquire(ctx context.Context) (func(), error) {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	now := time.Now()
	start := g.reserve(now)
	if wait := start.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-g.slots
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { <-g.slots }) }, nil
}

// reserve books the next start for a request made at now: now itself when
// the host has been quiet for a delay, else the end of the last booking.
// It is the gate's whole schedule, kept apart from the waiting so the
// spacing can be tested without a clock.
func (g *hostGate) reserve(now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	start := now
	if g.next.After(now) {
		start = g.next
	}
	d := g.delay
	if g.rnd > 0 {
		d += rand.N(g.rnd)
	}
	g.next = start.Add(d)
	return start
}

// gatedTransport passes every request (robots.txt, retries and redirects
// included) through its host's gate.
type gatedTransport struct {
	base  http.RoundTripper
	gates *gates
	q     Politeness
}

func (t *gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	release, err := t.gates.get(req.URL, t.q).acquire(req.Context())
	if err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releaseOnClose{ReadCloser: resp.Body, release: release}
	return resp, nil
}

type releaseOnClose struct {
	io.ReadCloser
	release func()
}

func (r *releaseOnClose) Close() error {
	err := r.ReadCloser.Close()
	r.release()
	return err
}
