package crawl

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// retryTransport gives every attempt its own deadline (covering the body
// read too) and retries GET/HEAD after a timeout, a dropped connection, a
// 5xx (except 501/505) or a 429, at most retries times, sleeping
// backoff·2ⁿ (capped, jittered ±25%) in between. The caller's context ends
// everything at once.
type retryTransport struct {
	base       http.RoundTripper
	timeout    time.Duration
	retries    int
	backoff    time.Duration
	backoffMax time.Duration
	attempts   *atomic.Int64 // counts attempts (stats)
	retried    *atomic.Int64 // counts retries (stats)
}

func newRetryTransport(base http.RoundTripper, q Politeness, st *counters) *retryTransport {
	return &retryTransport{
		base: base, timeout: q.Timeout, retries: q.Retries,
		backoff: q.Backoff, backoffMax: q.BackoffMax,
		attempts: &st.Attempts, retried: &st.Retries,
	}
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead
	for attempt := 0; ; attempt++ {
		ctx, cancel := parent, context.CancelFunc(func() {})
		if t.timeout > 0 {
			ctx, cancel = context.WithTimeout(parent, t.timeout)
		}
		if t.attempts != nil {
			t.attempts.Add(1)
		}
		resp, err := t.base.RoundTrip(req.Clone(ctx))
		last := attempt >= t.retries || !idempotent || parent.Err() != nil
		if last || !retryable(resp, err) {
			if err != nil {
				cancel()
				if ctx.Err() == context.DeadlineExceeded && parent.Err() == nil {
					return nil, &timeoutError{err: err, after: t.timeout}
				}
				return nil, err
			}
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel, ctx: ctx, parent: parent, timeout: t.timeout}
			return resp, nil
		}
		wait := t.delay(attempt, resp)
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
		}
		cancel()
		if t.retried != nil {
			t.retried.Add(1)
		}
		timer := time.NewTimer(wait)
		select {
		case <-parent.Done():
			timer.Stop()
			return nil, parent.Err()
		case <-timer.C:
		}
	}
}

// delay is the wait before retry n+1: backoff·2ⁿ with jitter, capped; a
// Retry-After within the cap is honoured.
func (t *retryTransport) delay(n int, resp *http.Response) time.Duration {
	if resp != nil {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			if d := time.Duration(s) * time.Second; d <= t.backoffMax {
				return d
			}
			return t.backoffMax
		}
	}
	d := t.backoff
	for i := 0; i < n && d < t.backoffMax; i++ {
		d *= 2
	}
	d = min(d, t.backoffMax)
	if d > 0 {
		d = d*3/4 + rand.N(d/2+1)
	}
	return min(d, t.backoffMax)
}

func retryable(resp *http.Response, err error) bool {
	if err != nil {
		var ne net.Error
		return errors.Is(err, context.DeadlineExceeded) ||
			(errors.As(err, &ne) && ne.Timeout()) ||
			errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
			errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true
	case resp.StatusCode == http.StatusNotImplemented, resp.StatusCode == http.StatusHTTPVersionNotSupported:
		return false
	default:
		return resp.StatusCode >= 500 && resp.StatusCode <= 599
	}
}

// timeoutError reports an attempt that hit the per-attempt deadline.
type timeoutError struct {
	err   error
	after time.Duration
}

func (e *timeoutError) Error() string {
	return "timed out after " + e.after.String() + ": " + e.err.Error()
}
func (e *timeoutError) Unwrap() error { return e.err }
func (e *timeoutError) Timeout() bool { return true }

// cancelOnClose ends the attempt's deadline with the body, and names a body
// read cut by the deadline as a timeout.
type cancelOnClose struct {
	io.ReadCloser
	cancel  context.CancelFunc
	ctx     context.Context
	parent  context.Context
	timeout time.Duration
}

func (c *cancelOnClose) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if err != nil && err != io.EOF && c.ctx.Err() == context.DeadlineExceeded && c.parent.Err() == nil {
		err = &timeoutError{err: err, after: c.timeout}
	}
	return n, err
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
