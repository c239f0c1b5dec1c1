package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lectern-platform/lectern/static"
)

// routes is the one table of every URL Lectern answers.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(s.logRequests, s.recoverPanics, securityHeaders, middleware.BodyLimit("1M"))

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticFiles(static.FS))))

	e.GET("/", s.home)
	e.GET("/courses", s.listCourses)
	e.GET("/courses/:course", s.showCourse)
	e.GET("/courses/:course/assets/*", s.courseAsset)
	e.GET("/courses/:course/:module", s.showModule)
}
