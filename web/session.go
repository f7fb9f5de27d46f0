package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// Browser sessions. The cookie holds a random id; the server keeps only its
// SHA-256 (web_session), so a stolen database yields no usable cookie. A
// login always makes a new id and deletes any session the browser
// presented (no fixation); logout deletes the session server-side. A
// session ends after SessionIdle without a request or SessionMaxAge after
// login, whichever comes first.

// Defaults of the session and throttling options.
const (
	DefaultSessionIdle      = time.Hour
	DefaultSessionMaxAge    = 12 * time.Hour
	DefaultLoginWindow      = 15 * time.Minute
	DefaultLoginMaxPerName  = 5
	DefaultLoginMaxPerAddr  = 20
	maxLoginForm            = 16 << 10
	maxAuditedName          = 64
	sessionCookieSecure     = "__Host-vahub_session"
	sessionCookieInsecure   = "vahub_session"
	langCookieMaxAge        = 365 * 24 * 60 * 60
	anonymousActor          = "anonymous"
	auditLogin              = "login"
	auditLoginFailed        = "login_failed"
	auditLoginThrottled     = "login_throttled"
	auditLogout             = "logout"
	throttleRetryMinimumSec = 60
)

// session is a signed-in browser.
type session struct {
	principal auth.Principal
	userID    int64
	idHash    []byte
}

// sessionCookieName: with Secure cookies the __Host- prefix also binds the
// cookie to this exact host and path /. Plain http (--insecure-cookies)
// cannot use the prefix.
func (s *server) sessionCookieName() string {
	if s.opts.InsecureCookies {
		return sessionCookieInsecure
	}
	return sessionCookieSecure
}

// cookie is a cookie of vahub's with the site-wide attributes.
func (s *server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   !s.opts.InsecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
}

// presentedSession is the hash of the session id the browser sent, or nil.
func (s *server) presentedSession(r *http.Request) []byte {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil
	}
	return auth.HashToken(c.Value)
}

// sessionOf returns the request's live session, or nil for a visitor
// (no cookie, or one that is unknown, expired, idle or of a disabled user).
func (s *server) sessionOf(r *http.Request) (*session, error) {
	h := s.presentedSession(r)
	if h == nil {
		return nil, nil
	}
	u, err := s.db.SessionUser(r.Context(), h, s.opts.SessionIdle)
	if errors.Is(err, pg.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("web: session: %w", err)
	}
	return &session{principal: auth.Principal{Name: u.Name, Role: u.Role, Countries: u.Countries}, userID: u.ID, idHash: h}, nil
}

// loginPage is the login form's data.
type loginPage struct {
	Name   string
	Next   string
	Error  string
	Notice string
}

// GET /login: the form; a signed-in user goes home.
func (s *server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if infoOf(r).user != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, "login", loginPage{Next: localPath(r.URL.Query().Get("next"))})
}

