package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
)

// accountShow is everyone's account page: their language, the download of
// their data, and (admins and trainers) the way to the second factor.
func (s *Server) accountShow(c echo.Context) error {
	a := actor(c)
	if a == nil {
		return auth.Authorize(nil, auth.ActCourseRead)
	}
	return s.render(c, http.StatusOK, "account.html", s.localizer(c).T("account.title"), struct{ Security bool }{a.MayUseTOTP()})
}
