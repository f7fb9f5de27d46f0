package crawl

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects bounds one request's redirect chain.
const maxRedirects = 10

// ErrOffDomain is returned for a URL or a redirect outside the allowed hosts.
var ErrOffDomain = errors.New("off-domain URL refused")

// hostAllowed reports whether u's host is allowed: an entry with a port
// matches that host:port exactly; one without matches the host name and its
// subdomains on any port.
func hostAllowed(u *url.URL, allowed []string) bool {
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return false
	}
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	for _, a := range allowed {
		if h, p, err := net.SplitHostPort(a); err == nil {
			if strings.EqualFold(h, host) && p == port {
				return true
			}
			continue
		}
		if host == a || strings.HasSuffix(host, "."+a) {
			return true
		}
	}
	return false
}

// hostKey is u's host with its port made explicit, for robots caches and
// per-host gates.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// scopeOf returns the allowed-host list for a run limited to one URL's host.
func scopeOf(u *url.URL) []string {
	return []string{strings.TrimPrefix(hostKey(u), u.Scheme+"://")}
}

// redirectPolicy refuses redirects leaving the allowed hosts, changing to a
// scheme other than http(s), or longer than maxRedirects.
func redirectPolicy(allowed []string) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("crawl: stopped after %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("crawl: redirect to %s: %w", req.URL.Redacted(), ErrOffDomain)
		}
		if !hostAllowed(req.URL, allowed) {
			return fmt.Errorf("crawl: redirect to %s: %w", req.URL.Redacted(), ErrOffDomain)
		}
		return nil
	}
}
