package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web"
	"github.com/vahub/vahub/web/auth"
)

// testPassword is every test user's password on the pages.
const testPassword = "correct horse battery"

var (
	hashOnce sync.Once
	hashed   []byte
)

// passwordHash hashes testPassword once per test binary (bcrypt is slow on
// purpose).
func passwordHash(t *testing.T) []byte {
	hashOnce.Do(func() {
		var err error
		if hashed, err = auth.HashPassword(testPassword); err != nil {
			panic(err)
		}
	})
	return hashed
}

// setupPages is setup with passwords for every user and, unless the test
// sets them, plain-http cookies (the test client speaks http).
func setupPages(t *testing.T, opts web.Options) *fixture {
	t.Helper()
	return setupPagesWith(t, opts, nil)
}

func setupPagesWith(t *testing.T, opts web.Options, hook func(*pg.DB)) *fixture {
	t.Helper()
	f := setupWith(t, opts, hook)
	for _, name := range []string{"ada", "fp-lao", "rita", "enum-lao"} {
		if err := f.db.SetPassword(t.Context(), name, passwordHash(t)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// browser is a cookie-keeping client that behaves like a browser on the
// same site (Sec-Fetch-Site, Accept) and does not follow redirects, so
// tests see them.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	header http.Header // sent with every request
}

func (f *fixture) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: f.url, header: http.Header{
		"Accept":          {"text/html,application/xhtml+xml"},
		"Sec-Fetch-Site":  {"same-origin"},
		"Accept-Language": {"en"},
	}, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	for k, v := range b.header {
		if req.Header.Get(k) == "" {
			req.Header[k] = v
		}
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) login(name, password string) (*http.Response, string) {
	b.t.Helper()
	return b.post("/login", url.Values{"name": {name}, "password": {password}})
}

// mustLogin signs in and checks the redirect home.
func (b *browser) mustLogin(name string) {
	b.t.Helper()
	resp, body := b.login(name, testPassword)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		b.t.Fatalf("login %s: %d %s %s", name, resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// sessionCookie is the session cookie the jar holds ("" when none).
func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "vahub_session" {
			return c.Value
		}
	}
	return ""
}

func (b *browser) setSessionCookie(v string) {
	u, _ := url.Parse(b.base)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "vahub_session", Value: v, Path: "/"}})
}

func (f *fixture) countSessions(t *testing.T, user string) int {
	t.Helper()
	var n int
	if err := f.db.GetContext(t.Context(), &n, `SELECT count(*) FROM web_session s JOIN app_user u ON u.id = s.user_id WHERE u.name = $1`, user); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) countAudit(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := f.db.GetContext(t.Context(), &n, `SELECT count(*) FROM audit_log WHERE action = $1`, action); err != nil {
		t.Fatal(err)
	}
	return n
}

