package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// privacyShow is the notice officers accept when they activate their account.
func (s *Server) privacyShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "privacy.html", s.localizer(c).T("privacy.title"), nil)
}
