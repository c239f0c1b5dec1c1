package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
)

// sessionCookie is the session cookie's name, with the __Host- prefix on an
// HTTPS site (see cookieName).
const sessionCookie = "lectern_session"

// sessionKey is where authenticate leaves the session cookie's value for the
// CSRF check, when a cookie counts: see sessionCookieOf.
const sessionKey = "session_cookie"

// authenticate finds the actor behind a bearer token or the session cookie. It
// never rejects: handlers decide, through auth.Authorize, what an actor may do.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/") || p == "/attempts/sw.js" {
			return next(c) // probes, metrics and assets must answer even when the database does not; /metrics checks its own token
		}
		token, via, legacy := "", "", false
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			if t, ok := strings.CutPrefix(h, "Bearer "); ok {
				token, via = strings.TrimSpace(t), "bearer"
			} else {
				return echo.NewHTTPError(http.StatusUnauthorized, apperr.Message("err.http.bearer_format"))
			}
		} else if token, legacy = s.sessionCookieOf(c); token != "" {
			via = "cookie"
		}
		if token != "" {
			actor, err := s.accounts.Authenticate(c.Request().Context(), token)
			if err != nil {
				return err
			}
			if actor == nil && via == "bearer" {
				return echo.NewHTTPError(http.StatusUnauthorized, apperr.Message("err.http.token_unknown"))
			}
			if actor == nil && legacy {
				token, via = "", "" // under the old name only a live sign-in counts
			}
			if actor != nil {
				c.Set("actor", actor)
				c.Set("token", token)
				if legacy { // moved to the prefixed name; see sessionCookieOf
					s.setCookie(c, s.cookieName(sessionCookie), token, cookieMaxAge)
					s.dropLegacySessionCookie(c)
				}
			}
		}
		if via == "cookie" {
			c.Set(sessionKey, token)
		}
		c.Set("auth_via", via)
		return next(c)
	}
}

// actor returns the signed-in user, or nil.
func actor(c echo.Context) *auth.Actor {
	a, _ := c.Get("actor").(*auth.Actor)
	return a
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

// cookieName is the name of one of the sign-in cookies: on an HTTPS site with
// the __Host- prefix, which the browser accepts only from this very host over
// HTTPS, so a sibling subdomain (cookie tossing) or a forged plain-HTTP response
// cannot plant one (login CSRF, or signing the victim in as someone else).
func (s *Server) cookieName(name string) string {
	if s.secureCookies() {
		return "__Host-" + name
	}
	return name
}

// sessionCookieOf is the session token the browser sends. On an HTTPS site the
// cookie under the old, unprefixed name is still read when the prefixed one is
// missing (legacy): sign-ins from before the upgrade would end otherwise. It
// counts only if it names a live sign-in, which authenticate then moves to the
// prefixed name; until this fallback goes (next release), a cookie tossed under
// the old name into a browser without a sign-in of its own can still sign it in
// as whoever the live token belongs to.
func (s *Server) sessionCookieOf(c echo.Context) (token string, legacy bool) {
	if ck, err := c.Cookie(s.cookieName(sessionCookie)); err == nil && ck.Value != "" {
		return ck.Value, false
	}
	if !s.secureCookies() {
		return "", false
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		return ck.Value, true
	}
	return "", false
}

// cookieMaxAge is how long the browser keeps the session and pre-session
// cookies: a training day.
const cookieMaxAge = 12 * time.Hour

// setCookie writes one of the sign-in cookies: never readable by script, sent
// on top-level navigation from other sites but not on their form posts, and
// only over HTTPS when the site is; a negative maxAge deletes it.
func (s *Server) setCookie(c echo.Context, name, value string, maxAge time.Duration) {
	age := int(maxAge.Seconds())
	if maxAge < 0 {
		age = -1 // Max-Age=0; -1 ns in seconds would round to 0, no Max-Age at all: an empty cookie that stays
	}
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: age})
}

func (s *Server) setSessionCookie(c echo.Context, token string) {
	s.dropLegacySessionCookie(c)
	s.setCookie(c, s.cookieName(sessionCookie), token, cookieMaxAge)
	s.renewCSRF(c, token)
}

func (s *Server) clearSessionCookie(c echo.Context) {
	s.dropLegacySessionCookie(c)
	s.setCookie(c, s.cookieName(sessionCookie), "", -1)
	s.renewCSRF(c, "")
}

// dropLegacySessionCookie deletes a session cookie under the old name on an
// HTTPS site, so that it cannot outlive a sign-in or sign-out (sessionCookieOf).
func (s *Server) dropLegacySessionCookie(c echo.Context) {
	if s.secureCookies() {
		if _, err := c.Cookie(sessionCookie); err == nil {
			s.setCookie(c, sessionCookie, "", -1)
		}
	}
}

// localPath keeps a post-login redirect on this site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}