// Login with the right password, a wrong one, an unknown name and a
// disabled account; pages need a session; logout ends it server-side.
func TestLogin(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	if err := f.db.DisableUser(t.Context(), "rita"); err != nil {
		t.Fatal(err)
	}

	b := f.browser(t)
	// A page without a session goes to the login page, and back after.
	resp, _ := b.get("/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("page without session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := b.get("/login")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<form class="stack" method="post" action="/login">`) {
		t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("page CSP = %q", csp)
	}

	for _, tc := range []struct {
		name, user, password string
		want                 int
	}{
		{"wrong password", "fp-lao", "not the password", http.StatusUnauthorized},
		{"unknown user", "nobody", testPassword, http.StatusUnauthorized},
		{"disabled user, right password", "rita", testPassword, http.StatusUnauthorized},
		{"empty", "", "", http.StatusUnauthorized},
	} {
		resp, body := b.login(tc.user, tc.password)
		if resp.StatusCode != tc.want || !strings.Contains(body, "The user name or password is wrong") {
			t.Errorf("%s: %d, want %d with the message: %s", tc.name, resp.StatusCode, tc.want, body)
		}
		if b.sessionCookie() != "" {
			t.Errorf("%s: a session cookie was set", tc.name)
		}
	}
	if n := f.countAudit(t, "login_failed"); n != 4 {
		t.Errorf("audited failures = %d, want 4", n)
	}
	var leaked int
	if err := f.db.GetContext(t.Context(), &leaked, `SELECT count(*) FROM audit_log WHERE detail::text LIKE '%' || $1 || '%' OR object LIKE '%' || $1 || '%'`, testPassword); err != nil {
		t.Fatal(err)
	}
	if leaked != 0 {
		t.Errorf("the password is in the audit log")
	}

	// The right password: a session, home page, the user's name in it.
	b.mustLogin("FP-LAO ") // names are case- and space-insensitive
	if f.countSessions(t, "fp-lao") != 1 {
		t.Fatalf("sessions after login = %d", f.countSessions(t, "fp-lao"))
	}
	resp, body = b.get("/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Signed in as fp-lao (focal point)") {
		t.Fatalf("home: %d %s", resp.StatusCode, body)
	}
	if f.countAudit(t, "login") != 1 {
		t.Errorf("login not audited")
	}

	// Logout deletes the session server-side: the old cookie, replayed,
	// no longer opens a page.
	old := b.sessionCookie()
	resp, _ = b.post("/logout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := f.countSessions(t, "fp-lao"); n != 0 {
		t.Errorf("sessions after logout = %d, want 0", n)
	}
	if f.countAudit(t, "logout") != 1 {
		t.Errorf("logout not audited")
	}
	b.setSessionCookie(old)
	if resp, _ := b.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("old session after logout: %d, want a redirect to login", resp.StatusCode)
	}
}

// A session id the browser had before login (planted by an attacker, or
// an old one) is never the session after login, and is deleted.
func TestSessionFixation(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	// The attacker's own valid session, planted in the victim's browser.
	attacker := f.browser(t)
	attacker.mustLogin("ada")
	planted := attacker.sessionCookie()

	victim := f.browser(t)
	victim.setSessionCookie(planted)
	victim.mustLogin("fp-lao")
	got := victim.sessionCookie()
	if got == "" || got == planted {
		t.Fatalf("session after login = %q, the planted one was %q", got, planted)
	}
	if n := f.countSessions(t, "ada"); n != 0 {
		t.Errorf("the planted session survived the login: %d sessions of ada", n)
	}
	// A made-up id planted before login is not adopted either.
	victim2 := f.browser(t)
	victim2.setSessionCookie("attacker-chosen-id")
	victim2.mustLogin("fp-lao")
	if victim2.sessionCookie() == "attacker-chosen-id" {
		t.Error("made-up session id adopted")
	}
}

// After N failures for a name, the N+1th attempt is refused with 429 even
// with the right password; another name from another address still works.
func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	const n = 3
	f := setupPages(t, web.Options{InsecureCookies: true, LoginMaxPerName: n, LoginMaxPerAddr: 100, LoginWindow: time.Hour})
	b := f.browser(t)
	for i := range n {
		if resp, _ := b.login("fp-lao", "wrong password "+string(rune('a'+i))); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := b.login("fp-lao", testPassword)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password while throttled: %d, want 429", resp.StatusCode)
	}
	if !strings.Contains(body, "Too many failed sign-in attempts. Wait 60 minutes") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("throttled answer: Retry-After %q, body %s", resp.Header.Get("Retry-After"), body)
	}
	if b.sessionCookie() != "" || f.countSessions(t, "fp-lao") != 0 {
		t.Error("a session was created while throttled")
	}
	// Translated: the same refusal in French.
	b.header.Set("Accept-Language", "fr")
	if resp, body := b.login("fp-lao", testPassword); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Trop de tentatives de connexion") {
		t.Errorf("French throttle: %d %s", resp.StatusCode, body)
	}
	if f.countAudit(t, "login_throttled") != 2 {
		t.Errorf("throttled logins audited %d times, want 2", f.countAudit(t, "login_throttled"))
	}
	// Other users are not locked out by fp-lao's failures.
	b.header.Set("Accept-Language", "en")
	b.mustLogin("ada")
}

// Too many failures from one address throttle every name from it.
func TestLoginThrottlingPerAddress(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true, LoginMaxPerName: 100, LoginMaxPerAddr: 2, LoginWindow: time.Hour})
	b := f.browser(t)
	for _, name := range []string{"x1", "x2"} {
		if resp, _ := b.login(name, "nope-nope-nope"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %s: %d", name, resp.StatusCode)
		}
	}
	if resp, _ := b.login("ada", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password from a throttled address: %d, want 429", resp.StatusCode)
	}
}

// The session cookie's attributes, with secure cookies (the default) and
// with --insecure-cookies.
func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		insecure bool
		name     string
		secure   bool
	}{{false, "__Host-vahub_session", true}, {true, "vahub_session", false}} {
		f := setupPages(t, web.Options{InsecureCookies: tc.insecure})
		b := f.browser(t)
		resp, _ := b.login("ada", testPassword)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		var c *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == tc.name {
				c = k
			}
		}
		if c == nil {
			t.Fatalf("insecure=%v: no %s cookie in %v", tc.insecure, tc.name, resp.Header["Set-Cookie"])
		}
		if !c.HttpOnly || c.Secure != tc.secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || len(c.Value) < 40 {
			t.Errorf("insecure=%v: cookie %+v", tc.insecure, c)
		}
	}
}

// A cross-site form post (a page on another site posting to vahub) is
// refused before it reaches the login or upload handlers.
func TestCrossSitePostRefused(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	b := f.browser(t)
	b.mustLogin("fp-lao")
	for _, path := range []string{"/login", "/upload", "/logout", "/lang"} {
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Sec-Fetch-Site": "same-site"},
			{"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
		} {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+path, strings.NewReader("name=ada&password="+url.QueryEscape(testPassword)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/html")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			if h["Sec-Fetch-Site"] == "" {
				req.Header.Del("Sec-Fetch-Site") // an older browser: Origin only
			}
			// Straight through the client: b.do would add same-origin.
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := string(raw)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "sent from another site") {
				t.Errorf("POST %s with %v: %d, want 403: %.200s", path, h, resp.StatusCode, body)
			}
		}
	}
	// Nothing happened: the session is alive, no login was recorded twice.
	if f.countSessions(t, "fp-lao") != 1 || f.countAudit(t, "login") != 1 {
		t.Errorf("sessions %d, logins %d after refused posts", f.countSessions(t, "fp-lao"), f.countAudit(t, "login"))
	}
}

// The page language: Accept-Language by default, the switcher's cookie
// over it.
func TestLanguageNegotiation(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	for _, tc := range []struct{ accept, lang, text string }{
		{"fr-CA,fr;q=0.9,en;q=0.5", "fr", "Connexion"},
		{"es-419,es;q=0.9", "es", "Iniciar sesión"},
		{"de-DE,de;q=0.9", "en", "Sign in"},
		{"", "en", "Sign in"},
		{"en-GB;q=0.2, fr;q=0.8", "fr", "Connexion"},
		{";;garbage", "en", "Sign in"},
	} {
		b := f.browser(t)
		b.header.Set("Accept-Language", tc.accept)
		resp, body := b.get("/login")
		if !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.text) || resp.Header.Get("Content-Language") != tc.lang {
			t.Errorf("Accept-Language %q: want %s page: %.300s", tc.accept, tc.lang, body)
		}
	}
	// The switcher: French browser, Spanish chosen, remembered.
	b := f.browser(t)
	b.header.Set("Accept-Language", "fr")
	resp, _ := b.post("/lang", url.Values{"lang": {"es"}, "next": {"/login?next=%2Fupload"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fupload" {
		t.Fatalf("switch: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := b.get("/login"); !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("after choosing es: %.200s", body)
	}
	// An open redirect through next= is not possible.
	for _, next := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		resp, _ := b.post("/lang", url.Values{"lang": {"en"}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q: redirected to %q", next, loc)
		}
	}
	if resp, _ := b.post("/lang", url.Values{"lang": {"de"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown language: %d, want 400", resp.StatusCode)
	}
}

// testClock is a clock the test moves; safe to read from the server's
// goroutines.
type testClock struct{ now atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.now.Store(t.UnixNano())
	return c
}
func (c *testClock) Now() time.Time          { return time.Unix(0, c.now.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.now.Add(int64(d)) }

// A session ends after its idle time without a request, and at its
// absolute age however busy it is; an ended session is a visitor's.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	clock := newTestClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	f := setupPagesWith(t, web.Options{InsecureCookies: true, SessionIdle: time.Hour, SessionMaxAge: 3 * time.Hour},
		func(db *pg.DB) { db.Now = clock.Now })
	home := func(b *browser) int { resp, _ := b.get("/"); return resp.StatusCode }

	idle := f.browser(t)
	idle.mustLogin("fp-lao")
	clock.advance(59 * time.Minute)
	if got := home(idle); got != http.StatusOK {
		t.Fatalf("after 59 idle minutes: %d, want 200", got)
	}
	clock.advance(59 * time.Minute) // 59 minutes since the last request
	if got := home(idle); got != http.StatusOK {
		t.Fatalf("59 minutes after the last request: %d, want 200", got)
	}
	clock.advance(61 * time.Minute)
	if got := home(idle); got != http.StatusSeeOther {
		t.Errorf("after 61 idle minutes: %d, want a redirect to login", got)
	}
	if n := f.countSessions(t, "fp-lao"); n != 0 {
		t.Errorf("idle session still stored: %d", n)
	}

	busy := f.browser(t)
	busy.mustLogin("ada")
	for range 5 { // 2.5 hours, a request every 30 minutes
		clock.advance(30 * time.Minute)
		if got := home(busy); got != http.StatusOK {
			t.Fatalf("busy session: %d", got)
		}
	}
	clock.advance(31 * time.Minute) // 3 h 1 min after login
	if got := home(busy); got != http.StatusSeeOther {
		t.Errorf("past the absolute age: %d, want a redirect to login", got)
	}
}
