package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/metrics"
)

// useMetrics installs, before routes() adds the rest, the outermost middleware
// that observes every request (internal/app hands the metrics to the services
// and watches the database pools). Without metrics it does nothing.
func (s *Server) useMetrics() error {
	m := s.opts.Metrics
	if m == nil {
		return nil
	}
	s.metricsHandler = m.Handler()
	s.echo.Use(s.observeRequests)
	return nil
}

// routeKey names one registered route, for the metrics' route label.
type routeKey struct{ method, path string }

// indexRoutes lists the registered routes, so that a request's route label is
// one of them or "unmatched": never a raw path, whatever a scanner asks for.
func (s *Server) indexRoutes() {
	s.routeSet = map[routeKey]struct{}{}
	for _, r := range s.echo.Routes() {
		s.routeSet[routeKey{r.Method, r.Path}] = struct{}{}
	}
}

// observeRequests counts every request and its duration by route pattern. It
// runs outside logRequests, which has already written the response.
func (s *Server) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		method, route := c.Request().Method, c.Path()
		if _, ok := s.routeSet[routeKey{method, route}]; !ok {
			route = metrics.Unmatched
		}
		s.opts.Metrics.ObserveRequest(route, method, c.Response().Status, time.Since(start))
		return nil
	}
}

// metricsEndpoint serves the metrics on the public port to a scraper holding
// LECTERN_METRICS_TOKEN. Without a token configured it does not exist (404);
// a missing or wrong token gets 401.
func (s *Server) metricsEndpoint(c echo.Context) error {
	if s.opts.Metrics == nil || s.cfg.MetricsToken == "" {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	got, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if !ok || !sameToken(strings.TrimSpace(got), s.cfg.MetricsToken) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return c.String(http.StatusUnauthorized, "metrics: Authorization: Bearer LECTERN_METRICS_TOKEN required\n")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	s.metricsHandler.ServeHTTP(c.Response(), c.Request())
	return nil
}

// sameToken compares in constant time; hashing first hides the length too.
func sameToken(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
