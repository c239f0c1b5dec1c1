package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
)

const sessionCookie = "lectern_session"

// authenticate finds the actor behind a bearer token or the session cookie. It
// never rejects: handlers decide, through auth.Authorize, what an actor may do.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/") || p == "/attempts/sw.js" {
			return next(c) // probes, metrics and assets must answer even when the database does not; /metrics checks its own token
		}
		token, via := "", ""
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			if t, ok := strings.CutPrefix(h, "Bearer "); ok {
				token, via = strings.TrimSpace(t), "bearer"
			} else {
				return echo.NewHTTPError(http.StatusUnauthorized, "use Authorization: Bearer TOKEN")
			}
		} else if ck, err := c.Cookie(sessionCookie); err == nil {
			token, via = ck.Value, "cookie"
		}
		if token != "" {
			actor, err := s.accounts.Authenticate(c.Request().Context(), token)
			if err != nil {
				return err
			}
			if actor == nil && via == "bearer" {
				return echo.NewHTTPError(http.StatusUnauthorized, "the token is unknown, expired or revoked")
			}
			if actor != nil {
				c.Set("actor", actor)
				c.Set("token", token)
			}
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

// cookieMaxAge is how long the browser keeps the session and pre-session
// cookies: a training day.
const cookieMaxAge = 12 * time.Hour

// setCookie writes one of the sign-in cookies: never readable by script, sent
// on top-level navigation from other sites but not on their form posts, and
// only over HTTPS when the site is; a negative maxAge deletes it.
func (s *Server) setCookie(c echo.Context, name, value string, maxAge time.Duration) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())})
}

func (s *Server) setSessionCookie(c echo.Context, token string) {
	s.setCookie(c, sessionCookie, token, cookieMaxAge)
	s.renewCSRF(c, token)
}

func (s *Server) clearSessionCookie(c echo.Context) {
	s.setCookie(c, sessionCookie, "", -1)
	s.renewCSRF(c, "")
}

// localPath keeps a post-login redirect on this site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}
