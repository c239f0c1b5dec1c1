package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lectern-platform/lectern/internal/auth"
)

const sessionCookie = "lectern_session"

// authenticate finds the actor behind a bearer token or the session cookie. It
// never rejects: handlers decide, through auth.Authorize, what an actor may do.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/") {
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

// csrf protects every state-changing request that a browser's cookies could
// authenticate. Bearer-token API calls carry no ambient credentials and are exempt;
// so are API calls without a session cookie (such as the API login).
func (s *Server) csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:csrf_token",
		CookieName:     "lectern_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secureCookies(),
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   int((12 * time.Hour).Seconds()),
		Skipper: func(c echo.Context) bool {
			if c.Get("auth_via") == "bearer" {
				return true
			}
			if strings.HasPrefix(c.Request().URL.Path, "/api/") {
				_, err := c.Cookie(sessionCookie)
				return err != nil
			}
			p := c.Request().URL.Path
			return p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/")
		},
		ErrorHandler: func(err error, c echo.Context) error {
			s.log.Warn("csrf rejected", "path", c.Request().URL.Path, "remote", c.RealIP())
			return echo.NewHTTPError(http.StatusForbidden, s.localizer(c).T("error.csrf"))
		},
	})
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

func (s *Server) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int((12 * time.Hour).Seconds())})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// localPath keeps a post-login redirect on this site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}
