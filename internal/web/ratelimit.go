package web

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/ratelimit"
)

// perAddressLimit throttles a route group per client address (the server's
// IPExtractor: the peer, or X-Forwarded-For behind a trusted proxy) to
// ratelimit.AddressLimit requests per ratelimit.AddressWindow. name keeps
// each group's allowance its own. A refused request gets 429 with
// Retry-After.
//
// With PostgreSQL the count is in the database (App.AddressLimits), shared by
// every process behind the load balancer: a client gets the allowance once,
// not once per process. With SQLite there is one process per database file,
// and the count stays in memory (a token bucket: the same rate and burst, one
// request's worth back within a second), sparing the single writer a write
// per request.
func (s *Server) perAddressLimit(name string) echo.MiddlewareFunc {
	if l := s.app.AddressLimits; l != nil {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				ok, wait, err := l.Allow(c.Request().Context(), name+" "+c.RealIP())
				if err != nil {
					return err
				}
				if !ok {
					return tooMany(wait)
				}
				return next(c)
			}
		}
	}
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate:  rate.Limit(float64(ratelimit.AddressLimit) / ratelimit.AddressWindow.Seconds()),
			Burst: ratelimit.AddressLimit, ExpiresIn: 3 * time.Minute}),
		DenyHandler: func(echo.Context, string, error) error {
			return tooMany(time.Second)
		},
	})
}

// tooMany refuses a request past a limit that has no message of its own (the
// status's is shown), to come back after wait: an address's allowance, and a
// credential check that found no turn (credentials.go).
func tooMany(wait time.Duration) error { return apperr.TooMany(wait, "") }
