package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"
)

// logRequests writes one structured line per request.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the response now, so the status below is the real one
		}
		req, res := c.Request(), c.Response()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", req.Method),
			slog.String("path", logPath(c)),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", c.RealIP()),
		}
		if err != nil && res.Status >= 500 {
			attrs = append(attrs, slog.String("err", err.Error()))
		}
		s.log.LogAttrs(req.Context(), level, "request", attrs...)
		return nil
	}
}

// logPath is what the logs say of a request's path: the route's pattern
// (/activate/:token), never the path itself. Invitation, reset and calendar
// links sign people in, and a path that matched no route may be one mistyped.
func logPath(c echo.Context) string {
	if p := c.Path(); p != "" {
		return p
	}
	return "(no route)"
}

// recoverPanics turns a panic in a handler into a logged 500, not a dead process.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic in handler", "path", logPath(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = echo.NewHTTPError(http.StatusInternalServerError)
			}
		}()
		return next(c)
	}
}

// pageCSP allows only our own scripts, styles and images: nothing from other hosts,
// no inline script, so even a mistake in escaping cannot run code.
const pageCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders also keeps every response out of caches unless its handler
// says otherwise (the versioned static files, the public signing key, course
// files): officers sign in on shared classroom devices and borrowed laptops,
// where the next person must not find the last one's pages, results or
// certificates in the browser's cache.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

// serverDate sets the Date header from the server's clock, the one deadlines are
// judged by: the quiz page's countdown resynchronises from it.
func (s *Server) serverDate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Date", s.attempts.Now().UTC().Format(http.TimeFormat))
		return next(c)
	}
}
