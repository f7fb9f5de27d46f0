package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/temoto/robotstxt"
)

// ErrRobots is returned for a URL that robots.txt disallows for our agent.
var ErrRobots = errors.New("disallowed by robots.txt")

// maxRobotsSize is what we read of a robots.txt (Google reads 500 KiB).
const maxRobotsSize = 512 << 10

// robotsCache fetches each host's robots.txt once (per Fetcher) and tests
// paths against the group for our user agent. A 4xx robots.txt allows
// everything, a 5xx disallows everything (temoto/robotstxt, Google's rules);
// a network error is returned, so the URL fails rather than being fetched.
type robotsCache struct {
	ua     string
	mu     sync.Mutex
	byHost map[string]*robotsEntry
}

type robotsEntry struct {
	once sync.Once
	data *robotstxt.RobotsData
	err  error
}

func newRobotsCache(ua string) *robotsCache {
	return &robotsCache{ua: ua, byHost: map[string]*robotsEntry{}}
}

// allowed checks u; client fetches robots.txt (its retries and timeout apply).
func (r *robotsCache) allowed(ctx context.Context, client *http.Client, u *url.URL) error {
	key := hostKey(u)
	r.mu.Lock()
	e, ok := r.byHost[key]
	if !ok {
		e = &robotsEntry{}
		r.byHost[key] = e
	}
	r.mu.Unlock()
	e.once.Do(func() { e.data, e.err = r.fetch(ctx, client, u) })
	if e.err != nil {
		// Do not cache a failure: the next URL tries again.
		r.mu.Lock()
		if r.byHost[key] == e {
			delete(r.byHost, key)
		}
		r.mu.Unlock()
		return fmt.Errorf("robots.txt for %s: %w", u.Host, e.err)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if !e.data.FindGroup(r.ua).Test(p) {
		return ErrRobots
	}
	return nil
}

func (r *robotsCache) fetch(ctx context.Context, client *http.Client, u *url.URL) (*robotstxt.RobotsData, error) {
	ru := url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ru.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", r.ua)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobotsSize))
	if err != nil {
		return nil, err
	}
	return robotstxt.FromStatusAndBytes(resp.StatusCode, body)
}
