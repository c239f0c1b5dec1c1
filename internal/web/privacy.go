package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// privacyPage is the notice officers accept when they activate their account.
func (s *Server) privacyPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "privacy.html", s.localizer(c).T("privacy.title"), nil)
}
