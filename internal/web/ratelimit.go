package web

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lectern-platform/lectern/internal/apperr"
)

// Per-address limits of the public routes that anyone may call many times:
// links and forms with a one-time token (the code form's pending sign-in
// included), and certificate verification. A room behind one
// venue NAT (sixty officers activating accounts in the morning, or scanning
// their certificates at the end of the day) fits in the burst; a client that
// keeps going past 10 a second is refused.
const (
	addressRate  = 10
	addressBurst = 120
)

// perAddressLimit throttles a route group per client address (the server's
// IPExtractor: the peer, or X-Forwarded-For behind a trusted proxy). A refused
// request gets 429 with Retry-After: one request's worth is back within a
// second at addressRate.
func perAddressLimit() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: addressRate, Burst: addressBurst, ExpiresIn: 3 * time.Minute}),
		DenyHandler: func(echo.Context, string, error) error {
			return apperr.TooMany(time.Second, "") // no message of its own: the status's
		},
	})
}