// POST /login: check the throttle, then the password; on success a new
// session replaces whatever the browser had.
func (s *server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		return errorf(eInvalid, "the login form is malformed")
	}
	lang := langOf(r)
	name := pg.NormalizeUserName(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	data := loginPage{Name: clipRunes(name, maxAuditedName), Next: localPath(r.PostForm.Get("next"))}
	remote := remoteHost(r)
	ctx := r.Context()

	throttled, err := s.loginThrottled(ctx, name, remote)
	if err != nil {
		return err
	}
	if throttled {
		s.audit(r, pg.AuditEntry{Actor: anonymousActor, Action: auditLoginThrottled, Object: data.Name, Remote: remote})
		minutes := int((s.opts.LoginWindow + time.Minute - 1) / time.Minute)
		w.Header().Set("Retry-After", fmt.Sprint(max(int(s.opts.LoginWindow/time.Second), throttleRetryMinimumSec)))
		data.Error = T(lang, "login.throttled", minutes)
		return s.renderStatus(w, r, http.StatusTooManyRequests, "login", data)
	}

	u, hash, err := s.db.UserByName(ctx, name)
	reason := ""
	switch {
	case errors.Is(err, pg.ErrNotFound):
		auth.CheckPassword(dummyHash, password) // the same time as a real check
		reason = "unknown_user"
	case err != nil:
		return fmt.Errorf("web: login: %w", err)
	case !auth.CheckPassword(hash, password):
		reason = "bad_password"
	case u.Disabled:
		reason = "disabled"
	}
	if reason != "" {
		if err := s.db.RecordLoginAttempt(ctx, name, remote); err != nil {
			return err
		}
		s.audit(r, pg.AuditEntry{Actor: anonymousActor, Action: auditLoginFailed, Object: data.Name, Remote: remote,
			Detail: map[string]any{"reason": reason}})
		data.Error = T(lang, "login.failed")
		return s.renderStatus(w, r, http.StatusUnauthorized, "login", data)
	}

	// No fixation: whatever session the browser presented ends here, and
	// the new one gets a fresh id.
	if old := s.presentedSession(r); old != nil {
		if err := s.db.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	id, idHash, err := auth.NewSessionID()
	if err != nil {
		return err
	}
	if err := s.db.CreateSession(ctx, idHash, u.ID, s.opts.SessionMaxAge); err != nil {
		return err
	}
	if err := s.db.ClearLoginAttempts(ctx, name, remote); err != nil {
		return err
	}
	s.audit(r, pg.AuditEntry{Actor: u.Name, Action: auditLogin, Remote: remote})
	// A browser-session cookie: closing the browser (a shared computer in a
	// ministry) forgets it; the server ends it anyway at SessionMaxAge.
	http.SetCookie(w, s.cookie(s.sessionCookieName(), id, 0))
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
	return nil
}

// dummyHash is checked against when the user does not exist, so a wrong
// name takes as long as a wrong password.
var dummyHash = []byte("$2a$12$qG6KrdaG/b6VZYD8S4TBhurfENaDBXlkgJUb0CJ.2NwJGMUd6O9im")

// loginThrottled: too many recent failures for this name (from anywhere)
// or from this address (for any name). While throttled even the right
// password is refused, so guessing cannot go on by luck.
func (s *server) loginThrottled(ctx context.Context, name, remote string) (bool, error) {
	since := s.db.Now().Add(-s.opts.LoginWindow)
	if name != "" {
		n, err := s.db.RecentLoginFailures(ctx, name, "", since)
		if err != nil {
			return false, err
		}
		if n >= s.opts.LoginMaxPerName {
			return true, nil
		}
	}
	if remote != "" {
		n, err := s.db.RecentLoginFailures(ctx, "", remote, since)
		if err != nil {
			return false, err
		}
		if n >= s.opts.LoginMaxPerAddr {
			return true, nil
		}
	}
	return false, nil
}

// POST /logout: the session ends server-side, the cookie is cleared.
func (s *server) logout(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.sessionOf(r)
	if err != nil {
		return err
	}
	if h := s.presentedSession(r); h != nil {
		if err := s.db.DeleteSession(r.Context(), h); err != nil {
			return err
		}
	}
	if sess != nil {
		s.audit(r, pg.AuditEntry{Actor: sess.principal.Name, Action: auditLogout, Remote: remoteHost(r)})
	}
	http.SetCookie(w, s.cookie(s.sessionCookieName(), "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// POST /lang: remember the language picked in the switcher, back to the
// page it was on.
func (s *server) setLang(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		return errorf(eInvalid, "the form is malformed")
	}
	lang := r.PostForm.Get("lang")
	if !validLang(lang) {
		return errorf(eInvalid, "unknown language %q", clipRunes(lang, 10))
	}
	http.SetCookie(w, s.cookie(langCookie, lang, langCookieMaxAge))
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

// audit records a page's write; a failure to audit is logged, it does not
// undo what was done (the login, the logout).
func (s *server) audit(r *http.Request, e pg.AuditEntry) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	if err := s.db.Audit(ctx, e); err != nil {
		s.log.Error("audit", "action", e.Action, "err", err)
	}
}

// clipRunes keeps at most n characters of s.
func clipRunes(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
